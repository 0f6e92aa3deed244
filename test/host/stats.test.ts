// The stats panel in a real VS Code: a real webview page, a history file written by the core's
// ask() against the local DashScope stand-in, requests answered with correlated responses, and
// live updates when a call completes.
import * as assert from 'assert';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { ask } from '../../src/core/ask';
import type { ClassifierResult } from '../../src/core/classifier/result';
import { resolveConfig } from '../../src/core/config';
import { HistoryStore } from '../../src/core/history/store';
import { NO_FILTER, type RecordPage, type StatsState, type WhatIfView } from '../../src/protocol/stats';
import { StatsPanelManager, type HistoryChange } from '../../src/vscode/statsPanel';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { spyWebview, type WebviewSpy } from './webviewSpy';

const KEY = 'sk-stats-host-test';
const extensionId = `${manifest.publisher}.${manifest.name}`;

function verdict(score: number, task = 'Open QA'): ClassifierResult {
  return {
    task_type_1: task,
    task_type_2: 'NA',
    task_type_prob: 0.8,
    creativity_scope: 0.1,
    reasoning: 0.1,
    contextual_knowledge: 0.1,
    number_of_few_shots: 0,
    domain_knowledge: 0.2,
    no_label_reason: 0,
    constraint_ct: 0.1,
    prompt_complexity_score: score,
  };
}

