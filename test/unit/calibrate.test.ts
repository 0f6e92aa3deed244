import * as assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { HistoryStore } from '../../src/core/history/store';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/core/config';
import { estimateCost } from '../../src/core/models/pricing';
import { DEFAULT_POLICY, tierForValue, type Thresholds, type Tier } from '../../src/core/routing/policy';
import { calibrate, CalibrationRefusal, MIN_SCORED_CALLS, MIN_SIGNALS, parseMix, type CalibrationGoal } from '../../src/core/stats/calibrate';
import { computeWhatIf } from '../../src/core/stats/whatIf';
import { runCliChild } from '../support/cliChild';
import { callRecord, DAY, fold, history, MODELS, SCENARIO, signal, T0, TIER_MODELS } from '../support/syntheticHistory';
import { fixturePath, tempDirs } from '../support/tempDir';

const run = (records: Record<string, unknown>[], goal: CalibrationGoal) => calibrate(fold(records), goal, SCENARIO, MODELS);

/** What applying `thresholds` to the history gives, computed by hand: tiers by score, each call priced on its new tier's model. */
function applyByHand(records: Record<string, unknown>[], thresholds: Thresholds): { tiers: Record<Tier, number>; costUsd: number; spanDays: number } {
  const tiers = { simple: 0, medium: 0, complex: 0 };
  let costUsd = 0;
  const times: number[] = [];
  for (const record of records) {
    const routing = record.routing as Record<string, unknown>;
    const llm = record.llm as Record<string, number | string>;
    times.push(record.timestamp as number);
    if (routing.method !== 'nvidia_classifier') {
      costUsd += llm.cost_usd as number;
      continue;
    }
    const tier = tierForValue(routing.complexity_score as number, thresholds);
    tiers[tier] += 1;
    const model = TIER_MODELS[tier];
    costUsd += model === llm.model ? (llm.cost_usd as number) : estimateCost(MODELS[model], llm.input_tokens as number, llm.output_tokens as number)!.usd;
  }
  return { tiers, costUsd, spanDays: Math.max(1, (Math.max(...times) - Math.min(...times)) / DAY) };
}

function assertProjectionIsTheHistory(records: Record<string, unknown>[], result: ReturnType<typeof run>): void {
  const byHand = applyByHand(records, result.thresholds);
  assert.deepEqual(result.projected.tiers, byHand.tiers);
  assert.ok(Math.abs(result.projected.monthly_cost_usd - (byHand.costUsd * 30) / byHand.spanDays) < 1e-6, `${result.projected.monthly_cost_usd} vs ${(byHand.costUsd * 30) / byHand.spanDays}`);
  const whatIf = computeWhatIf(records, { ...SCENARIO, thresholds: result.thresholds }, MODELS);
  assert.deepEqual(result.projected.tiers, whatIf.tiers);
  assert.equal(result.projected.cost_usd, Math.round(whatIf.costUsd * 1e6) / 1e6);
}

