/**
 * "What if the thresholds were different?": the tier split and the cost of the recorded calls,
 * recomputed from the classifier scores they were routed with. Pure (no `vscode`, no I/O).
 *
 * Which calls count: successful ones, as in /stats. A call routed by the classifier (it has a
 * recorded complexity score) is routed again under the new thresholds, task rules and tier models,
 * and priced with that model's dated price table on the same token counts it really used. Every
 * other call (token-length fallback, a model the user named) keeps its recorded tier and cost:
 * thresholds on the classifier's score would not have changed it.
 *
 * Points are stored column-wise in typed arrays (about 30 bytes a call), so a 100,000-call history
 * costs a few megabytes, and one recomputation is a single pass without allocation per call.
 */
import { estimateCost } from '../models/pricing';
import type { ModelTable } from '../models/table';
import { applyTaskRules, DEFAULT_POLICY, modelForTier, tierForValue, TIERS, type RoutingPolicy, type TaskRule, type Thresholds, type Tier } from '../routing/policy';

export interface WhatIfScenario {
  thresholds: Thresholds;
  taskRules?: readonly TaskRule[];
  tierModels: Record<Tier, string>;
}

export interface WhatIfModelShare {
  calls: number;
  costUsd: number;
}

export interface WhatIfResult {
  thresholds: Thresholds;
  /** Successful calls considered. */
  calls: number;
  /** Calls with a recorded classifier score, routed again under the scenario. */
  rerouted: number;
  /** Calls kept as recorded (fallback, user-specified model, no score). */
  kept: number;
  /** Rerouted calls whose tier differs from the recorded one. */
  changedTier: number;
  /** Tier split of the rerouted calls under the scenario... */
  tiers: Record<Tier, number>;
  /** ...and as they were recorded. */
  recordedTiers: Record<Tier, number>;
  /** Total estimated cost of all considered calls under the scenario (kept calls at their recorded cost). */
  costUsd: number;
  /** Total recorded cost of the same calls. */
  recordedCostUsd: number;
  /** Calls and cost per model key under the scenario. */
  byModel: Record<string, WhatIfModelShare>;
  /** Rerouted calls whose new model has no price table (counted at 0, as the history does). */
  unpriced: number;
}

/** A histogram of the recorded scores, for drawing under the threshold sliders. */
export interface ScoreHistogram {
  binWidth: number;
  /** counts[i] holds scores in [i * binWidth, (i + 1) * binWidth); the last bin also holds anything above. */
  counts: number[];
}

const NO_SCORE = Number.NaN;
const FLAG_THINKING = 1;
const TIER_NONE = 255;

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const asObject = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

function tierIndex(value: unknown): number {
  const index = TIERS.indexOf(value as Tier);
  return index === -1 ? TIER_NONE : index;
}

function emptyTiers(): Record<Tier, number> {
  return { simple: 0, medium: 0, complex: 0 };
}

/** Grows a typed array to at least `size` elements, keeping its contents. */
function grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(array: T, size: number, make: (n: number) => T): T {
  if (array.length >= size) return array;
  const next = make(Math.max(size, array.length * 2, 64));
  next.set(array);
  return next;
}

/**
 * The recorded calls a what-if needs, folded in one record at a time (the same records, in the
 * same order, as the stats accumulator sees), so appends keep it current without a re-read.
 */
export class WhatIfPoints {
  private count = 0;
  private score = new Float64Array(0);
  private input = new Uint32Array(0);
  private output = new Uint32Array(0);
  private cost = new Float64Array(0);
  private model = new Uint16Array(0);
  private task = new Uint16Array(0);
  private tier = new Uint8Array(0);
  private flags = new Uint8Array(0);
  private readonly models: string[] = [];
  private readonly modelIndex = new Map<string, number>();
  private readonly tasks: string[] = [''];
  private readonly taskIndex = new Map<string, number>([['', 0]]);

  /** Successful calls held. */
  get size(): number {
    return this.count;
  }

  private intern(table: string[], index: Map<string, number>, value: string): number {
    let found = index.get(value);
    if (found === undefined) {
      found = table.length;
      if (found > 0xffff) return 0; // absurdly many distinct names: fold the rest together
      table.push(value);
      index.set(value, found);
    }
    return found;
  }

