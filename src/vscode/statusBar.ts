import * as vscode from 'vscode';
import { formatAmount, hasBudget } from '../core/budget/budget';
import type { RoutingDecision } from '../core/routing/route';
import type { ClassifierState } from '../node/classifierService';
import type { ClassifierController } from './classifierController';
import { Disposable } from './disposable';
import type { RouterService } from './routerService';
import { thresholdsLine } from './commands/explainRouting';

/** The classifier's state and the last route; a click opens the stats. */
export class RouterStatusBar extends Disposable {
  readonly item = this.register(vscode.window.createStatusBarItem('qwenRouter.status', vscode.StatusBarAlignment.Right, 100));
  private lastRoute: RoutingDecision | undefined;
  /** Today's spend against the budget, when one is set (issue 11). */
  private spend: { text: string; tooltip: string } | undefined;

  constructor(
    private readonly classifier: ClassifierController,
    private readonly router: RouterService,
  ) {
    super();
    this.item.name = vscode.l10n.t('Qwen Router');
    this.item.command = 'qwenRouter.openStats';
    this.register(classifier.onStateChange((state) => this.render(state)));
    this.register(
      router.onDidRoute((decision) => {
        this.lastRoute = decision;
        this.render(this.classifier.state);
      }),
    );
    this.register(router.spend.onDidChange(() => void this.refreshSpend()));
    this.register(router.onDidChangeConfig(() => this.render(this.classifier.state)));
    void this.refreshSpend();
    this.render(classifier.state);
    this.item.show();
  }

  private render(state: ClassifierState): void {
    const [icon, label, detail] =
      state.kind === 'ready'
        ? ['$(check)', vscode.l10n.t('classifier ready'), vscode.l10n.t('Classifier ready ({0}, loaded in {1} ms)', state.info.precision, Math.round(state.info.sessionCreateMs)) + (state.info.precisionReason ? `\n\n${vscode.l10n.t('Precision {0}: {1}', state.info.precision, state.info.precisionReason)}` : '')]
        : state.kind === 'loading'
          ? ['$(loading~spin)', vscode.l10n.t('loading classifier'), state.afterCrash ? vscode.l10n.t('The classifier process is starting again after a crash; routing uses token length meanwhile. ({0})', state.afterCrash) : vscode.l10n.t('The classifier model is loading; routing uses token length meanwhile.')]
          : state.kind === 'restarting'
            ? ['$(sync~spin)', vscode.l10n.t('classifier restarting'), vscode.l10n.t('The classifier process stopped and restarts in {0} s; routing uses token length meanwhile. ({1})', Math.ceil(state.delayMs / 1000), state.message)]
          : state.kind === 'missing'
            ? ['$(warning)', vscode.l10n.t('fallback'), vscode.l10n.t('No classifier model: routing uses token length. Run "Qwen Router: Download Classifier Model".')]
            : ['$(error)', vscode.l10n.t('fallback'), vscode.l10n.t('The classifier failed to load: {0}', state.message)];
    const route = this.lastRoute ? ` · ${this.lastRoute.modelKey}${this.lastRoute.tier ? ` (${this.lastRoute.tier})` : ''}` : '';
    this.item.text = `${icon} Qwen${route}${this.spend ? ` · ${this.spend.text}` : ''}`;
    const tooltip = new vscode.MarkdownString(`**Qwen Router** — ${label}\n\n${detail}`);
    if (this.lastRoute) tooltip.appendMarkdown(`\n\n${vscode.l10n.t('Last route')}: ${this.lastRoute.summary}`);
    tooltip.appendMarkdown(`\n\n${thresholdsLine(this.router.config)}`);
    if (this.spend) tooltip.appendMarkdown(`\n\n${this.spend.tooltip}`);
    tooltip.appendMarkdown(`\n\n${vscode.l10n.t('Click to open the stats.')}`);
    this.item.tooltip = tooltip;
  }

  private async refreshSpend(): Promise<void> {
    const budget = this.router.spend.current;
    if (!hasBudget(budget)) this.spend = undefined;
    else {
      const spent = await this.router.spend.spendSoFar().catch(() => undefined);
      if (!spent) return;
      const daily = (budget.daily ?? 0) > 0;
      const [value, limit] = daily ? [spent.today, budget.daily!] : [spent.month, budget.monthly!];
      const text = `${formatAmount(value, budget.currency)}/${formatAmount(limit, budget.currency)}`;
      this.spend = { text, tooltip: daily ? vscode.l10n.t("Today's spend {0} of {1}", formatAmount(value, budget.currency), formatAmount(limit, budget.currency)) : vscode.l10n.t("This month's spend {0} of {1}", formatAmount(value, budget.currency), formatAmount(limit, budget.currency)) };
    }
    this.render(this.classifier.state);
  }
}
