import type { LlmLayer } from '../history/record';
import type { ChatUsage } from '../llm/usage';
import type { CostEstimate } from './pricing';

/** The record's token facts about the cache and the estimate's currency: new optional fields only. */
export function costFacts(usage: ChatUsage | undefined, cost: CostEstimate | undefined): Partial<LlmLayer> {
  return {
    ...(usage?.cached ? { cached_tokens: usage.cached } : {}),
    ...(usage?.cacheCreation ? { cache_creation_tokens: usage.cacheCreation } : {}),
    ...(usage?.cacheType ? { cache_type: usage.cacheType } : {}),
    ...(cost && cost.currency !== 'USD' ? { cost_currency: cost.currency, cost: cost.amount } : {}),
    ...(cost && cost.cacheSaved !== 0 ? { cache_saved: cost.cacheSaved } : {}),
  };
}
