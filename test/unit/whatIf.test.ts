import * as assert from 'node:assert/strict';
import { DEFAULT_MODELS, type ModelTable } from '../../src/core/models/table';
import { DEFAULT_POLICY } from '../../src/core/routing/policy';
import { computeWhatIf, validateThresholds, WhatIfPoints, type WhatIfScenario } from '../../src/core/stats/whatIf';

/** A priced table with round numbers, so expected costs are easy to state. */
const MODELS: ModelTable = {
  small: { model: 'small', prices: { asOf: 'test', bands: [{ input: 1, output: 2 }] } },
  mid: { model: 'mid', prices: { asOf: 'test', bands: [{ input: 10, output: 20, thinkingOutput: 40 }] } },
  big: { model: 'big', contextWindow: 5_000, prices: { asOf: 'test', bands: [{ input: 100, output: 200 }] } },
  free: { model: 'free' },
};

const TIER_MODELS = { simple: 'small', medium: 'mid', complex: 'big' } as const;

function scenario(simple: number, medium: number, extra: Partial<WhatIfScenario> = {}): WhatIfScenario {
  return { thresholds: { simple, medium }, tierModels: { ...TIER_MODELS }, ...extra };
}

interface Call {
  score?: number;
  tier?: string;
  model: string;
  input?: number;
  output?: number;
  cost?: number;
  method?: string;
  task?: string;
  thinking?: boolean;
  error?: unknown;
  cancelled?: boolean;
  legacy?: boolean;
}

/** A record as the history stores it (our layout, or the old service's when `legacy`). */
function record(call: Call): Record<string, unknown> {
  const method = call.method ?? (call.score === undefined ? 'fallback_token_length' : 'nvidia_classifier');
  const routing: Record<string, unknown> = { method, query: 'q', routing_latency_ms: 5, tier: call.tier, task_type: call.task ?? 'Open QA' };
  if (call.score !== undefined) {
    if (call.legacy) routing.complexity_score = call.score;
    else Object.assign(routing, { complexity_score: call.score, prompt_complexity_score: call.score });
  }
  return {
    ...(call.legacy ? {} : { schema_version: 1, id: `id-${Math.random()}` }),
    timestamp: 1_700_000_000,
    request: { messages: [{ role: 'user', content: 'q' }], temperature: 0.7, max_tokens: null, user_specified_model: null, enable_thinking: call.thinking },
    routing,
    llm: { model: call.model, provider: 'dashscope', response_id: 'r', response_content: 'a', input_tokens: call.input ?? 1_000_000, output_tokens: call.output ?? 1_000_000, total_tokens: 0, cost_usd: call.cost ?? 0, llm_latency_ms: 100 },
    ...(call.error !== undefined ? { error: call.error } : {}),
    ...(call.cancelled !== undefined ? { cancelled: call.cancelled } : {}),
  };
}

