import { apiKeyIdProblem, baseUrlProblem } from './endpoints';

/**
 * The model table, as data: which provider model each key stands for, where it is served, what it
 * costs and how much it can read. Nothing here is hard-wired into the routing: the defaults below
 * are only what a fresh install starts with, and every field can be replaced from settings.
 */

/** DashScope's OpenAI-compatible regions. A key is bound to the region it was created in. */
export type Region = 'international' | 'china' | 'us' | 'hongkong';

export const REGIONS: readonly Region[] = ['international', 'china', 'us', 'hongkong'];

export const REGION_BASE_URLS: Readonly<Record<Region, string>> = {
  international: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', // Singapore
  china: 'https://dashscope.aliyuncs.com/compatible-mode/v1', // Beijing
  us: 'https://dashscope-us.aliyuncs.com/compatible-mode/v1', // Virginia
  hongkong: 'https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1',
};

export const REGION_LABELS: Readonly<Record<Region, string>> = {
  international: 'International (Singapore)',
  china: 'China (Beijing)',
  us: 'US (Virginia)',
  hongkong: 'Hong Kong',
};

/** The currency of a price schedule: DashScope lists international prices in USD, China-region prices in CNY. */
export type Currency = 'USD' | 'CNY';
export const CURRENCIES: readonly Currency[] = ['USD', 'CNY'];

/**
 * One price band. Bands apply by the request's input length: the first band whose
 * `maxInputTokens` is at least the call's input tokens (or that has no limit) prices the whole call.
 * Prices are per 1,000,000 tokens in the schedule's currency.
 */
export interface PriceBand {
  /** Inclusive upper bound on input tokens for this band; omitted (or null) = no upper bound. */
  maxInputTokens?: number | null;
  input: number;
  output: number;
  /** Output price when thinking is on (reasoning and answer tokens alike); defaults to `output`. */
  thinkingOutput?: number;
  /** Price of an input token served from the implicit cache; defaults to 20% of `input`. */
  cachedInput?: number;
  /** Price of an explicit cache hit; defaults to 10% of `input`. */
  explicitCacheHit?: number;
  /** Price of an input token written to an explicit cache entry; defaults to 125% of `input`. */
  explicitCacheWrite?: number;
}

export interface PriceSchedule {
  /** When these prices were read from the provider's list (free text, e.g. "2026" or "2026-03-01"). */
  asOf: string;
  /** Where they came from, for the user who wants to check them. */
  source?: string;
  /** The currency of every price in the bands (default USD). Costs in different currencies are never added up. */
  currency?: Currency;
  bands: PriceBand[];
}

export interface ModelSpec {
  /** The provider's model id sent in the request body. */
  model: string;
  /** Short provider name written to the history (`llm.provider`). */
  provider?: string;
  /** A base URL for this model only (another provider, a local server). Wins over region and global URL. */
  baseUrl?: string;
  /** A DashScope region for this model only. */
  region?: Region;
  /**
   * Which secret holds this model's API key. Defaults to "dashscope". An empty string means the
   * endpoint needs no key (a local server). Never an environment variable's name: see
   * `apiKeyEnvironmentVariable`.
   */
  apiKeyId?: string;
  /** Context window in tokens (input + output). */
  contextWindow?: number;
  /** The most tokens one answer may have (the provider's max_tokens limit); VS Code's model picker shows it. */
  maxOutputTokens?: number;
  /** Whether the model reads images (a vision model): only then does VS Code's chat offer to attach them. */
  imageInput?: boolean;
  /** Whether the model accepts DashScope's `enable_thinking` switch. */
  supportsThinking?: boolean;
  prices?: PriceSchedule;
  /** Prices for calls sent to one DashScope region (e.g. China (Beijing) in CNY); `prices` serves the others. */
  regionPrices?: Partial<Record<Region, PriceSchedule>>;
}

export type ModelTable = Record<string, ModelSpec>;

/** Where each default figure comes from (read on the date in `asOf`). */
const SOURCE_INTL = 'Alibaba Cloud Model Studio list prices, international (Singapore), USD per 1M tokens, as published in 2026 (shared/notes/dashscope.md)';
const SOURCE_INTL_CODER =
  'Alibaba Cloud Model Studio list prices, international (Singapore), USD per 1M tokens, 2026: the first band as in shared/notes/dashscope.md, the higher bands from the published price list (check them against your bill)';
const SOURCE_CN = 'Alibaba Cloud Model Studio (Bailian) list prices, China (Beijing), CNY per 1M tokens (published per 1K tokens), as published in 2026';
const AS_OF = '2026-12';

