// Budgets: the pure check, the strictest-of rule for workspace settings, the gate in ask() (nothing
// is sent when a call is refused or declined; the refusal is recorded), and the CLI's --daily-budget.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { ask, type AskDeps } from '../../src/core/ask';
import { budgetGate, budgetMessage, checkBudget, DEFAULT_BUDGET, expectedCost, spendFromDays, strictestBudget, type Budget } from '../../src/core/budget/budget';
import { resolveConfig } from '../../src/core/config';
import { HistoryStore } from '../../src/core/history/store';
import { cliSuite, runCliChild } from '../support/cliChild';

const KEY = 'sk-budget';
const budget = (extra: Partial<Budget>): Budget => ({ ...DEFAULT_BUDGET, ...extra });

/** One old-format record of `usd` spent now (local time), for a history's spend. */
const spentRecord = (usd: number, when = Date.now()) => JSON.stringify({ timestamp: when / 1000, request: { messages: [] }, routing: { method: 'user_specified', query: null }, llm: { model: 'qwen-plus', input_tokens: 1, output_tokens: 1, total_tokens: 2, cost_usd: usd, llm_latency_ms: 1 } });

describe('budgets (src/core/budget)', () => {
  it('warns at the threshold and stops a call that would cross a cap, naming the cap and the spend', () => {
    const b = budget({ daily: 1, monthly: 10 });
    assert.equal(checkBudget(b, { today: 0.1, month: 0.1 }, 0.1).status, 'ok');
    const warn = checkBudget(b, { today: 0.75, month: 0.75 }, 0.06);
    assert.deepEqual([warn.status, warn.period], ['warn', 'daily']);
    const over = checkBudget(b, { today: 0.95, month: 5 }, 0.06);
    assert.deepEqual([over.status, over.period, over.limit, over.spent], ['exceed', 'daily', 1, 0.95]);
    const monthly = checkBudget(b, { today: 0, month: 9.99 }, 0.02);
    assert.deepEqual([monthly.status, monthly.period], ['exceed', 'monthly']);
    const message = budgetMessage(over, 'Raise qwenRouter.budget.daily.');
    assert.match(message, /daily budget of \$1\.00: \$0\.9500 spent today\. Raise qwenRouter\.budget\.daily\./);
    assert.equal(checkBudget(budget({}), { today: 100, month: 100 }, 1).status, 'ok', 'no cap, no stop');
  });

  it('lets a workspace make the budget stricter, never looser', () => {
    const user: Partial<Budget> = { daily: 5, monthly: 50, onExceed: 'ask', warnAt: 0.8, scope: 'workspace' };
    assert.deepEqual(strictestBudget(user, { daily: 100, monthly: 0, onExceed: 'ask', warnAt: 0.99 }), { daily: 5, monthly: 50, currency: 'USD', scope: 'workspace', onExceed: 'ask', warnAt: 0.8 });
    assert.deepEqual(strictestBudget(user, { daily: 2, onExceed: 'refuse', warnAt: 0.5, scope: 'allWorkspaces' }), { daily: 2, monthly: 50, currency: 'USD', scope: 'allWorkspaces', onExceed: 'refuse', warnAt: 0.5 });
    assert.equal(strictestBudget({ onExceed: 'refuse' }, { onExceed: 'ask' }).onExceed, 'refuse');
    assert.equal(strictestBudget({}, { daily: 3 }).daily, 3, 'a workspace may add a cap');
    assert.equal(strictestBudget({}, { warnAt: 0.95 }).warnAt, 0.8, 'nor warn later than the default');
    assert.equal(strictestBudget({ currency: 'USD' }, { currency: 'CNY' }).currency, 'USD', 'the currency is the user’s');
  });

  it('sums today and this month from the stats’ days, per currency', () => {
    const now = new Date(2026, 11, 15, 12);
    const spend = spendFromDays({ '2026-12-15': { cost_usd: 1, cost_cny: 7 }, '2026-12-01': { cost_usd: 2 }, '2026-11-30': { cost_usd: 100 } }, 'USD', now);
    assert.deepEqual(spend, { today: 1, month: 3 });
    assert.deepEqual(spendFromDays({ '2026-12-15': { cost_usd: 1, cost_cny: 7 } }, 'CNY', now), { today: 7, month: 7 });
  });

  it('estimates a call from its prompt tokens and max_tokens (or a typical answer)', () => {
    const { config } = resolveConfig();
    const messages = [{ role: 'user', content: 'hello' }];
    const short = expectedCost(config, 'qwen-max', messages, { maxTokens: 10 });
    const typical = expectedCost(config, 'qwen-max', messages);
    assert.equal(short.currency, 'USD');
    assert.ok(short.amount > 0 && typical.amount > short.amount);
  });
});

