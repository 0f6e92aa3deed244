import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { budgetGate, hasBudget, spendFromDays, type Budget, type BudgetGate, type Spend } from '../core/budget/budget';
import type { RouterConfig } from '../core/config';
import type { CallRecord } from '../core/history/record';
import type { HistoryStore } from '../core/history/store';
import { ledgerSpend, SpendLedger, summarizeLedger, type LedgerSummary } from '../core/ledger/ledger';
import type { SpendView } from '../protocol/stats';
import { Disposable } from './disposable';

/**
 * Budgets and the all-workspace ledger for the editor: the spend so far (this workspace's history
 * or every workspace's ledger), the budget gate with a modal question, and the ledger kept in step
 * with the history (appends, imports, clears).
 */
export class SpendService extends Disposable {
  readonly ledger: SpendLedger;
  /** This workspace's id in the ledger: its storage folder's name ("global" without a folder). */
  readonly workspaceId: string;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** The spend or the budget changed (a call was recorded, the history replaced, the settings edited). */
  readonly onDidChange = this.changed.event;
  private readonly ready: Promise<void>;

  constructor(
    context: vscode.ExtensionContext,
    private readonly history: HistoryStore,
    private budget: Budget,
  ) {
    super();
    this.ledger = new SpendLedger(context.globalStorageUri.fsPath);
    this.workspaceId = context.storageUri ? basename(dirname(context.storageUri.fsPath)) : 'global';
    const name = vscode.workspace.name ?? vscode.l10n.t('No folder');
    this.ready = this.ledger.registerSource(this.workspaceId, { name, history: history.path }).catch(() => undefined);
  }

  get current(): Budget {
    return this.budget;
  }

  configure(budget: Budget): void {
    this.budget = budget;
    this.changed.fire();
  }

  /** Today's and this month's spend in the budget's currency and scope. */
  async spendSoFar(): Promise<Spend> {
    if (this.budget.scope === 'allWorkspaces') {
      await this.ready;
      return ledgerSpend((await this.ledger.read()).entries, this.budget.currency);
    }
    return spendFromDays((await this.history.stats()).cost.by_day, this.budget.currency);
  }

  /** Every workspace's spend in one currency, per workspace, model and day. */
  async allWorkspaces(): Promise<LedgerSummary> {
    await this.ready;
    const { entries } = await this.ledger.read();
    return summarizeLedger(entries, this.budget.currency, await this.ledger.sources());
  }

  /** What the stats view shows: spend against the budgets, and every workspace's totals. */
  async view(): Promise<SpendView> {
    const [spent, all] = await Promise.all([this.spendSoFar(), this.allWorkspaces()]);
    const byCost = <T extends { cost: number }>(entries: Array<[string, T]>) => entries.sort((a, b) => b[1].cost - a[1].cost);
    return {
      currency: this.budget.currency,
      scope: this.budget.scope,
      daily: (this.budget.daily ?? 0) > 0 ? this.budget.daily! : null,
      monthly: (this.budget.monthly ?? 0) > 0 ? this.budget.monthly! : null,
      today: spent.today,
      month: spent.month,
      all: {
        calls: all.calls,
        cost: all.cost,
        byWorkspace: byCost(Object.entries(all.byWorkspace)).map(([, ws]) => ws),
        byModel: byCost(Object.entries(all.byModel)).map(([model, entry]) => [model, entry.cost]),
        byDay: Object.entries(all.byDay)
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([day, entry]) => [day, entry.cost]),
      },
    };
  }

  /** The gate for ask(); undefined without a budget. `canAsk: false` where no one can answer (it refuses). */
  gate(config: RouterConfig, options: { canAsk?: boolean } = {}): BudgetGate | undefined {
    if (!hasBudget(this.budget)) return undefined;
    const sendAnyway = vscode.l10n.t('Send Anyway');
    return budgetGate({
      budget: this.budget,
      config,
      spend: () => this.spendSoFar(),
      howToRaise: vscode.l10n.t('Raise qwenRouter.budget.daily or qwenRouter.budget.monthly in the settings to continue.'),
      confirm:
        options.canAsk === false
          ? undefined
          : async (message) => (await vscode.window.showWarningMessage(vscode.l10n.t('This call would cross a spending budget.'), { modal: true, detail: message }, sendAnyway)) === sendAnyway,
      onWarning: (message) => void vscode.window.showWarningMessage(vscode.l10n.t('Spending budget: {0}', message)),
    });
  }

  /** A call was recorded in this workspace's history: the ledger gets its line. */
  async recorded(record: CallRecord): Promise<void> {
    await this.ready;
    await this.ledger.append(record as unknown as Record<string, unknown>, this.workspaceId).catch(() => undefined);
    this.changed.fire();
  }

  /** The history was imported into or cleared: the ledger's lines for this workspace follow it. */
  async historyReplaced(): Promise<void> {
    await this.ready;
    await this.ledger.resync(this.workspaceId, this.history.path).catch(() => undefined);
    this.changed.fire();
  }
}
