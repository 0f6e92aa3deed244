/** The stats view's spend cards (issue 11): what the cache saved, and estimates in other currencies. */
import { formatString } from '../../protocol/common';
import type { HistoryStats, StatsStrings } from '../../protocol/stats';
import { formatInteger, formatUsd } from '../shared/format';

type Metric = (label: string, value: string, detail?: string, title?: string) => HTMLElement;

/** An amount in its own currency: USD as elsewhere, others with their code (never converted). */
export function formatMoney(value: number, currency: string): string {
  if (currency === 'USD') return formatUsd(value);
  return `${formatUsd(value).slice(1)} ${currency}`;
}

export function spendMetrics(stats: HistoryStats, s: StatsStrings, metric: Metric): HTMLElement[] {
  const out: HTMLElement[] = [];
  const cache = stats.cache;
  if (cache && cache.cached_tokens > 0) {
    const saved = Object.entries(cache.saved).map(([currency, value]) => formatMoney(value, currency));
    out.push(metric(s.cacheSaved, saved.length ? saved.join(' · ') : formatUsd(0), formatString(s.cacheSavedDetail, formatInteger(cache.cached_tokens))));
  }
  for (const [currency, entry] of Object.entries(stats.cost?.by_currency ?? {})) {
    if (currency === 'USD') continue;
    out.push(metric(formatString(s.costInCurrency, currency), formatMoney(entry.cost, currency), formatString(s.costInCurrencyDetail, formatInteger(entry.calls), currency)));
  }
  return out;
}
