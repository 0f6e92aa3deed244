// The tier policy and one routing decision: classifier, fallback with reasons, override.
import * as assert from 'node:assert/strict';
import type { ClassifierResult, ClassifyFn } from '../../src/core/classifier/result';
import { DEFAULT_MODELS } from '../../src/core/models/table';
import { applyTaskRules, DEFAULT_POLICY, modelForTier, tierForValue, type RoutingPolicy } from '../../src/core/routing/policy';
import { route, UnknownModelError } from '../../src/core/routing/route';
import { countTokens, estimateTokens } from '../../src/core/routing/tokens';

// The model card's reference vector for "Prompt: Write a Python script that uses a for loop."
const CODE_GEN: ClassifierResult = {
  task_type_1: 'Code Generation',
  task_type_2: 'Text Generation',
  task_type_prob: 0.767,
  creativity_scope: 0.0826,
  reasoning: 0.0632,
  contextual_knowledge: 0.056,
  number_of_few_shots: 0,
  domain_knowledge: 0.9803,
  no_label_reason: 0,
  constraint_ct: 0.5578,
  prompt_complexity_score: 0.27822,
};

const answering = (result: ClassifierResult, elapsedMs = 12): ClassifyFn => async () => ({ ok: true, result, elapsedMs, tokens: 14 });

