// Calibrate Thresholds in a real VS Code (issue 12): a planted history, the command answered through
// its prompts, the proposal in the stats view's what-if (the real page, spied), Apply writing the user
// settings, and the next prompt routed by the real classifier under the new thresholds.
import * as assert from 'assert';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import * as vscode from 'vscode';
import { DEFAULT_CONFIG } from '../../src/core/config';
import type { Thresholds, Tier } from '../../src/core/routing/policy';
import { calibrate, readCalibrationHistory, scenarioOf } from '../../src/core/stats/calibrate';
import type { QwenRouterApi } from '../../src/extension';
import type { ApplyOutcome, CalibrationView, EvaluationView, WhatIfView } from '../../src/protocol/stats';
import type { DashScopeStandIn } from '../support/dashscopeStandIn';
import { callRecord, signal, T0 } from '../support/syntheticHistory';
import { answering, until } from './prompts';
import { extensionOnStandIn, leaveStandIn } from './standIn';
import { spyWebview, type WebviewSpy } from './webviewSpy';

const KEY = 'sk-calibrate-host-test';
const MODEL = resolve(__dirname, '../../../test/fixtures/tiny-model-json');
const PROMPT = 'Write a Python script that uses a for loop.';
const SETTING = 'routing.complexityThresholds';

type Item = vscode.QuickPickItem & { mode: string };