describe('calibration (src/core/stats/calibrate)', () => {
  it('--mix gives exactly the mix asked for on distinct scores, and the projection is what applying the thresholds gives', () => {
    const records = history(100, { fallbacks: 7 });
    for (const [mix, expected] of [
      ['60,30,10', { simple: 60, medium: 30, complex: 10 }],
      ['0.2,0.5,0.3', { simple: 20, medium: 50, complex: 30 }],
      ['100,0,0', { simple: 100, medium: 0, complex: 0 }],
      ['0,0,100', { simple: 0, medium: 0, complex: 100 }],
      ['33,34,33', { simple: 33, medium: 34, complex: 33 }],
    ] as const) {
      const result = run(records, { kind: 'mix', mix: parseMix(mix) });
      assert.deepEqual(result.projected.tiers, expected, mix);
      assert.deepEqual(result.projected.mix, { simple: expected.simple / 100, medium: expected.medium / 100, complex: expected.complex / 100 });
      assert.ok(result.thresholds.simple <= result.thresholds.medium);
      assert.equal(result.projected.kept_calls, 7);
      assertProjectionIsTheHistory(records, result);
    }
  });

  it('--mix with tied scores gives the nearest mix the scores allow, and says so', () => {
    const records = history(40, { scores: (i) => (i < 30 ? 0.2 : 0.6) });
    const result = run(records, { kind: 'mix', mix: [0.5, 0.25, 0.25] });
    assert.deepEqual(result.projected.tiers, { simple: 30, medium: 0, complex: 10 });
    assert.match(result.notes.join(' '), /equal scores/);
    assertProjectionIsTheHistory(records, result);
  });

  it('parses mixes in percent or shares and refuses one that does not add up', () => {
    assert.deepEqual(parseMix('50, 30, 20'), [0.5, 0.3, 0.2]);
    assert.throws(() => parseMix('60,30,20'), /add up to 100 \(percent\) or 1; "60,30,20" adds up to 110/);
    assert.throws(() => parseMix('60,40'), /three non-negative numbers/);
  });

  it('--monthly-budget stays within the budget, and a bigger budget never sends fewer calls up to either tier', () => {
    const records = history(60, { days: 15, fallbacks: 3 });
    const cheapest = run(records, { kind: 'mix', mix: [1, 0, 0] }).projected.monthly_cost_usd;
    const dearest = run(records, { kind: 'mix', mix: [0, 0, 1] }).projected.monthly_cost_usd;
    let previous = { up: -1, complex: -1 };
    for (let step = 0; step <= 40; step++) {
      const budget = cheapest + ((dearest - cheapest) * step) / 40;
      const result = run(records, { kind: 'budget', monthlyUsd: budget });
      assert.ok(result.projected.monthly_cost_usd <= budget + 1e-6, `step ${step}: ${result.projected.monthly_cost_usd} > ${budget}`);
      const up = result.projected.tiers.medium + result.projected.tiers.complex;
      assert.ok(up >= previous.up && result.projected.tiers.complex >= previous.complex, `step ${step}: fewer calls up with a bigger budget`);
      previous = { up, complex: result.projected.tiers.complex };
      assertProjectionIsTheHistory(records, result);
    }
    assert.deepEqual(run(records, { kind: 'budget', monthlyUsd: cheapest }).projected.tiers, { simple: 60, medium: 0, complex: 0 });
    assert.deepEqual(run(records, { kind: 'budget', monthlyUsd: dearest * 2 }).projected.tiers, { simple: 0, medium: 0, complex: 60 });
  });

  it('refuses a budget nothing fits, and a history with too few scored calls, naming the numbers', () => {
    const records = history(30, { fallbacks: 2 });
    const cheapest = run(records, { kind: 'mix', mix: [1, 0, 0] }).projected.monthly_cost_usd;
    assert.throws(() => run(records, { kind: 'budget', monthlyUsd: cheapest / 2 }), (error: Error) => error instanceof CalibrationRefusal && /No thresholds fit a monthly budget of \$[0-9.]+: with every classifier-routed call on the simple tier \(small\)/.test(error.message) && /Raise the budget/.test(error.message));
    const few = history(MIN_SCORED_CALLS - 1, { fallbacks: 50 });
    assert.throws(() => run(few, { kind: 'mix', mix: [0.5, 0.3, 0.2] }), new RegExp(`at least ${MIN_SCORED_CALLS} successful calls routed by the classifier; this history has ${MIN_SCORED_CALLS - 1}`));
  });

  it('--objective signals lowers each threshold just enough to send the thumbed-down and re-asked calls higher', () => {
    // Scores 0.005 ... 0.995: recorded simple below 0.30, medium below 0.50.
    const records = history(100);
    // Simple calls c25..c29 (0.255 .. 0.295) were thumbed down; medium calls c45..c49 (0.455 .. 0.495) re-asked on the next tier.
    const planted = [25, 26, 27, 28, 29].map((i) => signal(`c${i}`, 'thumbs_down')).concat([45, 46, 47, 48, 49].map((i) => signal(`c${i}`, 'next_tier')));
    // Noise that must not count: a complex call thumbed down, a thumbs-down taken back, a signal about no call.
    planted.push(signal('c80', 'thumbs_down'), signal('c10', 'thumbs_down'), signal('c10', 'thumbs_up', T0 + 21 * DAY), signal('nope', 'thumbs_down'));
    const result = run([...records, ...planted], { kind: 'signals' });
    assert.ok(result.thresholds.simple > 0.245 && result.thresholds.simple <= 0.255, `simple ${result.thresholds.simple}`);
    assert.ok(result.thresholds.medium > 0.445 && result.thresholds.medium <= 0.455, `medium ${result.thresholds.medium}`);
    assert.deepEqual(result.projected.tiers, { simple: 25, medium: 20, complex: 55 });
    assert.deepEqual(result.signals, { used: 11, thumbs_down: 6, next_tier: 5, thumbs_up: 1, already_top: 1, sent_higher: 10 });
    assertProjectionIsTheHistory(records, result);
  });

  it('--objective signals refuses with fewer signals than it needs, saying how many it has', () => {
    const records = history(50);
    const few = [1, 2, 3].map((i) => ({ type: 'signal', of: `c${i}`, signal: 'thumbs_down', timestamp: T0 }));
    assert.throws(() => run([...records, ...few], { kind: 'signals' }), new RegExp(`at least ${MIN_SIGNALS} thumbed-down or re-asked .* this history has 3`));
  });

  describe('the CLI (node dist/cli.js calibrate)', () => {
    const dirs = tempDirs();
    after(() => dirs.cleanup());

    function writeHistory(records: Record<string, unknown>[]): string {
      const path = join(dirs.make(), 'call_history.jsonl');
      writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      return path;
    }
    // The CLI prices with the built-in table and tier models.
    const real = (n: number) => {
      const records: Record<string, unknown>[] = [];
      for (let i = 0; i < n; i++) records.push(callRecord({ id: `c${i}`, score: (i + 0.5) / n, timestamp: T0 + i * 3600, models: DEFAULT_CONFIG.models, tierModels: DEFAULT_CONFIG.policy.tierModels }));
      return records;
    };

    it('--mix --json prints the thresholds and the projection the core computes', async () => {
      const records = real(50);
      const path = writeHistory(records);
      const out = await runCliChild(['calibrate', '--history', path, '--mix', '60,30,10', '--json']);
      assert.equal(out.code, 0, out.stderr);
      const printed = JSON.parse(out.stdout);
      const h = fold(records);
      const expected = calibrate(h, { kind: 'mix', mix: [0.6, 0.3, 0.1] }, { thresholds: { ...DEFAULT_POLICY.complexity }, tierModels: DEFAULT_CONFIG.policy.tierModels, taskRules: [] }, DEFAULT_CONFIG.models);
      assert.deepEqual(printed, JSON.parse(JSON.stringify(expected)));
      assert.deepEqual(printed.projected.tiers, { simple: 30, medium: 15, complex: 5 });
      assert.deepEqual(Object.keys(printed.thresholds), ['simple', 'medium']);
      assert.deepEqual(Object.keys(printed.projected.mix), ['simple', 'medium', 'complex']);
      assert.equal(typeof printed.projected.monthly_cost_usd, 'number');
    });

    it('refuses in one line with exit 1 (too few calls, too few signals) and exit 2 for a usage error', async () => {
      const path = writeHistory(real(5));
      const few = await runCliChild(['calibrate', '--history', path, '--monthly-budget', '10']);
      assert.equal(few.code, 1);
      assert.match(few.stderr, /^qwen-router calibrate: Calibration needs at least 20 successful calls .* this history has 5\./);
      const signals = await runCliChild(['calibrate', '--history', writeHistory(real(30)), '--objective', 'signals']);
      assert.equal(signals.code, 1);
      assert.match(signals.stderr, /this history has 0\. Rate more answers/);
      const both = await runCliChild(['calibrate', '--history', path, '--mix', '1,0,0', '--monthly-budget', '3']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /give exactly one of --mix, --monthly-budget, --objective signals/);
    });
  });

  describe('signal lines in the history (docs/history.md#signals)', () => {
    const dirs = tempDirs();
    after(() => dirs.cleanup());

    it('leave the seed-compatible stats and /stats/raw exactly as they were, and calibration reads them', async () => {
      const path = join(dirs.make(), 'call_history.jsonl');
      copyFileSync(fixturePath('seed-history', 'call_history.jsonl'), path);
      const before = await new HistoryStore(path).stats();
      const pageBefore = await new HistoryStore(path).page(50, 0);
      const ids: string[] = [];
      for await (const { value } of new HistoryStore(path).records()) if (typeof value.id === 'string') ids.push(value.id);
      const of = ids[0] ?? 'no-id';
      appendFileSync(path, `${JSON.stringify({ schema_version: 1, type: 'signal', id: 's1', of, signal: 'thumbs_down', timestamp: T0 })}\n${JSON.stringify({ schema_version: 1, type: 'signal', id: 's2', of, signal: 'next_tier', timestamp: T0 })}\n`);
      const after = await new HistoryStore(path).stats();
      assert.deepEqual(after, before);
      const pageAfter = await new HistoryStore(path).page(50, 0);
      assert.equal(pageAfter.total, pageBefore.total);
      assert.deepEqual(pageAfter.lines, pageBefore.lines);
      const counts = { records: 0, blank: 0, invalid: 0, signals: 0 };
      const seen: unknown[] = [];
      for await (const { value } of new HistoryStore(path).records(counts, { signals: true })) if (value.type === 'signal') seen.push(value.signal);
      assert.deepEqual(seen, ['thumbs_down', 'next_tier']);
      assert.equal(counts.signals, 2);
      assert.equal(counts.records, before.records);
    });
  });
});
