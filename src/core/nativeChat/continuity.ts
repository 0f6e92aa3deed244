/**
 * Which route a request to "Qwen Router: Auto" takes, across the requests of one conversation.
 *
 * VS Code gives a provider no conversation id, and the messages before the latest turn are not a
 * stable key: agent mode re-renders its system prompt and attached context on every request. What
 * does come back unchanged is our own answer: every request after the first carries the previous
 * assistant message. So each answer is remembered by a fingerprint (its tool-call ids when it called
 * tools, which are unique; else a hash of its text) with the route the conversation is on after it,
 * for the last MEMORY_SIZE answers, in memory. A request finds its conversation through the latest
 * assistant message it carries. An unknown answer (none yet, or the window was reloaded) starts afresh.
 */
import { createHash } from 'node:crypto';
import type { Tier } from '../routing/policy';
import type { RouteRequest } from '../routing/route';
import { isToolContinuation, latestUserWords, textOf, type PlainMessage } from './messages';

export const MEMORY_SIZE = 256;

export interface TurnRoute {
  modelKey: string;
  tier: Tier;
}

/** Fingerprint of an answer: its tool-call ids if it called tools, else a hash of its trimmed text; undefined for an empty answer. */
export function answerFingerprint(answer: { text: string; toolCallIds: readonly string[] }): string | undefined {
  if (answer.toolCallIds.length) return `calls:${answer.toolCallIds.join(',')}`;
  const text = answer.text.trim();
  return text ? `text:${createHash('sha256').update(text).digest('base64url')}` : undefined;
}

/** The fingerprint of an assistant message as the editor sends it back. */
export function messageFingerprint(message: PlainMessage): string | undefined {
  const toolCallIds = message.parts.flatMap((part) => (part.kind === 'toolCall' ? [part.callId] : []));
  return answerFingerprint({ text: textOf(message), toolCallIds });
}

/** The routes of recent answers, oldest forgotten first. */
export class TurnMemory {
  private readonly routes = new Map<string, TurnRoute>();

  constructor(private readonly capacity = MEMORY_SIZE) {}

  remember(fingerprint: string | undefined, route: TurnRoute): void {
    if (!fingerprint) return;
    this.routes.delete(fingerprint);
    this.routes.set(fingerprint, route);
    if (this.routes.size > this.capacity) this.routes.delete(this.routes.keys().next().value!);
  }

  recall(fingerprint: string | undefined): TurnRoute | undefined {
    return fingerprint === undefined ? undefined : this.routes.get(fingerprint);
  }

  get size(): number {
    return this.routes.size;
  }
}

/** What Auto passes to the core's ask(): the words to classify and, when known, the route to keep or continue. */
export interface AutoRoute {
  routeQuery: string;
  keepRoute?: RouteRequest['keep'];
  conversation?: TurnRoute;
}

/**
 * A tool result continues its turn on the turn's model, nothing classified; a new turn of a known
 * conversation is classified and may only move up (RouteRequest.conversation); anything else is
 * classified afresh. Always on the user's own words, never the system prompt or tool output.
 */
export function planAutoRoute(messages: readonly PlainMessage[], memory: TurnMemory): AutoRoute {
  const routeQuery = latestUserWords(messages);
  const lastAnswer = [...messages].reverse().find((message) => message.role === 'assistant');
  const known = lastAnswer ? memory.recall(messageFingerprint(lastAnswer)) : undefined;
  if (!known) return { routeQuery };
  if (isToolContinuation(messages)) {
    return { routeQuery, keepRoute: { ...known, continuity: 'tool_continuation', reason: `a tool result continues the turn on ${known.modelKey}: not classified` } };
  }
  return { routeQuery, conversation: known };
}
