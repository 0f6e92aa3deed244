import * as vscode from 'vscode';
import { SCORE_FIELDS } from '../../core/classifier/result';
import type { RoutingDecision } from '../../core/routing/route';
import type { RouterService } from '../routerService';
import { describeDecision } from './ask';

/**
 * Every score behind a decision (a table when the classifier decided) and the notes that moved it
 * (task rule, context-window adjustment, fallback reason, token estimate): Explain Routing's report
 * and the @qwen participant's /explain.
 */
export function decisionDetails(decision: RoutingDecision, precisionNote?: string): string[] {
  const lines: string[] = [];
  const c = decision.classifier;
  if (c) {
    lines.push(
      `| ${vscode.l10n.t('Field')} | ${vscode.l10n.t('Value')} |`,
      '|---|---|',
      `| task_type_1 | ${c.task_type_1} (${c.task_type_prob}) |`,
      `| task_type_2 | ${c.task_type_2} |`,
      ...SCORE_FIELDS.filter((field) => field !== 'task_type_prob').map((field) => `| ${field} | ${c[field]} |`),
      '',
    );
  }
  const routing = decision.routing as Record<string, unknown>;
  for (const key of ['rule', 'adjusted', 'fallback_reason', 'estimated_tokens']) {
    if (routing[key] !== undefined) lines.push(`- ${key}: ${String(routing[key])}`);
  }
  if (precisionNote) lines.push(`- ${vscode.l10n.t('precision')}: ${precisionNote}`);
  return lines;
}

/** The decision as a markdown report: where it goes, why, and every classifier score behind it. */
export function routingReport(prompt: string, decision: RoutingDecision, precisionNote?: string): string {
  const lines = [`# ${vscode.l10n.t('Routing decision')}`, '', `**${describeDecision(decision)}**`, '', ...decisionDetails(decision, precisionNote)];
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
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: routingReport(prompt, decision, precisionNote?.()) });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  return decision;
}
