/**
 * Calibration: thresholds fitted to the user's own history (issue 12). Pure (no `vscode`, no I/O).
 *
 * Three goals, all cut on the recorded classifier scores of successful calls:
 * - `mix`: the cut points whose tier mix is closest to the one asked for (exact unless scores tie);
 * - `budget`: the cut points that send the most calls up while the projected monthly cost stays
 *   within the budget. Candidates form one chain, from every call simple to every call complex,
 *   each step moving one group of equal scores up a tier (the step that costs least per call
 *   first); the answer is the furthest point of the chain within the budget, so a bigger budget
 *   never sends fewer calls up, to either tier;
 * - `signals`: the highest cut points (so the least extra cost) that would have sent every
 *   thumbed-down or re-asked call above the tier it was recorded at.
 *
 * The projection is the what-if's (`WhatIfPoints.compute`): each classifier-routed call re-priced on
 * its new tier's model with its recorded tokens, every other call at its recorded cost, the total
 * scaled to 30 days by the span of the history (at least one day).
 */
import type { ModelTable } from '../models/table';
import { DEFAULT_POLICY, TIERS, type Thresholds, type Tier } from '../routing/policy';
import { SIGNAL_KINDS, type SignalKind } from '../history/signal';
import { describeThresholdSource, resolveThresholds, type ScoreDistribution } from '../routing/dial';
import { WhatIfPoints, type ScoredCall, type WhatIfResult, type WhatIfScenario } from './whatIf';

/** Fewer classifier-routed calls than this, and a fit would describe noise. */
export const MIN_SCORED_CALLS = 20;
/** Fewer signals than this, and the signals objective refuses. */
export const MIN_SIGNALS = 10;
const DAY_S = 86_400;
const MONTH_DAYS = 30;

export { SIGNAL_KINDS, type SignalKind } from '../history/signal';

export type CalibrationGoal =
  | { kind: 'mix'; mix: [number, number, number] }
  | { kind: 'budget'; monthlyUsd: number }
  | { kind: 'signals' }
  /** What the cost-quality dial at `dial` gives on these scores (core/routing/dial.ts), projected like the others. */
  | { kind: 'cost_quality'; dial: number; scores: ScoreDistribution };

/** The notes a result may carry, in English (the extension looks them up to word them in the display language). */
export const NOTES = {
  ties: 'Calls with equal scores cannot be split between tiers: this is the nearest mix the recorded scores allow.',
  taskRules: 'Task rules and context windows apply after the cut points, so the projected mix can differ from the one asked for.',
  unpriced: '{0} calls would go to a model without prices; they are counted at 0.',
} as const;

/** What a refusal is about, with its figures (the extension words it in the display language). */
export type RefusalDetail = { kind: 'too_few_calls'; have: number; need: number } | { kind: 'too_few_signals'; have: number; need: number } | { kind: 'budget_too_low'; monthlyUsd: number; cheapestMonthlyUsd: number };

/** A refusal the user should read as it is (too little history, an impossible budget...). */
export class CalibrationRefusal extends Error {
  constructor(message: string, readonly detail?: RefusalDetail) {
    super(message);
  }
}

export interface Projection {
  /** Share of the classifier-routed calls per tier (0..1, four decimals). */
  mix: Record<Tier, number>;
  /** The same as counts. */
  tiers: Record<Tier, number>;
  monthly_cost_usd: number;
  /** The history's own calls under these thresholds, not scaled. */
  cost_usd: number;
  calls: number;
  classifier_calls: number;
  /** Calls the classifier did not route (fallback, a model the user named): kept at their recorded cost. */
  kept_calls: number;
  changed_tier: number;
  unpriced_calls: number;
  span_days: number;
}

export interface CalibrationResult {
  objective: 'mix' | 'monthly_budget' | 'signals' | 'cost_quality';
  thresholds: Thresholds;
  projected: Projection;
  current: { thresholds: Thresholds; projected: Projection };
  signals?: { used: number; thumbs_down: number; next_tier: number; thumbs_up: number; already_top: number; sent_higher: number };
  notes: string[];
}

/** The history as calibration needs it, folded in one parsed line at a time. */
export class CalibrationHistory {
  readonly points = new WhatIfPoints();
  private first = Infinity;
  private last = -Infinity;
  private readonly idToIndex = new Map<string, number>();
  /** Per call index, its signals (the last thumb wins; next_tier sticks). */
  private readonly signalsOf = new Map<number, Set<SignalKind>>();
  private readonly pending: { of: string; signal: SignalKind }[] = [];

