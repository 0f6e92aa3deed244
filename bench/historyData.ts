/**
 * The generated call history the benchmarks share: records shaped like ours (three layers, ~1.9 KB
 * each, a mix of tiers, methods, task types and a few failures), from a seeded generator so every
 * run writes the same bytes. Used by history.bench.ts and by the host benchmark (bench/host/).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const TASKS = ['Code Generation', 'Open QA', 'Summarization', 'Text Generation', 'Chatbot', 'Rewrite', 'Brainstorming'];
const MODELS = ['qwen-flash', 'qwen-plus', 'qwen-max'];
const TIERS = ['simple', 'medium', 'complex'];

/** A deterministic pseudo-random source in [0, 1) (a linear congruential generator). */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** Record number `i` of a generated history. */
export function makeBenchRecord(i: number, rand: () => number): Record<string, unknown> {
  const tier = Math.floor(rand() * 3);
  const method = rand() < 0.8 ? 'nvidia_classifier' : rand() < 0.5 ? 'fallback_token_length' : 'user_specified';
  const failed = rand() < 0.03;
  const prompt = `Question ${i}: how do I ${['refactor', 'test', 'explain', 'optimise'][i % 4]} this function? 请用中文解释。 `.repeat(3);
  const answer = `Here is an answer for ${i}. `.repeat(20 + Math.floor(rand() * 20));
  const input = 50 + Math.floor(rand() * 3000);
  const output = failed ? 0 : 20 + Math.floor(rand() * 1500);
  return {
    schema_version: 1,
    id: `bench-${i}`,
    timestamp: 1735689600 + i * 30,
    request: { messages: [{ role: 'user', content: prompt }], temperature: 0.7, max_tokens: null, user_specified_model: method === 'user_specified' ? MODELS[tier] : null, stream: true },
    routing:
      method === 'user_specified'
        ? { method, query: prompt }
        : method === 'fallback_token_length'
          ? { method, query: prompt, routing_latency_ms: rand() * 2, tier: TIERS[tier], estimated_tokens: input, fallback_reason: 'model_loading', error: 'loading' }
          : { method, query: prompt, routing_latency_ms: 10 + rand() * 80, tier: TIERS[tier], complexity_score: rand() * 0.8, task_type: TASKS[i % TASKS.length], domain_knowledge: rand(), reasoning: rand(), creativity: rand() },
    llm: {
      model: MODELS[tier],
      provider: 'dashscope',
      response_id: `chatcmpl-${i}`,
      response_content: failed ? '' : answer,
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      cost_usd: (input * 0.4 + output * 1.2) / 1e6,
      llm_latency_ms: 300 + rand() * 9000,
      ttft_ms: failed ? null : 100 + rand() * 900,
      usage_source: failed ? 'none' : 'provider',
    },
    error: failed ? { kind: 'rate_limited', message: 'Rate limited' } : null,
    cancelled: false,
    attempts: 1,
  };
}

/** Writes a history of `count` generated records to `path` (replacing it), 2,000 lines a write. */
export function generateHistory(path: string, count: number, seed = 12345): void {
  const rand = seededRandom(seed);
  const fd = openSync(path, 'w');
  try {
    let batch: string[] = [];
    for (let i = 0; i < count; i++) {
      batch.push(JSON.stringify(makeBenchRecord(i, rand)));
      if (batch.length === 2000) {
        writeSync(fd, `${batch.join('\n')}\n`);
        batch = [];
      }
    }
    if (batch.length) writeSync(fd, `${batch.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
}
