// The cost-quality dial: defaults at 5 are today's thresholds, monotone over 0..10 with and without
// history, explicit thresholds win; the history's scores come from the store's records.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveConfig } from '../../src/core/config';
import { HistoryStore } from '../../src/core/history/store';
import { COST_QUALITY_DEFAULT, DIAL_DEFAULT_THRESHOLDS, DIAL_MIN_HISTORY, dialProblem, distributionOf, resolveThresholds, type ScoreDistribution } from '../../src/core/routing/dial';
import { tierForValue, type Thresholds, type Tier } from '../../src/core/routing/policy';
import { configFromFlagsAndHistory } from '../../src/cli/commands/routerFlags';
import { UsageError } from '../../src/cli/runner';
import { runCliChild } from '../support/cliChild';
import { tempDirs } from '../support/tempDir';

const DIALS = Array.from({ length: 11 }, (_, d) => d);

/** A deterministic skewed history: many code-like prompts around 0.25-0.35, a tail up to 0.8, ties included. */
function syntheticScores(n: number): number[] {
  const scores: number[] = [];
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 0; i < n; i++) {
    const r = random();
    const score = r < 0.6 ? 0.25 + random() * 0.1 : r < 0.9 ? 0.35 + random() * 0.2 : 0.55 + random() * 0.25;
    scores.push(Math.round(score * 1000) / 1000); // 3 decimals: plenty of ties
  }
  return scores;
}

function mix(scores: readonly number[], t: Thresholds): Record<Tier, number> {
  const counts: Record<Tier, number> = { simple: 0, medium: 0, complex: 0 };
  for (const s of scores) counts[tierForValue(s, t)] += 1;
  return counts;
}

