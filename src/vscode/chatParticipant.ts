/**
 * `@qwen` in VS Code's own chat view. Every request goes through RouterService.ask (the one core
 * path: routed, budget-gated, priced, recorded once) with surface "participant"; the answer shows
 * the routing decision first, then streams. /explain routes without calling a model, /simple,
 * /medium and /complex force a tier for one message, /stats opens the stats view. After a
 * lower-tier answer a follow-up re-asks on the top tier (a `next_tier` signal, records linked);
 * 👍/👎 become signals on the answer's record (its id is in ChatResult.metadata).
 */
import * as vscode from 'vscode';
import type { AskEvents, AskRequest, AskResult } from '../core/ask';
import type { RouterConfig } from '../core/config';
import type { SignalKind } from '../core/history/signal';
import type { Logger } from '../core/log';
import type { Tier } from '../core/routing/policy';
import type { RoutingDecision } from '../core/routing/route';
import type { ChatMessage } from '../core/routing/tokens';
import { CHAT_STRINGS } from '../protocol/chat';
import { localizeTable } from '../protocol/common';
import type { BadgeFormat } from '../protocol/routeBadge';
import { ACTION_COMMANDS, actionsFor, badgeOf } from './chatConversations';
import { describeDecision } from './commands/ask';
import { decisionDetails } from './commands/explainRouting';
import { Disposable } from './disposable';
import { failureText } from './errorText';
import {
  boundReferences,
  decisionLine,
  escalationTarget,
  historyMessages,
  isAnswerMetadata,
  isCut,
  parseCommand,
  PARTICIPANT_ID,
  QuoteStream,
  reaskOf,
  tierServedBy,
  withReferences,
  type AnswerMetadata,
  type BoundedReference,
  type ParticipantMetadata,
  type ReferenceText,
  type TurnLike,
} from './participantTurns';
import { OPEN_STATS_COMMAND } from './statsPanel';

/** What the participant needs of RouterService. */
export interface ParticipantRouter {
  readonly config: RouterConfig;
  readonly log: Logger;
  ask(request: AskRequest, events?: AskEvents): Promise<AskResult>;
  explain(messages: ChatMessage[]): Promise<RoutingDecision>;
  signal(recordId: string, kind: SignalKind): Promise<void>;
}

export interface ParticipantDeps {
  router: ParticipantRouter;
  /** Why the classifier runs at its precision (Explain Routing's note), when it is loaded. */
  precisionNote?: () => string | undefined;
}

interface ParticipantResult extends vscode.ChatResult {
  metadata: ParticipantMetadata;
}

/** Prompts of recent answers, for their "Ask qwen-max instead" follow-up: memory only, never on disk. */
const MAX_REMEMBERED_PROMPTS = 50;

export class QwenParticipant extends Disposable {
  readonly participant: vscode.ChatParticipant;
  private readonly prompts = new Map<string, string>();

