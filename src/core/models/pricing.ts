import type { ModelSpec, PriceBand, PriceSchedule } from './table';

export interface CostEstimate {
  /** Estimated USD; an estimate from a dated list-price table, not a bill. */
  usd: number;
  /** The band that priced the call. */
  band: PriceBand;
  asOf: string;
}

/** The band that prices a call with this many input tokens (the first one that covers it). */
export function priceBandFor(prices: PriceSchedule, inputTokens: number): PriceBand | undefined {
  return prices.bands.find((band) => band.maxInputTokens === undefined || band.maxInputTokens === null || inputTokens <= band.maxInputTokens);
}

/**
 * The cost of one call: input and output tokens at the band chosen by the input length; when
 * thinking was on, every output token (reasoning and answer) at the thinking price if the band has
 * one. Undefined when the model has no prices (a local server, an unpriced provider).
 */
export function estimateCost(spec: ModelSpec | undefined, inputTokens: number, outputTokens: number, options: { thinking?: boolean } = {}): CostEstimate | undefined {
  if (!spec?.prices) return undefined;
  const band = priceBandFor(spec.prices, inputTokens);
  if (!band) return undefined;
  const outputPrice = options.thinking && band.thinkingOutput !== undefined ? band.thinkingOutput : band.output;
  const usd = (inputTokens / 1_000_000) * band.input + (outputTokens / 1_000_000) * outputPrice;
  return { usd, band, asOf: spec.prices.asOf };
}
