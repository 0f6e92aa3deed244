/**
 * The models Qwen Router offers VS Code's chat: "Auto", which routes each request, and each tier's
 * model as configured (RouterConfig: the tier table and the model table, not a fixed list), with
 * their limits and list prices as plain data. The editor-facing wording is made in src/vscode.
 */
import type { RouterConfig } from '../config';
import type { Currency, ModelSpec } from '../models/table';
import { priceBandFor, pricesFor } from '../models/pricing';
import { resolveBaseUrl } from '../models/table';
import { TIERS, type Tier } from '../routing/policy';

export const AUTO_MODEL_ID = 'auto';

/** For a model the table gives no limits for (a user's own entry): a cautious guess. */
export const DEFAULT_CONTEXT_WINDOW = 131_072;
export const DEFAULT_MAX_OUTPUT_TOKENS = 8_192;

export interface ProviderModel {
  /** AUTO_MODEL_ID, or the model key. */
  id: string;
  /** The provider's model id (qwen-plus), or "auto". */
  family: string;
  /** The tiers it serves, in order (all three for Auto). */
  tiers: Tier[];
  maxInputTokens: number;
  maxOutputTokens: number;
  imageInput: boolean;
  /** The first price band of its list price (per 1M tokens), when the table has one. */
  price?: { input: number; output: number; currency: Currency; asOf: string };
}

/** Input and output limits: the output limit comes out of the context window. */
export function limitsOf(spec: ModelSpec): { maxInputTokens: number; maxOutputTokens: number } {
  const window = spec.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  const maxOutputTokens = Math.min(spec.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS, window);
  return { maxInputTokens: Math.max(1, window - maxOutputTokens), maxOutputTokens };
}

function priceOf(spec: ModelSpec, config: RouterConfig): ProviderModel['price'] {
  const schedule = pricesFor(spec, resolveBaseUrl(spec, config));
  const band = schedule ? priceBandFor(schedule, 0) : undefined;
  return schedule && band ? { input: band.input, output: band.output, currency: schedule.currency ?? 'USD', asOf: schedule.asOf } : undefined;
}

/**
 * Auto first, then one entry per distinct tier model. Auto takes the largest input any tier model
 * takes (routing moves a prompt that does not fit to a model whose window it fits), the smallest
 * output limit (any tier may answer), and images only when every tier model reads them.
 */
export function providerModels(config: RouterConfig): ProviderModel[] {
  const byKey = new Map<string, ProviderModel>();
  for (const tier of TIERS) {
    const key = config.policy.tierModels[tier];
    const spec = config.models[key];
    if (!spec) continue;
    const existing = byKey.get(key);
    if (existing) {
      existing.tiers.push(tier);
      continue;
    }
    byKey.set(key, { id: key, family: spec.model, tiers: [tier], ...limitsOf(spec), imageInput: spec.imageInput === true, price: priceOf(spec, config) });
  }
  const tierModels = [...byKey.values()];
  if (!tierModels.length) return [];
  const auto: ProviderModel = {
    id: AUTO_MODEL_ID,
    family: AUTO_MODEL_ID,
    tiers: [...TIERS],
    maxInputTokens: Math.max(...tierModels.map((m) => m.maxInputTokens)),
    maxOutputTokens: Math.min(...tierModels.map((m) => m.maxOutputTokens)),
    imageInput: tierModels.every((m) => m.imageInput),
  };
  return [auto, ...tierModels];
}
