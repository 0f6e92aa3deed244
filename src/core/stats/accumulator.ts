/**
 * The stats of a history, folded in one record at a time (so a growing file is only ever read
 * from where it was left), and finished into the old service's /stats fields plus ours.
 *
 * The /stats fields keep the old service's exact meanings: they count its "calls", which were
 * always successful ones (it logged nothing else), so here they count successful records: every
 * record of the old service, and ours without an error and not cancelled. Sums run in file order
 * with plain float addition (as Python 3.11's sum() does) and round with Python's round().
 */
import { pyRound } from '../pyround';
import { estimateCost } from '../models/pricing';
import type { ModelSpec } from '../models/table';
import { isSuccessful } from '../history/record';
import { QuantileSketch } from './quantiles';
import { ScoreCounts, type ScoreDistribution } from '../routing/dial';

export interface StatsOptions {
  /** Calendar days for cost_by_day: the machine's local time (default) or UTC. */
  dayKey?: 'local' | 'utc';
  /** The top tier, to price every call as if it had gone there. */
  topTier?: { key: string; spec: ModelSpec };
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

/** What `stats` answers: the old service's seven fields first, then ours. */
export interface HistoryStats {
  // --- the old service's /stats, over successful calls ---
  total_calls: number;
  total_cost_usd: number;
  avg_latency_ms: number;
  /** (The old service left this out when there were no calls; we report 0.) */
  avg_routing_ms: number;
  model_distribution: Record<string, number>;
  tier_distribution: Record<string, number>;
  task_type_distribution: Record<string, number>;
  // --- ours ---
  /** Every record in the file (what /stats/raw calls "total"). */
  records: number;
  successful_calls: number;
  failed_calls: number;
  cancelled_calls: number;
  /** Lines that were not a record (torn by a crash, edited by hand) and blank lines: skipped, never rewritten. */
  skipped_lines: number;
  blank_lines: number;
  routing_methods: Record<string, number>;
  /** Why routing fell back to token length (old-service fallbacks, which kept no reason, count as "unrecorded"). */
  fallback_reasons: Record<string, number>;
  error_kinds: Record<string, number>;
  /** Over successful calls: the whole call, the routing step (routed calls only), and time to first token. */
  latency_ms: Percentiles;
  routing_ms: Percentiles;
  ttft_ms: Percentiles;
  /** Over all records, failed ones included (tokens a failed stream used are still billed). */
  tokens: { input: number; output: number; total: number; reasoning: number; cached: number };
  cost: {
    /** All records' cost_usd (total_cost_usd above counts successful calls only). */
    total_usd: number;
    by_model: Record<string, number>;
    by_day: Record<string, { calls: number; cost_usd: number; cost_cny?: number }>;
    /** Every record's estimate per currency (USD and CNY are never added up), and what the cache saved. */
    by_currency: Record<string, { calls: number; cost: number; cache_saved: number }>;
    note: string;
  };
  /** The context cache: input tokens it served and what it saved per currency. */
  cache: { cached_tokens: number; saved: Record<string, number> };
  /** What the same calls (same token counts) would have cost on the top tier's model. */
  top_tier: { model: string; calls: number; cost_usd: number; actual_cost_usd: number; saved_usd: number } | null;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Python truthiness for a JSON value. */
function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value as object).length > 0;
  return true;
}

