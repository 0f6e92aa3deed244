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

/**
 * One price band. Bands apply by the request's input length: the first band whose
 * `maxInputTokens` is at least the call's input tokens (or that has no limit) prices the whole call.
 * Prices are USD per 1,000,000 tokens.
 */
export interface PriceBand {
  /** Inclusive upper bound on input tokens for this band; omitted (or null) = no upper bound. */
  maxInputTokens?: number | null;
  input: number;
  output: number;
  /** Output price when thinking is on (reasoning and answer tokens alike); defaults to `output`. */
  thinkingOutput?: number;
}

export interface PriceSchedule {
  /** When these prices were read from the provider's list (free text, e.g. "2026" or "2026-03-01"). */
  asOf: string;
  /** Where they came from, for the user who wants to check them. */
  source?: string;
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
  /** Whether the model accepts DashScope's `enable_thinking` switch. */
  supportsThinking?: boolean;
  prices?: PriceSchedule;
}

export type ModelTable = Record<string, ModelSpec>;

const DASHSCOPE_INTL_2026 = 'DashScope international list prices, USD per 1M tokens, as published in 2026';

/**
 * The default table: DashScope's three commercial Qwen tiers at international list prices.
 * China-region list prices are in CNY (qwen-flash 0.00015 / 0.0015 and qwen-plus 0.0008 / 0.002
 * per 1K tokens up to 128K input): a China-region user who wants CNY figures edits this table.
 */
export const DEFAULT_MODELS: ModelTable = {
  'qwen-flash': {
    model: 'qwen-flash',
    provider: 'dashscope',
    contextWindow: 1_000_000,
    supportsThinking: true,
    prices: {
      asOf: '2026',
      source: DASHSCOPE_INTL_2026,
      bands: [
        { maxInputTokens: 256_000, input: 0.05, output: 0.4 },
        { input: 0.25, output: 2.0 },
      ],
    },
  },
  'qwen-plus': {
    model: 'qwen-plus',
    provider: 'dashscope',
    contextWindow: 1_000_000,
    supportsThinking: true,
    prices: {
      asOf: '2026',
      source: DASHSCOPE_INTL_2026,
      bands: [
        { maxInputTokens: 256_000, input: 0.4, output: 1.2, thinkingOutput: 4.0 },
        { input: 1.2, output: 3.6 },
      ],
    },
  },
  'qwen-max': {
    model: 'qwen-max',
    provider: 'dashscope',
    contextWindow: 32_768,
    supportsThinking: false,
    prices: {
      asOf: '2026',
      source: DASHSCOPE_INTL_2026,
      bands: [{ input: 1.6, output: 6.4 }],
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
    if (spec.prices !== undefined) {
      const bands = spec.prices?.bands;
      if (!Array.isArray(bands) || bands.length === 0) problems.push(`${key}: "prices.bands" must be a non-empty list`);
      else
        bands.forEach((band, i) => {
          for (const field of ['input', 'output'] as const) {
            if (typeof band?.[field] !== 'number' || !(band[field] >= 0)) problems.push(`${key}: prices.bands[${i}].${field} must be a number >= 0`);
          }
          if (band?.thinkingOutput !== undefined && !(typeof band.thinkingOutput === 'number' && band.thinkingOutput >= 0)) problems.push(`${key}: prices.bands[${i}].thinkingOutput must be a number >= 0`);
        });
    }
  }
  return problems;
}
