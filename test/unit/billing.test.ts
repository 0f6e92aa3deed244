// Billing as DashScope bills: cached input at the cache rate, reasoning at the thinking rate, price
// bands by input length, China-region prices in CNY kept apart from USD, and the stats that show it.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ask } from '../../src/core/ask';
import { resolveConfig } from '../../src/core/config';
import { HistoryStore } from '../../src/core/history/store';
import type { CallRecord } from '../../src/core/history/record';
import { estimateCost, pricesFor } from '../../src/core/models/pricing';
import { DEFAULT_MODELS, REGION_BASE_URLS, validateModelTable } from '../../src/core/models/table';
import { usageFromProvider } from '../../src/core/llm/usage';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { tempDirs } from '../support/tempDir';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);
const KEY = 'sk-billing';

describe('billing as DashScope bills', () => {
  it('prices implicit cache hits at 20% of the input price, in the band of the whole input', () => {
    const plus = DEFAULT_MODELS['qwen-plus'];
    const cost = estimateCost(plus, 10_000, 1_000, { cachedTokens: 8_000 })!;
    close(cost.usd, (2_000 * 0.4 + 8_000 * 0.4 * 0.2 + 1_000 * 1.2) / 1e6);
    close(cost.cacheSaved, (8_000 * 0.4 * 0.8) / 1e6);
    // The band is chosen by all input tokens, cached ones included.
    const long = estimateCost(plus, 300_000, 0, { cachedTokens: 299_000 })!;
    assert.equal(long.band.input, 1.2);
    close(long.usd, (1_000 * 1.2 + 299_000 * 1.2 * 0.2) / 1e6);
  });

  it('prices explicit cache hits at 10% and cache creation at 125% of the input price', () => {
    const max = DEFAULT_MODELS['qwen-max'];
    close(estimateCost(max, 2_000, 0, { cachedTokens: 1_500, explicitCache: true })!.usd, (500 * 1.6 + 1_500 * 0.16) / 1e6);
    const created = estimateCost(max, 2_000, 0, { cacheCreationTokens: 1_500 })!;
    close(created.usd, (500 * 1.6 + 1_500 * 2.0) / 1e6);
    assert.ok(created.cacheSaved < 0, 'writing a cache entry costs more than plain input');
  });

  it('prices output at the thinking rate when the provider reports reasoning tokens', () => {
    const plus = DEFAULT_MODELS['qwen-plus'];
    close(estimateCost(plus, 1_000, 1_000, { reasoningTokens: 600 })!.usd, (1_000 * 0.4 + 1_000 * 4.0) / 1e6);
    close(estimateCost(plus, 1_000, 1_000, { reasoningTokens: 0 })!.usd, (1_000 * 0.4 + 1_000 * 1.2) / 1e6);
  });

  it('prices China-region calls in CNY from the China schedule, and never as USD', () => {
    const flash = DEFAULT_MODELS['qwen-flash'];
    assert.equal(pricesFor(flash, REGION_BASE_URLS.china)!.currency, 'CNY');
    assert.equal(pricesFor(flash, REGION_BASE_URLS.international)!.currency, 'USD');
    const cost = estimateCost(flash, 1_000, 1_000, { baseUrl: REGION_BASE_URLS.china })!;
    assert.equal(cost.currency, 'CNY');
    assert.equal(cost.usd, 0);
    close(cost.amount, (1_000 * 0.15 + 1_000 * 1.5) / 1e6);
    assert.equal(estimateCost(flash, 200_000, 0, { baseUrl: REGION_BASE_URLS.china })!.band.input, 0.6);
  });

  it('dates and sources every default figure, with qwen3-max and the coder models beside the aliases', () => {
    for (const [key, spec] of Object.entries(DEFAULT_MODELS)) {
      for (const schedule of [spec.prices, ...Object.values(spec.regionPrices ?? {})]) {
        assert.ok(schedule?.asOf && schedule.source && schedule.currency, `${key} has a dated, sourced schedule with a currency`);
      }
    }
    for (const key of ['qwen3-max', 'qwen3-coder-plus', 'qwen3-coder-flash']) assert.ok(DEFAULT_MODELS[key]);
    close(estimateCost(DEFAULT_MODELS['qwen3-max'], 40_000, 0)!.usd, (40_000 * 2.4) / 1e6);
    assert.deepEqual(validateModelTable(DEFAULT_MODELS), []);
    assert.ok(validateModelTable({ x: { model: 'x', prices: { asOf: 'x', currency: 'EUR' as never, bands: [{ input: 1, output: 1 }] } } }).some((p) => p.includes('currency')));
    assert.ok(validateModelTable({ x: { model: 'x', regionPrices: { mars: { asOf: 'x', bands: [{ input: 1, output: 1 }] } } as never } }).some((p) => p.includes('mars')));
  });

  it('reads cached, explicit-cache and reasoning token counts from a usage object', () => {
    assert.deepEqual(usageFromProvider({ prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 5 } }), { input: 100, output: 20, reasoning: 5, cached: 64 });
    assert.deepEqual(usageFromProvider({ prompt_tokens: 3000, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 2048 }, cache_type: 'ephemeral' } }), { input: 3000, output: 1, cacheCreation: 2048, cacheType: 'ephemeral' });
    assert.equal(usageFromProvider(null), undefined);
  });
});