  add(record: Record<string, unknown>): void {
    if (record.type === 'signal') {
      if (typeof record.of === 'string' && SIGNAL_KINDS.includes(record.signal as SignalKind)) this.pending.push({ of: record.of, signal: record.signal as SignalKind });
      return;
    }
    if (record.type !== undefined) return; // some other linked line: not a call
    if (!this.points.add(record)) return;
    const index = this.points.size - 1;
    if (typeof record.id === 'string') this.idToIndex.set(record.id, index);
    if (typeof record.timestamp === 'number' && Number.isFinite(record.timestamp)) {
      this.first = Math.min(this.first, record.timestamp);
      this.last = Math.max(this.last, record.timestamp);
    }
  }

  /** The span the history covers, in days (at least one). */
  get spanDays(): number {
    return this.last > this.first ? Math.max(1, (this.last - this.first) / DAY_S) : 1;
  }

  /** Signals resolved to the calls they are about (signals about unknown or failed calls are dropped). */
  signals(): Map<number, Set<SignalKind>> {
    for (const { of, signal } of this.pending.splice(0)) {
      const index = this.idToIndex.get(of);
      if (index === undefined) continue;
      const set = this.signalsOf.get(index) ?? new Set<SignalKind>();
      if (signal === 'thumbs_up') set.delete('thumbs_down');
      if (signal === 'thumbs_down') set.delete('thumbs_up');
      set.add(signal);
      this.signalsOf.set(index, set);
    }
    return this.signalsOf;
  }
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The projection of `thresholds` over the history: exactly the what-if's, scaled to a month. */
export function project(history: CalibrationHistory, thresholds: Thresholds, scenario: Omit<WhatIfScenario, 'thresholds'>, models: ModelTable): Projection {
  const result: WhatIfResult = history.points.compute({ ...scenario, thresholds }, models);
  const share = (count: number) => (result.rerouted ? round(count / result.rerouted, 4) : 0);
  return {
    mix: { simple: share(result.tiers.simple), medium: share(result.tiers.medium), complex: share(result.tiers.complex) },
    tiers: { ...result.tiers },
    monthly_cost_usd: round((result.costUsd * MONTH_DAYS) / history.spanDays, 6),
    cost_usd: round(result.costUsd, 6),
    calls: result.calls,
    classifier_calls: result.rerouted,
    kept_calls: result.kept,
    changed_tier: result.changedTier,
    unpriced_calls: result.unpriced,
    span_days: round(history.spanDays, 4),
  };
}

/**
 * A threshold t with exactly the scores below `hi` under it: lo < t <= hi (lo, hi neighbouring
 * sorted scores, -Infinity / Infinity at the ends), as short a decimal as will do.
 */
export function cutBetween(lo: number, hi: number): number {
  if (lo === -Infinity) return Math.min(0, hi);
  for (let digits = 2; digits <= 12; digits++) {
    const scale = 10 ** digits;
    const t = (Math.floor(lo * scale) + 1) / scale;
    if (t > lo && t <= hi) return t;
  }
  return hi;
}

interface Sorted {
  calls: ScoredCall[];
  /** Start index of each group of equal scores, then calls.length. */
  bounds: number[];
  keptCostUsd: number;
}

function sortedCalls(history: CalibrationHistory, scenario: Omit<WhatIfScenario, 'thresholds'>, models: ModelTable): Sorted {
  const { calls, keptCostUsd } = history.points.scoredCalls(scenario, models);
  if (calls.length < MIN_SCORED_CALLS) {
    throw new CalibrationRefusal(
      `Calibration needs at least ${MIN_SCORED_CALLS} successful calls routed by the classifier; this history has ${calls.length}. ` +
        'Keep using the router with the classifier model installed (calls routed by prompt length or by a model you named do not count), then try again.',
      { kind: 'too_few_calls', have: calls.length, need: MIN_SCORED_CALLS },
    );
  }
  calls.sort((a, b) => a.score - b.score);
  const bounds = [0];
  for (let i = 1; i < calls.length; i++) if (calls[i].score !== calls[i - 1].score) bounds.push(i);
  bounds.push(calls.length);
  return { calls, bounds, keptCostUsd };
}

/** Thresholds putting the first k1 sorted calls in simple and the next k2 - k1 in medium (k1, k2 group bounds). */
function thresholdsAt(calls: ScoredCall[], k1: number, k2: number): Thresholds {
  const cut = (k: number) => cutBetween(k > 0 ? calls[k - 1].score : -Infinity, k < calls.length ? calls[k].score : Infinity);
  return { simple: cut(k1), medium: cut(k2) };
}

/** The group bound nearest to `target` calls (ties go to the lower), among bounds[from..]. */
function nearestBound(bounds: number[], target: number, from = 0): number {
  let best = from;
  for (let j = from; j < bounds.length; j++) if (Math.abs(bounds[j] - target) < Math.abs(bounds[best] - target) - 1e-9) best = j;
  return best;
}

/** Parses "60,30,10" or "0.6,0.3,0.1" into three shares adding up to 1. */
export function parseMix(text: string): [number, number, number] {
  const parts = text.split(',').map((part) => Number(part.trim()));
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n) || n < 0)) throw new CalibrationRefusal(`--mix takes three non-negative numbers, simple,medium,complex (e.g. 60,30,10); got "${text}"`);
  const sum = parts[0] + parts[1] + parts[2];
  const scale = Math.abs(sum - 100) < 1e-6 ? 100 : Math.abs(sum - 1) < 1e-9 ? 1 : undefined;
  if (scale === undefined) throw new CalibrationRefusal(`--mix must add up to 100 (percent) or 1; "${text}" adds up to ${round(sum, 6)}`);
  return parts.map((n) => n / scale) as [number, number, number];
}

