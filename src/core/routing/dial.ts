/**
 * The cost-quality dial (qwenRouter.routing.costQuality, CLI --cost-quality): one number, 0 = cheapest
 * ... 10 = best, mapped to the two complexity thresholds. Pure: the extension and the CLI pass in the
 * setting and the recorded score distribution; the reasons for every number are in docs/routing.md.
 *
 * - Explicit thresholds (the advanced setting) win when the user set them.
 * - With at least DIAL_MIN_HISTORY classifier-routed calls, the dial works in calls, on the user's
 *   own distribution: 5 keeps the mix the default thresholds give on that history, and each step
 *   moves a fifth of the way (in calls) towards every call on the cheapest tier (0) or every call on
 *   the top tier (10).
 * - Before that, a table of reasoned defaults around 0.30 / 0.50 (0.05 a step).
 *
 * Either way a higher dial never sends fewer calls up: the thresholds never rise with the dial.
 */
import { DEFAULT_POLICY, type Thresholds } from './policy';

export const COST_QUALITY_MIN = 0;
export const COST_QUALITY_MAX = 10;
/** The middle: today's thresholds, 0.30 / 0.50. */
export const COST_QUALITY_DEFAULT = 5;
/**
 * Classifier-routed calls needed before the dial follows the user's own scores. 200 calls put each
 * step of the dial (a fifth of a tier's calls) on dozens of calls, not a handful: below that the
 * quantiles move with every new call and routing would wobble.
 */
export const DIAL_MIN_HISTORY = 200;
/** prompt_complexity_score is at most 1.2 (few-shots weighs up to 5 x 0.05): a cut above it keeps every call below. */
export const SCORE_CEILING = 1.21;
/** Score units per dial step in the default table: about one classifier dimension moving a third of its range (0.33 x 0.15). */
export const DIAL_DEFAULT_STEP = 0.05;

/**
 * The dial's thresholds before there is enough history, index = dial. 0 keeps every call on the
 * simple tier and 10 sends every call to the complex tier; 1..9 shift both cuts by DIAL_DEFAULT_STEP
 * around 5 (0.30 / 0.50).
 */
export const DIAL_DEFAULT_THRESHOLDS: readonly Thresholds[] = Array.from({ length: COST_QUALITY_MAX + 1 }, (_, dial) => {
  if (dial === COST_QUALITY_MIN) return { simple: SCORE_CEILING, medium: SCORE_CEILING };
  if (dial === COST_QUALITY_MAX) return { simple: 0, medium: 0 };
  const shift = (COST_QUALITY_DEFAULT - dial) * DIAL_DEFAULT_STEP;
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return { simple: round2(DEFAULT_POLICY.complexity.simple + shift), medium: round2(DEFAULT_POLICY.complexity.medium + shift) };
});

/** The recorded complexity scores of classifier-routed calls, as distinct values (ascending) and their counts. */
export interface ScoreDistribution {
  values: readonly number[];
  counts: readonly number[];
  total: number;
}

/**
 * Counts of recorded scores, folded in one call at a time. Scores carry five decimals, so the
 * distinct values stay few (bounded) however long the history grows.
 */
export class ScoreCounts {
  private counts = new Map<number, number>();
  private sorted: ScoreDistribution | undefined;