describe('billing through ask() and the stand-in', function () {
  this.timeout(20_000);
  let standIn: DashScopeStandIn;
  const dirs = tempDirs();
  before(async () => {
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
  });
  after(async () => {
    await standIn.close();
    dirs.cleanup();
  });
  beforeEach(() => standIn.reset());

  const run = async (path: string, stream: boolean) => {
    const { config } = resolveConfig({ baseUrl: standIn.baseUrl });
    return ask({ messages: [{ role: 'user', content: 'hello again' }], model: 'qwen-plus', stream }, { config, store: new HistoryStore(path), getApiKey: () => KEY, sleep: async () => undefined });
  };

  for (const stream of [true, false]) {
    it(`records cached and reasoning tokens beside a cache-aware estimate (${stream ? 'streamed' : 'not streamed'})`, async () => {
      standIn.setScenario('qwen-plus', { reply: 'hi', reasoning: 'think', usage: { prompt_tokens: 10_000, completion_tokens: 1_000, reasoning_tokens: 400, cached_tokens: 8_000 } });
      const path = join(dirs.make(), 'call_history.jsonl');
      const result = await run(path, stream);
      assert.equal(result.status, 'ok');
      const record = JSON.parse(readFileSync(path, 'utf8').trim()) as CallRecord;
      assert.equal(record.llm.cached_tokens, 8_000);
      assert.equal(record.llm.reasoning_tokens, 400);
      assert.equal(record.llm.input_tokens, 10_000);
      close(record.llm.cost_usd, (2_000 * 0.4 + 8_000 * 0.08 + 1_000 * 4.0) / 1e6);
      close(record.llm.cache_saved!, (8_000 * 0.32) / 1e6);
      assert.equal(record.llm.cost_currency, undefined, 'USD estimates keep the old shape');

      const stats = await new HistoryStore(path, { topTier: { key: 'qwen-max', spec: DEFAULT_MODELS['qwen-max'] } }).stats();
      assert.equal(stats.tokens.cached, 8_000);
      assert.deepEqual(stats.cache.saved, { USD: 0.00256 });
      assert.equal(stats.cost.by_currency.USD.calls, 1);
      // What routing saved: the same tokens (cache included) priced on the top tier.
      close(stats.top_tier!.cost_usd, Number(((2_000 * 1.6 + 8_000 * 0.32 + 1_000 * 6.4) / 1e6).toFixed(6)));
    });
  }

  it('keeps CNY estimates apart from USD in the record and the stats', async () => {
    const dir = dirs.make();
    const path = join(dir, 'call_history.jsonl');
    const usdRecord = { timestamp: 1767225600, request: { messages: [] }, routing: { method: 'user_specified', query: null }, llm: { model: 'qwen-plus', input_tokens: 10, output_tokens: 10, total_tokens: 20, cost_usd: 0.5, llm_latency_ms: 1 } };
    const cnyRecord = { ...usdRecord, llm: { ...usdRecord.llm, cost_usd: 0, cost_currency: 'CNY', cost: 3.5, cache_saved: 0.25 } };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, `${JSON.stringify(usdRecord)}\n${JSON.stringify(cnyRecord)}\n`);
    const stats = await new HistoryStore(path, { dayKey: 'utc', topTier: { key: 'qwen-max', spec: DEFAULT_MODELS['qwen-max'] } }).stats();
    assert.equal(stats.total_cost_usd, 0.5);
    assert.deepEqual(stats.cost.by_currency, { USD: { calls: 1, cost: 0.5, cache_saved: 0 }, CNY: { calls: 1, cost: 3.5, cache_saved: 0.25 } });
    assert.deepEqual(stats.cost.by_day['2026-01-01'], { calls: 2, cost_usd: 0.5, cost_cny: 3.5 });
    assert.equal(stats.top_tier!.calls, 1, 'the USD counterfactual leaves CNY calls out');
  });
});