export function calibrate(history: CalibrationHistory, goal: CalibrationGoal, scenario: WhatIfScenario, models: ModelTable): CalibrationResult {
  const base = { taskRules: scenario.taskRules, tierModels: scenario.tierModels };
  const notes: string[] = [];
  let thresholds: Thresholds;
  let signals: CalibrationResult['signals'];
  if (goal.kind === 'mix') {
    const { calls, bounds } = sortedCalls(history, base, models);
    const n = calls.length;
    const j1 = nearestBound(bounds, goal.mix[0] * n);
    const j2 = nearestBound(bounds, (goal.mix[0] + goal.mix[1]) * n, j1);
    thresholds = thresholdsAt(calls, bounds[j1], bounds[j2]);
    if (Math.abs(bounds[j1] - goal.mix[0] * n) >= 1 || Math.abs(bounds[j2] - (goal.mix[0] + goal.mix[1]) * n) >= 1) notes.push(NOTES.ties);
    if (scenario.taskRules?.length) notes.push(NOTES.taskRules);
  } else if (goal.kind === 'budget') {
    thresholds = fitBudget(history, goal.monthlyUsd, base, models);
  } else if (goal.kind === 'cost_quality') {
    const resolved = resolveThresholds({ dial: goal.dial, scores: goal.scores });
    thresholds = resolved.thresholds;
    notes.push(`From ${describeThresholdSource(resolved.source)}.`);
  } else {
    ({ thresholds, signals } = fitSignals(history, scenario.thresholds, base, models));
  }
  const projected = project(history, thresholds, base, models);
  if (projected.unpriced_calls) notes.push(NOTES.unpriced.replace('{0}', String(projected.unpriced_calls)));
  return {
    objective: goal.kind === 'budget' ? 'monthly_budget' : goal.kind,
    thresholds,
    projected,
    current: { thresholds: { ...scenario.thresholds }, projected: project(history, scenario.thresholds, base, models) },
    ...(signals ? { signals } : {}),
    notes,
  };
}

function fitBudget(history: CalibrationHistory, monthlyUsd: number, scenario: Omit<WhatIfScenario, 'thresholds'>, models: ModelTable): Thresholds {
  if (!Number.isFinite(monthlyUsd) || monthlyUsd < 0) throw new CalibrationRefusal(`--monthly-budget must be a non-negative number of USD; got ${monthlyUsd}`);
  const { calls, bounds, keptCostUsd } = sortedCalls(history, scenario, models);
  const perMonth = MONTH_DAYS / history.spanDays;
  const groups = bounds.length - 1;
  // Per group: the extra cost of moving it simple -> medium and medium -> complex.
  const up = (g: number, from: 0 | 1) => {
    let sum = 0;
    for (let i = bounds[g]; i < bounds[g + 1]; i++) sum += calls[i].costIf[from + 1] - calls[i].costIf[from];
    return sum;
  };
  let cost = keptCostUsd;
  for (const call of calls) cost += call.costIf[0];
  // Nothing fits when even every call on the simple tier is over the budget.
  if (cost * perMonth > monthlyUsd + 1e-12) {
    throw new CalibrationRefusal(
      `No thresholds fit a monthly budget of $${monthlyUsd}: with every classifier-routed call on the simple tier (${scenario.tierModels.simple}) the projected monthly cost is $${round(cost * perMonth, 6)}` +
        (keptCostUsd ? `, of which $${round(keptCostUsd * perMonth, 6)} comes from calls the classifier did not route.` : '.') +
        ' Raise the budget, or choose a cheaper model for the simple tier.',
      { kind: 'budget_too_low', monthlyUsd, cheapestMonthlyUsd: round(cost * perMonth, 6) },
    );
  }
  let j1 = groups;
  let j2 = groups;
  let best = { j1, j2 };
  while (j1 > 0 || j2 > j1) {
    const size = (g: number) => bounds[g + 1] - bounds[g];
    const a = j1 > 0 ? up(j1 - 1, 0) / size(j1 - 1) : Infinity;
    const b = j2 > j1 ? up(j2 - 1, 1) / size(j2 - 1) : Infinity;
    if (a <= b) {
      cost += up(j1 - 1, 0);
      j1 -= 1;
    } else {
      cost += up(j2 - 1, 1);
      j2 -= 1;
    }
    if (cost * perMonth <= monthlyUsd + 1e-12) best = { j1, j2 };
  }
  return thresholdsAt(calls, bounds[best.j1], bounds[best.j2]);
}

