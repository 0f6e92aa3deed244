// Thinking as a routing decision: auto on/off from the classifier's scores, the budget, models without
// thinking never get it, the request body DashScope sees, the record, the price of a thinking call.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ask } from '../../src/core/ask';
import { budgetGate, DEFAULT_BUDGET } from '../../src/core/budget/budget';
import type { ClassifierResult } from '../../src/core/classifier/result';
import { resolveConfig, type ConfigInput } from '../../src/core/config';
import type { CallRecord } from '../../src/core/history/record';
import { HistoryStore } from '../../src/core/history/store';
import { DEFAULT_MODELS } from '../../src/core/models/table';
import {
  decideThinking,
  THINKING_BUDGET_MAX,
  THINKING_BUDGET_MIN,
  THINKING_REASONING_MIN,
  THINKING_TASK_REASONING_MIN,
  thinkingBudgetFor,
} from '../../src/core/routing/thinking';
import { configFromFlags } from '../../src/cli/commands/routerFlags';
import { UsageError } from '../../src/cli/runner';
import { standInForSuite } from '../support/dashscopeStandIn';

const KEY = 'sk-thinking';
const verdict = (reasoning: number, task: string, complexity: number): ClassifierResult => ({
  task_type_1: task,
  task_type_2: 'NA',
  task_type_prob: 0.8,
  creativity_scope: 0.1,
  reasoning,
  contextual_knowledge: 0.1,
  number_of_few_shots: 0,
  domain_knowledge: 0.5,
  no_label_reason: 0,
  constraint_ct: 0.3,
  prompt_complexity_score: complexity,
});
const plus = DEFAULT_MODELS['qwen-plus'];

