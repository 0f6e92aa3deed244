// Direct assertions for the slips a mutation probe found the other unit tests missed, or caught only
// in passing (issue 8): each `it` names the slip it catches. Real files and real HTTP on loopback.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLineText } from '../../src/core/history/lines';
import { HistoryStore } from '../../src/core/history/store';
import { importHistory } from '../../src/core/history/transfer';
import { chat, type ChatTarget } from '../../src/core/llm/client';
import { estimateCost, priceBandFor } from '../../src/core/models/pricing';
import type { ModelSpec } from '../../src/core/models/table';
import { applyTaskRules, tierForValue } from '../../src/core/routing/policy';
import { StatsAccumulator } from '../../src/core/stats/accumulator';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { tempDirs } from '../support/tempDir';

const DAY = Date.UTC(2025, 0, 2, 12) / 1000;

/** A successful call as the history stores it. */
const ok = (model: string, cost: number, latency: number, tokens = { input: 100, output: 50 }) => ({
  timestamp: DAY,
  routing: { method: 'nvidia_classifier', tier: 'simple', routing_latency_ms: 1 },
  llm: { model, cost_usd: cost, llm_latency_ms: latency, input_tokens: tokens.input, output_tokens: tokens.output },
  error: null,
});

describe('slips the mutation probe found (issue 8)', function () {
  this.timeout(15_000);
  const dirs = tempDirs('qwen-router-slips-');
  after(() => dirs.cleanup());

  describe('stats', () => {
    it('rounds the per-model, per-day and top-tier costs to 6 places, not 5', () => {
      // 1,000,000 input tokens at 1.234567 USD: 5 places would say 1.23457.
      const top: ModelSpec = { model: 'qwen-max', prices: { asOf: 'test', bands: [{ input: 1.234567, output: 0 }] } };
      const stats = new StatsAccumulator({ dayKey: 'utc', topTier: { key: 'qwen-max', spec: top } });
      stats.add(ok('qwen-flash', 0.0000123, 10, { input: 1_000_000, output: 0 }));
      const { cost, top_tier } = stats.finish();
      assert.deepEqual(cost.by_model, { 'qwen-flash': 0.000012 });
      assert.deepEqual(cost.by_day, { '2025-01-02': { calls: 1, cost_usd: 0.000012 } });
      assert.equal(cost.total_usd, 0.000012);
      assert.equal(top_tier?.cost_usd, 1.234567);
      assert.equal(top_tier?.actual_cost_usd, 0.000012);
      assert.equal(top_tier?.saved_usd, 1.234555);
    });

    it('averages the latency over successful calls only, not failed or cancelled ones', () => {
      const stats = new StatsAccumulator();
      stats.add(ok('qwen-flash', 0, 100));
      stats.add(ok('qwen-flash', 0, 300));
      stats.add({ ...ok('qwen-flash', 0, 5000), error: { kind: 'server_error', message: 'boom' } });
      stats.add({ ...ok('qwen-flash', 0, 7000), cancelled: true });
      const result = stats.finish();
      assert.equal(result.total_calls, 2);
      assert.equal(result.avg_latency_ms, 200);
    });
  });

  describe('history lines', () => {
    it('strips a carriage return: a CRLF record is stored without it, a blank CRLF line is blank', () => {
      const record = parseLineText('{"llm":{"model":"qwen-flash"}}\r');
      assert.equal(record.kind, 'record');
      assert.equal(record.kind === 'record' && record.text, '{"llm":{"model":"qwen-flash"}}');
      assert.deepEqual(parseLineText('\r'), { kind: 'blank' });
    });

    it('reads a CRLF file: blank CRLF lines are blank, not skipped, and an import stores no \\r', async () => {
      const dir = dirs.make();
      const source = join(dir, 'old.jsonl');
      const line = (model: string) => JSON.stringify(ok(model, 0.001, 10));
      writeFileSync(source, `${line('qwen-flash')}\r\n\r\n${line('qwen-plus')}\r\n`);
      const old = new HistoryStore(source);
      const stats = await old.stats();
      assert.deepEqual([stats.records, stats.blank_lines, stats.skipped_lines], [2, 1, 0]);

      const target = new HistoryStore(join(dir, 'history.jsonl'));
      const report = await importHistory(target, source);
      assert.deepEqual([report.imported, report.invalid, report.blank], [2, 0, 1]);
      await target.flush();
      const stored = readFileSync(target.path, 'utf8');
      assert.ok(!stored.includes('\r'), JSON.stringify(stored));
      assert.deepEqual(stored.trimEnd().split('\n').map((l) => JSON.parse(l).llm.model), ['qwen-flash', 'qwen-plus']);
    });
  });

  describe('routing policy', () => {
    const thresholds = { simple: 0.3, medium: 0.5 };
    it("puts a score equal to the medium threshold in the complex tier (the threshold is medium's exclusive upper bound)", () => {
      assert.equal(tierForValue(0.49999, thresholds), 'medium');
      assert.equal(tierForValue(0.5, thresholds), 'complex');
      assert.equal(tierForValue(0.3, thresholds), 'medium');
      assert.equal(tierForValue(0.29999, thresholds), 'simple');
    });

    it("caps the tier with a task rule's maxTier", () => {
      const rules = [{ taskType: 'Chatbot', maxTier: 'medium' as const }];
      assert.deepEqual(applyTaskRules('complex', 'Chatbot', rules), { tier: 'medium', rule: 'Chatbot: at most medium' });
      assert.deepEqual(applyTaskRules('complex', 'chatbot', rules).tier, 'medium', 'task types match without case');
      assert.deepEqual(applyTaskRules('simple', 'Chatbot', rules), { tier: 'simple' }, 'a cap does not raise');
      assert.deepEqual(applyTaskRules('complex', 'Code Generation', rules), { tier: 'complex' }, 'other task types are left alone');
    });
  });

  describe('prices', () => {
    it('prices by the input-length band, its bound inclusive', () => {
      const spec: ModelSpec = {
        model: 'qwen-plus',
        prices: { asOf: 'test', bands: [{ maxInputTokens: 1000, input: 1, output: 2 }, { maxInputTokens: null, input: 10, output: 20 }] },
      };
      assert.equal(priceBandFor(spec.prices!, 1000)?.input, 1);
      assert.equal(priceBandFor(spec.prices!, 1001)?.input, 10);
      assert.equal(estimateCost(spec, 1000, 1000)?.usd, 0.001 + 0.002);
      assert.equal(estimateCost(spec, 1001, 1000)?.usd, 0.01001 + 0.02);
    });
  });

  describe('calls', () => {
    const KEY = 'sk-slips-test';
    let standIn: DashScopeStandIn;
    let otherHost: DashScopeStandIn;
    before(async () => {
      standIn = await DashScopeStandIn.start({ apiKey: KEY });
      otherHost = await DashScopeStandIn.start({ apiKey: KEY });
    });
    after(async () => {
      await standIn.close();
      await otherHost.close();
    });
    const target = (key: string, on: DashScopeStandIn): ChatTarget => ({ key, spec: { model: key }, baseUrl: on.baseUrl, apiKey: KEY });
    const call = (targets: ChatTarget[], idleMs = 60_000) =>
      chat(targets, {
        messages: [{ role: 'user', content: 'hi' }],
        retry: { maxAttempts: 3, maxTotalWaitMs: 1000, baseDelayMs: 1, maxDelayMs: 1 },
        timeouts: { idleMs },
        sleep: async () => undefined,
      });

    it('neither retries nor escalates once the first token has arrived: the partial answer is kept', async () => {
      // A stream that goes quiet after two chunks: its time-out would be worth another tier before the first token.
      standIn.setScenario('qwen-flash', { reply: 'partial answer that stalls', chunkSize: 8, keepAliveOnlyAfter: { chunks: 2, everyMs: 20 } });
      otherHost.setScenario('qwen-plus', { reply: 'should not be asked' });
      const outcome = await call([target('qwen-flash', standIn), target('qwen-plus', otherHost)], 300);
      assert.equal(outcome.status, 'error');
      assert.equal(outcome.error?.kind, 'timeout');
      assert.equal(outcome.answer, 'partial answer t');
      assert.equal(outcome.attempts.length, 1, JSON.stringify(outcome.attempts));
      assert.deepEqual(outcome.escalatedFrom, []);
      assert.deepEqual([standIn.requests.length, otherHost.requests.length], [1, 0]);
    });

    it('neither retries nor escalates a stream cut off after the first token', async () => {
      standIn.reset();
      standIn.setScenario('qwen-flash', { reply: 'partial answer that breaks', chunkSize: 8, breakAfterChunks: 2 });
      otherHost.setScenario('qwen-plus', { reply: 'should not be asked' });
      const outcome = await call([target('qwen-flash', standIn), target('qwen-plus', otherHost)]);
      assert.equal(outcome.error?.kind, 'stream_interrupted');
      assert.equal(outcome.answer, 'partial answer t');
      assert.equal(outcome.attempts.length, 1, JSON.stringify(outcome.attempts));
      assert.deepEqual([standIn.requests.length, otherHost.requests.length], [1, 0]);
    });
  });
});