describe('what-if thresholds (src/core/stats/whatIf)', () => {
  it('with the recorded thresholds, reproduces the recorded split and cost', () => {
    const calls = [
      record({ score: 0.1, tier: 'simple', model: 'small', cost: 3 }),
      record({ score: 0.4, tier: 'medium', model: 'mid', cost: 30 }),
      record({ score: 0.7, tier: 'complex', model: 'big', input: 1000, output: 1000, cost: 0.3 }),
    ];
    const result = computeWhatIf(calls, scenario(0.3, 0.5), MODELS);
    assert.deepEqual(result.tiers, { simple: 1, medium: 1, complex: 1 });
    assert.deepEqual(result.recordedTiers, result.tiers);
    assert.equal(result.changedTier, 0);
    assert.equal(result.costUsd, result.recordedCostUsd);
    assert.equal(result.rerouted, 3);
    assert.equal(result.kept, 0);
  });

  it('moves calls across a threshold and prices them on the new tier model with the same tokens', () => {
    // 1M input + 1M output tokens each: small costs 1 + 2 = 3, mid 10 + 20 = 30.
    const calls = [
      record({ score: 0.35, tier: 'medium', model: 'mid', cost: 30 }),
      record({ score: 0.45, tier: 'medium', model: 'mid', cost: 30 }),
    ];
    const result = computeWhatIf(calls, scenario(0.4, 0.5), MODELS);
    assert.deepEqual(result.tiers, { simple: 1, medium: 1, complex: 0 });
    assert.deepEqual(result.recordedTiers, { simple: 0, medium: 2, complex: 0 });
    assert.equal(result.changedTier, 1);
    assert.equal(result.recordedCostUsd, 60);
    assert.equal(result.costUsd, 33);
    assert.deepEqual(result.byModel, { small: { calls: 1, costUsd: 3 }, mid: { calls: 1, costUsd: 30 } });
  });

  it('compares with "<" as the router does: a score equal to a threshold goes up', () => {
    const result = computeWhatIf([record({ score: 0.3, tier: 'medium', model: 'mid' }), record({ score: 0.5, tier: 'complex', model: 'big', input: 10, output: 10 })], scenario(0.3, 0.5), MODELS);
    assert.deepEqual(result.tiers, { simple: 0, medium: 1, complex: 1 });
  });

  it('keeps fallback and user-specified calls at their recorded tier and cost', () => {
    const calls = [
      record({ tier: 'simple', model: 'small', cost: 3 }), // fallback_token_length, no score
      record({ method: 'user_specified', model: 'big', cost: 7 }),
      record({ score: 0.9, tier: 'complex', model: 'big', input: 100, output: 100, cost: 0.03 }),
    ];
    const result = computeWhatIf(calls, scenario(0.95, 0.99), MODELS);
    assert.equal(result.kept, 2);
    assert.equal(result.rerouted, 1);
    assert.deepEqual(result.tiers, { simple: 1, medium: 0, complex: 0 });
    // kept: 3 + 7; the rerouted call moves to small: 100 * 1e-6 + 100 * 2e-6
    assert.ok(Math.abs(result.costUsd - (10 + 0.0003)) < 1e-12, String(result.costUsd));
    assert.deepEqual(Object.keys(result.byModel).sort(), ['big', 'small']);
    assert.equal(result.byModel.big.calls, 1);
    assert.equal(result.byModel.small.calls, 2);
  });

  it('leaves failed and cancelled calls out, as /stats does', () => {
    const points = new WhatIfPoints();
    assert.equal(points.add(record({ score: 0.1, tier: 'simple', model: 'small', error: { kind: 'auth', message: 'x' } })), false);
    assert.equal(points.add(record({ score: 0.1, tier: 'simple', model: 'small', cancelled: true })), false);
    assert.equal(points.add(record({ score: 0.1, tier: 'simple', model: 'small', error: null, cancelled: false })), true);
    assert.equal(points.size, 1);
  });

  it("reads the old service's records (complexity_score only, no schema version)", () => {
    const result = computeWhatIf([record({ legacy: true, score: 0.2, tier: 'simple', model: 'small', cost: 3 })], scenario(0.1, 0.5), MODELS);
    assert.equal(result.rerouted, 1);
    assert.deepEqual(result.tiers, { simple: 0, medium: 1, complex: 0 });
    assert.equal(result.costUsd, 30);
  });

  it('applies task rules and the thinking price', () => {
    const calls = [record({ score: 0.1, tier: 'simple', model: 'small', task: 'Code Generation', thinking: true, cost: 3 })];
    const plain = computeWhatIf(calls, scenario(0.3, 0.5), MODELS);
    assert.deepEqual(plain.tiers, { simple: 1, medium: 0, complex: 0 });
    const ruled = computeWhatIf(calls, scenario(0.3, 0.5, { taskRules: [{ taskType: 'Code Generation', minTier: 'medium' }] }), MODELS);
    assert.deepEqual(ruled.tiers, { simple: 0, medium: 1, complex: 0 });
    assert.equal(ruled.costUsd, 10 + 40); // thinking output price on mid
  });

  it("moves a call whose prompt does not fit the tier model's context window, as routing would", () => {
    const calls = [record({ score: 0.9, tier: 'medium', model: 'mid', input: 6_000, output: 10, cost: 1 })];
    const result = computeWhatIf(calls, scenario(0.3, 0.5), MODELS);
    // big has a 5,000-token window: routing goes on upwards (none) then downwards to mid.
    assert.deepEqual(result.tiers, { simple: 0, medium: 1, complex: 0 });
    assert.equal(result.costUsd, 1);
  });

  it('counts calls routed to a model without prices as unpriced, at 0', () => {
    const result = computeWhatIf([record({ score: 0.1, tier: 'medium', model: 'mid', cost: 30 })], scenario(0.3, 0.5, { tierModels: { simple: 'free', medium: 'mid', complex: 'big' } }), MODELS);
    assert.equal(result.unpriced, 1);
    assert.equal(result.costUsd, 0);
  });

  it('keeps up with appends and gives the same answer as a one-shot computation', () => {
    const calls = Array.from({ length: 500 }, (_, i) => record({ score: (i % 97) / 100, tier: ['simple', 'medium', 'complex'][i % 3], model: ['small', 'mid', 'big'][i % 3], input: 100 + i, output: 50 + i, cost: i / 1000 }));
    const points = new WhatIfPoints();
    for (const call of calls) points.add(call);
    const s = scenario(0.25, 0.6);
    assert.deepEqual(points.compute(s, MODELS), computeWhatIf(calls, s, MODELS));
    assert.equal(points.size, 500);
  });

  it('runs on the default model table and policy', () => {
    const result = computeWhatIf([record({ score: 0.2, tier: 'simple', model: 'qwen-flash', input: 1000, output: 1000, cost: 0.00045 })], { thresholds: { simple: 0.1, medium: 0.5 }, tierModels: DEFAULT_POLICY.tierModels }, DEFAULT_MODELS);
    assert.deepEqual(result.tiers, { simple: 0, medium: 1, complex: 0 });
    assert.ok(Math.abs(result.costUsd - (1000 * 0.4 + 1000 * 1.2) / 1e6) < 1e-12);
  });

  it('histograms the recorded scores in bins', () => {
    const points = new WhatIfPoints();
    for (const score of [0, 0.05, 0.19, 0.2, 0.99, 1.1]) points.add(record({ score, tier: 'simple', model: 'small' }));
    points.add(record({ tier: 'simple', model: 'small' })); // no score: not in the histogram
    const { binWidth, counts } = points.histogram(0.2);
    assert.equal(binWidth, 0.2);
    assert.equal(counts.length, 6);
    assert.deepEqual(counts, [3, 1, 0, 0, 1, 1]);
  });

  it('validates thresholds', () => {
    assert.deepEqual(validateThresholds({ simple: 0.3, medium: 0.5 }), []);
    assert.equal(validateThresholds({ simple: 0.6, medium: 0.5 }).length, 1);
    assert.equal(validateThresholds({ simple: Number.NaN, medium: 0.5 }).length, 1);
  });

  // Its speed is a benchmark figure (bench/history.bench.ts, what_if_ms), not an assertion.
  it('recomputes 100,000 calls', () => {
    const points = new WhatIfPoints();
    for (let i = 0; i < 100_000; i++) points.add(record({ score: (i % 1000) / 1000, tier: 'simple', model: 'small', input: 500, output: 300, cost: 0.001 }));
    const result = points.compute(scenario(0.3, 0.5), MODELS);
    assert.equal(result.rerouted, 100_000);
  });
});
