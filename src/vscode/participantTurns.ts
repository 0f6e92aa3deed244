/**
 * The pure half of the @qwen chat participant (src/vscode/chatParticipant.ts): slash commands, the
 * conversation rebuilt from VS Code's chat history, attached references bounded in size, the
 * routing line, and which request re-asks an earlier answer on a higher tier. Imports `vscode` for
 * types only, so it runs and is tested in plain Node.
 */
import type * as vscode from 'vscode';
import type { RouterConfig } from '../core/config';
import { TIERS, type RoutingPolicy, type Tier } from '../core/routing/policy';
import type { ChatMessage } from '../core/routing/tokens';
import type { ChatStrings, RouteBadge } from '../protocol/chat';
import { badgeParts, type BadgeFormat } from '../protocol/routeBadge';
import { MAX_CONTEXT_TURNS } from './chatConversations';

export const PARTICIPANT_ID = 'qwenRouter.qwen';

/** What a request asks for, by its slash command (package.json `contributes.chatParticipants`). */
export type ParticipantCommand = { kind: 'ask'; tier?: Tier } | { kind: 'explain' } | { kind: 'stats' };

export function parseCommand(command: string | undefined): ParticipantCommand {
  if (command === 'explain') return { kind: 'explain' };
  if (command === 'stats') return { kind: 'stats' };
  if (command && (TIERS as readonly string[]).includes(command)) return { kind: 'ask', tier: command as Tier };
  return { kind: 'ask' };
}

/**
 * What an answer keeps in `ChatResult.metadata` (VS Code stores it with the chat session): ids and
 * numbers only, never prompt or answer text. `answerOffset`/`answerChars` locate the answer in the
 * turn's markdown (after the routing line and any thinking), so later turns can send it as context.
 */
export interface AnswerMetadata {
  kind: 'answer';
  status: 'ok' | 'error' | 'cancelled';
  /** The call's record in the history (signals link to it); absent when it could not be written. */
  recordId?: string;
  /** The model that answered, and the tier it serves. */
  modelKey?: string;
  tier?: Tier;
  answerOffset: number;
  answerChars: number;
}

export type ParticipantMetadata = AnswerMetadata | { kind: 'explain' } | { kind: 'stats' } | { kind: 'empty' };

export function isAnswerMetadata(value: unknown): value is AnswerMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return m.kind === 'answer' && typeof m.answerOffset === 'number' && typeof m.answerChars === 'number' && typeof m.status === 'string';
}

// --- History -------------------------------------------------------------------------------------

type RequestTurnLike = Pick<vscode.ChatRequestTurn, 'prompt' | 'references'>;
type ResponseTurnLike = { readonly response: readonly unknown[]; readonly result: { readonly metadata?: unknown } };
export type TurnLike = RequestTurnLike | ResponseTurnLike;

const isResponse = (turn: TurnLike): turn is ResponseTurnLike => 'response' in turn;

/** The markdown of a response turn, its parts joined (VS Code joins adjacent markdown the same way). */
export function markdownOf(response: readonly unknown[]): string {
  let text = '';
  for (const part of response) {
    const value = (part as { value?: unknown }).value;
    if (typeof value === 'string') text += value;
    // A MarkdownString; anchors (Uri, Location), buttons and file trees carry no markdown.
    else if (typeof value === 'object' && value !== null && typeof (value as { value?: unknown }).value === 'string') text += (value as { value: string }).value;
  }
  return text;
}

export interface AnsweredTurn {
  /** Index of the request turn in the history. */
  requestIndex: number;
  request: RequestTurnLike;
  metadata: AnswerMetadata;
  answer: string;
}

/** Every request of the history that @qwen answered (not /explain or /stats), with its answer's text. */
export function answeredTurns(history: readonly TurnLike[]): AnsweredTurn[] {
  const found: AnsweredTurn[] = [];
  history.forEach((turn, index) => {
    if (!isResponse(turn) || index === 0) return;
    const request = history[index - 1];
    const metadata = turn.result.metadata;
    if (isResponse(request) || !isAnswerMetadata(metadata)) return;
    const markdown = markdownOf(turn.response);
    const answer = markdown.slice(metadata.answerOffset, metadata.answerOffset + metadata.answerChars);
    found.push({ requestIndex: index - 1, request, metadata, answer });
  });
  return found;
}

/** The earlier turns as chat messages: each finished (or stopped) answer with the prompt it answered. */
export function historyMessages(history: readonly TurnLike[], maxTurns = MAX_CONTEXT_TURNS): ChatMessage[] {
  const turns = answeredTurns(history).filter((t) => t.answer && (t.metadata.status === 'ok' || t.metadata.status === 'cancelled'));
  return turns.slice(-maxTurns).flatMap((t) => [
    { role: 'user' as const, content: t.request.prompt },
    { role: 'assistant' as const, content: t.answer },
  ]);
}