describe('cost-quality dial', () => {
  it('at 5 gives 0.30 / 0.50, with no history, too little history, and enough history', () => {
    assert.deepEqual(resolveThresholds({}).thresholds, { simple: 0.3, medium: 0.5 });
    assert.equal(COST_QUALITY_DEFAULT, 5);
    assert.deepEqual(resolveThresholds({ dial: 5, scores: distributionOf(syntheticScores(DIAL_MIN_HISTORY - 1)) }), {
      thresholds: { simple: 0.3, medium: 0.5 },
      source: { kind: 'dial_defaults', dial: 5, calls: DIAL_MIN_HISTORY - 1 },
    });
    assert.deepEqual(resolveThresholds({ dial: 5, scores: distributionOf(syntheticScores(1000)) }), { thresholds: { simple: 0.3, medium: 0.5 }, source: { kind: 'dial', dial: 5, calls: 1000 } });
    // The default config is the dial at 5.
    assert.deepEqual(resolveConfig({}).config.policy.complexity, { simple: 0.3, medium: 0.5 });
  });

  it('has a reasoned defaults table: 0.05 a step around 5, everything simple at 0, everything complex at 10', () => {
    assert.deepEqual(DIAL_DEFAULT_THRESHOLDS[4], { simple: 0.35, medium: 0.55 });
    assert.deepEqual(DIAL_DEFAULT_THRESHOLDS[7], { simple: 0.2, medium: 0.4 });
    const card = [0.133, 0.278, 0.472, 1.2, 0];
    assert.deepEqual(mix(card, DIAL_DEFAULT_THRESHOLDS[0]), { simple: 5, medium: 0, complex: 0 });
    assert.deepEqual(mix(card, DIAL_DEFAULT_THRESHOLDS[10]), { simple: 0, medium: 0, complex: 5 });
  });

  for (const [label, scores] of [
    ['the defaults table (no history)', undefined],
    ['a synthetic history of 1,000 calls', distributionOf(syntheticScores(1000))],
    ['a history where every call scores the same', distributionOf(new Array(300).fill(0.31))],
  ] as [string, ScoreDistribution | undefined][]) {
    it(`never sends fewer calls up as the dial rises, on ${label}`, () => {
      const probe = syntheticScores(1000);
      let previous: { t: Thresholds; m: Record<Tier, number> } | undefined;
      for (const dial of DIALS) {
        const { thresholds: t } = resolveThresholds({ dial, scores });
        assert.ok(t.simple <= t.medium, `dial ${dial}: simple ${t.simple} <= medium ${t.medium}`);
        const m = mix(probe, t);
        if (previous) {
          assert.ok(t.simple <= previous.t.simple && t.medium <= previous.t.medium, `dial ${dial}: thresholds never rise`);
          assert.ok(m.medium + m.complex >= previous.m.medium + previous.m.complex, `dial ${dial}: no fewer calls above simple`);
          assert.ok(m.complex >= previous.m.complex, `dial ${dial}: no fewer calls on complex`);
        }
        previous = { t, m };
      }
    });
  }

  it('on enough history works in calls: each step moves a fifth of the way to all-simple or all-complex', () => {
    const raw = syntheticScores(1000);
    const scores = distributionOf(raw);
    const at = (dial: number) => mix(raw, resolveThresholds({ dial, scores }).thresholds);
    const five = at(5);
    const upAt5 = five.medium + five.complex;
    assert.deepEqual(at(0), { simple: 1000, medium: 0, complex: 0 });
    assert.deepEqual(at(10), { simple: 0, medium: 0, complex: 1000 });
    // Dial 8: three fifths of the calls kept on simple at 5 go up (within the ties' granularity).
    const eight = at(8);
    const expectedUp = upAt5 + ((1000 - upAt5) * 3) / 5;
    assert.ok(Math.abs(eight.medium + eight.complex - expectedUp) <= 15, `${eight.medium + eight.complex} ~ ${expectedUp}`);
    // Dial 2: two fifths of the calls above simple at 5 stay above simple.
    const two = at(2);
    assert.ok(Math.abs(two.medium + two.complex - (upAt5 * 2) / 5) <= 15);
    // The history's cuts differ from the table's, which would move a very different share of these calls.
    assert.notDeepEqual(resolveThresholds({ dial: 8, scores }).thresholds, DIAL_DEFAULT_THRESHOLDS[8]);
  });

  it('lets explicit thresholds win, and says where thresholds came from', () => {
    const scores = distributionOf(syntheticScores(500));
    assert.deepEqual(resolveThresholds({ explicit: { simple: 0.2, medium: 0.6 }, dial: 9, scores }), { thresholds: { simple: 0.2, medium: 0.6 }, source: { kind: 'setting' } });
    const { config, problems } = resolveConfig({ costQuality: 9, complexityThresholds: { medium: 0.7 } });
    assert.deepEqual(problems, []);
    assert.deepEqual(config.policy.complexity, { simple: 0.3, medium: 0.7 });
    assert.deepEqual(config.thresholdSource, { kind: 'setting' });
    assert.deepEqual(resolveConfig({ costQuality: 9 }).config.policy.complexity, DIAL_DEFAULT_THRESHOLDS[9]);
  });

  it('refuses a dial outside 0..10 in words, keeping the default', () => {
    for (const bad of [-1, 11, 2.5, Number.NaN]) assert.match(dialProblem(bad)!, /whole number from 0 \(cheapest\) to 10 \(best\)/);
    const { config, problems } = resolveConfig({ costQuality: 12 });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /cost-quality must be a whole number from 0 \(cheapest\) to 10 \(best\); got 12/);
    assert.deepEqual(config.policy.complexity, { simple: 0.3, medium: 0.5 });
  });

  describe('the history it reads', () => {
    const dirs = tempDirs();
    after(() => dirs.cleanup());
    const line = (method: string, score: number | undefined, ok = true) =>
      JSON.stringify({
        timestamp: 1,
        request: { messages: [] },
        routing: { method, query: null, ...(score !== undefined ? { complexity_score: score } : {}) },
        llm: { model: 'qwen-flash', input_tokens: 1, output_tokens: 1, cost_usd: 0 },
        ...(ok ? {} : { error: { kind: 'timeout', message: 'x' } }),
      });

    async function historyWith(lines: string[]): Promise<string> {
      const path = join(dirs.make(), 'call_history.jsonl');
      const store = new HistoryStore(path);
      await store.appendLines(lines);
      return path;
    }

    it('counts only successful classifier-routed calls, incrementally', async () => {
      const path = await historyWith([line('nvidia_classifier', 0.2), line('nvidia_classifier', 0.2), line('nvidia_classifier', 0.6), line('fallback_token_length', undefined), line('user_specified', undefined), line('nvidia_classifier', 0.9, false)]);
      const store = new HistoryStore(path);
      assert.deepEqual(await store.complexityScores(), { values: [0.2, 0.6], counts: [2, 1], total: 3 });
      await store.appendLines([line('nvidia_classifier', 0.4)]);
      assert.equal((await store.complexityScores()).total, 4);
    });

    it('CLI --cost-quality (ask, serve, calibrate) follows the history once it has enough calls, and refuses bad values', async () => {
      const raw = syntheticScores(DIAL_MIN_HISTORY);
      const path = await historyWith(raw.map((s) => line('nvidia_classifier', s)));
      const config = await configFromFlagsAndHistory({ 'cost-quality': '8', history: path }, {});
      assert.deepEqual(config.thresholdSource, { kind: 'dial', dial: 8, calls: DIAL_MIN_HISTORY });
      assert.deepEqual(config.policy.complexity, resolveThresholds({ dial: 8, scores: distributionOf(raw) }).thresholds);
      const few = await historyWith(raw.slice(0, 10).map((s) => line('nvidia_classifier', s)));
      const early = await configFromFlagsAndHistory({ 'cost-quality': '8', history: few }, {});
      assert.deepEqual(early.policy.complexity, DIAL_DEFAULT_THRESHOLDS[8]);
      assert.deepEqual(early.thresholdSource, { kind: 'dial_defaults', dial: 8, calls: 10 });
      // calibrate --cost-quality: the same thresholds on the same history, projected like the other objectives.
      const out = await runCliChild(['calibrate', '--history', path, '--cost-quality', '8', '--json']);
      assert.equal(out.code, 0, out.stderr);
      const printed = JSON.parse(out.stdout);
      assert.equal(printed.objective, 'cost_quality');
      assert.deepEqual(printed.thresholds, config.policy.complexity);
      assert.deepEqual(printed.notes, [`From cost-quality dial 8, on ${DIAL_MIN_HISTORY} classifier-routed calls of history.`]);
      assert.equal(printed.projected.tiers.simple + printed.projected.tiers.medium + printed.projected.tiers.complex, printed.projected.classifier_calls);
      const both = await runCliChild(['calibrate', '--history', path, '--cost-quality', '8', '--mix', '1,0,0']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /give exactly one of --mix, --monthly-budget, --objective signals, --cost-quality/);
      await assert.rejects(configFromFlagsAndHistory({ 'cost-quality': 'high', history: path }, {}), (e: unknown) => e instanceof UsageError && /--cost-quality must be a whole number from 0 \(cheapest\) to 10 \(best\); got "high"/.test(e.message));
    });
  });
});