  /** Folds in one parsed record (any JSON object); ignores failed and cancelled calls. Returns whether it was kept. */
  add(record: Record<string, unknown>): boolean {
    if (record.error || record.cancelled === true) return false;
    const llm = asObject(record.llm);
    const routing = asObject(record.routing);
    const request = asObject(record.request);
    const i = this.count;
    const need = i + 1;
    this.score = grow(this.score, need, (n) => new Float64Array(n));
    this.input = grow(this.input, need, (n) => new Uint32Array(n));
    this.output = grow(this.output, need, (n) => new Uint32Array(n));
    this.cost = grow(this.cost, need, (n) => new Float64Array(n));
    this.model = grow(this.model, need, (n) => new Uint16Array(n));
    this.task = grow(this.task, need, (n) => new Uint16Array(n));
    this.tier = grow(this.tier, need, (n) => new Uint8Array(n));
    this.flags = grow(this.flags, need, (n) => new Uint8Array(n));

    const rawScore = typeof routing.complexity_score === 'number' ? routing.complexity_score : routing.prompt_complexity_score;
    const routedByClassifier = routing.method === 'nvidia_classifier' && typeof rawScore === 'number' && Number.isFinite(rawScore);
    this.score[i] = routedByClassifier ? (rawScore as number) : NO_SCORE;
    this.input[i] = Math.max(0, Math.min(0xffffffff, Math.round(num(llm.input_tokens))));
    this.output[i] = Math.max(0, Math.min(0xffffffff, Math.round(num(llm.output_tokens))));
    this.cost[i] = num(llm.cost_usd);
    this.model[i] = this.intern(this.models, this.modelIndex, typeof llm.model === 'string' ? llm.model : JSON.stringify(llm.model ?? null));
    const taskType = typeof routing.task_type === 'string' ? routing.task_type : typeof routing.task_type_1 === 'string' ? routing.task_type_1 : '';
    this.task[i] = this.intern(this.tasks, this.taskIndex, taskType);
    this.tier[i] = tierIndex(routing.tier);
    this.flags[i] = request.enable_thinking === true ? FLAG_THINKING : 0;
    this.count = need;
    return true;
  }

  /** Recomputes the tier split and the cost under a scenario. */
  compute(scenario: WhatIfScenario, models: ModelTable): WhatIfResult {
    const policy = policyOf(scenario);
    const result: WhatIfResult = {
      thresholds: { ...scenario.thresholds },
      calls: this.count,
      rerouted: 0,
      kept: 0,
      changedTier: 0,
      tiers: emptyTiers(),
      recordedTiers: emptyTiers(),
      costUsd: 0,
      recordedCostUsd: 0,
      byModel: {},
      unpriced: 0,
    };
    const share = (key: string): WhatIfModelShare => (result.byModel[key] ??= { calls: 0, costUsd: 0 });
    // Routing and pricing depend only on (score, task, tokens, thinking); no per-call allocation below.
    for (let i = 0; i < this.count; i++) {
      const recordedCost = this.cost[i];
      result.recordedCostUsd += recordedCost;
      const score = this.score[i];
      if (Number.isNaN(score)) {
        result.kept += 1;
        result.costUsd += recordedCost;
        const entry = share(this.models[this.model[i]]);
        entry.calls += 1;
        entry.costUsd += recordedCost;
        continue;
      }
      result.rerouted += 1;
      const recordedTier = this.tier[i];
      if (recordedTier !== TIER_NONE) result.recordedTiers[TIERS[recordedTier]] += 1;
      const { tier, modelKey, cost, priced } = this.reroute(i, tierForValue(score, policy.complexity), policy, models);
      result.tiers[tier] += 1;
      if (recordedTier === TIER_NONE || TIERS[recordedTier] !== tier) result.changedTier += 1;
      if (!priced) result.unpriced += 1;
      result.costUsd += cost;
      const entry = share(modelKey);
      entry.calls += 1;
      entry.costUsd += cost;
    }
    return result;
  }

