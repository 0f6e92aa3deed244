/**
 * The stats: a webview panel (one at a time), restored after a reload by a WebviewPanelSerializer.
 * The host reads the history (stats are incremental in the store; pages come from the end of the
 * file; filtered pages and the what-if scan it once), and answers the webview's requests.
 */
import * as vscode from 'vscode';
import { TierSignalsAccumulator } from '../core/stats/tierSignals';
import type { Logger } from '../core/log';
import type { RouterConfig } from '../core/config';
import type { CallRecord } from '../core/history/record';
import type { HistoryStore, RawPage } from '../core/history/store';
import { exportHistoryToPath } from './commands/history';
import { answerRequest, dispatch, localizeTable, type Handlers, type RequestHandlers } from '../protocol/common';
import {
  isEmptyFilter,
  isStatsToHost,
  matchesFilter,
  STATS_STRINGS,
  type SpendView,
  type ApplyOutcome,
  type CalibrationView,
  type Thresholds,
  type FilterOptions,
  type FirstPage,
  type HistoryStats,
  type RecordPage,
  type RecordQuery,
  type StatsRequests,
  type StatsState,
  type StatsToHost,
  type StatsToWebview,
} from '../protocol/stats';
import { TIERS } from '../core/routing/policy';
import { StatsAccumulator } from '../core/stats/accumulator';
import { validateThresholds, WhatIfPoints } from '../core/stats/whatIf';
import { calibrateOn, evaluateOn, readHistory } from './commands/calibrate';
import { Disposable } from './disposable';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';

export const STATS_VIEW_TYPE = 'qwenRouter.stats';
export const OPEN_STATS_COMMAND = 'qwenRouter.openStats';
const FIRST_PAGE = 50;
const LIVE_DEBOUNCE_MS = 150;
/**
 * With at most this much of the history left to read (~500 records, a few ms), `state` waits for the
 * stats; with more (a history never read, or replaced), the newest records go first and the stats follow.
 */
const INLINE_STATS_BYTES = 1 << 20;

/** What the panel reads: the history store of src/core/history/store.ts. */
export type StatsHistory = HistoryStore;

/** A change to the history: one record appended (the ask flow), or anything else (import, clear, another file). */
/** `signal`: a signal line was appended (the per-tier signals change; the stats and the what-if do not). */
export type HistoryChange = { kind: 'appended'; record: CallRecord | Record<string, unknown> } | { kind: 'signal' } | { kind: 'reset' };

export interface StatsPanelDeps {
  /** The history store in use now (it may change with the workspace or the settings). */
  getHistory(): StatsHistory;
  /** The current configuration: thresholds, tier models and prices for the what-if. */
  getConfig(): Pick<RouterConfig, 'models' | 'policy'>;
  /** Fires after a record was appended (live update), or when the history was replaced. */
  onDidChangeHistory?: vscode.Event<HistoryChange>;
  /** Fires when the configuration changes. */
  onDidChangeConfig?: vscode.Event<unknown>;
  /** The extension's log, for messages the webview should not have sent. */
  log?: Logger;
  /** Spend against the budgets and all workspaces' totals; fires `onDidChangeSpend` when they change. */
  getSpend?(): Promise<SpendView>;
  onDidChangeSpend?: vscode.Event<void>;
  /** Apply: writes thresholds to the user settings (src/vscode/calibration.ts); without it the view's Apply is refused. */
  applyThresholds?(thresholds: Thresholds): Promise<ApplyOutcome>;
}

/** The filters' choices: the settings' models and the known tiers and methods, plus whatever the stats saw (when known). */
function filterOptions(stats: HistoryStats | null, config: Pick<RouterConfig, 'models'>): FilterOptions {
  const sorted = (values: Iterable<string>) => [...new Set(values)].filter(Boolean).sort((a, b) => a.localeCompare(b));
  const tiers = [...TIERS, ...Object.keys(stats?.tier_distribution ?? {}).filter((t) => !(TIERS as readonly string[]).includes(t))];
  return {
    tiers,
    models: sorted([...Object.keys(stats?.model_distribution ?? {}), ...Object.keys(stats?.cost?.by_model ?? {}), ...Object.keys(config.models)]),
    methods: sorted(['nvidia_classifier', 'fallback_token_length', 'user_specified', ...Object.keys(stats?.routing_methods ?? {})]),
  };
}

const messageOf = (failure: unknown) => (failure instanceof Error ? failure.message : String(failure));