describe('Calibrate Thresholds (host)', function () {
  this.timeout(90_000);
  let api: QwenRouterApi;
  let standIn: DashScopeStandIn;
  let spy: WebviewSpy;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  let requestCount = 0;

  /** Sends a request as the page would and returns the host's reply. */
  async function request<T>(method: string, params: unknown): Promise<{ ok: boolean; result?: T; error?: string }> {
    const requestId = `calibrate-${++requestCount}`;
    spy.simulate({ type: 'request', requestId, method, params });
    return (await spy.waitPosted((m) => m.type === 'response' && m.requestId === requestId, 30_000)) as { ok: boolean; result?: T; error?: string };
  }

  /** 40 classifier-routed calls scored 0.0125 ... 0.9875 over 10 days, priced on the built-in table, and three 👎. */
  async function plantHistory(): Promise<void> {
    await api.router.clearHistory();
    const calls = Array.from({ length: 40 }, (_, i) =>
      callRecord({ id: `c${i}`, score: (i + 0.5) / 40, timestamp: T0 + i * 6 * 3600, models: DEFAULT_CONFIG.models, tierModels: DEFAULT_CONFIG.policy.tierModels }),
    );
    const signals = [9, 10, 11].map((i) => signal(`c${i}`, 'thumbs_down'));
    await api.router.history.appendLines([...calls, ...signals].map((line) => JSON.stringify(line)));
    api.router.historyReplaced();
  }

  before(async () => {
    ({ api, standIn } = await extensionOnStandIn(KEY));
    await settings().update('classifier.modelPath', MODEL, vscode.ConfigurationTarget.Global);
    await until(() => api.classifier.state.kind === 'ready', 'the tiny model to load');
    await plantHistory();
    // The extension's own stats panel manager, on a spied page.
    api.stats.panel?.dispose();
    spy = spyWebview('qwenRouterTest.stats', 'Stats under test');
    await api.stats.deserializeWebviewPanel(spy.asPanel());
    await spy.waitReceived((m) => m.type === 'ready');
    await spy.waitPosted((m) => m.type === 'state');
  });

  after(async () => {
    spy?.dispose();
    rmSync(join(folder, '.vscode'), { recursive: true, force: true });
    for (const key of [SETTING, 'classifier.modelPath']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await api?.router.clearHistory();
    await leaveStandIn(standIn);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('offers calibrating on signals only when there are enough, saying how many there are and how many are needed', async () => {
    let offered: Item[] = [];
    let placeHolder = '';
    const view = await answering(
      'showQuickPick',
      (items: Item[], options: vscode.QuickPickOptions) => {
        offered = items;
        placeHolder = options.placeHolder ?? '';
        return undefined;
      },
      () => vscode.commands.executeCommand<CalibrationView | undefined>('qwenRouter.calibrateThresholds'),
    );
    assert.equal(view, undefined);
    assert.deepEqual(offered.map((item) => item.mode), ['mix', 'budget']);
    assert.match(placeHolder, /needs 10 thumbed-down or re-asked answers; you have 3/);
  });

  it('calibrates for a tier mix, shows the proposal in the stats view, and Apply routes the next prompt with it', async () => {
    const before = await api.router.explain([{ role: 'user', content: PROMPT }]);
    assert.equal(before.method, 'nvidia_classifier');
    // Everything to the top tier, unless the prompt is there already: then everything to the bottom.
    const [mix, target]: [string, Tier] = before.tier === 'complex' ? ['100,0,0', 'simple'] : ['0,0,100', 'complex'];
    let problems: (string | undefined)[] = [];
    const view = await answering(
      'showQuickPick',
      (items: Item[]) => items.find((item) => item.mode === 'mix'),
      () =>
        answering(
          'showInputBox',
          (options: vscode.InputBoxOptions) => {
            problems = ['60,40', 'lots', mix].map((text) => options.validateInput?.(text) as string | undefined);
            return mix;
          },
          () => vscode.commands.executeCommand<CalibrationView | undefined>('qwenRouter.calibrateThresholds'),
        ),
    );
    assert.ok(view, 'the command returns its proposal');
    assert.match(problems[0] ?? '', /three non-negative numbers/);
    assert.match(problems[1] ?? '', /three non-negative numbers/);
    assert.equal(problems[2], undefined);

    // The same core calibration as `calibrate --mix … --json` on this history with the default settings.
    const history = await readCalibrationHistory(api.router.history.records(undefined, { signals: true }));
    const cli = calibrate(history, { kind: 'mix', mix: mix === '0,0,100' ? [0, 0, 1] : [1, 0, 0] }, scenarioOf(DEFAULT_CONFIG.policy), DEFAULT_CONFIG.models);
    assert.deepEqual(view.result, JSON.parse(JSON.stringify(cli)));
    assert.equal(view.result.projected.tiers[target], 40);

    // The page got the proposal, and asked the what-if for its thresholds...
    const posted = await spy.waitPosted((m) => m.type === 'proposal');
    assert.deepEqual((posted.proposal as CalibrationView).result.thresholds, view.result.thresholds);
    const asked = (await spy.waitReceived((m) => m.type === 'request' && m.method === 'whatIf' && JSON.stringify((m.params as { thresholds: Thresholds }).thresholds) === JSON.stringify(view.result.thresholds))) as { requestId: string };
    // ...whose answer is the projection: the same tiers, and the same cost scaled to 30 days.
    const whatIf = (await spy.waitPosted((m) => m.type === 'response' && m.requestId === asked.requestId)).result as WhatIfView;
    assert.deepEqual(whatIf.result.tiers, view.result.projected.tiers);
    const monthly = (whatIf.result.costUsd * 30) / view.result.projected.span_days;
    assert.ok(Math.abs(monthly - view.result.projected.monthly_cost_usd) < 1e-5, `${monthly} vs ${view.result.projected.monthly_cost_usd}`);

    // Apply, as the page's button asks it.
    const applied = await request<ApplyOutcome>('applyThresholds', { thresholds: view.result.thresholds });
    assert.equal(applied.ok, true, applied.error);
    assert.equal(applied.result?.overridden, false);
    assert.match(applied.result?.message ?? '', /user settings \(qwenRouter\.routing\.complexityThresholds\)/);
    assert.deepEqual(settings().inspect(SETTING)?.globalValue, view.result.thresholds);
    assert.deepEqual(api.router.config.policy.complexity, view.result.thresholds);

    const result = await api.router.ask({ messages: [{ role: 'user', content: PROMPT }] });
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.record.routing?.method, 'nvidia_classifier');
    assert.equal(result.record.routing?.tier, target);
    assert.notEqual(before.tier, target);
  });

  it('answers the page: Calibrate refuses in a sentence, Evaluation compares with what was calibrated', async () => {
    const refused = await request<CalibrationView>('calibrate', { ask: { mode: 'signals', value: '' } });
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? '', /needs at least 10 thumbed-down or re-asked answers .* this history has 3\./);
    const budget = await request<CalibrationView>('calibrate', { ask: { mode: 'budget', value: '-3' } });
    assert.match(budget.error ?? '', /non-negative number of US dollars/);

    const none = await request<EvaluationView>('evaluate', { ask: null });
    assert.equal(none.result?.evaluation, null);
    assert.equal(none.result?.signals, 3);
    assert.match(none.result?.reason ?? '', /once you have 10 .* \(you have 3\)/);
    const mixed = await request<EvaluationView>('evaluate', { ask: { mode: 'mix', value: '50,30,20' } });
    const evaluation = mixed.result?.evaluation;
    assert.ok(evaluation, mixed.error);
    // The planted calls and the one asked above, split as calibrate splits them under the settings in use.
    const history = await readCalibrationHistory(api.router.history.records(undefined, { signals: true }));
    const expected = calibrate(history, { kind: 'mix', mix: [0.5, 0.3, 0.2] }, scenarioOf(api.router.config.policy), api.router.config.models);
    assert.deepEqual(evaluation.alternative.projected, JSON.parse(JSON.stringify(expected.projected)));
    assert.equal(evaluation.alternative.projected.classifier_calls, 41);
    // The three 👎 (scores 0.2375 ... 0.2875) sit on the tier the thresholds in the settings give them.
    const thumbsDown = Object.values(evaluation.current.signals).reduce((sum, row) => sum + row.thumbs_down, 0);
    assert.equal(thumbsDown, 3);
  });

  it('says so when a workspace value of the setting overrides the one Apply wrote', async () => {
    mkdirSync(join(folder, '.vscode'), { recursive: true });
    writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'qwenRouter.routing.complexityThresholds': { simple: 0.2, medium: 0.4 } }));
    await until(() => settings().inspect(SETTING)?.workspaceValue !== undefined, 'VS Code to read the workspace settings');
    const applied = await request<ApplyOutcome>('applyThresholds', { thresholds: { simple: 0.25, medium: 0.45 } });
    assert.equal(applied.ok, true, applied.error);
    assert.equal(applied.result?.overridden, true);
    assert.match(applied.result?.message ?? '', /this workspace sets that setting too and its value wins here/);
    assert.deepEqual(settings().inspect(SETTING)?.globalValue, { simple: 0.25, medium: 0.45 });
    assert.deepEqual(applied.result?.thresholds, { simple: 0.2, medium: 0.4 });
    rmSync(join(folder, '.vscode'), { recursive: true, force: true });
    await until(() => settings().inspect(SETTING)?.workspaceValue === undefined, 'the workspace settings to go');
  });
});
