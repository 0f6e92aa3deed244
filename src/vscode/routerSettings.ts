import * as vscode from 'vscode';
import { resolveConfig, type ConfigInput, type RouterConfig } from '../core/config';
import { strictestBudget, type Budget, type BudgetScope, type OnExceed } from '../core/budget/budget';
import type { Currency, ModelTable } from '../core/models/table';
import type { TaskRule, Thresholds, Tier } from '../core/routing/policy';
import type { ScoreDistribution } from '../core/routing/dial';
import { strictestPool, type ModelPool } from '../core/routing/pool';

/**
 * The qwenRouter.* settings, mapped onto the core's config (the same object the CLI builds from
 * flags). `scores`: the history's recorded complexity scores, for the cost-quality dial.
 */
export function readRouterConfig(scores?: ScoreDistribution): { config: RouterConfig; problems: string[] } {
  const settings = vscode.workspace.getConfiguration('qwenRouter');
  const input: ConfigInput = {
    region: settings.get<string>('region'),
    baseUrl: settings.get<string>('baseUrl')?.trim() || undefined,
    allowInsecureHttp: settings.get<boolean>('allowInsecureHttp', false),
    models: nonEmpty(settings.get<ModelTable>('models')),
    // Explicit thresholds win over the dial only when someone set them (the declared default is not a choice).
    complexityThresholds: setAnywhere(settings, 'routing.complexityThresholds') ? settings.get<Partial<Thresholds>>('routing.complexityThresholds') : undefined,
    costQuality: settings.get<number>('routing.costQuality'),
    complexityScores: scores,
    modelPool: strictestPool(levelsOf<ModelPool>(settings, 'routing.modelPool')),
    tokenThresholds: settings.get<Partial<Thresholds>>('routing.tokenThresholds'),
    taskRules: settings.get<TaskRule[]>('routing.taskRules'),
    tierModels: settings.get<Partial<Record<Tier, string>>>('routing.tierModels'),
    // One budget for the classifier: the worker's queue-and-run budget and routing's backstop.
    classifierBudgetMs: settings.get<number>('classifier.timeBudgetMs'),
    escalate: settings.get<boolean>('escalateOnFailure'),
    stream: settings.get<boolean>('stream'),
    thinking: thinkingSetting(settings),
    privacy: strictestPrivacy(settings),
  };
  return resolveConfig(input);
}

/**
 * The privacy level: "metadata" when any level (user, workspace, folder) asks for it, so a
 * repository's settings can make the history keep less text, never more than the user chose.
 */
function strictestPrivacy(settings: vscode.WorkspaceConfiguration): string | undefined {
  return levelsOf<string>(settings, 'history.privacy').includes('metadata') ? 'metadata' : settings.get<string>('history.privacy');
}

const LEVELS = ['globalValue', 'workspaceValue', 'workspaceFolderValue'] as const;

/** The values the user, the workspace and the folder set (each undefined when that level did not). */
function levelsOf<T>(settings: vscode.WorkspaceConfiguration, key: string): (T | undefined)[] {
  const levels = settings.inspect<T>(key);
  return LEVELS.map((level) => levels?.[level]);
}

function setAnywhere(settings: vscode.WorkspaceConfiguration, key: string): boolean {
  return levelsOf(settings, key).some((value) => value !== undefined);
}

/**
 * qwenRouter.routing.thinking; until someone sets it, the older qwenRouter.enableThinking where it
 * was set (on, off; "default" is the model's default), so a choice made before keeps working.
 */
function thinkingSetting(settings: vscode.WorkspaceConfiguration): string | undefined {
  if (setAnywhere(settings, 'routing.thinking')) return settings.get<string>('routing.thinking');
  if (!setAnywhere(settings, 'enableThinking')) return undefined;
  const legacy = settings.get<string>('enableThinking');
  return legacy === 'on' || legacy === 'off' ? legacy : 'model-default';
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
