/**
 * The sidebar chat's conversations, kept per workspace (a Memento: `context.workspaceState`), and
 * the mapping from the core's routing decisions and records to what the chat protocol shows.
 * Imports `vscode` for types only, so it runs and is tested in plain Node.
 */
import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import type { AskResult } from '../core/ask';
import type { RouterConfig } from '../core/config';
import { TIERS, type Tier } from '../core/routing/policy';
import type { RoutingDecision } from '../core/routing/route';
import type { ChatMessage } from '../core/routing/tokens';
import {
  AUTO_MODEL,
  isConversation,
  type ChatAction,
  type ChatTurn,
  type Conversation,
  type ConversationSummary,
  type ModelOption,
  type RouteBadge,
  type TurnError,
  type TurnUsage,
} from '../protocol/chat';
import { isObject } from '../protocol/common';

const STORAGE_KEY = 'qwenRouter.chat.conversations.v1';
export const MAX_CONVERSATIONS = 30;
/** Earlier turns sent with a new message (user + assistant pairs). */
export const MAX_CONTEXT_TURNS = 20;
const TITLE_CHARS = 60;

interface Stored {
  activeId: string;
  conversations: Conversation[];
}

export function newConversation(now = Date.now()): Conversation {
  return { id: randomUUID(), title: '', createdAt: now, updatedAt: now, turns: [], stickyRoute: null };
}

export function newTurn(prompt: string, requestedModel: string, now = Date.now()): ChatTurn {
  return { id: randomUUID(), prompt, requestedModel, createdAt: now, status: 'routing', route: null, answer: '', thinking: '', error: null, usage: null };
}

export function titleOf(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line;
}

/**
 * The conversations of this workspace, newest first, one of them active. Turns that were still
 * running when the window closed come back as cancelled (their partial answer kept).
 * When `keepsText()` is false (privacy "metadata") they live in memory only: saving erases what an
 * earlier "full" session stored, and nothing with prompt or answer text is written.
 */
export class ConversationStore {
  private conversations: Conversation[];
  private activeId: string;
  /** Settles once a store opened under "metadata" has erased what was stored before. */
  readonly erased: Thenable<void>;

  constructor(
    private readonly memento: Pick<vscode.Memento, 'get' | 'update'>,
    private readonly untitled: () => string = () => 'New chat',
    private readonly keepsText: () => boolean = () => true,
  ) {
    const stored = memento.get<unknown>(STORAGE_KEY);
    const loaded = isObject(stored) && Array.isArray(stored.conversations) ? stored.conversations.filter(isConversation) : [];
    for (const conversation of loaded) {
      for (const turn of conversation.turns) {
        if (turn.status === 'routing' || turn.status === 'streaming') turn.status = 'cancelled';
      }
    }
    this.conversations = loaded.slice(0, MAX_CONVERSATIONS);
    const activeId = isObject(stored) && typeof stored.activeId === 'string' ? stored.activeId : '';
    if (!this.conversations.some((c) => c.id === activeId)) {
      if (this.conversations.length === 0) this.conversations.push(newConversation());
      this.activeId = this.conversations[0].id;
    } else {
      this.activeId = activeId;
    }
    this.erased = !this.keepsText() && stored !== undefined ? this.save() : Promise.resolve();
  }

  get active(): Conversation {
    return this.find(this.activeId) ?? this.conversations[0];
  }

  find(id: string): Conversation | undefined {
    return this.conversations.find((c) => c.id === id);
  }

  summaries(): ConversationSummary[] {
    return this.conversations
      .filter((c) => c.turns.length > 0 || c.id === this.activeId)
      .map((c) => ({ id: c.id, title: c.title || this.untitled(), updatedAt: c.updatedAt, turns: c.turns.length }));
  }

  /** Starts a new conversation (reusing the active one when it is still empty). */
  startNew(): Conversation {
    const current = this.active;
    if (current.turns.length === 0) {
      current.stickyRoute = null;
      return current;
    }
    const created = newConversation();
    this.conversations.unshift(created);
    // Empty conversations other than the new one are dropped; the oldest go past the cap.
    this.conversations = this.conversations.filter((c) => c === created || c.turns.length > 0).slice(0, MAX_CONVERSATIONS);
    this.activeId = created.id;
    return created;
  }

  open(id: string): Conversation | undefined {
    const found = this.find(id);
    if (found) this.activeId = found.id;
    return found;
  }

  addTurn(conversation: Conversation, turn: ChatTurn): void {
    conversation.turns.push(turn);
    if (!conversation.title) conversation.title = titleOf(turn.prompt);
    this.touch(conversation);
  }

  removeTurn(conversation: Conversation, turnId: string): ChatTurn | undefined {
    const index = conversation.turns.findIndex((t) => t.id === turnId);
    if (index === -1) return undefined;
    const [removed] = conversation.turns.splice(index, 1);
    return removed;
  }

  /** Moves a conversation to the front (most recently used). */
  touch(conversation: Conversation, now = Date.now()): void {
    conversation.updatedAt = now;
    const index = this.conversations.indexOf(conversation);
    if (index > 0) {
      this.conversations.splice(index, 1);
      this.conversations.unshift(conversation);
    }
  }

  save(): Thenable<void> {
    if (!this.keepsText()) return this.memento.update(STORAGE_KEY, undefined);
    const stored: Stored = { activeId: this.activeId, conversations: this.conversations };
    return this.memento.update(STORAGE_KEY, stored);
  }
}

/** The conversation so far (finished turns with an answer), then the new prompt. */
export function messagesFor(conversation: Conversation, prompt: string, excludeTurnId?: string): ChatMessage[] {
  const earlier = conversation.turns.filter((t) => t.id !== excludeTurnId && t.answer && (t.status === 'done' || t.status === 'cancelled')).slice(-MAX_CONTEXT_TURNS);
  const messages: ChatMessage[] = [];
  for (const turn of earlier) messages.push({ role: 'user', content: turn.prompt }, { role: 'assistant', content: turn.answer });
  messages.push({ role: 'user', content: prompt });
  return messages;
}

