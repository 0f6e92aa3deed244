/**
 * Budgets: a daily and a monthly cap on the estimated spend, checked before a request is sent, on
 * the call's expected cost (its known prompt tokens, and its max_tokens or a typical answer as
 * output). Pure functions plus the gate `ask()` calls; the surfaces supply the spend so far and,
 * where they can ask the user, a confirmation. See docs/budgets.md.
 */
import type { RouterConfig } from '../config';
import { estimateCost } from '../models/pricing';
import { resolveBaseUrl, type Currency } from '../models/table';
import type { RoutingDecision } from '../routing/route';
import { estimateTokens, type ChatMessage } from '../routing/tokens';

export type OnExceed = 'ask' | 'cheapest' | 'refuse';
export type BudgetScope = 'workspace' | 'allWorkspaces';
export const ON_EXCEED: readonly OnExceed[] = ['ask', 'cheapest', 'refuse'];
export const BUDGET_SCOPES: readonly BudgetScope[] = ['workspace', 'allWorkspaces'];

export interface Budget {
  /** Cap on today's estimated spend (local calendar day); undefined or 0 = none. */
  daily?: number;
  /** Cap on this calendar month's estimated spend; undefined or 0 = none. */
  monthly?: number;
  /** The currency of the caps; only estimates in this currency count (USD and CNY are never mixed). */
  currency: Currency;
  /** Whose spend counts: this workspace's history, or every workspace's (the ledger). */
  scope: BudgetScope;
  /** What a call that would cross a cap does. */
  onExceed: OnExceed;
  /** The fraction of a cap at which a warning is shown (0.8 = 80%). */
  warnAt: number;
}

export const DEFAULT_BUDGET: Budget = { currency: 'USD', scope: 'workspace', onExceed: 'ask', warnAt: 0.8 };

/** Expected output tokens of a call without max_tokens (a typical answer; see docs/budgets.md). */
export const EXPECTED_OUTPUT_TOKENS = 1_000;

export interface Spend {
  today: number;
  month: number;
}

export type BudgetPeriod = 'daily' | 'monthly';

export interface BudgetVerdict {
  status: 'ok' | 'warn' | 'exceed';
  /** The cap that decided (the tighter one when both matter). */
  period?: BudgetPeriod;
  limit?: number;
  spent?: number;
  estimate: number;
  currency: Currency;
}

export const hasBudget = (budget: Budget): boolean => (budget.daily ?? 0) > 0 || (budget.monthly ?? 0) > 0;

/**
 * Whether a call of `estimate` fits: "exceed" when spend + estimate would cross a cap, "warn" when
 * it would reach `warnAt` of one, else "ok".
 */
export function checkBudget(budget: Budget, spend: Spend, estimate: number): BudgetVerdict {
  const periods: Array<{ period: BudgetPeriod; limit: number; spent: number }> = [];
  if ((budget.daily ?? 0) > 0) periods.push({ period: 'daily', limit: budget.daily!, spent: spend.today });
  if ((budget.monthly ?? 0) > 0) periods.push({ period: 'monthly', limit: budget.monthly!, spent: spend.month });
  const base = { estimate, currency: budget.currency };
  const over = periods.find((p) => p.spent + estimate > p.limit);
  if (over) return { status: 'exceed', ...over, ...base };
  const near = periods.find((p) => p.spent + estimate >= p.limit * budget.warnAt);
  if (near) return { status: 'warn', ...near, ...base };
  return { status: 'ok', ...base };
}

export const formatAmount = (value: number, currency: Currency): string => (currency === 'USD' ? `$${value.toFixed(value < 1 ? 4 : 2)}` : `${value.toFixed(value < 1 ? 4 : 2)} ${currency}`);

/** One sentence naming the budget, the spend so far and how to raise it. */
export function budgetMessage(verdict: BudgetVerdict, howToRaise: string): string {
  const which = verdict.period === 'monthly' ? 'monthly' : 'daily';
  const so = verdict.period === 'monthly' ? 'this month' : 'today';
  const head =
    verdict.status === 'exceed'
      ? `This call (about ${formatAmount(verdict.estimate, verdict.currency)}) would cross the ${which} budget of ${formatAmount(verdict.limit ?? 0, verdict.currency)}: ${formatAmount(verdict.spent ?? 0, verdict.currency)} spent ${so}.`
      : `${formatAmount(verdict.spent ?? 0, verdict.currency)} of the ${which} budget of ${formatAmount(verdict.limit ?? 0, verdict.currency)} spent ${so}.`;
  return verdict.status === 'exceed' ? `${head} ${howToRaise}` : head;
}

/** The expected cost of sending `messages` to a model: known prompt tokens, max_tokens or a typical answer. */
export function expectedCost(config: RouterConfig, modelKey: string, messages: readonly ChatMessage[], options: { maxTokens?: number; thinking?: boolean } = {}): { amount: number; currency: Currency } {
  const spec = config.models[modelKey];
  if (!spec) return { amount: 0, currency: 'USD' };
  const cost = estimateCost(spec, estimateTokens(messages), options.maxTokens ?? EXPECTED_OUTPUT_TOKENS, { thinking: options.thinking, baseUrl: resolveBaseUrl(spec, config) });
  return cost ? { amount: cost.amount, currency: cost.currency } : { amount: 0, currency: 'USD' };
}