  constructor(extensionUri: vscode.Uri, private readonly deps: ParticipantDeps) {
    super();
    this.participant = this.register(vscode.chat.createChatParticipant(PARTICIPANT_ID, (request, context, stream, token) => this.handle(request, context, stream, token)));
    this.participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'qwen-router.svg');
    this.participant.followupProvider = { provideFollowups: (result) => this.followups(result) };
    this.register(this.participant.onDidReceiveFeedback((feedback) => void this.feedback(feedback)));
  }

  /** The request handler (public for the extension-host tests, which call it with their own stream). */
  async handle(request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<ParticipantResult> {
    const command = parseCommand(request.command);
    if (command.kind === 'stats') {
      await vscode.commands.executeCommand(OPEN_STATS_COMMAND);
      stream.markdown(vscode.l10n.t('Opened the Qwen Router stats: calls, cost, latency, routing, and 👍/👎 and escalations per tier.'));
      return { metadata: { kind: 'stats' } };
    }
    if (command.kind === 'explain') return this.explain(request, stream);
    return this.answer(request, context, stream, token, command.tier);
  }

  /** 👍/👎 in the chat view: a signal line on the answer's record. */
  async feedback(feedback: vscode.ChatResultFeedback): Promise<void> {
    const metadata = feedback.result.metadata;
    if (!isAnswerMetadata(metadata) || !metadata.recordId) return;
    const kind: SignalKind = feedback.kind === vscode.ChatResultFeedbackKind.Helpful ? 'thumbs_up' : 'thumbs_down';
    try {
      await this.deps.router.signal(metadata.recordId, kind);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.router.log.error(`@qwen: could not record ${kind} for ${metadata.recordId}: ${message}`);
      void vscode.window.showWarningMessage(vscode.l10n.t('Could not record the signal: {0}', message));
    }
  }

  /** "Ask qwen-max instead" under an answer from a lower tier. */
  followups(result: vscode.ChatResult): vscode.ChatFollowup[] {
    const metadata = result.metadata;
    if (!isAnswerMetadata(metadata) || metadata.status !== 'ok' || !metadata.recordId) return [];
    const target = escalationTarget(this.deps.router.config, metadata);
    if (!target) return [];
    return [{ prompt: this.prompts.get(metadata.recordId) ?? '', label: vscode.l10n.t('Ask {0} instead', target), command: 'complex' satisfies Tier }];
  }

  // --- /explain ------------------------------------------------------------------------------

  private async explain(request: vscode.ChatRequest, stream: vscode.ChatResponseStream): Promise<ParticipantResult> {
    const references = await this.references(request.references, stream);
    const content = withReferences(request.prompt.trim(), references);
    if (!content) {
      stream.markdown(vscode.l10n.t('Type the prompt to route after /explain, e.g. "@qwen /explain Write a binary search in Rust".'));
      return { metadata: { kind: 'empty' } };
    }
    stream.progress(vscode.l10n.t('Routing…'));
    const decision = await this.deps.router.explain([{ role: 'user', content }]);
    const lines = [decisionLine(badgeOf(decision), strings(), hostFormat()), '', `**${describeDecision(decision)}**`, '', ...decisionDetails(decision, this.deps.precisionNote?.(), this.deps.router.config), '', `*${vscode.l10n.t('No model was called and nothing was recorded.')}*`];
    stream.markdown(lines.join('\n'));
    return { metadata: { kind: 'explain' } };
  }

  // --- Answers -------------------------------------------------------------------------------

  private async answer(request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken, forced?: Tier): Promise<ParticipantResult> {
    const { router } = this.deps;
    const config = router.config;
    const history = context.history as readonly TurnLike[];
    // "Ask qwen-max instead" (or a tier command repeating the last question): the same question again, linked.
    const reask = forced ? reaskOf(history, { tier: forced, prompt: request.prompt, references: request.references.length }, config.policy) : undefined;
    const prompt = reask ? reask.request.prompt : request.prompt;
    const references = await this.references(reask ? reask.request.references : request.references, stream);
    const earlier = historyMessages(reask ? history.slice(0, reask.requestIndex) : history);
    const content = withReferences(prompt.trim(), references);
    if (!content) {
      stream.markdown(vscode.l10n.t('Ask a question after @qwen: it is routed to the Qwen tier it needs, and the decision shows first.'));
      return { metadata: { kind: 'empty' } };
    }
    if (reask) {
      try {
        await router.signal(reask.metadata.recordId, 'next_tier');
      } catch (error) {
        // No unlinked re-ask: the escalation is what the user asked to record.
        return { metadata: { kind: 'empty' }, errorDetails: { message: vscode.l10n.t('Could not record the signal: {0}', error instanceof Error ? error.message : String(error)) } };
      }
    }

    const controller = new AbortController();
    const cancelled = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    const out = new TalliedMarkdown(stream);
    let quote: QuoteStream | undefined;
    let answerOffset: number | undefined;
    let answerChars = 0;
    stream.progress(vscode.l10n.t('Routing…'));
    let result: AskResult;
    try {
      result = await router.ask(
        {
          messages: [...earlier, { role: 'user', content }],
          ...(forced ? { model: config.policy.tierModels[forced] } : {}),
          signal: controller.signal,
          surface: 'participant',
          ...(reask ? { escalatedFromRecord: reask.metadata.recordId } : {}),
        },
        {
          onRouting: ({ decision }) => {
            const badge = badgeOf(decision);
            if (forced) badge.tier = forced;
            out.markdown(`${decisionLine(badge, strings(), hostFormat())}\n\n`);
            if (decision.fallbackReason === 'model_missing') stream.button({ command: ACTION_COMMANDS.downloadModel.command, title: vscode.l10n.t(CHAT_STRINGS.offerModel) });
            for (const reference of references.filter(isCut)) out.markdown(`*${vscode.l10n.t('{0} was cut to its first {1} of {2} characters.', reference.label, reference.text.length, reference.totalChars)}*\n\n`);
          },
          onRetry: ({ model, attempt, reason }) => stream.progress(vscode.l10n.t('Retrying {0} (attempt {1}): {2}', model, attempt, reason.message)),
          onThinking: (delta) => {
            if (!quote) {
              quote = new QuoteStream();
              out.markdown(`> *${vscode.l10n.t('Thinking')}*\n>\n`);
            }
            out.markdown(quote.quote(delta));
          },
          onAnswer: (delta) => {
            if (quote) out.markdown('\n\n');
            quote = undefined;
            answerOffset ??= out.chars;
            out.markdown(delta);
            answerChars += delta.length;
          },
        },
      );
    } finally {
      cancelled.dispose();
    }

    const metadata = this.metadataOf(result, answerOffset ?? out.chars, answerChars);
    if (metadata.recordId && result.status === 'ok') this.remember(metadata.recordId, prompt);
    if (result.historyError) void vscode.window.showWarningMessage(result.historyError);
    if (result.status === 'error' && result.error) {
      for (const action of actionsFor(result.error.kind)) {
        if (action === 'retry') continue; // the chat's own retry sends the request again
        const { command, args } = ACTION_COMMANDS[action];
        stream.button({ command, arguments: args, title: vscode.l10n.t(CHAT_STRINGS[action]) });
      }
      return { metadata, errorDetails: { message: failureText(result.error) } };
    }
    return { metadata };
  }

  private metadataOf(result: AskResult, answerOffset: number, answerChars: number): AnswerMetadata {
    const modelKey = result.record.llm.model;
    const tier = result.decision?.tier && result.decision.modelKey === modelKey ? result.decision.tier : tierServedBy(this.deps.router.config.policy, modelKey);
    return {
      kind: 'answer',
      status: result.status,
      ...(result.historyError ? {} : { recordId: result.record.id }),
      modelKey,
      ...(tier ? { tier } : {}),
      answerOffset,
      answerChars,
    };
  }

  private remember(recordId: string, prompt: string): void {
    this.prompts.set(recordId, prompt);
    for (const key of this.prompts.keys()) {
      if (this.prompts.size <= MAX_REMEMBERED_PROMPTS) break;
      this.prompts.delete(key);
    }
  }

  // --- References ----------------------------------------------------------------------------

  /** Reads the attached selections and files, bounded in size; each one used is listed on the answer. */
  private async references(references: readonly vscode.ChatPromptReference[], stream: vscode.ChatResponseStream): Promise<BoundedReference[]> {
    const read: ReferenceText[] = [];
    // VS Code lists references last-in-prompt first: put them back in the order they were written.
    for (const reference of [...references].reverse()) {
      try {
        const text = await readReference(reference);
        if (!text) continue;
        read.push(text);
        const value = reference.value;
        if (value instanceof vscode.Uri || value instanceof vscode.Location) stream.reference(value);
      } catch (error) {
        stream.markdown(`*${vscode.l10n.t('Could not read {0}: {1}', labelOf(reference), error instanceof Error ? error.message : String(error))}*\n\n`);
      }
    }
    return boundReferences(read);
  }
}

