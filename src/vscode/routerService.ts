import * as vscode from 'vscode';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ask, type AskEvents, type AskRequest, type AskResult } from '../core/ask';
import type { RouterConfig } from '../core/config';
import type { SignalKind } from '../core/history/signal';
import { HISTORY_FILE_NAME, HistoryStore } from '../core/history/store';
import { resultLine, retryLine, routingLine, type Logger } from '../core/log';
import type { ScoreDistribution } from '../core/routing/dial';
import { route, type RoutingDecision } from '../core/routing/route';
import type { ChatMessage } from '../core/routing/tokens';
import type { ApiKeys } from './apiKey';
import type { ClassifierController } from './classifierController';
import type { HistoryChange } from './statsPanel';
import { Disposable } from './disposable';
import { readBudget, readRouterConfig } from './routerSettings';
import { SpendService } from './spend';
import { OtelExport } from './telemetry';

/**
 * The one place the VS Code front ends (palette, chat, stats) reach the core: routing and calls with
 * the current settings, the workspace's call history, and an event when a call has been recorded.
 */
export class RouterService extends Disposable {
  readonly history: HistoryStore;
  /** The history's recorded complexity scores, for the cost-quality dial; undefined until first read. */
  private scores: ScoreDistribution | undefined;
  private current = readRouterConfig();
  private readonly historyChanged = this.register(new vscode.EventEmitter<HistoryChange>());
  /** A record was appended (live updates), or the history was replaced (import, clear). */
  readonly onDidChangeHistory = this.historyChanged.event;
  private readonly decided = this.register(new vscode.EventEmitter<RoutingDecision>());
  /** Routing decided where a question goes (before its answer). */
  readonly onDidRoute = this.decided.event;
  private readonly configChanged = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeConfig = this.configChanged.event;
  private warmUpTimer: ReturnType<typeof setTimeout> | undefined;
  /** Budgets and the all-workspace ledger (issue 11). */
  readonly spend: SpendService;
  /** OpenTelemetry export of every recorded call, when an endpoint is set (docs/telemetry.md). */
  readonly telemetry: OtelExport;