/** Spend per local day and month from the stats' by_day (USD in cost_usd, CNY in cost_cny). */
export function spendFromDays(byDay: Record<string, { cost_usd: number; cost_cny?: number }>, currency: Currency, now: Date = new Date()): Spend {
  const pad = (n: number) => String(n).padStart(2, '0');
  const month = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`;
  const today = `${month}-${pad(now.getDate())}`;
  let todaySpend = 0;
  let monthSpend = 0;
  for (const [day, entry] of Object.entries(byDay)) {
    const amount = currency === 'USD' ? entry.cost_usd : (entry.cost_cny ?? 0);
    if (day === today) todaySpend += amount;
    if (day.startsWith(month)) monthSpend += amount;
  }
  return { today: todaySpend, month: monthSpend };
}

/**
 * The stricter of the user's budget and a workspace's: a workspace can lower a cap, add one,
 * raise the warning's urgency or make the action harsher, never loosen what the user set.
 */
export function strictestBudget(user: Partial<Budget>, workspace: Partial<Budget>): Budget {
  const cap = (a?: number, b?: number) => {
    const set = [a, b].filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
    return set.length ? Math.min(...set) : undefined;
  };
  const harsher = (a?: OnExceed, b?: OnExceed): OnExceed => {
    const rank = (v?: OnExceed) => (v ? ON_EXCEED.indexOf(v) : -1);
    const pick = rank(a) >= rank(b) ? a : b;
    return pick && ON_EXCEED.includes(pick) ? pick : DEFAULT_BUDGET.onExceed;
  };
  const warn = [user.warnAt ?? DEFAULT_BUDGET.warnAt, workspace.warnAt].filter((v): v is number => typeof v === 'number' && v > 0 && v <= 1);
  return {
    daily: cap(user.daily, workspace.daily),
    monthly: cap(user.monthly, workspace.monthly),
    // The currency is the user's: a workspace cannot move the caps to a currency its calls do not use.
    currency: user.currency === 'CNY' ? 'CNY' : 'USD',
    // All workspaces' spend is at least this one's: "allWorkspaces" is the stricter scope.
    scope: user.scope === 'allWorkspaces' || workspace.scope === 'allWorkspaces' ? 'allWorkspaces' : 'workspace',
    onExceed: harsher(user.onExceed, workspace.onExceed),
    warnAt: warn.length ? Math.min(...warn) : DEFAULT_BUDGET.warnAt,
  };
}

/** What the gate decided for one call. */
export type BudgetDecision = { action: 'proceed'; verdict?: BudgetVerdict } | { action: 'switch'; decision: RoutingDecision; verdict: BudgetVerdict } | { action: 'refuse'; message: string; verdict: BudgetVerdict };

/** The hook `ask()` calls after routing and before anything is sent. */
export type BudgetGate = (call: { decision: RoutingDecision; messages: readonly ChatMessage[]; maxTokens?: number; thinking?: boolean }) => Promise<BudgetDecision>;

export interface BudgetGateOptions {
  budget: Budget;
  config: RouterConfig;
  /** The spend so far in the budget's currency and scope. */
  spend(): Promise<Spend>;
  /** How to raise the budget, in this surface's words (a setting, a flag). */
  howToRaise: string;
  /** Asks the user whether to send anyway; absent where a surface cannot ask (it then refuses). */
  confirm?(message: string, verdict: BudgetVerdict): Promise<boolean>;
  /** A call that brings the spend past the warning threshold (it is sent). */
  onWarning?(message: string, verdict: BudgetVerdict): void;
}

export function budgetGate(options: BudgetGateOptions): BudgetGate {
  const { budget, config } = options;
  return async ({ decision, messages, maxTokens, thinking }) => {
    if (!hasBudget(budget)) return { action: 'proceed' };
    const spend = await options.spend();
    const costOf = (key: string) => {
      const cost = expectedCost(config, key, messages, { maxTokens, thinking });
      return cost.currency === budget.currency ? cost.amount : 0;
    };
    const verdict = checkBudget(budget, spend, costOf(decision.modelKey));
    if (verdict.status === 'ok') return { action: 'proceed', verdict };
    if (verdict.status === 'warn') {
      options.onWarning?.(budgetMessage(verdict, options.howToRaise), verdict);
      return { action: 'proceed', verdict };
    }
    if (budget.onExceed === 'cheapest') {
      const cheapest = config.policy.tierModels.simple;
      if (cheapest !== decision.modelKey && config.models[cheapest]) {
        const after = checkBudget(budget, spend, costOf(cheapest));
        if (after.status !== 'exceed') {
          const note = `budget: ${verdict.period} budget would be crossed on ${decision.modelKey}; moved to the cheapest tier`;
          const routing = { ...decision.routing, tier: 'simple' as const, adjusted: note };
          return { action: 'switch', verdict, decision: { ...decision, modelKey: cheapest, tier: 'simple', routing, summary: `${decision.summary} (${note})` } };
        }
      }
    }
    const message = budgetMessage(verdict, options.howToRaise);
    if (budget.onExceed === 'ask' && options.confirm) {
      if (await options.confirm(message, verdict)) return { action: 'proceed', verdict };
      return { action: 'refuse', verdict, message: `Not sent: ${message}` };
    }
    return { action: 'refuse', verdict, message };
  };
}