/**
 * The default table: DashScope's three commercial Qwen tiers (the old service's model map) at
 * international list prices, the newer ids beside them (`qwen3-max`, the coder models), and
 * China-region prices in CNY for calls sent to the Beijing endpoint. Every figure is dated; the
 * implicit cache (20% of input), explicit cache hit (10%) and creation (125%) follow the input
 * price unless a band names its own. A tier may name any key of this table, and settings may add
 * or replace entries.
 */
export const DEFAULT_MODELS: ModelTable = {
  'qwen-flash': {
    model: 'qwen-flash',
    provider: 'dashscope',
    contextWindow: 1_000_000,
    maxOutputTokens: 32_768,
    supportsThinking: true,
    prices: {
      asOf: AS_OF,
      source: SOURCE_INTL,
      currency: 'USD',
      bands: [
        { maxInputTokens: 256_000, input: 0.05, output: 0.4 },
        { input: 0.25, output: 2.0 },
      ],
    },
    regionPrices: {
      china: {
        asOf: AS_OF,
        source: SOURCE_CN,
        currency: 'CNY',
        bands: [
          { maxInputTokens: 128_000, input: 0.15, output: 1.5 },
          { maxInputTokens: 256_000, input: 0.6, output: 6 },
          { input: 1.2, output: 12 },
        ],
      },
    },
  },
  'qwen-plus': {
    model: 'qwen-plus',
    provider: 'dashscope',
    contextWindow: 1_000_000,
    maxOutputTokens: 32_768,
    supportsThinking: true,
    prices: {
      asOf: AS_OF,
      source: SOURCE_INTL,
      currency: 'USD',
      bands: [
        { maxInputTokens: 256_000, input: 0.4, output: 1.2, thinkingOutput: 4.0 },
        { input: 1.2, output: 3.6 },
      ],
    },
    regionPrices: {
      china: {
        asOf: AS_OF,
        source: SOURCE_CN,
        currency: 'CNY',
        bands: [
          { maxInputTokens: 128_000, input: 0.8, output: 2, thinkingOutput: 8 },
          { maxInputTokens: 256_000, input: 2.4, output: 20, thinkingOutput: 24 },
          { input: 4.8, output: 48, thinkingOutput: 64 },
        ],
      },
    },
  },
  'qwen-max': {
    model: 'qwen-max',
    provider: 'dashscope',
    contextWindow: 32_768,
    maxOutputTokens: 8_192,
    supportsThinking: false,
    prices: { asOf: AS_OF, source: SOURCE_INTL, currency: 'USD', bands: [{ input: 1.6, output: 6.4 }] },
  },
  'qwen3-max': {
    model: 'qwen3-max',
    provider: 'dashscope',
    contextWindow: 262_144,
    maxOutputTokens: 65_536,
    supportsThinking: false,
    prices: {
      asOf: AS_OF,
      source: SOURCE_INTL,
      currency: 'USD',
      bands: [
        { maxInputTokens: 32_000, input: 1.2, output: 6 },
        { maxInputTokens: 128_000, input: 2.4, output: 12 },
        { input: 3, output: 15 },
      ],
    },
    regionPrices: {
      china: {
        asOf: AS_OF,
        source: SOURCE_CN,
        currency: 'CNY',
        bands: [
          { maxInputTokens: 32_000, input: 2.5, output: 10 },
          { maxInputTokens: 128_000, input: 4, output: 16 },
          { input: 7, output: 28 },
        ],
      },
    },
  },
  'qwen3-coder-plus': {
    model: 'qwen3-coder-plus',
    provider: 'dashscope',
    contextWindow: 1_000_000,
    maxOutputTokens: 65_536,
    supportsThinking: false,
    prices: {
      asOf: AS_OF,
      source: SOURCE_INTL_CODER,
      currency: 'USD',
      bands: [
        { maxInputTokens: 32_000, input: 1, output: 5 },
        { maxInputTokens: 128_000, input: 1.8, output: 9 },
        { maxInputTokens: 256_000, input: 3, output: 15 },
        { input: 6, output: 60 },
      ],
    },
  },
  'qwen3-coder-flash': {
    model: 'qwen3-coder-flash',
    provider: 'dashscope',
    contextWindow: 1_000_000,
    maxOutputTokens: 65_536,
    supportsThinking: false,
    prices: {
      asOf: AS_OF,
      source: SOURCE_INTL_CODER,
      currency: 'USD',
      bands: [
        { maxInputTokens: 32_000, input: 0.3, output: 1.5 },
        { maxInputTokens: 128_000, input: 0.5, output: 2.5 },
        { maxInputTokens: 256_000, input: 0.8, output: 4 },
        { input: 1.6, output: 9.6 },
      ],
    },
  },
};