/** A page of records matching a filter, newest first: one pass over the file keeping only the last offset+limit matches. */
export async function filteredPage(history: Pick<HistoryStore, 'records'>, query: RecordQuery): Promise<RecordPage> {
  const want = query.offset + query.limit;
  let window: Record<string, unknown>[] = [];
  let total = 0;
  for await (const { value } of history.records()) {
    if (!matchesFilter(value, query.filter)) continue;
    total += 1;
    window.push(value);
    if (window.length >= 2 * want + 64) window = window.slice(window.length - want);
  }
  const newestFirst = window.slice(Math.max(0, window.length - want)).reverse();
  return { total, offset: query.offset, limit: query.limit, records: newestFirst.slice(query.offset, query.offset + query.limit) };
}

/** The what-if's view of the history, built by one scan and kept current by appends. */
class WhatIfCache {
  private points: WhatIfPoints | undefined;
  private building: Promise<WhatIfPoints> | undefined;
  private generation = 0;

  constructor(private readonly history: () => StatsHistory) {}

  get(): Promise<WhatIfPoints> {
    if (this.points) return Promise.resolve(this.points);
    if (!this.building) {
      const generation = this.generation;
      const build = (async () => {
        const points = new WhatIfPoints();
        for await (const { value } of this.history().records()) points.add(value);
        return points;
      })();
      this.building = build;
      build.then(
        (points) => {
          if (this.generation === generation) this.points = points;
          if (this.building === build) this.building = undefined;
        },
        () => {
          if (this.building === build) this.building = undefined;
        },
      );
    }
    return this.building;
  }

  appended(record: Record<string, unknown>): void {
    // While a scan runs, it may or may not see the record: start over rather than count it twice.
    if (this.building) this.reset();
    else this.points?.add(record);
  }

  reset(): void {
    this.generation += 1;
    this.points = undefined;
    this.building = undefined;
  }
}

/** One open stats panel: its webview, its listeners, its answers. */
class StatsSession extends Disposable {
  private ready = false;
  private closed = false;
  /** Counts the states posted: stats that arrive for an older one are dropped. */
  private stateGeneration = 0;
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly whatIf: WhatIfCache;
  /** A proposal from Calibrate Thresholds… waiting for the page to be ready. */
  private proposal: CalibrationView | undefined;

