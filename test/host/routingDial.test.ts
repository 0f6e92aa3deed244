// The cost-quality dial and the model pool in the editor (issue 12): changing either setting changes
// the next call's routed model in its record; a workspace pool narrows the user's; Explain Routing
// says where the thresholds came from.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import { resolve, join } from 'path';
import * as vscode from 'vscode';
import type { RoutingDecision } from '../../src/core/routing/route';
import type { QwenRouterApi } from '../../src/extension';
import type { DashScopeStandIn } from '../support/dashscopeStandIn';
import { answering, until } from './prompts';
import { extensionOnStandIn, leaveStandIn } from './standIn';

const KEY = 'sk-host-dial-7f2';
const FIXTURES = resolve(__dirname, '../../../test/fixtures');

describe('cost-quality dial and model pool (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let standIn: DashScopeStandIn;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');
  const lastRecord = () => JSON.parse(readFileSync(api.router.history.path, 'utf8').trimEnd().split('\n').at(-1)!);
  const question = { messages: [{ role: 'user', content: 'Explain how a hash map resolves collisions.' }] };
  const globalKeys = ['classifier.modelPath', 'routing.costQuality', 'routing.modelPool'];

  before(async () => {
    ({ api, standIn } = await extensionOnStandIn(KEY));
    await settings().update('classifier.modelPath', join(FIXTURES, 'tiny-model-json'), vscode.ConfigurationTarget.Global);
    const state = await api.classifier.whenSettled();
    assert.equal(state.kind, 'ready', JSON.stringify(state));
  });
  after(async () => {
    await settings().update('routing.modelPool', undefined, vscode.ConfigurationTarget.Workspace);
    for (const key of globalKeys) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await leaveStandIn(standIn);
  });
  beforeEach(() => standIn.reset());

  it('sends the next call to the cheapest model at 0 and to the top model at 10', async () => {
    await settings().update('routing.costQuality', 0, vscode.ConfigurationTarget.Global);
    await until(() => api.router.config.costQuality === 0, 'the dial at 0');
    const cheap = await api.router.ask(question);
    assert.equal(cheap.status, 'ok', JSON.stringify(cheap.error));
    assert.equal(lastRecord().routing.method, 'nvidia_classifier');
    assert.equal(lastRecord().llm.model, 'qwen-flash');
    assert.equal(lastRecord().routing.tier, 'simple');

    await settings().update('routing.costQuality', 10, vscode.ConfigurationTarget.Global);
    await until(() => api.router.config.costQuality === 10, 'the dial at 10');
    const best = await api.router.ask(question);
    assert.equal(best.status, 'ok', JSON.stringify(best.error));
    assert.equal(lastRecord().llm.model, 'qwen-max');
    assert.equal(lastRecord().routing.tier, 'complex');
    assert.equal(standIn.requests.at(-1)!.body.model, 'qwen-max');
    assert.equal('enable_thinking' in standIn.requests.at(-1)!.body, false, 'qwen-max takes no thinking switch');
  });

  it('keeps Auto off qwen-max once a workspace pool excludes it, and says why in the record', async () => {
    await settings().update('routing.costQuality', 10, vscode.ConfigurationTarget.Global);
    // The user allows qwen-max for the complex tier; the workspace can only take it away.
    await settings().update('routing.modelPool', { complex: ['qwen-max', 'qwen-plus'] }, vscode.ConfigurationTarget.Global);
    await settings().update('routing.modelPool', { exclude: ['qwen-max'] }, vscode.ConfigurationTarget.Workspace);
    await until(() => api.router.config.policy.tierModels.complex === 'qwen-plus', 'the pool to apply');
    const result = await api.router.ask(question);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const record = lastRecord();
    assert.equal(record.llm.model, 'qwen-plus');
    assert.equal(record.routing.tier, 'complex');
    assert.equal(record.routing.pooled, 'qwen-max is excluded from the model pool; using qwen-plus');
    assert.equal(typeof record.routing.thinking?.enabled, 'boolean', 'qwen-plus gets a thinking decision');
    assert.equal(standIn.requests.at(-1)!.body.enable_thinking, record.routing.thinking.enabled);

    // A workspace list cannot add a model the user's list leaves out.
    await settings().update('routing.modelPool', { complex: ['qwen3-max', 'qwen-plus'] }, vscode.ConfigurationTarget.Workspace);
    await until(() => api.router.config.policy.pooled?.complex?.includes('not in the complex tier') === true, 'the narrower pool');
    assert.equal(api.router.config.policy.tierModels.complex, 'qwen-plus');

    // A model the user names still goes where they said.
    const named = await api.router.ask({ ...question, model: 'qwen-max' });
    assert.equal(named.status, 'ok');
    assert.equal(lastRecord().llm.model, 'qwen-max');
  });

  it('Explain Routing says where the thresholds came from', async () => {
    await settings().update('routing.costQuality', 7, vscode.ConfigurationTarget.Global);
    await until(() => api.router.config.costQuality === 7, 'the dial at 7');
    const decision = await answering('showInputBox', 'Write a Python script that uses a for loop.', () => vscode.commands.executeCommand<RoutingDecision>('qwenRouter.explainRouting'));
    assert.equal(decision.method, 'nvidia_classifier');
    const report = vscode.window.activeTextEditor?.document.getText() ?? '';
    const calls = api.router.config.thresholdSource.kind === 'dial_defaults' ? api.router.config.thresholdSource.calls : -1;
    assert.ok(report.includes(`Thresholds: simple below 0.2, medium below 0.4, from cost-quality dial 7, reasoned defaults (${calls} of the 200`), report);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
