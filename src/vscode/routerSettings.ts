import * as vscode from 'vscode';
import { resolveConfig, type ConfigInput, type RouterConfig } from '../core/config';
import { strictestBudget, type Budget, type BudgetScope, type OnExceed } from '../core/budget/budget';
import type { Currency, ModelTable } from '../core/models/table';
import type { TaskRule, Thresholds, Tier } from '../core/routing/policy';

/** The qwenRouter.* settings, mapped onto the core's config (the same object the CLI builds from flags). */
export function readRouterConfig(): { config: RouterConfig; problems: string[] } {
  const settings = vscode.workspace.getConfiguration('qwenRouter');
  const thinking = settings.get<string>('enableThinking', 'default');
  const input: ConfigInput = {
    region: settings.get<string>('region'),
    baseUrl: settings.get<string>('baseUrl')?.trim() || undefined,
    allowInsecureHttp: settings.get<boolean>('allowInsecureHttp', false),
    models: nonEmpty(settings.get<ModelTable>('models')),
    complexityThresholds: settings.get<Partial<Thresholds>>('routing.complexityThresholds'),
    tokenThresholds: settings.get<Partial<Thresholds>>('routing.tokenThresholds'),
    taskRules: settings.get<TaskRule[]>('routing.taskRules'),
    tierModels: settings.get<Partial<Record<Tier, string>>>('routing.tierModels'),
    // One budget for the classifier: the worker's queue-and-run budget and routing's backstop.
    classifierBudgetMs: settings.get<number>('classifier.timeBudgetMs'),
    escalate: settings.get<boolean>('escalateOnFailure'),
    stream: settings.get<boolean>('stream'),
    enableThinking: thinking === 'on' ? true : thinking === 'off' ? false : undefined,
    privacy: strictestPrivacy(settings),
  };
  return resolveConfig(input);
}

/**
 * The privacy level: "metadata" when any level (user, workspace, folder) asks for it, so a
 * repository's settings can make the history keep less text, never more than the user chose.
 */
function strictestPrivacy(settings: vscode.WorkspaceConfiguration): string | undefined {
  const levels = settings.inspect<string>('history.privacy');
  const values = [levels?.globalValue, levels?.workspaceValue, levels?.workspaceFolderValue];
  return values.includes('metadata') ? 'metadata' : settings.get<string>('history.privacy');
}

const nonEmpty = <T extends object>(value: T | undefined): T | undefined => (value && Object.keys(value).length ? value : undefined);

/**
 * The qwenRouter.budget.* settings: the stricter of the user's and the workspace's values at each
 * point (core/budget strictestBudget), so a repository's settings can tighten a budget, never loosen it.
 */
export function readBudget(): Budget {
  const settings = vscode.workspace.getConfiguration('qwenRouter.budget');
  const level = (scope: 'globalValue' | 'workspaceValue' | 'workspaceFolderValue'): Partial<Budget> => ({
    daily: settings.inspect<number>('daily')?.[scope],
    monthly: settings.inspect<number>('monthly')?.[scope],
    scope: settings.inspect<BudgetScope>('scope')?.[scope],
    onExceed: settings.inspect<OnExceed>('onExceed')?.[scope],
    warnAt: settings.inspect<number>('warnAt')?.[scope],
  });
  const user = { ...level('globalValue'), currency: settings.get<Currency>('currency', 'USD') };
  return strictestBudget(strictestBudget(user, level('workspaceValue')), level('workspaceFolderValue'));
}