// --- Re-asking on a higher tier ------------------------------------------------------------------

/** The tier a model serves (the highest, when it serves several); undefined for a model of no tier. */
export function tierServedBy(policy: Pick<RoutingPolicy, 'tierModels'>, modelKey: string): Tier | undefined {
  return [...TIERS].reverse().find((tier) => policy.tierModels[tier] === modelKey);
}

/** The top tier's model, when an answer from `modelKey` could be re-asked on it ("Ask qwen-max instead"). */
export function escalationTarget(config: Pick<RouterConfig, 'models' | 'policy'>, answered: Pick<AnswerMetadata, 'modelKey' | 'tier'>): string | undefined {
  const top = TIERS[TIERS.length - 1];
  const key = config.policy.tierModels[top];
  if (!answered.tier || answered.tier === top || !key || key === answered.modelKey || !config.models[key]) return undefined;
  return key;
}

/**
 * The earlier answer a tier command re-asks, if it does: the last response was a successful answer on
 * a lower tier, the request names a higher tier (another model), brings no new references, and
 * repeats that answer's prompt or has none ("Ask qwen-max instead" sends the prompt again).
 */
export function reaskOf(history: readonly TurnLike[], request: { tier: Tier; prompt: string; references: number }, policy: Pick<RoutingPolicy, 'tierModels'>): (AnsweredTurn & { metadata: { recordId: string; tier: Tier } }) | undefined {
  const last = answeredTurns(history).at(-1);
  if (!last || last.requestIndex !== history.length - 2 || request.references > 0) return undefined;
  const { metadata } = last;
  if (metadata.status !== 'ok' || !metadata.recordId || !metadata.tier) return undefined;
  if (TIERS.indexOf(request.tier) <= TIERS.indexOf(metadata.tier) || policy.tierModels[request.tier] === metadata.modelKey) return undefined;
  const prompt = request.prompt.trim();
  if (prompt && prompt !== last.request.prompt.trim()) return undefined;
  return last as AnsweredTurn & { metadata: { recordId: string; tier: Tier } };
}

// --- References ------------------------------------------------------------------------------------

/** How much attached text a request may carry: each reference, and all of them together (characters). */
export const REFERENCE_LIMITS = { eachChars: 20_000, totalChars: 60_000 } as const;

export interface ReferenceText {
  /** A path (with lines for a range) or the reference's own description. */
  label: string;
  languageId?: string;
  text: string;
}

export interface BoundedReference extends ReferenceText {
  /** The reference's full length; more than `text.length` when it was cut. */
  totalChars: number;
}

/** Cuts each reference to its share: at most `eachChars`, and what is left of `totalChars` in order. */
export function boundReferences(references: readonly ReferenceText[], limits: { eachChars: number; totalChars: number } = REFERENCE_LIMITS): BoundedReference[] {
  let left = limits.totalChars;
  return references.map((reference) => {
    const keep = Math.max(0, Math.min(reference.text.length, limits.eachChars, left));
    left -= keep;
    return { ...reference, text: reference.text.slice(0, keep), totalChars: reference.text.length };
  });
}

export const isCut = (reference: BoundedReference): boolean => reference.text.length < reference.totalChars;

/** The prompt, then each attached reference as a fenced block (a cut one says so, for the model). */
export function withReferences(prompt: string, references: readonly BoundedReference[]): string {
  const blocks = references.map((reference) => {
    const fence = reference.text.includes('```') ? '~~~~' : '```';
    const cut = isCut(reference) ? ` (cut: the first ${reference.text.length} of ${reference.totalChars} characters)` : '';
    return `${reference.label}${cut}:\n${fence}${reference.languageId ?? ''}\n${reference.text}\n${fence}`;
  });
  return [prompt, ...blocks].filter((part) => part.length > 0).join('\n\n');
}

// --- What the answer shows -----------------------------------------------------------------------

const escapeMarkdown = (text: string) => text.replace(/([\\`*_[\]<>#|~])/g, '\\$1');

/** The routing line above an answer: the sidebar badge's parts, as one markdown quote. */
export function decisionLine(route: RouteBadge, strings: ChatStrings, format: BadgeFormat): string {
  const parts = badgeParts(route, strings, format).map((part) => {
    if (part.kind === 'tier') return `**${escapeMarkdown(part.text)}**`;
    if (part.kind === 'model') return `\`${part.text.replace(/`/g, '')}\``;
    return escapeMarkdown(part.text);
  });
  return `> ${parts.join(' · ')}`;
}

/** Streams thinking as a markdown quote, delta by delta: every line of it starts with "> ". */
export class QuoteStream {
  private started = false;

  quote(delta: string): string {
    const lines = delta.split('\n');
    const head = this.started ? lines[0] : `> ${lines[0]}`;
    this.started = true;
    return [head, ...lines.slice(1).map((line) => `> ${line}`)].join('\n');
  }
}