  constructor(
    context: vscode.ExtensionContext,
    private readonly classifier: ClassifierController,
    private readonly keys: ApiKeys,
    readonly log: Logger,
  ) {
    super();
    // The workspace's own history; the global one when no folder is open.
    const storage = context.storageUri ?? context.globalStorageUri;
    this.history = new HistoryStore(join(storage.fsPath, HISTORY_FILE_NAME), { privacy: this.current.config.privacy, ...this.statsOptions() });
    this.register({ dispose: () => clearTimeout(this.warmUpTimer) });
    this.spend = this.register(new SpendService(context, this.history, readBudget()));
    this.telemetry = this.register(new OtelExport(context, log));
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('qwenRouter')) this.reloadSettings();
      }),
    );
  }

  /** Reads the settings again (on a change, and right after Apply wrote the thresholds, so the next prompt uses them). */
  reloadSettings(): void {
    this.current = readRouterConfig(this.scores);
    this.spend.configure(readBudget());
    // Prices or the top tier changed: the stats are read again, in the background.
    if (this.history.configure({ privacy: this.current.config.privacy, ...this.statsOptions() })) this.scheduleHistoryWarmUp(0);
    this.configChanged.fire();
    void this.refreshScores();
  }

  /**
   * Reads the history's stats in the background (a 100,000-record history takes ~1.5 s; the scan
   * reads 512 KiB at a time and lets the event loop turn between reads), so the stats view opens with
   * them ready. Never fails: a history that cannot be read says so when the view asks for it.
   */
  warmUpHistory(): Promise<void> {
    return this.history.stats().then(
      () => this.refreshScores(),
      () => undefined,
    );
  }

  /**
   * Reads the recorded scores again (only what was appended since the last read) and, when the dial
   * follows them, the thresholds with them. Calls never wait for this: they route with the last
   * scores read, and the thresholds say where they came from.
   */
  async refreshScores(): Promise<void> {
    if (this.current.config.thresholdSource.kind === 'setting') return;
    try {
      this.scores = await this.history.complexityScores();
    } catch {
      return; // an unreadable history says so in the stats view; the dial keeps its last scores
    }
    const before = this.current.config;
    this.current = readRouterConfig(this.scores);
    const after = this.current.config;
    const same = (a: RouterConfig, b: RouterConfig) => a.policy.complexity.simple === b.policy.complexity.simple && a.policy.complexity.medium === b.policy.complexity.medium && a.thresholdSource.kind === b.thresholdSource.kind;
    if (!same(before, after)) this.configChanged.fire();
  }

  /** Warms the history up `delayMs` from now (after activation: out of the way of startup). */
  scheduleHistoryWarmUp(delayMs: number): void {
    clearTimeout(this.warmUpTimer);
    this.warmUpTimer = setTimeout(() => {
      this.warmUpTimer = undefined;
      void this.warmUpHistory();
    }, delayMs);
  }

  get config(): RouterConfig {
    return this.current.config;
  }

  /** Settings that could not be used as written (the defaults stand in for them). */
  get problems(): string[] {
    return this.current.problems;
  }

  async ask(request: AskRequest, events: AskEvents = {}): Promise<AskResult> {
    const result = await ask(
      request,
      {
        config: this.config,
        classify: this.classifier.classify,
        store: this.history,
        getApiKey: (keyId) => this.keys.get(keyId),
        missingKeyHint: vscode.l10n.t('Run "Qwen Router: Set API Key".'),
        budget: this.spend.gate(this.config),
      },
      {
        ...events,
        onRouting: (event) => {
          this.log.info(routingLine(event, request.messages));
          this.decided.fire(event.decision);
          events.onRouting?.(event);
        },
        onRetry: (info) => {
          this.log.warn(retryLine(info));
          events.onRetry?.(info);
        },
      },
    );
    await this.recorded(result);
    return result;
  }

  /**
   * A call was recorded, by `ask` or by another front end over the core (the local endpoint): it is
   * logged, the views update and the spend ledger follows, the same way for every surface.
   */
  async recorded(result: AskResult): Promise<void> {
    const { level, line } = resultLine(result);
    this.log[level](line);
    if (result.historyError) this.log.error(result.historyError);
    else {
      this.historyChanged.fire({ kind: 'appended', record: result.record });
      void this.refreshScores();
    }
    this.telemetry.recorded(result.record, this.config.privacy);
    await this.spend.recorded(result.record);
  }

  /** Appends a user's signal about a recorded call (👍/👎, next tier) as a linked line of the history. */
  async signal(recordId: string, kind: SignalKind): Promise<void> {
    await this.history.appendSignal(recordId, kind);
    this.historyChanged.fire({ kind: 'signal' });
  }

  /** Deletes the history file once pending appends are written; stats start again from nothing. */
  async clearHistory(): Promise<void> {
    await this.history.flush();
    await rm(this.history.path, { force: true });
    this.history.configure({});
    this.historyChanged.fire({ kind: 'reset' });
    await this.spend.historyReplaced();
    await this.refreshScores();
  }

  /** Tells the views the history changed by other means (an import). */
  historyReplaced(): void {
    this.historyChanged.fire({ kind: 'reset' });
    void this.spend.historyReplaced();
    void this.refreshScores();
  }

  /** Routes without calling a model (Explain Routing). */
  explain(messages: ChatMessage[]): Promise<RoutingDecision> {
    return route({ messages }, { policy: this.config.policy, models: this.config.models, classify: this.classifier.classify });
  }

  /** Stats price every call as if it had gone to the complex tier's model (the counterfactual). */
  private statsOptions() {
    const key = this.config.policy.tierModels.complex;
    const spec = this.config.models[key];
    return spec ? { topTier: { key, spec } } : {};
  }
}
