import * as vscode from 'vscode';
import type { AskResult } from '../../core/ask';
import type { DraftSink } from '../../core/routing/draft';
import type { RoutingDecision } from '../../core/routing/route';
import { AnswerDocument } from '../answerDocument';
import { failureText, fallbackText } from '../errorText';
import type { RouterService } from '../routerService';

/** The question plus, when there is one, the editor's selection as a fenced block. */
export function withSelection(question: string, editor: vscode.TextEditor | undefined): string {
  if (!editor || editor.selection.isEmpty) return question;
  const code = editor.document.getText(editor.selection);
  const fence = code.includes('```') ? '~~~~' : '```';
  return `${question}\n\n${fence}${editor.document.languageId}\n${code}\n${fence}`;
}

/** One line that says where a question went and why, shown before the answer. */
export function describeDecision(decision: RoutingDecision): string {
  const ms = decision.routing.routing_latency_ms;
  const time = typeof ms === 'number' ? ` · ${vscode.l10n.t('routed in {0} ms', ms)}` : '';
  // A fallback says why the classifier did not decide (missing model, timeout...), then its own words.
  const why = decision.fallbackReason ? ` — ${fallbackText(decision.fallbackReason)}${decision.routing.error ? ` (${decision.routing.error})` : ''}` : '';
  return decision.summary + why + time;
}

/**
 * The palette's box reports every keystroke; the chat's page posts its draft after 150 ms of quiet.
 * The same here: short enough that a draft is classified before an Enter that follows the last key
 * by a quarter of a second, long enough to skip the keys of a fast typing burst.
 */
export const PALETTE_DRAFT_DELAY_MS = 150;

/**
 * Asks for the question in an input box whose text is classified while it is typed (the text sent,
 * selection included, is what gets classified), so routing at Enter finds its verdict cached.
 * Resolves to the question, or undefined when the box was closed or left empty.
 */
function readQuestion(labels: { title: string; prompt: string }, draftOf: (question: string) => string, drafts: DraftSink | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = labels.title;
    box.prompt = labels.prompt;
    box.ignoreFocusOut = true;
    let answered = false;
    const finish = (question: string | undefined) => {
      if (answered) return;
      answered = true;
      if (question === undefined) drafts?.cancel();
      else drafts?.sent(draftOf(question));
      resolve(question);
      box.dispose();
    };
    // A blank question is no draft (with a selection, draftOf would still make a prompt of it).
    box.onDidChangeValue((value) => drafts?.update(value.trim() ? draftOf(value) : '', PALETTE_DRAFT_DELAY_MS));
    box.onDidAccept(() => finish(box.value.trim() ? box.value : undefined));
    box.onDidHide(() => finish(undefined));
    box.show();
  });
}

/**
 * "Ask…" and "Ask About Selection": the answer streams into a markdown document beside the editor,
 * the routing decision first; a notification with Cancel stops it; Copy and Insert at Cursor follow.
 * `drafts` classifies the question while it is typed (the classifier's DraftScheduler).
 */
export async function askFromPalette(router: RouterService, options: { requireSelection: boolean; drafts?: DraftSink }): Promise<AskResult | undefined> {
  const editor = vscode.window.activeTextEditor;
  const hasSelection = Boolean(editor && !editor.selection.isEmpty);
  if (options.requireSelection && !hasSelection) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Select some text first: "Ask About Selection" sends it along with your question.'));
    return undefined;
  }
  const labels = {
    title: hasSelection ? vscode.l10n.t('Qwen Router: Ask About Selection') : vscode.l10n.t('Qwen Router: Ask'),
    prompt: hasSelection ? vscode.l10n.t('Your question; the selection is sent with it.') : vscode.l10n.t('Your question. Routing picks the Qwen tier.'),
  };
  const question = await readQuestion(labels, (text) => withSelection(text, editor), options.drafts);
  if (!question) return undefined;
  const content = withSelection(question, editor);
  const answer = await AnswerDocument.open(question.split('\n')[0].slice(0, 80), { keepsText: router.config.privacy === 'full' });

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Qwen Router'), cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      progress.report({ message: vscode.l10n.t('Routing…') });
      let thinking = false;
      return router.ask(
        { messages: [{ role: 'user', content }], signal: abort.signal, surface: 'palette' },
        {
          onRouting: ({ decision }) => {
            answer.append(`> ${describeDecision(decision)}\n\n`);
            progress.report({ message: vscode.l10n.t('Answering with {0}…', decision.modelKey) });
          },
          onRetry: ({ model, attempt, reason }) => progress.report({ message: vscode.l10n.t('Retrying {0} (attempt {1}): {2}', model, attempt, reason.message) }),
          onThinking: (delta) => {
            if (!thinking) answer.append(`<details><summary>${vscode.l10n.t('Thinking')}</summary>\n\n`);
            thinking = true;
            answer.append(delta);
          },
          onAnswer: (delta) => {
            if (thinking) answer.append('\n\n</details>\n\n');
            thinking = false;
            answer.append(delta);
          },
        },
      );
    },
  );
  if (result.status === 'cancelled') answer.append(`\n\n_${vscode.l10n.t('Stopped.')}_\n`);
  if (result.status === 'error' && result.error) answer.append(`\n\n> **${vscode.l10n.t('Error')}:** ${failureText(result.error)}\n`);
  await answer.flush();
  void offerFollowUps(result, editor);
  return result;
}

async function offerFollowUps(result: AskResult, editor: vscode.TextEditor | undefined): Promise<void> {
  if (result.historyError) void vscode.window.showWarningMessage(result.historyError);
  if (result.status === 'error' && result.error) {
    const setKey = vscode.l10n.t('Set API Key');
    const region = vscode.l10n.t('Choose Region');
    const keyProblem = result.error.kind === 'no_api_key' || result.error.kind === 'auth';
    const choice = await vscode.window.showErrorMessage(failureText(result.error), ...(keyProblem ? [setKey, region] : []));
    if (choice === setKey) await vscode.commands.executeCommand('qwenRouter.setApiKey');
    if (choice === region) await vscode.commands.executeCommand('qwenRouter.chooseRegion');
    return;
  }
  if (!result.answer) return;
  const copy = vscode.l10n.t('Copy Answer');
  const insert = vscode.l10n.t('Insert at Cursor');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Answered by {0}.', result.record.llm.model),
    copy,
    ...(editor && !editor.document.isClosed ? [insert] : []),
  );
  if (choice === copy) await vscode.env.clipboard.writeText(result.answer);
  if (choice === insert && editor) await editor.edit((edit) => edit.insert(editor.selection.end, result.answer));
}
