/**
 * The token facts of one call, read from an OpenAI-compatible `usage` object as DashScope fills
 * it: prompt and completion tokens, reasoning tokens (`completion_tokens_details.reasoning_tokens`),
 * input served from the context cache (`prompt_tokens_details.cached_tokens`) and, for explicit
 * caching (`cache_control`), the tokens written to a new cache entry and whether the hit was explicit.
 */
export interface ChatUsage {
  input: number;
  output: number;
  reasoning?: number;
  /** Input tokens served from the cache (a subset of `input`). */
  cached?: number;
  /** Input tokens written to an explicit cache entry (a subset of `input`). */
  cacheCreation?: number;
  /** "ephemeral" when the hit came from an explicit cache entry; absent for the implicit cache. */
  cacheType?: string;
}

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);

/** Reads a provider's usage object; undefined when there is none. */
export function usageFromProvider(raw: unknown): ChatUsage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const usage = raw as Record<string, unknown>;
  const prompt = (usage.prompt_tokens_details && typeof usage.prompt_tokens_details === 'object' ? usage.prompt_tokens_details : {}) as Record<string, unknown>;
  const completion = (usage.completion_tokens_details && typeof usage.completion_tokens_details === 'object' ? usage.completion_tokens_details : {}) as Record<string, unknown>;
  const reasoning = count(completion.reasoning_tokens);
  const cached = count(prompt.cached_tokens);
  const creationDetail = prompt.cache_creation && typeof prompt.cache_creation === 'object' ? (prompt.cache_creation as Record<string, unknown>) : {};
  const cacheCreation = count(prompt.cache_creation_input_tokens) ?? count(creationDetail.ephemeral_5m_input_tokens);
  const cacheType = typeof prompt.cache_type === 'string' ? prompt.cache_type : undefined;
  return {
    input: count(usage.prompt_tokens) ?? 0,
    output: count(usage.completion_tokens) ?? 0,
    ...(reasoning !== undefined ? { reasoning } : {}),
    ...(cached ? { cached } : {}),
    ...(cacheCreation ? { cacheCreation } : {}),
    ...(cacheType ? { cacheType } : {}),
  };
}