  constructor(readonly panel: vscode.WebviewPanel, private readonly context: vscode.ExtensionContext, private readonly deps: StatsPanelDeps, onDispose: () => void) {
    super();
    this.whatIf = new WhatIfCache(() => deps.getHistory());
    const webview = panel.webview;
    webview.options = webviewOptions(context.extensionUri);
    webview.html = renderWebviewHtml(webview, context.extensionUri, {
      script: 'stats',
      styles: ['codicons/codicon.css', 'webview.css', 'stats.css'],
      title: vscode.l10n.t(STATS_STRINGS.title),
      lang: vscode.env.language,
    });
    panel.iconPath = {
      light: vscode.Uri.joinPath(context.extensionUri, 'media', 'qwen-router-light.svg'),
      dark: vscode.Uri.joinPath(context.extensionUri, 'media', 'qwen-router-dark.svg'),
    };
    this.register(webview.onDidReceiveMessage((message: unknown) => this.receive(message)));
    if (deps.onDidChangeHistory) this.register(deps.onDidChangeHistory((change) => this.historyChanged(change)));
    if (deps.onDidChangeSpend) this.register(deps.onDidChangeSpend(() => void this.postSpend()));
    if (deps.onDidChangeConfig) {
      this.register(
        deps.onDidChangeConfig(() => {
          this.whatIf.reset();
          this.scheduleLive();
        }),
      );
    }
    this.register({ dispose: () => clearTimeout(this.liveTimer) });
    this.register({ dispose: () => (this.closed = true) });
    this.register(
      panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
  }

  /** Shows a calibration in the what-if: at once when the page is ready, else right after its state. */
  propose(view: CalibrationView): void {
    this.proposal = view;
    if (this.ready) this.postProposal();
  }

  private postProposal(): void {
    if (!this.proposal) return;
    this.post({ type: 'proposal', proposal: this.proposal });
    this.proposal = undefined;
  }

  private async postSpend(): Promise<void> {
    const spend = await this.deps.getSpend?.().catch(() => undefined);
    if (spend) this.post({ type: 'spend', spend });
  }

  private post(message: StatsToWebview): void {
    if (this.ready && !this.closed) void this.panel.webview.postMessage(message);
  }

  private receive(message: unknown): void {
    if (!isStatsToHost(message)) {
      this.deps.log?.warn(`Stats view: ignored a message outside the protocol.`);
      return;
    }
    void Promise.resolve(dispatch(this.handlers, message)).catch((error: unknown) => {
      void vscode.window.showErrorMessage(vscode.l10n.t('Qwen Router stats: {0}', error instanceof Error ? error.message : String(error)));
    });
  }

  /**
   * Posts the state. When the stats are at hand (the history was read before, or it is small) they
   * come with it; otherwise the newest records go first (read backwards from the end of the file in
   * a few ms) and a `stats` message follows when the history has been read.
   */
  private async postState(): Promise<void> {
    const generation = ++this.stateGeneration;
    const history = this.deps.getHistory();
    let stats: HistoryStats | null = null;
    let page: FirstPage;
    let pending: Promise<HistoryStats> | undefined;
    let error: string | null = null;
    try {
      if ((await history.unreadBytes()) <= INLINE_STATS_BYTES) {
        let raw: RawPage;
        [stats, raw] = await Promise.all([history.stats(), history.page(FIRST_PAGE, 0)]);
        page = { total: raw.total, offset: raw.offset, limit: raw.limit, records: raw.records };
      } else {
        // The newest records first (a few ms); the scan for the stats starts once they are posted,
        // so its reads do not hold them up.
        const newest = await history.newest(FIRST_PAGE);
        page = { total: null, offset: 0, limit: FIRST_PAGE, records: newest.records };
        pending = Promise.resolve().then(() => history.stats());
        pending.catch(() => undefined); // (its failure is reported below)
      }
    } catch (failure) {
      // Still give the page its strings, and say why it is empty.
      error = messageOf(failure);
      stats = new StatsAccumulator().finish();
      page = { total: 0, limit: FIRST_PAGE, offset: 0, records: [] };
      pending = undefined;
    }
    if (generation !== this.stateGeneration) return;
    this.post({ type: 'state', state: this.makeState(history, stats, page, error) });
    this.postProposal();
    void this.postSpend();
    if (!pending) return;
    let late: HistoryStats;
    let lateError: string | null = null;
    try {
      late = await pending;
    } catch (failure) {
      lateError = messageOf(failure);
      late = new StatsAccumulator().finish();
    }
    if (generation !== this.stateGeneration) return;
    this.post({ type: 'stats', stats: late, filters: filterOptions(late, this.deps.getConfig()), updatedAt: Date.now(), error: lateError });
  }

  private makeState(history: StatsHistory, stats: HistoryStats | null, page: FirstPage, error: string | null): StatsState {
    const config = this.deps.getConfig();
    return {
      strings: localizeTable(STATS_STRINGS, (text) => vscode.l10n.t(text)),
      stats,
      filters: filterOptions(stats, config),
      page,
      thresholds: { ...config.policy.complexity },
      historyPath: history.path,
      updatedAt: Date.now(),
      error,
    };
  }

  private historyChanged(change: HistoryChange): void {
    if (change.kind === 'appended') this.whatIf.appended(change.record as Record<string, unknown>);
    else if (change.kind === 'reset') this.whatIf.reset();
    this.scheduleLive();
  }

  /** Live update: coalesce bursts of appends into one fresh stats message. */
  private scheduleLive(): void {
    if (this.liveTimer !== undefined) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      void this.postLive();
    }, LIVE_DEBOUNCE_MS);
  }

  private async postLive(): Promise<void> {
    if (!this.ready) return;
    const stats = await this.deps.getHistory().stats();
    this.post({ type: 'historyChanged', stats, filters: filterOptions(stats, this.deps.getConfig()), updatedAt: Date.now() });
  }

  private readonly requestHandlers: RequestHandlers<StatsRequests> = {
    getPage: async (query) => {
      const history = this.deps.getHistory();
      if (isEmptyFilter(query.filter)) {
        const page = await history.page(query.limit, query.offset);
        return { total: page.total, offset: page.offset, limit: page.limit, records: page.records };
      }
      return filteredPage(history, query);
    },
    whatIf: async ({ thresholds }) => {
      const problems = validateThresholds(thresholds);
      if (problems.length) throw new Error(problems.join('; '));
      const config = this.deps.getConfig();
      const points = await this.whatIf.get();
      const result = points.compute({ thresholds, taskRules: config.policy.taskRules, tierModels: config.policy.tierModels }, config.models);
      return { result, histogram: points.histogram(0.02), current: { ...config.policy.complexity } };
    },
    tierSignals: async () => {
      const accumulator = new TierSignalsAccumulator(this.deps.getConfig().policy.tierModels);
      for await (const { value } of this.deps.getHistory().records(undefined, { signals: true })) accumulator.add(value);
      return accumulator.finish();
    },
    calibrate: async ({ ask }) => calibrateOn(await readHistory(this.deps.getHistory()), ask, this.deps.getConfig()),
    evaluate: async ({ ask }) => evaluateOn(await readHistory(this.deps.getHistory()), ask, this.deps.getConfig()),
    applyThresholds: async ({ thresholds }) => {
      const problems = validateThresholds(thresholds);
      if (problems.length) throw new Error(problems.join('; '));
      if (!this.deps.applyThresholds) throw new Error(vscode.l10n.t('This view cannot change the settings.'));
      const outcome = await this.deps.applyThresholds(thresholds);
      this.deps.log?.info(`Thresholds applied from the stats view: simple ${thresholds.simple}, medium ${thresholds.medium}${outcome.overridden ? ' (a workspace value overrides them)' : ''}`);
      return outcome;
    },
    export: async ({ format, includeText }) => {
      const history = this.deps.getHistory();
      const extension = format === 'csv' ? 'csv' : 'jsonl';
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = `qwen-router-history-${new Date().toISOString().slice(0, 10)}.${extension}`;
      const target = await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export the call history'),
        defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
        filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl', 'json'] },
      });
      if (!target) return { path: null, records: 0 };
      const records = await exportHistoryToPath(history, target.fsPath, { format: format === 'csv' ? 'csv' : 'jsonl', includeText });
      this.deps.log?.info(`History export (stats view) to ${target.fsPath}: ${records} records, ${includeText ? 'with' : 'without'} prompt and answer text`);
      return { path: target.fsPath, records };
    },
  };

  private readonly handlers: Handlers<StatsToHost, unknown> = {
    ready: async () => {
      this.ready = true;
      await this.postState();
    },
    request: async (message) => {
      this.post(await answerRequest(this.requestHandlers, message));
    },
    refresh: async () => {
      this.whatIf.reset();
      await this.postState();
    },
    copy: async (message) => {
      await vscode.env.clipboard.writeText(message.text);
    },
  };
}