  add(score: number): void {
    if (!Number.isFinite(score)) return;
    this.counts.set(score, (this.counts.get(score) ?? 0) + 1);
    this.sorted = undefined;
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  clone(): ScoreCounts {
    const copy = new ScoreCounts();
    copy.counts = new Map(this.counts);
    return copy;
  }

  distribution(): ScoreDistribution {
    if (!this.sorted) {
      const values = [...this.counts.keys()].sort((a, b) => a - b);
      const counts = values.map((v) => this.counts.get(v)!);
      this.sorted = { values, counts, total: counts.reduce((a, b) => a + b, 0) };
    }
    return this.sorted;
  }
}

/** A distribution from plain scores (tests, the CLI's one pass over a file). */
export function distributionOf(scores: Iterable<number>): ScoreDistribution {
  const counts = new ScoreCounts();
  for (const score of scores) counts.add(score);
  return counts.distribution();
}

/** Where the thresholds in use came from (shown by Explain Routing and the status bar). */
export type ThresholdSource =
  | { kind: 'setting' }
  | { kind: 'dial'; dial: number; calls: number }
  | { kind: 'dial_defaults'; dial: number; calls: number };

export function describeThresholdSource(source: ThresholdSource): string {
  if (source.kind === 'setting') return 'the explicit complexityThresholds setting (the dial is not used)';
  if (source.kind === 'dial') return `cost-quality dial ${source.dial}, on ${source.calls} classifier-routed calls of history`;
  return `cost-quality dial ${source.dial}, reasoned defaults (${source.calls} of ${DIAL_MIN_HISTORY} classifier-routed calls needed to use the history)`;
}

/** A problem with a dial value in words, or undefined when it is usable. */
export function dialProblem(dial: unknown): string | undefined {
  if (typeof dial === 'number' && Number.isInteger(dial) && dial >= COST_QUALITY_MIN && dial <= COST_QUALITY_MAX) return undefined;
  return `cost-quality must be a whole number from ${COST_QUALITY_MIN} (cheapest) to ${COST_QUALITY_MAX} (best); got ${JSON.stringify(dial)}`;
}

/**
 * The thresholds in use: the explicit ones when given, else the dial's (on the history when there
 * is enough of it, else from the defaults table).
 */
export function resolveThresholds(input: { explicit?: Partial<Thresholds>; dial?: number; scores?: ScoreDistribution }): { thresholds: Thresholds; source: ThresholdSource } {
  if (input.explicit && Object.keys(input.explicit).length) return { thresholds: { ...DEFAULT_POLICY.complexity, ...input.explicit }, source: { kind: 'setting' } };
  const dial = input.dial ?? COST_QUALITY_DEFAULT;
  const calls = input.scores?.total ?? 0;
  if (input.scores && calls >= DIAL_MIN_HISTORY) return { thresholds: dialOnHistory(dial, input.scores), source: { kind: 'dial', dial, calls } };
  return { thresholds: { ...DIAL_DEFAULT_THRESHOLDS[dial] }, source: { kind: 'dial_defaults', dial, calls } };
}

/**
 * The share of calls at or above a cut for this dial: at 5 the share the default cut gives on the
 * history; below 5 a fifth of it less per step (0 at 0), above 5 a fifth of the rest more per step
 * (all at 10). Monotone in the dial.
 */
function shareUp(dial: number, shareAtDefault: number): number {
  if (dial <= COST_QUALITY_DEFAULT) return (shareAtDefault * dial) / COST_QUALITY_DEFAULT;
  return shareAtDefault + ((1 - shareAtDefault) * (dial - COST_QUALITY_DEFAULT)) / (COST_QUALITY_MAX - COST_QUALITY_DEFAULT);
}

/** Calls scored below `cut` (a cut sends a score equal to it up, as tierForValue does). */
function countBelow(scores: ScoreDistribution, cut: number): number {
  let below = 0;
  for (let i = 0; i < scores.values.length && scores.values[i] < cut; i++) below += scores.counts[i];
  return below;
}

/**
 * The cut that keeps as near `targetBelow` calls below it as the ties allow (ties go to the split
 * with more calls up, the same way at every dial, so the split moves one way only), placed at
 * `preferred` when that value makes the same split, else at the lowest score sent up.
 */
function cutFor(scores: ScoreDistribution, targetBelow: number, preferred: number): number {
  // Achievable splits: 0, and after each distinct value.
  let best = 0;
  let bestIndex = -1; // the last value kept below (-1: none)
  let below = 0;
  for (let i = 0; i < scores.values.length; i++) {
    below += scores.counts[i];
    if (Math.abs(below - targetBelow) < Math.abs(best - targetBelow) - 1e-9) {
      best = below;
      bestIndex = i;
    }
  }
  const low = bestIndex >= 0 ? scores.values[bestIndex] : -Infinity; // the cut must be above this...
  const high = bestIndex + 1 < scores.values.length ? scores.values[bestIndex + 1] : Infinity; // ...and at most this
  if (preferred > low && preferred <= high) return preferred;
  return high === Infinity ? Math.max(SCORE_CEILING, low + DIAL_DEFAULT_STEP) : high;
}

/**
 * The dial on the user's history. Both cuts move monotonically: each target share rises with the
 * dial, the nearest achievable split with it (a consistent tie rule), and the chosen cut stays inside
 * its split's interval, which lies wholly below the interval of any split with fewer calls up.
 * `medium` never falls below `simple`: its share up is never larger, and at equal splits the
 * preferred values keep their order.
 */
function dialOnHistory(dial: number, scores: ScoreDistribution): Thresholds {
  const n = scores.total;
  const defaults = DEFAULT_POLICY.complexity;
  const preferred = DIAL_DEFAULT_THRESHOLDS[dial];
  const cut = (defaultCut: number, preferredCut: number) => {
    const upAtDefault = (n - countBelow(scores, defaultCut)) / n;
    return cutFor(scores, n * (1 - shareUp(dial, upAtDefault)), preferredCut);
  };
  const simple = cut(defaults.simple, preferred.simple);
  const medium = cut(defaults.medium, preferred.medium);
  return { simple, medium: Math.max(simple, medium) };
}