export function isRegion(value: unknown): value is Region {
  return typeof value === 'string' && (REGIONS as readonly string[]).includes(value);
}

/**
 * Where a model is called: its own base URL, else the global custom URL, else its own region's
 * DashScope URL, else the configured region's. Trailing slashes are dropped.
 */
export function resolveBaseUrl(spec: ModelSpec, settings: { region: Region; baseUrl?: string }): string {
  const chosen = spec.baseUrl || settings.baseUrl || REGION_BASE_URLS[spec.region ?? settings.region];
  return chosen.replace(/\/+$/, '');
}

/** The region a DashScope URL belongs to, if it is one of the known ones (for error messages). */
export function regionOfUrl(url: string): Region | undefined {
  const clean = url.replace(/\/+$/, '');
  return REGIONS.find((region) => REGION_BASE_URLS[region] === clean);
}

/** Checks a user-edited table and says what is wrong in words a settings page can show. */
export function validateModelTable(table: unknown, options: { allowInsecureHttp?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (!table || typeof table !== 'object' || Array.isArray(table)) return ['the model table must be an object of key -> model spec'];
  for (const [key, raw] of Object.entries(table as Record<string, unknown>)) {
    const spec = raw as Partial<ModelSpec> | null;
    if (!spec || typeof spec !== 'object') {
      problems.push(`${key}: must be an object`);
      continue;
    }
    if (typeof spec.model !== 'string' || !spec.model) problems.push(`${key}: "model" (the provider's model id) is required`);
    if (spec.baseUrl !== undefined) {
      const problem = baseUrlProblem(String(spec.baseUrl), options);
      if (problem) problems.push(`${key}.baseUrl: ${problem}`);
    }
    if (spec.apiKeyId !== undefined) {
      const problem = typeof spec.apiKeyId === 'string' ? apiKeyIdProblem(spec.apiKeyId) : '"apiKeyId" must be a string';
      if (problem) problems.push(`${key}: ${problem}`);
    }
    if (spec.region !== undefined && !isRegion(spec.region)) problems.push(`${key}: "region" must be one of ${REGIONS.join(', ')}`);
    if (spec.contextWindow !== undefined && !(Number.isInteger(spec.contextWindow) && spec.contextWindow > 0)) problems.push(`${key}: "contextWindow" must be a positive integer`);
    if (spec.maxOutputTokens !== undefined && !(Number.isInteger(spec.maxOutputTokens) && spec.maxOutputTokens > 0)) problems.push(`${key}: "maxOutputTokens" must be a positive integer`);
    if (spec.imageInput !== undefined && typeof spec.imageInput !== 'boolean') problems.push(`${key}: "imageInput" must be true or false`);
    if (spec.prices !== undefined) problems.push(...scheduleProblems(`${key}: prices`, spec.prices));
    if (spec.regionPrices !== undefined) {
      if (!spec.regionPrices || typeof spec.regionPrices !== 'object') problems.push(`${key}: "regionPrices" must be an object of region -> prices`);
      else
        for (const [region, schedule] of Object.entries(spec.regionPrices)) {
          if (!isRegion(region)) problems.push(`${key}: regionPrices "${region}" must be one of ${REGIONS.join(', ')}`);
          else problems.push(...scheduleProblems(`${key}: regionPrices.${region}`, schedule));
        }
    }
  }
  return problems;
}

function scheduleProblems(where: string, prices: PriceSchedule | undefined): string[] {
  const problems: string[] = [];
  const bands = prices?.bands;
  if (prices?.currency !== undefined && !CURRENCIES.includes(prices.currency)) problems.push(`${where}.currency must be one of ${CURRENCIES.join(', ')}`);
  if (!Array.isArray(bands) || bands.length === 0) problems.push(`${where}.bands must be a non-empty list`);
  else
    bands.forEach((band, i) => {
      for (const field of ['input', 'output'] as const) {
        if (typeof band?.[field] !== 'number' || !(band[field] >= 0)) problems.push(`${where}.bands[${i}].${field} must be a number >= 0`);
      }
      for (const field of ['thinkingOutput', 'cachedInput', 'explicitCacheHit', 'explicitCacheWrite'] as const) {
        if (band?.[field] !== undefined && !(typeof band[field] === 'number' && band[field] >= 0)) problems.push(`${where}.bands[${i}].${field} must be a number >= 0`);
      }
    });
  return problems;
}