/** A classifier-routed call (with a recorded tier) that carries signals: the last thumb, and whether it was re-asked. */
export interface SignalledCall {
  call: ScoredCall;
  kinds: ReadonlySet<SignalKind>;
}

/** Thumbed down or re-asked on the next tier: the router got it wrong, by the user's word. */
export const isBadSignal = (kinds: ReadonlySet<SignalKind>): boolean => kinds.has('thumbs_down') || kinds.has('next_tier');

/** The calls among `calls` that carry signals (calls with no recorded tier are left out, as calibration leaves them). */
export function signalledCalls(history: CalibrationHistory, calls: readonly ScoredCall[]): SignalledCall[] {
  const byIndex = history.signals();
  const out: SignalledCall[] = [];
  for (const call of calls) {
    const kinds = byIndex.get(call.index);
    if (kinds?.size && call.recordedTier) out.push({ call, kinds });
  }
  return out;
}

/** How many thumbed-down or re-asked classifier-routed calls the history holds: what `--objective signals` rests on. */
export function badSignalCount(history: CalibrationHistory, scenario: Omit<WhatIfScenario, 'thresholds'>, models: ModelTable): number {
  return signalledCalls(history, history.points.scoredCalls(scenario, models).calls).filter((s) => isBadSignal(s.kinds)).length;
}

/** The refusal when a history has too few signals for the signals objective. */
export function tooFewSignals(count: number): CalibrationRefusal {
  return new CalibrationRefusal(
    `Calibrating on signals needs at least ${MIN_SIGNALS} thumbed-down or re-asked ("Ask the next tier instead") calls routed by the classifier; this history has ${count}. ` +
      'Rate more answers in the chat, or calibrate with --mix or --monthly-budget meanwhile.',
    { kind: 'too_few_signals', have: count, need: MIN_SIGNALS },
  );
}

function fitSignals(history: CalibrationHistory, current: Thresholds, scenario: Omit<WhatIfScenario, 'thresholds'>, models: ModelTable): { thresholds: Thresholds; signals: NonNullable<CalibrationResult['signals']> } {
  const { calls } = sortedCalls(history, scenario, models);
  const counts = { used: 0, thumbs_down: 0, next_tier: 0, thumbs_up: 0, already_top: 0, sent_higher: 0 };
  const wanted: ScoredCall[] = [];
  for (const { call, kinds } of signalledCalls(history, calls)) {
    if (kinds.has('thumbs_up')) counts.thumbs_up += 1;
    if (!isBadSignal(kinds)) continue;
    counts.used += 1;
    if (kinds.has('thumbs_down')) counts.thumbs_down += 1;
    if (kinds.has('next_tier')) counts.next_tier += 1;
    if (call.recordedTier === 'complex') counts.already_top += 1;
    else wanted.push(call);
  }
  if (counts.used < MIN_SIGNALS) throw tooFewSignals(counts.used);
  // The highest cut at or below the lowest score that must move up: no other call moves with it.
  const cutBelow = (score: number) => {
    let lo = -Infinity;
    for (const call of calls) if (call.score < score && call.score > lo) lo = call.score;
    return cutBetween(lo, score);
  };
  let simple = current.simple;
  let medium = current.medium;
  for (const call of wanted) {
    if (call.recordedTier === 'simple' && call.score < simple) simple = cutBelow(call.score);
    if (call.recordedTier === 'medium' && call.score < medium) medium = cutBelow(call.score);
  }
  simple = Math.min(simple, medium);
  const rank = (tier: Tier) => TIERS.indexOf(tier);
  counts.sent_higher = wanted.filter((call) => rank(call.score < simple ? 'simple' : call.score < medium ? 'medium' : 'complex') > rank(call.recordedTier!)).length;
  return { thresholds: { simple, medium }, signals: counts };
}

/** The scenario the CLI and the extension start from: the policy's thresholds, rules and tier models. */
export function scenarioOf(policy: Pick<typeof DEFAULT_POLICY, 'complexity' | 'taskRules' | 'tierModels'>): WhatIfScenario {
  return { thresholds: { ...policy.complexity }, taskRules: policy.taskRules, tierModels: { ...policy.tierModels } };
}

/** Folds history lines (call records and signal lines, as `HistoryStore.records(counts, { signals: true })` yields them). */
export async function readCalibrationHistory(lines: AsyncIterable<{ value: Record<string, unknown> }>): Promise<CalibrationHistory> {
  const history = new CalibrationHistory();
  for await (const { value } of lines) history.add(value);
  return history;
}
