// ask --daily-budget / --monthly-budget: the CLI cannot ask, so a call that would cross a budget is refused.
import { budgetGate, DEFAULT_BUDGET, spendFromDays, type BudgetGate } from '../../core/budget/budget';
import type { RouterConfig } from '../../core/config';
import type { HistoryStore } from '../../core/history/store';
import { UsageError, type CliIo } from '../runner';

function amount(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be an amount in USD greater than 0`);
  return n;
}

/** The budget gate for `ask`, or undefined without budget flags. Spend is what --history recorded. */
export function cliBudget(values: Record<string, string | boolean | undefined>, config: RouterConfig, store: HistoryStore, io: CliIo): BudgetGate | undefined {
  const daily = amount(values['daily-budget'], 'daily-budget');
  const monthly = amount(values['monthly-budget'], 'monthly-budget');
  if (daily === undefined && monthly === undefined) return undefined;
  return budgetGate({
    budget: { ...DEFAULT_BUDGET, daily, monthly, onExceed: 'refuse' },
    config,
    spend: async () => spendFromDays((await store.stats()).cost.by_day, 'USD'),
    howToRaise: `Raise --daily-budget or --monthly-budget, or leave them out (the spend so far is read from ${store.path}).`,
    onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
  });
}
