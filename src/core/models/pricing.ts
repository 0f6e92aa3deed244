import type { Currency, ModelSpec, PriceBand, PriceSchedule } from './table';
import { regionOfUrl } from './table';

/** DashScope's implicit context cache bills a hit at 20% of the input price. */
export const IMPLICIT_CACHE_RATE = 0.2;
/** Explicit cache (`cache_control`): a hit at 10% of the input price, creating an entry at 125%. */
export const EXPLICIT_CACHE_HIT_RATE = 0.1;
export const EXPLICIT_CACHE_WRITE_RATE = 1.25;

export interface CostEstimate {
  /** Estimated USD; 0 when the schedule is in another currency (see `amount` and `currency`). */
  usd: number;
  /** The estimate in the schedule's currency: an estimate from a dated list-price table, not a bill. */
  amount: number;
  currency: Currency;
  /** What the context cache saved against billing every input token at the full input price. */
  cacheSaved: number;
  /** The band that priced the call. */
  band: PriceBand;
  asOf: string;
}

/** The token facts a cost is computed from, as the provider's usage reports them. */
export interface CostOptions {
  /** enable_thinking was sent as true. */
  thinking?: boolean;
  /** Reasoning tokens reported by the provider: their presence means the call thought (billed at the thinking rate). */
  reasoningTokens?: number;
  /** Input tokens served from the cache (`usage.prompt_tokens_details.cached_tokens`). */
  cachedTokens?: number;
  /** Input tokens written to an explicit cache entry. */
  cacheCreationTokens?: number;
  /** The cache hit was an explicit one (`cache_type: "ephemeral"`), billed at the explicit hit rate. */
  explicitCache?: boolean;
}

/** The band that prices a call with this many input tokens (the first one that covers it). */
export function priceBandFor(prices: PriceSchedule, inputTokens: number): PriceBand | undefined {
  return prices.bands.find((band) => band.maxInputTokens === undefined || band.maxInputTokens === null || inputTokens <= band.maxInputTokens);
}

/**
 * The price schedule that applies to a call sent to `baseUrl`: the model's China-region schedule
 * (in CNY) when the call went to DashScope's Beijing endpoint and the table has one, else its
 * default schedule.
 */
export function pricesFor(spec: ModelSpec | undefined, baseUrl?: string): PriceSchedule | undefined {
  if (!spec) return undefined;
  const region = baseUrl ? regionOfUrl(baseUrl) : undefined;
  return (region && spec.regionPrices?.[region]) || spec.prices;
}

/**
 * The cost of one call, as DashScope bills it: the band is chosen by the whole input length;
 * cached input tokens at the cache rate (implicit: 20% of input; explicit hit 10%, creation 125%),
 * the rest at the input price; output at the thinking price when thinking was on or reasoning
 * tokens were reported (where the band has one). Undefined when the model has no prices.
 */
export function estimateCost(spec: ModelSpec | undefined, inputTokens: number, outputTokens: number, options: CostOptions & { baseUrl?: string } = {}): CostEstimate | undefined {
  const prices = pricesFor(spec, options.baseUrl);
  return prices ? costFromSchedule(prices, inputTokens, outputTokens, options) : undefined;
}

export function costFromSchedule(prices: PriceSchedule, inputTokens: number, outputTokens: number, options: CostOptions = {}): CostEstimate | undefined {
  const band = priceBandFor(prices, inputTokens);
  if (!band) return undefined;
  const thinking = options.thinking || (options.reasoningTokens ?? 0) > 0;
  const outputPrice = thinking && band.thinkingOutput !== undefined ? band.thinkingOutput : band.output;
  const cached = clampTokens(options.cachedTokens, inputTokens);
  const created = clampTokens(options.cacheCreationTokens, inputTokens - cached);
  const plain = inputTokens - cached - created;
  const hitRate = options.explicitCache ? (band.explicitCacheHit ?? band.input * EXPLICIT_CACHE_HIT_RATE) : (band.cachedInput ?? band.input * IMPLICIT_CACHE_RATE);
  const writeRate = band.explicitCacheWrite ?? band.input * EXPLICIT_CACHE_WRITE_RATE;
  const inputCost = (plain * band.input + cached * hitRate + created * writeRate) / 1_000_000;
  const amount = inputCost + (outputTokens / 1_000_000) * outputPrice;
  const cacheSaved = (inputTokens * band.input) / 1_000_000 - inputCost;
  const currency = prices.currency ?? 'USD';
  return { usd: currency === 'USD' ? amount : 0, amount, currency, cacheSaved, band, asOf: prices.asOf };
}

function clampTokens(value: number | undefined, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.floor(value), Math.max(0, max));
}
