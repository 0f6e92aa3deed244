import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/core/config';
import { calibrate, CalibrationRefusal, MIN_SIGNALS } from '../../src/core/stats/calibrate';
import { evaluate } from '../../src/core/stats/evaluate';
import { computeWhatIf } from '../../src/core/stats/whatIf';
import { runCliChild } from '../support/cliChild';
import { callRecord, fold, history, MODELS, SCENARIO, signal, T0, DAY } from '../support/syntheticHistory';
import { tempDirs } from '../support/tempDir';

/**
 * 100 calls scored 0.005 ... 0.995 (c0..c29 recorded simple, c30..c49 medium, c50..c99 complex under
 * 0.30 / 0.50), with planted signals whose right answer is known:
 * - thumbed down: simple c25..c29 (0.255 .. 0.295), complex c80 (already on the top tier);
 * - re-asked on the next tier: medium c45..c49 (0.455 .. 0.495);
 * - thumbed up: c5 (simple), c40 (medium), c70 (complex), and c10, whose thumbs-down was taken back.
 */
function planted(): Record<string, unknown>[] {
  const lines = [
    ...[25, 26, 27, 28, 29, 80].map((i) => signal(`c${i}`, 'thumbs_down')),
    ...[45, 46, 47, 48, 49].map((i) => signal(`c${i}`, 'next_tier')),
    ...[5, 40, 70].map((i) => signal(`c${i}`, 'thumbs_up')),
    signal('c10', 'thumbs_down'),
    signal('c10', 'thumbs_up', T0 + 21 * DAY),
    signal('no-such-call', 'thumbs_down'),
  ];
  return [...history(100, { fallbacks: 4 }), ...lines];
}

