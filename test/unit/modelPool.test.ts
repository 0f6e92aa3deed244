// The model pool: Auto never picks a model outside it (routing, escalation, the next tier), a model the
// user names still goes through, settings levels only narrow it, and bad pools are named in words.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ask } from '../../src/core/ask';
import type { ClassifierResult } from '../../src/core/classifier/result';
import { resolveConfig, type ConfigInput } from '../../src/core/config';
import type { CallRecord } from '../../src/core/history/record';
import { HistoryStore } from '../../src/core/history/store';
import { DEFAULT_MODELS } from '../../src/core/models/table';
import { applyPool, strictestPool } from '../../src/core/routing/pool';
import { route } from '../../src/core/routing/route';
import { DEFAULT_POLICY, TIERS } from '../../src/core/routing/policy';
import { nextTierModel } from '../../src/vscode/chatConversations';
import { DASHSCOPE_ERRORS, DashScopeStandIn } from '../support/dashscopeStandIn';
import { tempDirs } from '../support/tempDir';

const scored = (score: number): ClassifierResult => ({
  task_type_1: 'Open QA',
  task_type_2: 'NA',
  task_type_prob: 0.9,
  creativity_scope: 0.2,
  reasoning: 0.1,
  contextual_knowledge: 0.1,
  number_of_few_shots: 0,
  domain_knowledge: 0.5,
  no_label_reason: 0,
  constraint_ct: 0.2,
  prompt_complexity_score: score,
});
const classifyAs = (score: number) => async () => ({ ok: true as const, result: scored(score), elapsedMs: 1, tokens: 5 });
const configOf = (input: ConfigInput) => {
  const { config, problems } = resolveConfig(input);
  assert.deepEqual(problems, []);
  return config;
};

