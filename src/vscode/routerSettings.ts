import * as vscode from 'vscode';
import { resolveConfig, type ConfigInput, type RouterConfig } from '../core/config';
import type { ModelTable } from '../core/models/table';
import type { TaskRule, Thresholds, Tier } from '../core/routing/policy';

/** The qwenRouter.* settings, mapped onto the core's config (the same object the CLI builds from flags). */
export function readRouterConfig(): { config: RouterConfig; problems: string[] } {
  const settings = vscode.workspace.getConfiguration('qwenRouter');
  const thinking = settings.get<string>('enableThinking', 'default');
  const input: ConfigInput = {
    region: settings.get<string>('region'),
    baseUrl: settings.get<string>('baseUrl')?.trim() || undefined,
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
    privacy: settings.get<string>('history.privacy'),
  };
  return resolveConfig(input);
}

const nonEmpty = <T extends object>(value: T | undefined): T | undefined => (value && Object.keys(value).length ? value : undefined);