  /** Call `i` as if its score had fallen in `scoreTier`: task rules, the context window, then its price (the recorded cost when the model is the recorded one). */
  private reroute(i: number, scoreTier: Tier, policy: RoutingPolicy, models: ModelTable): { tier: Tier; modelKey: string; cost: number; priced: boolean } {
    const ruled = applyTaskRules(scoreTier, this.tasks[this.task[i]], policy.taskRules).tier;
    const inputTokens = this.input[i];
    const { tier, modelKey } = modelForTier(ruled, policy, models, inputTokens);
    if (modelKey === this.models[this.model[i]]) return { tier, modelKey, cost: this.cost[i], priced: true }; // same model, same tokens: what was really recorded
    const estimate = estimateCost(models[modelKey], inputTokens, this.output[i], { thinking: (this.flags[i] & FLAG_THINKING) !== 0 });
    return { tier, modelKey, cost: estimate?.usd ?? 0, priced: !!estimate };
  }

  /**
   * For calibration: the calls routed by the classifier, with their score, recorded tier and what
   * each would cost were its score in each tier (as `compute` prices it). Calls with no score are
   * summed in `keptCostUsd`. Indexes are positions among the calls held, in file order.
   */
  scoredCalls(scenario: Omit<WhatIfScenario, 'thresholds'>, models: ModelTable): { calls: ScoredCall[]; keptCostUsd: number } {
    const policy = policyOf({ ...scenario, thresholds: DEFAULT_POLICY.complexity });
    const calls: ScoredCall[] = [];
    let keptCostUsd = 0;
    for (let i = 0; i < this.count; i++) {
      const score = this.score[i];
      if (Number.isNaN(score)) {
        keptCostUsd += this.cost[i];
        continue;
      }
      const routed = TIERS.map((tier) => this.reroute(i, tier, policy, models));
      const costIf = routed.map((r) => r.cost) as [number, number, number];
      const tierIf = routed.map((r) => r.tier) as [Tier, Tier, Tier];
      calls.push({ index: i, score, recordedTier: this.tier[i] === TIER_NONE ? undefined : TIERS[this.tier[i]], costIf, tierIf });
    }
    return { calls, keptCostUsd };
  }

  /** Counts of the recorded classifier scores in bins of `binWidth`, from 0 up to the highest score (at least `minTop`). */
  histogram(binWidth = 0.02, minTop = 1): ScoreHistogram {
    let top = minTop;
    for (let i = 0; i < this.count; i++) if (!Number.isNaN(this.score[i]) && this.score[i] > top) top = this.score[i];
    const bins = Math.max(1, Math.ceil(top / binWidth - 1e-9));
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < this.count; i++) {
      const score = this.score[i];
      if (Number.isNaN(score)) continue;
      const bin = Math.min(bins - 1, Math.max(0, Math.floor(score / binWidth)));
      counts[bin] += 1;
    }
    return { binWidth, counts };
  }
}

/** A classifier-routed call as calibration sees it. */
export interface ScoredCall {
  /** Position among the successful calls, in file order. */
  index: number;
  score: number;
  recordedTier?: Tier;
  /** Its cost were its score in the simple, medium, complex tier (rules and context window applied). */
  costIf: [number, number, number];
  /** The tier it would end on were its score in the simple, medium, complex tier (after task rules and the context window). */
  tierIf: [Tier, Tier, Tier];
}

/** The tier a scored call ends on under `thresholds`, as `compute` routes it. */
export function tierUnder(call: ScoredCall, thresholds: Thresholds): Tier {
  return call.tierIf[TIERS.indexOf(tierForValue(call.score, thresholds))];
}

function policyOf(scenario: WhatIfScenario): RoutingPolicy {
  return { ...DEFAULT_POLICY, complexity: scenario.thresholds, taskRules: [...(scenario.taskRules ?? [])], tierModels: scenario.tierModels };
}

/** One-shot form: the what-if of a list of parsed records. */
export function computeWhatIf(records: Iterable<Record<string, unknown>>, scenario: WhatIfScenario, models: ModelTable): WhatIfResult {
  const points = new WhatIfPoints();
  for (const record of records) points.add(record);
  return points.compute(scenario, models);
}

/** Checks thresholds a user moved: finite, in order. Returns problems in words. */
export function validateThresholds(thresholds: Thresholds): string[] {
  if (!Number.isFinite(thresholds.simple) || !Number.isFinite(thresholds.medium)) return ['thresholds must be numbers'];
  if (thresholds.simple > thresholds.medium) return [`"simple" (${thresholds.simple}) must not exceed "medium" (${thresholds.medium})`];
  return [];
}