/** Opens, reveals and restores the one stats panel. */
export class StatsPanelManager extends Disposable implements vscode.WebviewPanelSerializer {
  private session: StatsSession | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly deps: StatsPanelDeps) {
    super();
    this.register({ dispose: () => this.session?.panel.dispose() });
  }

  /** The open panel, if any (for tests). */
  get panel(): vscode.WebviewPanel | undefined {
    return this.session?.panel;
  }

  /** Opens (or reveals) the panel with a calibration in its what-if, ready to Apply. */
  showProposal(view: CalibrationView): vscode.WebviewPanel {
    const panel = this.open();
    this.session?.propose(view);
    return panel;
  }

  open(column: vscode.ViewColumn = vscode.ViewColumn.Active): vscode.WebviewPanel {
    if (this.session) {
      this.session.panel.reveal(column);
      return this.session.panel;
    }
    const panel = vscode.window.createWebviewPanel(STATS_VIEW_TYPE, vscode.l10n.t(STATS_STRINGS.title), column, {
      ...webviewOptions(this.context.extensionUri),
      retainContextWhenHidden: false,
    });
    this.attach(panel);
    return panel;
  }

  /** Restores the panel after a reload (VS Code kept its place; we give it its content back). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    if (this.session) {
      // Only one stats panel: a second restored one is closed.
      panel.dispose();
      return;
    }
    this.attach(panel);
  }

  private attach(panel: vscode.WebviewPanel): void {
    const session = new StatsSession(panel, this.context, this.deps, () => {
      if (this.session === session) this.session = undefined;
    });
    this.session = session;
  }
}

/** Registers the stats panel, its serializer and the Open Stats command. */
export function registerStatsPanel(context: vscode.ExtensionContext, deps: StatsPanelDeps): StatsPanelManager {
  const manager = new StatsPanelManager(context, deps);
  context.subscriptions.push(
    manager,
    vscode.window.registerWebviewPanelSerializer(STATS_VIEW_TYPE, manager),
    vscode.commands.registerCommand(OPEN_STATS_COMMAND, () => {
      manager.open();
    }),
  );
  return manager;
}