const SCORE_FIELDS = ['prompt_complexity_score', 'task_type_prob', 'creativity_scope', 'reasoning', 'contextual_knowledge', 'domain_knowledge', 'constraint_ct', 'number_of_few_shots', 'no_label_reason'] as const;

/** The badge for a routing decision. */
export function badgeOf(decision: RoutingDecision): RouteBadge {
  const routing = decision.routing;
  const scores: Record<string, number> = {};
  if (decision.classifier) {
    for (const field of SCORE_FIELDS) {
      const value = decision.classifier[field];
      if (typeof value === 'number' && Number.isFinite(value)) scores[field] = value;
    }
  }
  const note = [routing.rule, routing.adjusted, routing.pooled].filter((x): x is string => typeof x === 'string' && x.length > 0).join('; ');
  return {
    method: decision.method,
    modelKey: decision.modelKey,
    tier: decision.tier ?? null,
    taskType: routing.task_type ?? null,
    complexity: typeof routing.complexity_score === 'number' ? routing.complexity_score : null,
    routingMs: typeof routing.routing_latency_ms === 'number' ? routing.routing_latency_ms : null,
    fallbackReason: decision.fallbackReason ?? null,
    fallbackMessage: decision.method === 'fallback_token_length' && typeof routing.error === 'string' ? routing.error : null,
    sticky: false,
    note: note || null,
    ...(typeof routing.pooled === 'string' ? { pooled: routing.pooled } : {}),
    ...(decision.thinking.enabled !== undefined ? { thinking: { enabled: decision.thinking.enabled, budget: decision.thinking.budget ?? null, reason: decision.thinking.reason } } : {}),
    scores,
  };
}

/**
 * The badge of a message that reuses the conversation's kept route: the kept model and tier, and
 * this message's own thinking decision (a kept route has no scores to think on).
 */
export function stickyBadge(kept: RouteBadge, decision?: RoutingDecision): RouteBadge {
  const badge: RouteBadge = { ...kept, sticky: true, routingMs: null };
  delete badge.thinking;
  const thinking = decision ? badgeOf(decision).thinking : undefined;
  return thinking ? { ...badge, thinking } : badge;
}

/** What the user can do about an error of this kind (the first is the main one). */
export function actionsFor(kind: string): ChatAction[] {
  if (kind === 'no_api_key') return ['setApiKey', 'retry'];
  if (kind === 'auth') return ['setApiKey', 'chooseRegion', 'retry'];
  if (kind === 'unknown_model' || kind === 'model_not_found' || kind === 'forbidden' || kind === 'bad_request') return ['retry', 'openSettings'];
  return ['retry'];
}

export function errorOf(result: Pick<AskResult, 'error' | 'historyError'>): TurnError | null {
  if (!result.error) return null;
  return { kind: result.error.kind, message: result.error.message, actions: actionsFor(result.error.kind) };
}

/** Tokens, cost, latency of a finished call; null when no request was made (no key, unknown model). */
export function usageOf(result: Pick<AskResult, 'record'>): TurnUsage | null {
  const { record } = result;
  if (!record.attempts) return null;
  const llm = record.llm;
  return {
    modelKey: llm.model,
    inputTokens: llm.input_tokens,
    outputTokens: llm.output_tokens,
    costUsd: llm.price_as_of === null || llm.price_as_of === undefined ? (llm.cost_usd > 0 ? llm.cost_usd : null) : llm.cost_usd,
    latencyMs: llm.llm_latency_ms,
    ttftMs: typeof llm.ttft_ms === 'number' ? llm.ttft_ms : null,
    escalatedFrom: record.escalated_from ?? [],
  };
}

/**
 * The model of the tier above the one `modelKey` serves, when there is one and it is another model
 * (for "Ask the next tier instead"); undefined for the top tier and for models that serve no tier.
 */
export function nextTierModel(config: Pick<RouterConfig, 'models' | 'policy'>, modelKey: string): string | undefined {
  const tier = TIERS.findIndex((t) => config.policy.tierModels[t] === modelKey);
  if (tier === -1) return undefined;
  for (const higher of TIERS.slice(tier + 1)) {
    const key = config.policy.tierModels[higher];
    if (key && key !== modelKey && config.models[key]) return key;
  }
  return undefined;
}

/** The model picker's entries: every configured model, with the tier it serves. */
export function modelOptions(config: Pick<RouterConfig, 'models' | 'policy'>): ModelOption[] {
  const tierOf = (key: string) => TIERS.find((tier) => config.policy.tierModels[tier] === key) ?? null;
  const keys = Object.keys(config.models);
  const rank = (key: string) => {
    const tier = tierOf(key);
    return tier ? TIERS.indexOf(tier) : TIERS.length;
  };
  return keys
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((key) => {
      const model = config.models[key].model;
      return { key, label: model && model !== key ? `${key} (${model})` : key, tier: tierOf(key) };
    });
}

/** The model a message goes to: the picker's choice, else the kept route (sticky), else undefined (route it). */
export function modelForMessage(requestedModel: string, sticky: boolean, conversation: Conversation): { model?: string; keep?: { modelKey: string; tier?: Tier }; sticky: boolean } {
  if (requestedModel !== AUTO_MODEL) return { model: requestedModel, sticky: false };
  const kept = conversation.stickyRoute;
  if (sticky && kept) return { keep: { modelKey: kept.modelKey, ...(kept.tier ? { tier: kept.tier } : {}) }, sticky: true };
  return { sticky: false };
}