function labelOf(reference: vscode.ChatPromptReference): string {
  const value = reference.value;
  if (value instanceof vscode.Location) return `${vscode.workspace.asRelativePath(value.uri)}:${value.range.start.line + 1}-${value.range.end.line + 1}`;
  if (value instanceof vscode.Uri) return vscode.workspace.asRelativePath(value);
  return reference.modelDescription ?? reference.id;
}

/** A selection (Location), a file (Uri) or a value (string); undefined for kinds the router cannot send (folders, images). */
async function readReference(reference: vscode.ChatPromptReference): Promise<ReferenceText | undefined> {
  const value = reference.value;
  const label = labelOf(reference);
  if (typeof value === 'string') return { label, text: value };
  if (value instanceof vscode.Location) {
    const document = await vscode.workspace.openTextDocument(value.uri);
    return { label, languageId: document.languageId, text: document.getText(value.range) };
  }
  if (value instanceof vscode.Uri) {
    if ((await vscode.workspace.fs.stat(value)).type & vscode.FileType.Directory) return undefined;
    const document = await vscode.workspace.openTextDocument(value);
    return { label, languageId: document.languageId, text: document.getText() };
  }
  return undefined;
}

/** Counts the markdown it streams, so the answer's place in the turn can go into the metadata. */
class TalliedMarkdown {
  chars = 0;
  constructor(private readonly stream: vscode.ChatResponseStream) {}

  markdown(text: string): void {
    if (!text) return;
    this.stream.markdown(text);
    this.chars += text.length;
  }
}

const strings = () => localizeTable(CHAT_STRINGS, (text) => vscode.l10n.t(text));

function hostFormat(): BadgeFormat {
  const number = (value: number, digits: number) => new Intl.NumberFormat(vscode.env.language, { maximumFractionDigits: digits }).format(value);
  return { number, ms: (value) => (value >= 10_000 ? `${number(value / 1000, 1)} s` : `${number(value, value < 10 ? 1 : 0)} ms`) };
}

/** Registers @qwen (package.json `contributes.chatParticipants`). */
export function registerChatParticipant(context: vscode.ExtensionContext, deps: ParticipantDeps): QwenParticipant {
  const participant = new QwenParticipant(context.extensionUri, deps);
  context.subscriptions.push(participant);
  return participant;
}
