// Synthetic histories for the calibration and evaluation tests: successful calls as the extension
// records them, routed under the default thresholds and priced on a round-number price table.
import { estimateCost } from '../../src/core/models/pricing';
import type { ModelTable } from '../../src/core/models/table';
import { DEFAULT_POLICY, tierForValue, type Tier } from '../../src/core/routing/policy';
import { CalibrationHistory } from '../../src/core/stats/calibrate';
import type { WhatIfScenario } from '../../src/core/stats/whatIf';

/** Round prices per 1M tokens: each tier costs ten times the one below. */
export const MODELS: ModelTable = {
  small: { model: 'small', prices: { asOf: 'test', bands: [{ input: 1, output: 2 }] } },
  mid: { model: 'mid', prices: { asOf: 'test', bands: [{ input: 10, output: 20 }] } },
  big: { model: 'big', prices: { asOf: 'test', bands: [{ input: 100, output: 200 }] } },
};
export const TIER_MODELS: Record<Tier, string> = { simple: 'small', medium: 'mid', complex: 'big' };
export const SCENARIO: WhatIfScenario = { thresholds: { simple: 0.3, medium: 0.5 }, tierModels: TIER_MODELS };
export const DAY = 86_400;
export const T0 = 1_767_225_600;

export interface Call {
  id: string;
  score?: number;
  input?: number;
  output?: number;
  timestamp?: number;
  models?: ModelTable;
  tierModels?: Record<Tier, string>;
}

/** A successful call as the extension records it, routed under the default thresholds. */
export function callRecord(call: Call): Record<string, unknown> {
  const models = call.models ?? MODELS;
  const tierModels = call.tierModels ?? TIER_MODELS;
  const input = call.input ?? 1000;
  const output = call.output ?? 500;
  const tier = call.score === undefined ? 'simple' : tierForValue(call.score, DEFAULT_POLICY.complexity);
  const model = tierModels[tier];
  const routing = call.score === undefined ? { method: 'fallback_token_length', tier, estimated_tokens: 10, fallback_reason: 'model_missing', routing_latency_ms: 1 } : { method: 'nvidia_classifier', tier, complexity_score: call.score, prompt_complexity_score: call.score, task_type: 'Open QA', routing_latency_ms: 20 };
  return {
    schema_version: 1,
    id: call.id,
    timestamp: call.timestamp ?? T0,
    request: { messages: [{ role: 'user', content: 'q' }], temperature: null, max_tokens: null, user_specified_model: null },
    routing: { query: 'q', ...routing },
    llm: { model, provider: 'dashscope', response_id: 'r', response_content: 'a', input_tokens: input, output_tokens: output, total_tokens: input + output, cost_usd: estimateCost(models[model], input, output)!.usd, llm_latency_ms: 100 },
    error: null,
    cancelled: false,
  };
}

/** `n` classifier-routed calls with distinct scores 0.005, 0.015, ... spread over `days`, plus `fallbacks` calls routed by length. */
export function history(n: number, options: { days?: number; fallbacks?: number; scores?: (i: number) => number } = {}): Record<string, unknown>[] {
  const days = options.days ?? 10;
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) records.push(callRecord({ id: `c${i}`, score: options.scores ? options.scores(i) : (i + 0.5) / n, timestamp: T0 + (days * DAY * i) / Math.max(1, n - 1), input: 1000 + 37 * i, output: 400 + 11 * i }));
  for (let i = 0; i < (options.fallbacks ?? 0); i++) records.push(callRecord({ id: `f${i}`, timestamp: T0 + DAY, input: 5000 }));
  return records;
}

export function fold(records: Record<string, unknown>[]): CalibrationHistory {
  const h = new CalibrationHistory();
  for (const record of records) h.add(record);
  return h;
}

/** A signal line about the call `of`. */
export function signal(of: string, kind: string, timestamp = T0 + 20 * DAY): Record<string, unknown> {
  return { type: 'signal', schema_version: 1, id: `s-${of}-${kind}-${timestamp}`, of, signal: kind, timestamp };
}