describe('model pool', () => {
  it('keeps Auto off an excluded model: the tier takes the next lower tier’s model, recorded in routing.pooled', async () => {
    const config = configOf({ modelPool: { exclude: ['qwen-max'] } });
    assert.deepEqual(config.policy.tierModels, { simple: 'qwen-flash', medium: 'qwen-plus', complex: 'qwen-plus' });
    for (const score of [0.05, 0.3, 0.45, 0.5, 0.9, 1.2]) {
      const decision = await route({ messages: [{ role: 'user', content: 'q' }] }, { policy: config.policy, models: config.models, classify: classifyAs(score) });
      assert.notEqual(decision.modelKey, 'qwen-max', `score ${score}`);
    }
    const top = await route({ messages: [{ role: 'user', content: 'q' }] }, { policy: config.policy, models: config.models, classify: classifyAs(0.8) });
    assert.equal(top.tier, 'complex');
    assert.equal(top.modelKey, 'qwen-plus');
    assert.equal(top.routing.pooled, 'qwen-max is excluded from the model pool; using qwen-plus');
    assert.match(top.summary, /excluded from the model pool/);
    const low = await route({ messages: [{ role: 'user', content: 'q' }] }, { policy: config.policy, models: config.models, classify: classifyAs(0.1) });
    assert.equal(low.routing.pooled, undefined, 'a tier whose model is allowed says nothing');
    // The next-tier button and escalation see the pool too.
    assert.equal(nextTierModel(config, 'qwen-plus'), undefined);
    assert.equal(nextTierModel(config, 'qwen-flash'), 'qwen-plus');
  });

  it('uses a tier’s own list, first allowed entry first', () => {
    const pooled = applyPool(DEFAULT_POLICY.tierModels, { complex: ['qwen3-max', 'qwen-plus'], exclude: ['qwen3-max'] }, DEFAULT_MODELS);
    assert.deepEqual(pooled.problems, []);
    assert.equal(pooled.tierModels.complex, 'qwen-plus');
    assert.equal(pooled.notes.complex, 'qwen-max is not in the complex tier\'s model pool; using qwen-plus');
    const own = applyPool(DEFAULT_POLICY.tierModels, { complex: ['qwen3-max'] }, DEFAULT_MODELS);
    assert.equal(own.tierModels.complex, 'qwen3-max');
    assert.deepEqual(applyPool(DEFAULT_POLICY.tierModels, { complex: ['qwen-max', 'qwen3-max'] }, DEFAULT_MODELS).notes, {}, 'the configured model is allowed: kept');
  });

  it('still sends a model the user names, pool or not', async () => {
    const dirs = tempDirs();
    const standIn = await DashScopeStandIn.start({ apiKey: 'k' });
    try {
      const path = join(dirs.make(), 'h.jsonl');
      const config = configOf({ baseUrl: standIn.baseUrl, modelPool: { exclude: ['qwen-max'] } });
      const result = await ask({ messages: [{ role: 'user', content: 'hi' }], model: 'qwen-max' }, { config, store: new HistoryStore(path), getApiKey: () => 'k', sleep: async () => undefined });
      assert.equal(result.status, 'ok');
      assert.equal(standIn.requests[0].body.model, 'qwen-max');
      const record: CallRecord = JSON.parse(readFileSync(path, 'utf8'));
      assert.deepEqual(record.routing, { method: 'user_specified', query: 'hi' }, 'the old service\'s shape');
    } finally {
      await standIn.close();
      dirs.cleanup();
    }
  });

  it('never escalates into an excluded model', async () => {
    const standIn = await DashScopeStandIn.start({ apiKey: 'k' });
    try {
      standIn.setScenario('qwen-flash', { error: DASHSCOPE_ERRORS.internal });
      standIn.setScenario('qwen-plus', { error: DASHSCOPE_ERRORS.internal });
      const config = configOf({ baseUrl: standIn.baseUrl, modelPool: { exclude: ['qwen-max'] }, retry: { maxAttempts: 1 } });
      const result = await ask({ messages: [{ role: 'user', content: 'hi' }] }, { config, classify: classifyAs(0.1), getApiKey: () => 'k', sleep: async () => undefined });
      assert.equal(result.status, 'error');
      assert.deepEqual(
        standIn.requests.map((r) => r.body.model),
        ['qwen-flash', 'qwen-plus'],
      );
    } finally {
      await standIn.close();
    }
  });

  it('lets each settings level only take models away', () => {
    assert.equal(strictestPool([undefined, {}, undefined]), undefined);
    assert.deepEqual(strictestPool([{ exclude: ['qwen-max'] }, { exclude: ['qwen3-max'] }]), { exclude: ['qwen-max', 'qwen3-max'] });
    // A workspace list cannot add qwen-max to the user's complex pool: lists intersect, in the user's order.
    assert.deepEqual(strictestPool([{ complex: ['qwen3-max', 'qwen-plus'] }, { complex: ['qwen-max', 'qwen-plus', 'qwen3-max'] }]), { complex: ['qwen3-max', 'qwen-plus'] });
    assert.deepEqual(strictestPool([undefined, { complex: ['qwen-plus'] }]), { complex: ['qwen-plus'] });
  });

  it('names bad pools in one clear line each, and keeps routing usable', () => {
    const cases: [unknown, RegExp][] = [
      [{ exclude: ['qwen-mx'] }, /^modelPool\.exclude: unknown model "qwen-mx" \(configured models are qwen-flash, qwen-plus, qwen-max, /],
      [{ complex: [] }, /^modelPool leaves the complex tier no model to pick \(its list is empty\); it uses qwen-plus$/],
      [{ complex: ['nope'] }, /^modelPool\.complex: unknown model "nope"/],
      [{ exclude: Object.keys(DEFAULT_MODELS) }, /^modelPool leaves the simple tier no model to pick \(every candidate is excluded or unknown\); it uses qwen-flash$/],
      [{ exclude: 'qwen-max' }, /^modelPool\.exclude must be a list of model keys$/],
      [{ top: ['qwen-max'] }, /^modelPool: "top" is not one of exclude, simple, medium, complex$/],
      [['qwen-max'], /^modelPool must be an object/],
    ];
    for (const [pool, message] of cases) {
      const { config, problems } = resolveConfig({ modelPool: pool as never });
      assert.ok(problems.some((p) => message.test(p)), `${JSON.stringify(pool)}: ${JSON.stringify(problems)}`);
      for (const tier of TIERS) assert.ok(config.models[config.policy.tierModels[tier]], `${tier} still has a configured model`);
    }
    // An empty complex list falls back to the lower tier's model, never to the excluded top.
    assert.equal(resolveConfig({ modelPool: { complex: [] } }).config.policy.tierModels.complex, 'qwen-plus');
  });
});
