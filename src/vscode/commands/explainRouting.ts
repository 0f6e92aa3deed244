import * as vscode from 'vscode';
import type { RouterConfig } from '../../core/config';
import { DIAL_MIN_HISTORY } from '../../core/routing/dial';
import type { RoutingDecision } from '../../core/routing/route';
import type { RouterService } from '../routerService';
import { describeDecision } from './ask';

const SCORE_FIELDS = ['prompt_complexity_score', 'creativity_scope', 'reasoning', 'constraint_ct', 'domain_knowledge', 'contextual_knowledge', 'number_of_few_shots', 'no_label_reason'] as const;

/** The complexity thresholds in use and where they came from (the dial, its defaults, or the explicit setting). */
export function thresholdsLine(config: Pick<RouterConfig, 'policy' | 'thresholdSource'>): string {
  const { simple, medium } = config.policy.complexity;
  const source = config.thresholdSource;
  const from =
    source.kind === 'setting'
      ? vscode.l10n.t('the explicit complexityThresholds setting (the cost-quality dial is not used)')
      : source.kind === 'dial'
        ? vscode.l10n.t('cost-quality dial {0}, on {1} classifier-routed calls of your history', source.dial, source.calls)
        : vscode.l10n.t('cost-quality dial {0}, reasoned defaults ({1} of the {2} classifier-routed calls the dial needs to follow your history)', source.dial, source.calls, DIAL_MIN_HISTORY);
  return vscode.l10n.t('Thresholds: simple below {0}, medium below {1}, from {2}', simple, medium, from);
}

/** The decision's thinking, in words (nothing when the setting leaves it to the model). */
function thinkingLine(decision: RoutingDecision): string | undefined {
  const t = decision.thinking;
  if (t.enabled === undefined) return t.reason ? `${vscode.l10n.t('Thinking')}: ${t.reason}` : undefined;
  const state = t.enabled ? (t.budget ? vscode.l10n.t('on, thinking_budget {0} tokens', t.budget) : vscode.l10n.t('on')) : vscode.l10n.t('off');
  return `${vscode.l10n.t('Thinking')}: ${state} (${t.reason})`;
}

/** The decision as a markdown report: where it goes, why, and every classifier score behind it. */
export function routingReport(prompt: string, decision: RoutingDecision, precisionNote?: string, config?: Pick<RouterConfig, 'policy' | 'thresholdSource'>): string {
  const lines = [`# ${vscode.l10n.t('Routing decision')}`, '', `**${describeDecision(decision)}**`, ''];
  const c = decision.classifier;
  if (c) {
    lines.push(
      `| ${vscode.l10n.t('Field')} | ${vscode.l10n.t('Value')} |`,
      '|---|---|',
      `| task_type_1 | ${c.task_type_1} (${c.task_type_prob}) |`,
      `| task_type_2 | ${c.task_type_2} |`,
      ...SCORE_FIELDS.map((field) => `| ${field} | ${c[field]} |`),
      '',
    );
  }
  const routing = decision.routing as Record<string, unknown>;
  for (const key of ['rule', 'adjusted', 'pooled', 'fallback_reason', 'estimated_tokens']) {
    if (routing[key] !== undefined) lines.push(`- ${key}: ${String(routing[key])}`);
  }
  const thinking = thinkingLine(decision);
  if (thinking) lines.push(`- ${thinking}`);
  if (config && decision.method === 'nvidia_classifier') lines.push(`- ${thresholdsLine(config)}`);
  if (precisionNote) lines.push(`- ${vscode.l10n.t('precision')}: ${precisionNote}`);
  lines.push('', `## ${vscode.l10n.t('Prompt')}`, '', '```text', prompt.length > 4000 ? `${prompt.slice(0, 4000)}…` : prompt, '```', '');
  return lines.join('\n');
}

/** "Explain Routing": classify the selection (or a typed prompt) and show the decision, calling no model. */
export async function explainRouting(router: RouterService, precisionNote?: () => string | undefined): Promise<RoutingDecision | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
  const prompt =
    selected ??
    (await vscode.window.showInputBox({ title: vscode.l10n.t('Qwen Router: Explain Routing'), prompt: vscode.l10n.t('A prompt to route (no model is called).'), ignoreFocusOut: true }));
  if (!prompt) return undefined;
  const decision = await router.explain([{ role: 'user', content: prompt }]);
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: routingReport(prompt, decision, precisionNote?.(), router.config) });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  return decision;
}