describe('routing policy', () => {
  it('puts the model card examples where the defaults intend', () => {
    const t = DEFAULT_POLICY.complexity;
    assert.equal(tierForValue(0.133, t), 'simple'); // Summarization example
    assert.equal(tierForValue(0.27822, t), 'simple'); // the for-loop Code Generation example
    assert.equal(tierForValue(0.472, t), 'medium'); // the creative mystery story
    assert.equal(tierForValue(0.55, t), 'complex');
    assert.equal(tierForValue(0.3, t), 'medium', 'a threshold belongs to the tier above (value < threshold)');
    assert.equal(tierForValue(0.5, t), 'complex');
  });

  it('routes the fallback by estimated tokens with its own thresholds', () => {
    assert.equal(tierForValue(999, DEFAULT_POLICY.tokens), 'simple');
    assert.equal(tierForValue(1000, DEFAULT_POLICY.tokens), 'medium');
    assert.equal(tierForValue(8000, DEFAULT_POLICY.tokens), 'complex');
  });

  it('applies task-type rules (first match, case-insensitive) and says which', () => {
    const rules = [{ taskType: 'Code Generation', minTier: 'medium' as const }, { taskType: 'chatbot', maxTier: 'simple' as const }];
    assert.deepEqual(applyTaskRules('simple', 'Code Generation', rules), { tier: 'medium', rule: 'Code Generation: at least medium' });
    assert.deepEqual(applyTaskRules('complex', 'Code Generation', rules), { tier: 'complex' });
    assert.deepEqual(applyTaskRules('complex', 'Chatbot', rules), { tier: 'simple', rule: 'chatbot: at most simple' });
    assert.deepEqual(applyTaskRules('medium', 'Summarization', rules), { tier: 'medium' });
    assert.deepEqual(applyTaskRules('medium', undefined, rules), { tier: 'medium' });
  });

  it('moves to a model whose context window holds the prompt', () => {
    assert.deepEqual(modelForTier('complex', DEFAULT_POLICY, DEFAULT_MODELS, 1_000), { tier: 'complex', modelKey: 'qwen-max' });
    const moved = modelForTier('complex', DEFAULT_POLICY, DEFAULT_MODELS, 40_000);
    assert.equal(moved.modelKey, 'qwen-plus');
    assert.equal(moved.tier, 'medium');
    assert.match(moved.adjusted!, /exceeds qwen-max's context window \(32768\)/);
  });

  it("counts tokens as the old service's estimate_tokens (cl100k_base, 4 per message + 2)", () => {
    assert.equal(countTokens('hello world'), 2);
    assert.equal(estimateTokens([{ role: 'user', content: 'hello world' }]), 4 + 2 + 1 + 2);
    assert.equal(estimateTokens([]), 2);
    assert.equal(countTokens('<|endoftext|>'), 7, 'special-token text is ordinary text, not an error');
  });
});

describe('route()', () => {
  const context = (classify?: ClassifyFn, policy: RoutingPolicy = DEFAULT_POLICY) => ({ policy, models: DEFAULT_MODELS, classify });
  const ask = (content: string) => ({ messages: [{ role: 'user', content }] });

  it('uses the classifier: the old service fields plus all eleven of NVIDIA', async () => {
    const decision = await route(ask('Write a Python script that uses a for loop.'), context(answering(CODE_GEN)));
    assert.equal(decision.method, 'nvidia_classifier');
    assert.equal(decision.modelKey, 'qwen-flash');
    assert.equal(decision.tier, 'simple');
    const r = decision.routing;
    assert.deepEqual(Object.keys(r).slice(0, 9), ['method', 'query', 'routing_latency_ms', 'tier', 'complexity_score', 'task_type', 'domain_knowledge', 'reasoning', 'creativity']);
    assert.equal(r.query, 'Write a Python script that uses a for loop.');
    assert.equal(r.complexity_score, 0.27822);
    assert.equal(r.task_type, 'Code Generation');
    assert.equal(r.creativity, 0.0826);
    for (const [field, value] of Object.entries(CODE_GEN)) assert.equal((r as unknown as Record<string, unknown>)[field], value, field);
    assert.equal(typeof r.routing_latency_ms, 'number');
    assert.equal(r.fallback_reason, undefined);
    assert.match(decision.summary, /^qwen-flash \(simple\): complexity 0\.27822, Code Generation$/);
  });

  it('records the task rule that moved the tier', async () => {
    const policy = { ...DEFAULT_POLICY, taskRules: [{ taskType: 'Code Generation', minTier: 'medium' as const }] };
    const decision = await route(ask('Write a Python script that uses a for loop.'), context(answering(CODE_GEN), policy));
    assert.equal(decision.modelKey, 'qwen-plus');
    assert.equal(decision.routing.rule, 'Code Generation: at least medium');
  });

  it('falls back to token length without a classifier, with reason model_missing', async () => {
    const decision = await route(ask('hello world'), context(undefined));
    assert.equal(decision.method, 'fallback_token_length');
    assert.equal(decision.modelKey, 'qwen-flash');
    assert.equal(decision.fallbackReason, 'model_missing');
    assert.deepEqual({ ...decision.routing, routing_latency_ms: 0 }, {
      method: 'fallback_token_length',
      query: 'hello world',
      routing_latency_ms: 0,
      tier: 'simple',
      estimated_tokens: 9,
      fallback_reason: 'model_missing',
      error: 'no classifier model is available',
      // Thinking "auto" without classifier scores: off, and said so.
      thinking: { enabled: false, reason: 'auto: no classifier scores for this call' },
    });
  });

  it('falls back with the reason the classifier gives', async () => {
    const loading: ClassifyFn = async () => ({ ok: false, reason: 'model_loading', message: 'still loading', elapsedMs: 0.1 });
    const decision = await route(ask('hi'), context(loading));
    assert.equal(decision.fallbackReason, 'model_loading');
    assert.equal(decision.routing.error, 'still loading');
  });

  it('falls back with classifier_error when the classifier throws (it should not)', async () => {
    const broken: ClassifyFn = async () => {
      throw new Error('boom');
    };
    const decision = await route(ask('hi'), context(broken));
    assert.equal(decision.fallbackReason, 'classifier_error');
    assert.equal(decision.routing.error, 'boom');
  });

  it('does not wait past the budget: timeout, and the classifier is told to stop', async () => {
    let aborted = false;
    const slow: ClassifyFn = (_prompt, signal) =>
      new Promise((resolve) => {
        signal?.addEventListener('abort', () => (aborted = true));
        const timer = setTimeout(() => resolve({ ok: true, result: CODE_GEN, elapsedMs: 20_000, tokens: 1 }), 20_000);
        signal?.addEventListener('abort', () => clearTimeout(timer));
      });
    const started = Date.now();
    const decision = await route(ask('hi'), context(slow, { ...DEFAULT_POLICY, classifierBudgetMs: 50 }));
    // Far below the classifier's 20 s: routing did not wait for it (a wide margin, for busy machines).
    assert.ok(Date.now() - started < 10_000);
    assert.equal(decision.fallbackReason, 'timeout');
    assert.equal(aborted, true);
  });

  it('does not classify an empty prompt', async () => {
    let called = false;
    const spy: ClassifyFn = async () => {
      called = true;
      return { ok: true, result: CODE_GEN, elapsedMs: 1, tokens: 1 };
    };
    const decision = await route(ask('   '), context(spy));
    assert.equal(decision.fallbackReason, 'empty_prompt');
    assert.equal(called, false);
  });

  it('sends a long prompt by length to a model that can hold it', async () => {
    const long = 'lorem ipsum dolor sit amet '.repeat(8000); // ~40K tokens: past qwen-max's 32K window
    const decision = await route(ask(long), context(undefined));
    assert.equal(decision.modelKey, 'qwen-plus');
    assert.match(decision.routing.adjusted!, /qwen-max's context window/);
  });

  it('takes the user override as the old service did: method user_specified and the query, nothing else', async () => {
    let called = false;
    const spy: ClassifyFn = async () => {
      called = true;
      return { ok: true, result: CODE_GEN, elapsedMs: 1, tokens: 1 };
    };
    const decision = await route({ ...ask('hi there'), override: 'qwen-max' }, context(spy));
    assert.equal(decision.modelKey, 'qwen-max');
    assert.deepEqual(decision.routing, { method: 'user_specified', query: 'hi there' });
    assert.equal(decision.tier, undefined);
    assert.equal(called, false);
    await assert.rejects(route({ ...ask('hi'), override: 'gpt-9' }, context(undefined)), (error: unknown) => error instanceof UnknownModelError && /Unknown model "gpt-9": configured models are qwen-flash, qwen-plus, qwen-max/.test(error.message));
  });

  it('records a conversation\'s kept route as "kept_route" with its tier, without classifying again', async () => {
    let called = false;
    const spy: ClassifyFn = async () => {
      called = true;
      return { ok: true, result: CODE_GEN, elapsedMs: 1, tokens: 1 };
    };
    const decision = await route({ ...ask('and another thing'), keep: { modelKey: 'qwen-plus', tier: 'medium' } }, context(spy));
    assert.deepEqual([decision.method, decision.modelKey, decision.tier], ['kept_route', 'qwen-plus', 'medium']);
    assert.deepEqual(decision.routing, { method: 'kept_route', query: 'and another thing', routing_latency_ms: 0, tier: 'medium', thinking: { enabled: false, reason: 'auto: no classifier scores for this call' } });
    assert.equal(called, false);
    assert.match(decision.summary, /kept for this conversation/);
  });
});
