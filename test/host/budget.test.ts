// Budgets in the editor (issue 11): a workspace can only tighten the user's budget; a call that
// would cross it asks (modal), sends nothing when declined, and goes through when accepted; "refuse"
// records the refusal; the status bar shows today's spend against the budget; the ledger sees the calls.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as vscode from 'vscode';
import type { QwenRouterApi } from '../../src/extension';
import { RouterStatusBar } from '../../src/vscode/statusBar';
import type { DashScopeStandIn } from '../support/dashscopeStandIn';
import { answering, until } from './prompts';
import { extensionOnStandIn, leaveStandIn } from './standIn';

const KEY = 'sk-host-budget-31c';

describe('budgets (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let standIn: DashScopeStandIn;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');
  const records = () => readFileSync(api.router.history.path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
  const budgetKeys = ['budget.daily', 'budget.monthly', 'budget.onExceed', 'budget.warnAt', 'budget.scope'];
  const question = { messages: [{ role: 'user', content: 'How much will this cost?' }], model: 'qwen-max' };

  before(async () => {
    ({ api, standIn } = await extensionOnStandIn(KEY));
  });
  after(async () => {
    for (const key of budgetKeys) {
      await settings().update(key, undefined, vscode.ConfigurationTarget.Workspace);
      await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    await leaveStandIn(standIn);
  });
  beforeEach(() => standIn.reset());

  it('lets a workspace tighten the budget, never loosen it', async () => {
    await settings().update('budget.daily', 5, vscode.ConfigurationTarget.Global);
    await settings().update('budget.daily', 100, vscode.ConfigurationTarget.Workspace);
    await settings().update('budget.warnAt', 0.99, vscode.ConfigurationTarget.Workspace);
    await settings().update('budget.onExceed', 'refuse', vscode.ConfigurationTarget.Workspace);
    await until(() => api.router.spend.current.onExceed === 'refuse', 'the workspace budget to be read');
    assert.equal(api.router.spend.current.daily, 5, 'a workspace cannot raise the user’s cap');
    assert.equal(api.router.spend.current.warnAt, 0.8, 'nor warn later');
    await settings().update('budget.daily', 2, vscode.ConfigurationTarget.Workspace);
    await until(() => api.router.spend.current.daily === 2, 'a lower workspace cap to apply');
  });

  it('refuses when set to, records the refusal and sends nothing', async () => {
    await settings().update('budget.daily', 0.000001, vscode.ConfigurationTarget.Workspace);
    await until(() => api.router.spend.current.daily === 0.000001, 'the tiny cap');
    const result = await api.router.ask(question);
    assert.equal(result.status, 'error');
    assert.equal(result.error?.kind, 'budget_exceeded');
    assert.ok(result.error!.message.includes('qwenRouter.budget.daily'), result.error!.message);
    assert.equal(standIn.requests.length, 0);
    assert.equal(records().at(-1).error.kind, 'budget_exceeded');
  });

  it('asks: nothing is sent when the user declines, the call goes when they say yes', async () => {
    await settings().update('budget.onExceed', undefined, vscode.ConfigurationTarget.Workspace);
    await until(() => api.router.spend.current.onExceed === 'ask', 'the ask mode');
    let shown = '';
    const declined = await answering('showWarningMessage', (message: string, options: { detail?: string }) => void (shown = `${message} ${options?.detail}`), () => api.router.ask(question));
    assert.equal(declined.error?.kind, 'budget_exceeded');
    assert.ok(shown.includes('daily budget'), shown);
    assert.equal(standIn.requests.length, 0, 'nothing sent after a no');

    const accepted = await answering('showWarningMessage', vscode.l10n.t('Send Anyway'), () => api.router.ask(question));
    assert.equal(accepted.status, 'ok', JSON.stringify(accepted.error));
    assert.equal(standIn.requests.length, 1);
  });

  it('shows today’s spend against the budget in the status bar, and the ledger has the call', async () => {
    const bar = new RouterStatusBar(api.classifier, api.router);
    try {
      await until(() => bar.item.text.includes('/$0.0000'), `the spend in the status bar (${bar.item.text})`);
      const { entries } = await api.router.spend.ledger.read();
      assert.ok(entries.some((entry) => entry.ws === api.router.spend.workspaceId && entry.m === 'qwen-max' && entry.cost > 0));
      const view = await api.router.spend.view();
      assert.equal(view.daily, 0.000001);
      assert.ok(view.today > 0 && view.all.calls >= 1);
    } finally {
      bar.dispose();
    }
  });
});
