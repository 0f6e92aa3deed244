/** The stats view's spend cards (issue 11): what the cache saved, and estimates in other currencies. */
import { formatString } from '../../protocol/common';
import type { HistoryStats, SpendView, StatsStrings } from '../../protocol/stats';
import { h } from '../shared/dom';
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

export interface SpendBuilders {
  metric: Metric;
  card(title: string, body: Node[], className?: string): HTMLElement;
  hbars(entries: [string, number][], format?: (value: number) => string): HTMLElement;
  dayChart(days: [string, number][], format: (value: number) => string, kind: string): HTMLElement;
}

/** The "Spend and budgets" section: today and this month against the budgets, then all workspaces. */
export function renderSpend(section: HTMLElement, view: SpendView, s: StatsStrings, b: SpendBuilders): void {
  const money = (value: number) => formatMoney(value, view.currency);
  const against = (spent: number, cap: number | null) => (cap === null ? money(spent) : formatString(s.budgetOf, money(spent), money(cap)));
  const scope = view.scope === 'allWorkspaces' ? s.budgetScopeAll : s.budgetScopeWorkspace;
  section.append(
    h('h3', { text: s.spend }),
    h('div', { className: 'spend-grid' }, [
      b.metric(s.budgetToday, against(view.today, view.daily), view.daily === null ? s.budgetNoCap : scope),
      b.metric(s.budgetMonth, against(view.month, view.monthly), view.monthly === null ? s.budgetNoCap : scope),
      b.metric(s.allWorkspaces, money(view.all.cost), formatString(s.allWorkspacesDetail, formatInteger(view.all.calls), formatInteger(view.all.byWorkspace.length), view.currency)),
    ]),
    h('div', { className: 'spend-charts' }, [
      b.card(s.costByWorkspace, [b.hbars(view.all.byWorkspace.map((ws) => [ws.name, ws.cost]), money)], 'chart chart-workspace-cost'),
      b.card(s.costByModelAll, [b.hbars(view.all.byModel, money)], 'chart chart-all-model-cost'),
      b.card(s.costPerDayAll, [b.dayChart(view.all.byDay, money, 'cost')], 'chart chart-all-cost'),
    ]),
  );
}