describe('the budget gate in ask() and the CLI', function () {
  this.timeout(30_000);
  const suite = cliSuite(KEY);

  const setup = (gateBudget: Budget, spentUsd: number, extra: { confirm?: (message: string) => Promise<boolean> } = {}) => {
    const path = suite.history();
    if (spentUsd) writeFileSync(path, `${spentRecord(spentUsd)}\n`);
    const store = new HistoryStore(path);
    const { config } = resolveConfig({ baseUrl: suite.standIn.baseUrl });
    const warnings: string[] = [];
    const gate = budgetGate({ budget: gateBudget, config, spend: async () => spendFromDays((await store.stats()).cost.by_day, 'USD'), howToRaise: 'Raise it.', confirm: extra.confirm, onWarning: (m) => warnings.push(m) });
    const deps: AskDeps = { config, store, getApiKey: () => KEY, sleep: async () => undefined, budget: gate };
    return { deps, path, warnings };
  };
  const question = { messages: [{ role: 'user', content: 'Write a long essay.' }], model: 'qwen-max' };

  it('refuses where it cannot ask: nothing is sent, the refusal is recorded', async () => {
    const { deps, path } = setup(budget({ daily: 0.01, onExceed: 'refuse' }), 0.0099);
    const result = await ask(question, deps);
    assert.equal(result.status, 'error');
    assert.equal(result.error?.kind, 'budget_exceeded');
    assert.match(result.error!.message, /daily budget of \$0\.0100: \$0\.0099 spent today\. Raise it\./);
    assert.equal(suite.standIn.requests.length, 0, 'nothing was sent');
    const records = suite.records(path);
    assert.equal(records.length, 2);
    assert.equal(records[1].error.kind, 'budget_exceeded');
    assert.equal(records[1].llm.cost_usd, 0);
  });

  it('asks: a declined call sends nothing, an accepted one goes through', async () => {
    const asked: string[] = [];
    const declined = setup(budget({ daily: 0.01 }), 0.0099, { confirm: async (m) => (asked.push(m), false) });
    const no = await ask(question, declined.deps);
    assert.equal(no.error?.kind, 'budget_exceeded');
    assert.match(no.error!.message, /^Not sent: /);
    assert.equal(asked.length, 1);
    assert.equal(suite.standIn.requests.length, 0);

    const accepted = setup(budget({ daily: 0.01 }), 0.0099, { confirm: async () => true });
    const yes = await ask(question, accepted.deps);
    assert.equal(yes.status, 'ok');
    assert.equal(suite.standIn.requests.length, 1);
  });

  it('moves down to the cheapest tier when that fits, without escalating past it', async () => {
    const { deps, path } = setup(budget({ daily: 0.01, onExceed: 'cheapest' }), 0.0095);
    const result = await ask(question, deps);
    assert.equal(result.status, 'ok');
    assert.deepEqual(suite.standIn.requests.map((r) => r.body.model), ['qwen-flash']);
    const [, record] = suite.records(path);
    assert.equal(record.llm.model, 'qwen-flash');
    assert.match(record.routing.adjusted, /^budget: daily budget/);
  });

  it('warns at the threshold and sends the call', async () => {
    const { deps, warnings } = setup(budget({ daily: 0.01, warnAt: 0.5 }), 0.006);
    const result = await ask({ ...question, model: 'qwen-flash' }, deps);
    assert.equal(result.status, 'ok');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /of the daily budget of \$0\.0100 spent today/);
  });

  it('CLI: ask --daily-budget refuses with the budget and the spend, exits 1, sends nothing', async () => {
    const path = suite.history();
    writeFileSync(path, `${spentRecord(0.5)}\n${spentRecord(9, Date.now() - 40 * 86_400_000)}\n`);
    const run = await runCliChild(['ask', '--base-url', suite.standIn.baseUrl, '--history', path, '--daily-budget', '0.5', 'Say hello'], { env: { DASHSCOPE_API_KEY: KEY } });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /qwen-router ask: This call \(about \$0\.\d+\) would cross the daily budget of \$0\.5000: \$0\.5000 spent today\. Raise --daily-budget or --monthly-budget/);
    assert.equal(suite.standIn.requests.length, 0, 'the stand-in received no request');
    assert.equal(suite.records(path).at(-1).error.kind, 'budget_exceeded');
  });

  it('CLI: ask --monthly-budget counts the month; a call within it goes through', async () => {
    const path = suite.history();
    writeFileSync(path, `${spentRecord(0.001)}\n`);
    const ok = await runCliChild(['ask', '--base-url', suite.standIn.baseUrl, '--history', path, '--monthly-budget', '5', 'Say hello'], { env: { DASHSCOPE_API_KEY: KEY } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(suite.standIn.requests.length, 1);
    const bad = await runCliChild(['ask', '--history', path, '--monthly-budget', 'lots', 'Say hello'], { env: { DASHSCOPE_API_KEY: KEY } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--monthly-budget must be an amount in USD greater than 0/);
  });
});