describe('evaluation (src/core/stats/evaluate)', () => {
  it('defaults to the signals alternative, which moves every thumbed-down simple call at 0.25-0.29 and every re-asked medium call one tier up', () => {
    const records = planted();
    const result = evaluate(fold(records), {}, SCENARIO, MODELS);
    assert.equal(result.signals, 11);
    assert.equal(result.alternative.objective, 'signals');
    assert.deepEqual(result.current.thresholds, { simple: 0.3, medium: 0.5 });
    assert.ok(result.alternative.thresholds.simple > 0.245 && result.alternative.thresholds.simple <= 0.255, `${result.alternative.thresholds.simple}`);
    assert.ok(result.alternative.thresholds.medium > 0.445 && result.alternative.thresholds.medium <= 0.455, `${result.alternative.thresholds.medium}`);
    assert.deepEqual(result.current.signals, {
      simple: { thumbs_down: 5, thumbs_up: 2, escalated: 0 },
      medium: { thumbs_down: 0, thumbs_up: 1, escalated: 5 },
      complex: { thumbs_down: 1, thumbs_up: 1, escalated: 0 },
    });
    assert.deepEqual(result.alternative.signals, {
      simple: { thumbs_down: 0, thumbs_up: 2, escalated: 0 },
      medium: { thumbs_down: 5, thumbs_up: 1, escalated: 0 },
      complex: { thumbs_down: 1, thumbs_up: 1, escalated: 5 },
    });
    assert.equal(result.alternative.bad_sent_higher, 10);
    assert.equal(result.alternative.bad_sent_lower, 0);
    assert.deepEqual(result.current.projected.tiers, { simple: 30, medium: 20, complex: 50 });
    assert.deepEqual(result.alternative.projected.tiers, { simple: 25, medium: 20, complex: 55 });
    assert.equal(result.alternative.projected.kept_calls, 4);
    assert.ok(result.alternative.projected.monthly_cost_usd > result.current.projected.monthly_cost_usd);
  });

  it('projects exactly what calibrate projects for the same goal, which is the what-if of those thresholds', () => {
    const records = planted();
    const h = fold(records);
    for (const goal of [{ kind: 'signals' as const }, { kind: 'mix' as const, mix: [0.5, 0.3, 0.2] as [number, number, number] }]) {
      const result = evaluate(h, { goal }, SCENARIO, MODELS);
      const calibrated = calibrate(h, goal, SCENARIO, MODELS);
      assert.deepEqual(result.alternative.thresholds, calibrated.thresholds);
      assert.deepEqual(result.alternative.projected, calibrated.projected);
      assert.deepEqual(result.current.projected, calibrated.current.projected);
      const whatIf = computeWhatIf(records, { ...SCENARIO, thresholds: result.alternative.thresholds }, MODELS);
      assert.deepEqual(result.alternative.projected.tiers, whatIf.tiers);
      assert.equal(result.alternative.projected.cost_usd, Math.round(whatIf.costUsd * 1e6) / 1e6);
    }
  });

  it('counts the bad calls a named alternative sends lower: all-simple moves the re-asked medium calls and the thumbed-down complex call down', () => {
    const result = evaluate(fold(planted()), { goal: { kind: 'mix', mix: [1, 0, 0] } }, SCENARIO, MODELS);
    assert.equal(result.alternative.objective, 'mix');
    assert.equal(result.alternative.bad_sent_higher, 0);
    assert.equal(result.alternative.bad_sent_lower, 6);
    assert.deepEqual(result.alternative.signals.simple, { thumbs_down: 6, thumbs_up: 4, escalated: 5 });
  });

  it('places signalled calls on the tier task rules give them, as the what-if routes them', () => {
    const scenario = { ...SCENARIO, taskRules: [{ taskType: 'Open QA', minTier: 'medium' as const }] };
    const result = evaluate(fold(planted()), {}, scenario, MODELS);
    assert.deepEqual(result.current.signals.simple, { thumbs_down: 0, thumbs_up: 0, escalated: 0 });
    assert.deepEqual(result.current.signals.medium, { thumbs_down: 5, thumbs_up: 3, escalated: 5 });
  });

  it('with too few signals, uses the fallback the caller names, or refuses saying how many there are', () => {
    const records = [...history(50), ...[1, 2, 3].map((i) => signal(`c${i}`, 'thumbs_down'))];
    assert.throws(() => evaluate(fold(records), {}, SCENARIO, MODELS), (error: Error) => error instanceof CalibrationRefusal && new RegExp(`at least ${MIN_SIGNALS} .* this history has 3\\.`).test(error.message));
    const result = evaluate(fold(records), { fallback: { kind: 'mix', mix: [0.6, 0.3, 0.1] } }, SCENARIO, MODELS);
    assert.equal(result.signals, 3);
    assert.equal(result.alternative.objective, 'mix');
    assert.deepEqual(result.alternative.projected.tiers, { simple: 30, medium: 15, complex: 5 });
    assert.deepEqual(result.current.signals.simple, { thumbs_down: 3, thumbs_up: 0, escalated: 0 });
  });

  describe('the CLI (node dist/cli.js evaluate)', () => {
    const dirs = tempDirs();
    after(() => dirs.cleanup());

    /** The planted history, priced with the built-in table and tier models (the CLI has no settings). */
    function writePlanted(): { path: string; records: Record<string, unknown>[] } {
      const records = planted().map((line) => (line.type === 'signal' ? line : callRecord({ id: line.id as string, score: (line.routing as { complexity_score?: number }).complexity_score, timestamp: line.timestamp as number, models: DEFAULT_CONFIG.models, tierModels: DEFAULT_CONFIG.policy.tierModels })));
      const path = join(dirs.make(), 'call_history.jsonl');
      writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      return { path, records };
    }
    const defaults = { thresholds: { ...DEFAULT_CONFIG.policy.complexity }, tierModels: DEFAULT_CONFIG.policy.tierModels, taskRules: [] };

    it('--json prints {current, alternative, signals}: what the core evaluates, the signals objective by default', async () => {
      const { path, records } = writePlanted();
      const out = await runCliChild(['evaluate', '--history', path, '--json']);
      assert.equal(out.code, 0, out.stderr);
      const printed = JSON.parse(out.stdout);
      assert.deepEqual(Object.keys(printed), ['current', 'alternative', 'signals']);
      assert.deepEqual(printed, JSON.parse(JSON.stringify(evaluate(fold(records), {}, defaults, DEFAULT_CONFIG.models))));
      assert.equal(printed.signals, 11);
      assert.equal(printed.alternative.bad_sent_higher, 10);
      assert.deepEqual(printed.alternative.signals.medium, { thumbs_down: 5, thumbs_up: 1, escalated: 0 });
      // The same alternative as calibrate prints for the same history.
      const calibrated = await runCliChild(['calibrate', '--history', path, '--objective', 'signals', '--json']);
      assert.equal(calibrated.code, 0, calibrated.stderr);
      assert.deepEqual(printed.alternative.projected, JSON.parse(calibrated.stdout).projected);
      assert.deepEqual(printed.alternative.thresholds, JSON.parse(calibrated.stdout).thresholds);
    });

    it('prints a table in words, takes a named alternative, and refuses in one line', async () => {
      const { path } = writePlanted();
      const out = await runCliChild(['evaluate', '--history', path, '--mix', '60,30,10']);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^current {6}simple < 0\.3, medium < 0\.5: 30\.0% \/ 20\.0% \/ 50\.0%, \$[0-9.]+ a month$/m);
      assert.match(out.stdout, /^alternative {2}simple < [0-9.]+, medium < [0-9.]+: 60\.0% \/ 30\.0% \/ 10\.0%, \$[0-9.]+ a month {3}\(mix\)$/m);
      assert.match(out.stdout, /^current {6}thumbs down 5 \/ 0 \/ 1, thumbs up 2 \/ 1 \/ 1, re-asked 0 \/ 5 \/ 0/m);
      assert.match(out.stdout, /^11 thumbed-down or re-asked calls; the alternative sends 0 of them to a higher tier and 6 to a lower one$/m);
      const few = join(dirs.make(), 'call_history.jsonl');
      writeFileSync(few, history(30).map((r) => `${JSON.stringify(r)}\n`).join(''));
      const refused = await runCliChild(['evaluate', '--history', few]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^qwen-router evaluate: With no --mix, --monthly-budget, --objective or --cost-quality, the alternative is --objective signals\. Calibrating on signals needs at least 10 .* this history has 0\./);
      assert.equal(refused.stderr.trim().split('\n').length, 1);
      const both = await runCliChild(['evaluate', '--history', path, '--mix', '1,0,0', '--objective', 'signals']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /give at most one of --mix, --monthly-budget, --objective signals/);
      const bad = await runCliChild(['evaluate', '--history', path, '--monthly-budget', 'lots']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--monthly-budget must be a non-negative number of USD; got "lots"/);
    });
  });
});