describe('thinking as a routing decision', () => {
  it('auto thinks on a high reasoning score, or a moderate one for code and QA, and not otherwise', () => {
    assert.deepEqual(decideThinking('auto', plus, verdict(0.9, 'Text Generation', 0.45)), { enabled: true, budget: thinkingBudgetFor(0.45), reason: `auto: reasoning 0.9 >= ${THINKING_REASONING_MIN}` });
    assert.equal(decideThinking('auto', plus, verdict(0.4, 'Code Generation', 0.35)).enabled, true);
    assert.equal(decideThinking('auto', plus, verdict(0.4, 'Open QA', 0.35)).enabled, true);
    assert.equal(decideThinking('auto', plus, verdict(0.4, 'Summarization', 0.35)).enabled, false, 'a moderate score on another task');
    assert.deepEqual(decideThinking('auto', plus, verdict(0.06, 'Code Generation', 0.278)), { enabled: false, reason: `auto: reasoning 0.06 is below ${THINKING_TASK_REASONING_MIN}` });
    assert.deepEqual(decideThinking('auto', plus), { enabled: false, reason: 'auto: no classifier scores for this call' });
  });

  it('scales the budget with complexity, within its bounds, in steps of 256 tokens', () => {
    assert.equal(thinkingBudgetFor(0), THINKING_BUDGET_MIN);
    assert.equal(thinkingBudgetFor(0.3), THINKING_BUDGET_MIN);
    assert.equal(thinkingBudgetFor(0.5), 4608);
    assert.equal(thinkingBudgetFor(0.7), THINKING_BUDGET_MAX);
    assert.equal(thinkingBudgetFor(1.2), THINKING_BUDGET_MAX);
    for (let c = 0; c <= 1.2; c += 0.05) assert.ok(thinkingBudgetFor(c + 0.05) >= thinkingBudgetFor(c) && thinkingBudgetFor(c) % 256 === 0);
  });

  it('never gives thinking to a model without it; on/off/model-default as set', () => {
    const max = DEFAULT_MODELS['qwen-max'];
    for (const mode of ['auto', 'on', 'off'] as const) assert.equal(decideThinking(mode, max, verdict(1, 'Code Generation', 0.9)).enabled, undefined, mode);
    assert.deepEqual(decideThinking('on', plus), { enabled: true, reason: 'thinking setting: on' });
    assert.deepEqual(decideThinking('off', plus, verdict(1, 'Code Generation', 0.9)), { enabled: false, reason: 'thinking setting: off' });
    assert.equal(decideThinking('model-default', plus, verdict(1, 'Code Generation', 0.9)).enabled, undefined);
    // A custom model not marked either way: never an automatic "on", but an explicit "on" is sent.
    const custom = { model: 'local-llm', baseUrl: 'http://127.0.0.1:1/v1' };
    assert.equal(decideThinking('auto', custom, verdict(1, 'Code Generation', 0.9)).enabled, undefined);
    assert.equal(decideThinking('on', custom).enabled, true);
  });

  it('refuses an unknown mode in words (settings and CLI)', () => {
    assert.deepEqual(resolveConfig({ thinking: 'sometimes' }).problems, ['thinking "sometimes" must be one of auto, on, off, model-default']);
    assert.throws(() => configFromFlags({ thinking: 'yes' }, {}), (e: unknown) => e instanceof UsageError && /thinking "yes" must be one of auto, on, off, model-default/.test(e.message));
    assert.equal(configFromFlags({ thinking: 'off' }, {}).policy.thinking, 'off');
    assert.equal(configFromFlags({}, {}).policy.thinking, 'auto');
  });

  describe('on the wire and in the record (DashScope stand-in)', () => {
    const suite = standInForSuite(KEY);

    async function call(input: ConfigInput, result: ClassifierResult | undefined, extra: { enableThinking?: boolean; model?: string } = {}) {
      const standIn = suite.standIn();
      const path = join(suite.dirs.make(), 'call_history.jsonl');
      const { config, problems } = resolveConfig({ baseUrl: standIn.baseUrl, ...input });
      assert.deepEqual(problems, []);
      const classify = result ? async () => ({ ok: true as const, result, elapsedMs: 1, tokens: 5 }) : undefined;
      const answer = await ask({ messages: [{ role: 'user', content: 'Prove that the sum of two even numbers is even.' }], ...extra }, { config, classify, store: new HistoryStore(path), getApiKey: () => KEY, sleep: async () => undefined });
      const record: CallRecord = JSON.parse(readFileSync(path, 'utf8').trim());
      assert.ok(existsSync(path));
      return { answer, record, body: standIn.requests.at(-1)!.body };
    }

    it('auto sends enable_thinking and thinking_budget for a reasoning prompt, records why, and prices its output at the thinking rate', async () => {
      suite.standIn().setScenario('qwen-plus', { reasoning: 'Let n = 2a, m = 2b...', reply: 'n + m = 2(a + b).', usage: { prompt_tokens: 100, completion_tokens: 1000, reasoning_tokens: 800 } });
      const { answer, record, body } = await call({}, verdict(0.85, 'Closed QA', 0.42));
      assert.equal(answer.decision!.modelKey, 'qwen-plus');
      assert.equal(body.enable_thinking, true);
      assert.equal(body.thinking_budget, thinkingBudgetFor(0.42));
      assert.equal(record.request.enable_thinking, true);
      assert.deepEqual(record.routing!.thinking, { enabled: true, budget: thinkingBudgetFor(0.42), reason: `auto: reasoning 0.85 >= ${THINKING_REASONING_MIN}` });
      assert.equal(record.llm.reasoning_tokens, 800);
      // qwen-plus up to 256K input: $0.40 in, thinking output $4.00 (not $1.20) per 1M tokens.
      assert.ok(Math.abs(record.llm.cost_usd - (100 * 0.4 + 1000 * 4.0) / 1e6) < 1e-12, String(record.llm.cost_usd));
      assert.match(answer.decision!.summary, /thinking \(budget \d+\)/);
    });

    it('auto sends enable_thinking: false (no budget) for a plain prompt, and the output is priced at the normal rate', async () => {
      suite.standIn().setScenario('qwen-plus', { reply: 'ok', usage: { prompt_tokens: 100, completion_tokens: 1000 } });
      const { record, body } = await call({}, verdict(0.1, 'Text Generation', 0.45));
      assert.equal(body.enable_thinking, false);
      assert.equal('thinking_budget' in body, false);
      assert.equal(record.request.enable_thinking, false);
      assert.equal(record.routing!.thinking!.enabled, false);
      assert.ok(Math.abs(record.llm.cost_usd - (100 * 0.4 + 1000 * 1.2) / 1e6) < 1e-12);
    });

    it('sends nothing to a model without thinking, and nothing under model-default', async () => {
      const top = await call({}, verdict(0.95, 'Code Generation', 0.7));
      assert.equal(top.answer.decision!.modelKey, 'qwen-max');
      assert.equal('enable_thinking' in top.body, false);
      assert.equal('thinking_budget' in top.body, false);
      assert.equal(top.record.request.enable_thinking, undefined);
      assert.deepEqual(top.record.routing!.thinking, { enabled: null, reason: 'the model does not support thinking' });
      const leave = await call({ thinking: 'model-default' }, verdict(0.95, 'Code Generation', 0.45));
      assert.equal('enable_thinking' in leave.body, false);
      assert.equal(leave.record.routing!.thinking, undefined, 'model-default writes records as before');
    });

    it('decides again when a budget moves the call to another model', async () => {
      const standIn = suite.standIn();
      const { config } = resolveConfig({ baseUrl: standIn.baseUrl });
      // Routed to qwen-max (no thinking, ~$0.0064 expected); $0.002 a day moves it to qwen-flash (~$0.0004), which thinks on this verdict.
      const gate = budgetGate({ budget: { ...DEFAULT_BUDGET, daily: 0.002, onExceed: 'cheapest' }, config, spend: async () => ({ today: 0, month: 0 }), howToRaise: 'Raise it.' });
      const path = join(suite.dirs.make(), 'call_history.jsonl');
      const result = await ask(
        { messages: [{ role: 'user', content: 'Prove it.' }] },
        { config, classify: async () => ({ ok: true as const, result: verdict(0.9, 'Closed QA', 0.7), elapsedMs: 1, tokens: 3 }), store: new HistoryStore(path), getApiKey: () => KEY, budget: gate, sleep: async () => undefined },
      );
      assert.equal(result.decision!.modelKey, 'qwen-flash');
      const body = standIn.requests.at(-1)!.body;
      assert.equal(body.model, 'qwen-flash');
      assert.equal(body.enable_thinking, true);
      assert.equal(body.thinking_budget, THINKING_BUDGET_MAX);
      const record: CallRecord = JSON.parse(readFileSync(path, 'utf8').trim());
      assert.equal(record.routing!.thinking!.enabled, true);
      assert.match(String(record.routing!.adjusted), /^budget: /);
    });

    it('lets a call’s explicit switch win, and keeps a named model’s record in the old shape', async () => {
      const explicit = await call({}, verdict(0.95, 'Code Generation', 0.45), { enableThinking: false });
      assert.equal(explicit.body.enable_thinking, false);
      assert.deepEqual(explicit.record.routing!.thinking, { enabled: false, reason: 'asked for this call' });
      const named = await call({ thinking: 'on' }, undefined, { model: 'qwen-plus' });
      assert.equal(named.body.enable_thinking, true);
      assert.equal('thinking_budget' in named.body, false, '"on" leaves the budget to the provider');
      assert.deepEqual(named.record.routing, { method: 'user_specified', query: 'Prove that the sum of two even numbers is even.' });
      assert.equal(named.record.request.enable_thinking, true);
    });
  });
});