describe('stats panel (host)', function () {
  this.timeout(90_000);
  let standIn: DashScopeStandIn;
  let dir: string;
  let store: HistoryStore;
  /** The store the panel reads (the small one, but for one test). */
  let shown: HistoryStore;
  let extensionUri: vscode.Uri;
  let changes: vscode.EventEmitter<HistoryChange>;
  let manager: StatsPanelManager | undefined;
  let spy: WebviewSpy | undefined;
  const { config } = resolveConfig({});

  /** One call through the real ask flow; `score` is what the (stubbed) classifier says. */
  async function call(prompt: string, score: number, task?: string) {
    const result = await ask(
      { messages: [{ role: 'user', content: prompt }] },
      {
        config: { ...config, baseUrl: standIn.baseUrl },
        store,
        classify: async () => ({ ok: true, result: verdict(score, task), elapsedMs: 12, tokens: 8 }),
        getApiKey: () => KEY,
        sleep: async () => undefined,
      },
    );
    changes.fire({ kind: 'appended', record: result.record });
    return result;
  }

  let requestCount = 0;
  async function respond(method: string, params: unknown) {
    assert.ok(spy);
    const requestId = `t-${++requestCount}`;
    spy.simulate({ type: 'request', requestId, method, params });
    const reply = await spy.waitPosted((m) => m.type === 'response' && m.requestId === requestId, 30_000);
    assert.equal(reply.method, method);
    return reply;
  }
  async function request<T>(method: string, params: unknown): Promise<T> {
    const reply = await respond(method, params);
    assert.equal(reply.ok, true, String(reply.error));
    return reply.result as T;
  }
  /** A request the host answers with an error: returns the error text. */
  async function failedRequest(method: string, params: unknown): Promise<string> {
    const reply = await respond(method, params);
    assert.equal(reply.ok, false, 'the request should have failed');
    return String(reply.error);
  }

  before(async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not loaded`);
    extensionUri = extension.extensionUri;
    standIn = await DashScopeStandIn.start({ apiKey: KEY, defaultScenario: { reply: 'an answer', usage: { prompt_tokens: 1000, completion_tokens: 500 } } });
    dir = mkdtempSync(join(tmpdir(), 'qwen-router-stats-host-'));
    store = new HistoryStore(join(dir, 'call_history.jsonl'), { topTier: { key: 'qwen-max', spec: config.models['qwen-max'] } });
    shown = store;
    changes = new vscode.EventEmitter<HistoryChange>();
    // Six calls: two per tier under the default thresholds (0.3 / 0.5).
    for (const [i, score] of [0.1, 0.2, 0.35, 0.45, 0.6, 0.7].entries()) await call(`question ${i}`, score, i % 2 ? 'Code Generation' : 'Open QA');
  });

  after(async () => {
    spy?.dispose();
    manager?.dispose();
    changes?.dispose();
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('restores a panel through its serializer: the page says ready and receives the stats and the first page', async () => {
    const context = { extensionUri, subscriptions: [] } as unknown as vscode.ExtensionContext;
    manager = new StatsPanelManager(context, { getHistory: () => shown, getConfig: () => config, onDidChangeHistory: changes.event });
    spy = spyWebview('qwenRouterTest.stats', 'Stats under test');
    await manager.deserializeWebviewPanel(spy.asPanel());
    await spy.waitReceived((m) => m.type === 'ready');
    const state = (await spy.waitPosted((m) => m.type === 'state')).state as StatsState;
    assert.equal(state.error, null);
    // A small history is read at once: the stats come with the state.
    assert.ok(state.stats, 'a small history should come with its stats');
    assert.equal(state.stats.total_calls, 6);
    assert.deepEqual(state.stats.tier_distribution, { simple: 2, medium: 2, complex: 2 });
    assert.ok(state.stats.top_tier && state.stats.top_tier.cost_usd > state.stats.top_tier.actual_cost_usd);
    assert.equal(state.page.total, 6);
    assert.equal(state.page.records.length, 6);
    assert.equal((state.page.records[0].routing as { query: string }).query, 'question 5'); // newest first
    assert.deepEqual(state.thresholds, config.policy.complexity);
    assert.ok(state.strings.title.length > 0);
    assert.match(spy.panel.webview.html, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
  });

  it('answers page and filter requests with correlated responses', async () => {
    const page = await request<RecordPage>('getPage', { offset: 2, limit: 2, filter: NO_FILTER });
    assert.deepEqual(page.records.map((r) => (r.routing as { query: string }).query), ['question 3', 'question 2']);
    const medium = await request<RecordPage>('getPage', { offset: 0, limit: 50, filter: { ...NO_FILTER, tier: 'medium' } });
    assert.equal(medium.total, 2);
    assert.ok(medium.records.every((r) => (r.routing as { tier: string }).tier === 'medium'));
    const text = await request<RecordPage>('getPage', { offset: 0, limit: 50, filter: { ...NO_FILTER, text: 'QUESTION 4' } });
    assert.equal(text.total, 1);
    // A bad request is refused by the protocol guard and never answered.
    assert.ok(spy);
    spy.simulate({ type: 'request', requestId: 'bad', method: 'getPage', params: { offset: -5, limit: 2, filter: NO_FILTER } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(spy.posted.some((p) => p.message.requestId === 'bad'), false);
  });

  it('recomputes the tier split and cost for other thresholds from the recorded scores', async () => {
    const same = await request<WhatIfView>('whatIf', { thresholds: config.policy.complexity });
    assert.deepEqual(same.result.tiers, { simple: 2, medium: 2, complex: 2 });
    assert.equal(same.result.changedTier, 0);
    const lower = await request<WhatIfView>('whatIf', { thresholds: { simple: 0.05, medium: 0.15 } });
    assert.deepEqual(lower.result.tiers, { simple: 0, medium: 1, complex: 5 });
    assert.ok(lower.result.costUsd > same.result.costUsd, 'moving calls up should cost more');
    assert.ok(lower.histogram.counts.reduce((a, b) => a + b, 0) === 6);
  });

  it('updates live when a call completes', async () => {
    assert.ok(spy);
    const before = spy.posted.length;
    await call('a new question', 0.9);
    const changed = await spy.waitPosted((m) => m.type === 'historyChanged' && (m.stats as { total_calls: number }).total_calls === 7);
    assert.ok(spy.posted.length > before);
    assert.equal((changed.stats as { tier_distribution: Record<string, number> }).tier_distribution.complex, 3);
    const whatIf = await request<WhatIfView>('whatIf', { thresholds: config.policy.complexity });
    assert.equal(whatIf.result.rerouted, 7);
  });

  it('on a large history it has not read yet, posts the newest records at once, then the stats', async () => {
    assert.ok(spy);
    // ~2,000 records of ~1 KB: more than the host reads before answering.
    const big = new HistoryStore(join(dir, 'big_history.jsonl'));
    const padding = 'x'.repeat(900);
    const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ timestamp: 1_767_225_600 + i, routing: { method: 'nvidia_classifier', tier: 'medium', query: `big ${i} ${padding}` }, llm: { model: 'qwen-plus', cost_usd: 0.001, llm_latency_ms: 100 } }));
    await big.appendLines(lines);
    shown = big;
    try {
      spy.reset();
      spy.simulate({ type: 'refresh' });
      const state = (await spy.waitPosted((m) => m.type === 'state')).state as StatsState;
      assert.equal(state.stats, null, 'the state should not wait for the first scan');
      assert.equal(state.page.total, null);
      assert.equal(state.page.records.length, 50);
      assert.deepEqual(state.page.records.slice(0, 2).map((r) => (r.routing as { query: string }).query.split(' ').slice(0, 2).join(' ')), ['big 1999', 'big 1998']);
      const late = await spy.waitPosted((m) => m.type === 'stats', 30_000);
      assert.equal(late.error, null);
      assert.equal((late.stats as { total_calls: number }).total_calls, 2000);
      assert.ok(spy.posted.findIndex((p) => p.message.type === 'state') < spy.posted.findIndex((p) => p.message.type === 'stats'));
      // Read once, the same history comes with its stats.
      spy.reset();
      spy.simulate({ type: 'refresh' });
      const again = (await spy.waitPosted((m) => m.type === 'state')).state as StatsState;
      assert.equal(again.stats?.total_calls, 2000);
      assert.equal(again.page.total, 2000);
    } finally {
      shown = store;
    }
    spy.reset();
    spy.simulate({ type: 'refresh' });
    await spy.waitPosted((m) => m.type === 'state');
  });

  it('keeps a single panel: a second restored panel is closed', async () => {
    assert.ok(manager);
    const extra = spyWebview('qwenRouterTest.stats', 'Second');
    let closed = false;
    extra.panel.onDidDispose(() => {
      closed = true;
    });
    await manager.deserializeWebviewPanel(extra.asPanel());
    assert.equal(closed, true);
  });

  it('exports CSV and JSON Lines through the save dialog, without text unless asked', async function () {
    const window = vscode.window as { showSaveDialog: typeof vscode.window.showSaveDialog };
    const original = window.showSaveDialog;
    let target = join(dir, 'export.csv');
    try {
      window.showSaveDialog = async () => vscode.Uri.file(target);
    } catch {
      this.skip(); // the API object cannot be patched here
    }
    if (window.showSaveDialog === original) this.skip();
    try {
      const csv = await request<{ path: string | null; records: number }>('export', { format: 'csv', includeText: false });
      assert.deepEqual(csv, { path: target, records: 7 });
      const csvLines = readFileSync(target, 'utf8').trimEnd().split('\n');
      assert.equal(csvLines.length, 8);
      assert.match(csvLines[0], /^id,time_utc,status,method,tier,model/);
      assert.ok(!csvLines.some((line) => line.includes('question')), 'prompt text in a text-less export');
      target = join(dir, 'export.jsonl');
      const json = await request<{ path: string | null; records: number }>('export', { format: 'json', includeText: true });
      assert.equal(json.records, 7);
      const exported = readFileSync(target, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { routing: { query: string } });
      assert.equal(exported[0].routing.query, 'question 0');
      window.showSaveDialog = async () => undefined;
      assert.deepEqual(await request('export', { format: 'csv', includeText: false }), { path: null, records: 0 });
      // Onto the history itself: refused with a message, the history untouched.
      const historyBefore = readFileSync(shown.path, 'utf8');
      window.showSaveDialog = async () => vscode.Uri.file(shown.path);
      const refused = await failedRequest('export', { format: 'json', includeText: true });
      assert.match(refused, /Could not export/);
      assert.equal(readFileSync(shown.path, 'utf8'), historyBefore);
    } finally {
      window.showSaveDialog = original;
    }
  });

  it('is registered by the extension: Open Stats opens the panel', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('qwenRouter.openStats'), 'qwenRouter.openStats is not registered');
    await vscode.commands.executeCommand('qwenRouter.openStats');
    // The tab model reaches the extension host from the workbench a moment after the panel exists.
    const statsTab = () =>
      vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('qwenRouter.stats'));
    for (let waited = 0; !statsTab() && waited < 5000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs);
    assert.ok(statsTab(), `no stats tab among: ${tabs.map((t) => `${t.label} (${t.input instanceof vscode.TabInputWebview ? t.input.viewType : 'other'})`).join(', ')}`);
  });
});