const keyOf = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function dayOf(timestamp: number, mode: 'local' | 'utc'): string {
  const date = new Date(timestamp * 1000);
  if (Number.isNaN(date.getTime())) return 'unknown';
  if (mode === 'utc') return date.toISOString().slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export class StatsAccumulator {
  // The old service's sums, over successful calls, in file order.
  private successful = 0;
  private costSum = 0;
  private latencySum = 0;
  private routingSum = 0;
  private modelDist = new Map<string, number>();
  private tierDist = new Map<string, number>();
  private taskDist = new Map<string, number>();
  // Ours.
  private recordCount = 0;
  private failed = 0;
  private cancelled = 0;
  private methods = new Map<string, number>();
  private fallbackReasons = new Map<string, number>();
  private errorKinds = new Map<string, number>();
  private latency = new QuantileSketch();
  private routingTime = new QuantileSketch();
  private ttft = new QuantileSketch();
  private inputTokens = 0;
  private outputTokens = 0;
  private reasoningTokens = 0;
  private costAll = 0;
  private costByModel = new Map<string, number>();
  private costByDay = new Map<string, { calls: number; cost: number; cny: number }>();
  private cachedTokens = 0;
  private byCurrency = new Map<string, { calls: number; cost: number; saved: number }>();
  private topTierCost = 0;
  private topTierActual = 0;
  private topTierCalls = 0;
  /** The complexity scores of successful classifier-routed calls (the cost-quality dial's history). */
  private scores = new ScoreCounts();
  /** Lines skipped as torn/invalid, and blank lines (filled in by the reader). */
  skippedLines = 0;
  blankLines = 0;

  constructor(private readonly options: StatsOptions = {}) {}

  get records(): number {
    return this.recordCount;
  }

  /** Folds in one parsed record (any JSON object). */
  add(record: Record<string, unknown>): void {
    this.recordCount += 1;
    const llm = (record.llm && typeof record.llm === 'object' ? record.llm : {}) as Record<string, unknown>;
    const routingRaw = record.routing;
    const routing = (routingRaw && typeof routingRaw === 'object' ? routingRaw : {}) as Record<string, unknown>;
    const ok = isSuccessful(record as { error?: null; cancelled?: boolean });

    if (ok) {
      this.successful += 1;
      // sum(c["llm"]["cost_usd"]), sum(c["llm"]["llm_latency_ms"])
      this.costSum += num(llm.cost_usd);
      this.latencySum += num(llm.llm_latency_ms);
      // sum(c.get("routing", {}).get("routing_latency_ms", 0))
      this.routingSum += num(routing.routing_latency_ms);
      bump(this.modelDist, keyOf(llm.model));
      // routing = call.get("routing") or {}; if routing.get("tier"): ...
      if (truthy(routing.tier)) bump(this.tierDist, keyOf(routing.tier));
      if (truthy(routing.task_type)) bump(this.taskDist, keyOf(routing.task_type));

      this.latency.add(num(llm.llm_latency_ms));
      // Routing time of calls that were routed: a user's pick or a kept route took none.
      if (typeof routing.routing_latency_ms === 'number' && routing.method !== 'user_specified' && routing.method !== 'kept_route') this.routingTime.add(routing.routing_latency_ms);
      if (typeof llm.ttft_ms === 'number') this.ttft.add(llm.ttft_ms);
      if (routing.method === 'nvidia_classifier' && typeof routing.complexity_score === 'number') this.scores.add(routing.complexity_score);
    } else if (record.cancelled === true) {
      this.cancelled += 1;
    } else {
      this.failed += 1;
      const kind = (record.error as { kind?: unknown } | null)?.kind;
      bump(this.errorKinds, typeof kind === 'string' ? kind : 'unknown');
    }

    if (typeof routing.method === 'string') bump(this.methods, routing.method);
    if (routing.method === 'fallback_token_length') bump(this.fallbackReasons, typeof routing.fallback_reason === 'string' ? routing.fallback_reason : 'unrecorded');

    const input = num(llm.input_tokens);
    const output = num(llm.output_tokens);
    const cost = num(llm.cost_usd);
    const currency = llm.cost_currency === 'CNY' ? 'CNY' : 'USD';
    const amount = currency === 'USD' ? cost : num(llm.cost);
    const perCurrency = this.byCurrency.get(currency) ?? { calls: 0, cost: 0, saved: 0 };
    perCurrency.calls += 1;
    perCurrency.cost += amount;
    perCurrency.saved += num(llm.cache_saved);
    this.byCurrency.set(currency, perCurrency);
    this.cachedTokens += num(llm.cached_tokens);
    this.inputTokens += input;
    this.outputTokens += output;
    this.reasoningTokens += num(llm.reasoning_tokens);
    this.costAll += cost;
    const model = keyOf(llm.model);
    this.costByModel.set(model, (this.costByModel.get(model) ?? 0) + cost);
    const day = dayOf(num(record.timestamp), this.options.dayKey ?? 'local');
    const entry = this.costByDay.get(day) ?? { calls: 0, cost: 0, cny: 0 };
    entry.calls += 1;
    entry.cost += cost;
    if (currency === 'CNY') entry.cny += amount;
    this.costByDay.set(day, entry);

    const top = this.options.topTier;
    // The counterfactual is in USD: calls estimated in another currency are left out of it.
    if (top && currency === 'USD' && (input > 0 || output > 0)) {
      const counterfactual = estimateCost(top.spec, input, output, { cachedTokens: num(llm.cached_tokens) });
      if (counterfactual) {
        this.topTierCalls += 1;
        this.topTierCost += counterfactual.usd;
        this.topTierActual += cost;
      }
    }
  }

  clone(): StatsAccumulator {
    const copy = new StatsAccumulator(this.options);
    Object.assign(copy, this);
    copy.modelDist = new Map(this.modelDist);
    copy.tierDist = new Map(this.tierDist);
    copy.taskDist = new Map(this.taskDist);
    copy.methods = new Map(this.methods);
    copy.fallbackReasons = new Map(this.fallbackReasons);
    copy.errorKinds = new Map(this.errorKinds);
    copy.latency = this.latency.clone();
    copy.routingTime = this.routingTime.clone();
    copy.ttft = this.ttft.clone();
    copy.scores = this.scores.clone();
    copy.costByModel = new Map(this.costByModel);
    copy.costByDay = new Map([...this.costByDay].map(([day, entry]) => [day, { ...entry }]));
    copy.byCurrency = new Map([...this.byCurrency].map(([currency, entry]) => [currency, { ...entry }]));
    return copy;
  }

  complexityScores(): ScoreDistribution {
    return this.scores.distribution();
  }

  finish(): HistoryStats {
    const n = this.successful;
    const percentiles = (sketch: QuantileSketch): Percentiles => {
      const p50 = sketch.quantile(0.5);
      const p95 = sketch.quantile(0.95);
      return { p50: p50 === undefined ? null : pyRound(p50, 2), p95: p95 === undefined ? null : pyRound(p95, 2) };
    };
    const usd = (value: number) => pyRound(value, 6);
    const top = this.options.topTier;
    return {
      total_calls: n,
      total_cost_usd: n ? pyRound(this.costSum, 6) : 0,
      avg_latency_ms: n ? pyRound(this.latencySum / n, 2) : 0,
      avg_routing_ms: n ? pyRound(this.routingSum / n, 2) : 0,
      model_distribution: Object.fromEntries(this.modelDist),
      tier_distribution: Object.fromEntries(this.tierDist),
      task_type_distribution: Object.fromEntries(this.taskDist),
      records: this.recordCount,
      successful_calls: n,
      failed_calls: this.failed,
      cancelled_calls: this.cancelled,
      skipped_lines: this.skippedLines,
      blank_lines: this.blankLines,
      routing_methods: Object.fromEntries(this.methods),
      fallback_reasons: Object.fromEntries(this.fallbackReasons),
      error_kinds: Object.fromEntries(this.errorKinds),
      latency_ms: percentiles(this.latency),
      routing_ms: percentiles(this.routingTime),
      ttft_ms: percentiles(this.ttft),
      tokens: { input: this.inputTokens, output: this.outputTokens, total: this.inputTokens + this.outputTokens, reasoning: this.reasoningTokens, cached: this.cachedTokens },
      cost: {
        total_usd: usd(this.costAll),
        by_model: Object.fromEntries([...this.costByModel].map(([model, cost]) => [model, usd(cost)])),
        by_day: Object.fromEntries([...this.costByDay].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([day, entry]) => [day, { calls: entry.calls, cost_usd: usd(entry.cost), ...(entry.cny ? { cost_cny: usd(entry.cny) } : {}) }])),
        by_currency: Object.fromEntries([...this.byCurrency].map(([currency, entry]) => [currency, { calls: entry.calls, cost: usd(entry.cost), cache_saved: usd(entry.saved) }])),
        note: 'Estimates from a dated list-price table, not a bill.',
      },
      cache: { cached_tokens: this.cachedTokens, saved: Object.fromEntries([...this.byCurrency].filter(([, entry]) => entry.saved !== 0).map(([currency, entry]) => [currency, usd(entry.saved)])) },
      top_tier: top
        ? { model: top.key, calls: this.topTierCalls, cost_usd: usd(this.topTierCost), actual_cost_usd: usd(this.topTierActual), saved_usd: usd(this.topTierCost - this.topTierActual) }
        : null,
    };
  }
}
