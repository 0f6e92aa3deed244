/**
 * The sidebar chat's message protocol, shared by the host (src/vscode/chatViewProvider.ts) and the
 * webview (src/webview/chat/main.ts).
 *
 * Handshake: the webview posts `ready` once its listeners are in place; only then does the host
 * post `state` (the whole conversation, the settings and the localized strings). The host stays the
 * source of truth: a webview that is hidden and recreated says `ready` again and gets a fresh
 * `state`, in-flight answers included. During an answer the host posts small updates
 * (`turnAdded`, `turnRouted` before the first token, `turnDelta`s, `turnFinished`).
 *
 * Requests that need an answer go as `request` with an id and come back as `response` with the
 * same id (see common.ts); one-way commands are plain messages.
 */
import type { RoutingMethod } from '../core/history/record';
import type { Tier } from '../core/routing/policy';
import {
  arrayOf,
  boundedString,
  isBoolean,
  isFiniteNumber,
  isString,
  literal,
  nullable,
  optional,
  recordOf,
  requestGuard,
  responseGuard,
  shape,
  stringsGuard,
  unionGuard,
  type Check,
  type Localized,
  type RequestChecks,
  type RequestMessage,
  type ResponseMessage,
} from './common';

/** The model picker's value for "route every message". */
export const AUTO_MODEL = 'auto';

/** Longest prompt the webview may send (characters); the host rejects longer messages. */
export const MAX_PROMPT_CHARS = 200_000;
const MAX_TEXT = 2_000_000;
const ID = boundedString(200);

const isTier: Check<Tier> = literal('simple', 'medium', 'complex');
const isRoutingMethod: Check<RoutingMethod> = literal('nvidia_classifier', 'fallback_token_length', 'user_specified', 'kept_route');

/** What the badge on an answer shows, as soon as routing is done. */
export interface RouteBadge {
  method: RoutingMethod;
  /** The model key from the table (qwen-flash...). */
  modelKey: string;
  tier: Tier | null;
  taskType: string | null;
  complexity: number | null;
  routingMs: number | null;
  /** Why routing fell back to token length (model_missing, timeout...). */
  fallbackReason: string | null;
  /** The classifier's own words for the fallback. */
  fallbackMessage: string | null;
  /** The route was kept from earlier in this conversation rather than decided for this message. */
  sticky: boolean;
  /** The task rule, context-window adjustment or model pool that moved the tier or model, if any. */
  note: string | null;
  /** Why Auto did not use the tier's configured model: the model pool kept it off (also in `note`). */
  pooled?: string;
  /** Whether the call was sent with thinking, its budget and why (absent on badges saved before, and when nothing was sent). */
  thinking?: { enabled: boolean; budget: number | null; reason: string };
  /** The classifier's scores, for the badge's tooltip. */
  scores: Record<string, number>;
}

export type TurnStatus = 'routing' | 'streaming' | 'done' | 'error' | 'cancelled';

/** What the user can do about a failed answer. */
export type ChatAction = 'retry' | 'setApiKey' | 'chooseRegion' | 'openSettings' | 'downloadModel' | 'openStats';

export interface TurnError {
  kind: string;
  message: string;
  actions: ChatAction[];
}

export interface TurnUsage {
  modelKey: string;
  inputTokens: number;
  outputTokens: number;
  /** An estimate from a dated price table; null when the model has no prices. */
  costUsd: number | null;
  latencyMs: number;
  ttftMs: number | null;
  /** Models tried (and failed) before the one that answered. */
  escalatedFrom: string[];
}

export interface ChatTurn {
  id: string;
  prompt: string;
  /** AUTO_MODEL or the model key the user picked for this message. */
  requestedModel: string;
  /** Epoch milliseconds. */
  createdAt: number;
  status: TurnStatus;
  route: RouteBadge | null;
  answer: string;
  thinking: string;
  error: TurnError | null;
  usage: TurnUsage | null;
  /** The id of the call's record in the history (absent on turns saved before signals, or with no record). */
  recordId?: string;
  /** The user's last 👍/👎 on this answer. */
  signal?: ThumbSignal;
  /** The next tier's model key, when the answer came from a tier below the top (for "Ask the next tier instead"). */
  nextTierModel?: string;
  /** The id of the turn this one re-asked on the next tier. */
  reaskOf?: string;
}

export type ThumbSignal = 'thumbs_up' | 'thumbs_down';

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  turns: ChatTurn[];
  /** The route kept for the whole conversation (when "keep the route" is on), set by its first answer. */
  stickyRoute: RouteBadge | null;
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  turns: number;
}

export interface ModelOption {
  key: string;
  /** What the picker shows (the key and, when different, the provider model). */
  label: string;
  /** The tier this model serves by default, if any. */
  tier: Tier | null;
}

/** Every string the chat webview shows, in English. The host sends them localized in `state`. */
export const CHAT_STRINGS = {
  placeholder: 'Ask Qwen… (Enter to send, Shift+Enter for a new line)',
  send: 'Send',
  stop: 'Stop',
  newChat: 'New Chat',
  model: 'Model',
  auto: 'Auto (route each message)',
  keepRoute: 'Keep one route for this chat',
  keptRoute: 'Route kept for this chat: {0}',
  reroute: 'Re-route',
  rerouteHint: 'The next message is routed again, and its route is kept from then on.',
  conversations: 'Recent chats',
  emptyTitle: 'Ask anything',
  emptyBody: 'Each message is routed to a Qwen tier by a classifier running on this machine. The decision shows on the answer before its first word.',
  routing: 'Routing…',
  waiting: 'Waiting for the first token…',
  thinking: 'Thinking',
  copy: 'Copy',
  copied: 'Copied',
  insert: 'Insert at Cursor',
  retry: 'Retry',
  setApiKey: 'Set API Key',
  chooseRegion: 'Choose Region',
  openSettings: 'Open Settings',
  downloadModel: 'Download Classifier Model',
  openStats: 'Open Stats',
  stopped: 'Stopped. The partial answer is kept.',
  you: 'You',
  chosenByYou: 'chosen by you',
  keptForChat: 'kept for this chat',
  fallback: 'fallback: {0}',
  complexity: 'complexity {0}',
  routingMs: 'routed in {0} ms',
  thinkingOn: 'thinking',
  thinkingBudget: 'thinking, up to {0} tokens',
  thinkingOff: 'no thinking',
  pooled: 'model pool',
  tokens: '{0} in · {1} out tokens',
  cost: '~${0}',
  costTooltip: 'Estimated from a dated price table, not a bill.',
  latency: '{0} s',
  firstToken: 'first token {0} ms',
  escalatedFrom: 'after {0} failed',
  tierSimple: 'simple',
  tierMedium: 'medium',
  tierComplex: 'complex',
  badgeTier: 'Tier',
  badgeModel: 'Model',
  badgeTask: 'Task type',
  badgeComplexity: 'Complexity',
  badgeRoutingTime: 'Routing time',
  badgeMethod: 'Method',
  badgeFallback: 'Fallback reason',
  methodClassifier: 'classifier',
  methodFallback: 'token length (fallback)',
  methodUser: 'model chosen by you',
  reasonModelMissing: 'no classifier model',
  reasonModelLoading: 'classifier still loading',
  reasonModelFailed: 'classifier failed to load',
  reasonTimeout: 'classifier timed out',
  reasonEmptyPrompt: 'empty prompt',
  reasonClassifierError: 'classifier error',
  reasonClassifierCrashed: 'classifier process crashed, restarting',
  offerModel: 'Get the classifier',
  offerModelHint: 'Routed by length because no classifier model is installed. Download it to route by what the question asks.',
  busy: 'An answer is still streaming. Stop it first, or wait.',
  tooLong: 'The message is too long.',
  thumbsUp: 'Good answer',
  thumbsDown: 'Bad answer',
  askNextTier: 'Ask the next tier instead',
  askNextTierHint: 'Ask the same question again on {0} (recorded as a signal on this answer).',
} as const;

export type ChatStrings = Localized<typeof CHAT_STRINGS>;

export interface ChatState {
  strings: ChatStrings;
  models: ModelOption[];
  /** AUTO_MODEL or a model key. */
  selectedModel: string;
  /** Whether new conversations keep their first route. */
  sticky: boolean;
  conversation: Conversation;
  conversations: ConversationSummary[];
  /** The turn being answered, if any. */
  busyTurnId: string | null;
  /** Whether the page may keep an unsent draft in its saved state (false under privacy "metadata"). */
  keepDraft: boolean;
}

// --- Webview -> host --------------------------------------------------------------------------

export type ChatRequests = {
  /** Sends a message; answers with the new turn's id, or an error (busy, too long, empty). */
  send: { params: { text: string; model: string }; result: { turnId: string } };
};

export type ChatToHost =
  | { type: 'ready' }
  | RequestMessage<ChatRequests>
  | { type: 'stop'; turnId: string }
  | { type: 'retry'; turnId: string }
  | { type: 'newChat' }
  | { type: 'openConversation'; conversationId: string }
  | { type: 'setModel'; model: string }
  | { type: 'setSticky'; sticky: boolean }
  | { type: 'reroute' }
  | { type: 'copy'; text: string }
  | { type: 'insert'; text: string }
  | { type: 'runAction'; action: Exclude<ChatAction, 'retry'> }
  /** The unsent draft, after a pause in typing: classified locally in advance, kept in memory only. */
  | { type: 'draft'; text: string }
  /** The fallback badge's "Get the classifier": the first-run download offer. */
  | { type: 'offerModel' }
  /** 👍/👎 on an answer: a signal line for its record; a later opposite one supersedes it. */
  | { type: 'signal'; turnId: string; signal: ThumbSignal }
  /** "Ask the next tier instead": the same prompt again on the next tier's model, linked to this answer. */
  | { type: 'askNextTier'; turnId: string };

const isChatAction = literal('retry', 'setApiKey', 'chooseRegion', 'openSettings', 'downloadModel', 'openStats');
const isHostAction = literal('setApiKey', 'chooseRegion', 'openSettings', 'downloadModel', 'openStats');

const chatRequestChecks: RequestChecks<ChatRequests> = {
  send: {
    params: shape({ text: boundedString(MAX_PROMPT_CHARS), model: ID }),
    result: shape({ turnId: ID }),
  },
};

const isChatRequest = requestGuard(chatRequestChecks);

export const isChatToHost: Check<ChatToHost> = unionGuard<ChatToHost>({
  ready: shape({ type: literal('ready') }),
  request: isChatRequest,
  stop: shape({ type: literal('stop'), turnId: ID }),
  retry: shape({ type: literal('retry'), turnId: ID }),
  newChat: shape({ type: literal('newChat') }),
  openConversation: shape({ type: literal('openConversation'), conversationId: ID }),
  setModel: shape({ type: literal('setModel'), model: ID }),
  setSticky: shape({ type: literal('setSticky'), sticky: isBoolean }),
  reroute: shape({ type: literal('reroute') }),
  copy: shape({ type: literal('copy'), text: boundedString(MAX_TEXT) }),
  insert: shape({ type: literal('insert'), text: boundedString(MAX_TEXT) }),
  runAction: shape({ type: literal('runAction'), action: isHostAction }),
  draft: shape({ type: literal('draft'), text: boundedString(MAX_PROMPT_CHARS) }),
  offerModel: shape({ type: literal('offerModel') }),
  signal: shape({ type: literal('signal'), turnId: ID, signal: literal('thumbs_up', 'thumbs_down') }),
  askNextTier: shape({ type: literal('askNextTier'), turnId: ID }),
});

// --- Host -> webview --------------------------------------------------------------------------

export type ChatToWebview =
  | { type: 'state'; state: ChatState }
  | ResponseMessage<ChatRequests>
  | { type: 'turnAdded'; conversationId: string; turn: ChatTurn }
  | { type: 'turnRouted'; conversationId: string; turnId: string; route: RouteBadge }
  | { type: 'turnDelta'; conversationId: string; turnId: string; answer: string; thinking: string }
  | { type: 'turnFinished'; conversationId: string; turn: ChatTurn }
  | { type: 'stickyRoute'; conversationId: string; route: RouteBadge | null }
  | { type: 'settings'; models: ModelOption[]; selectedModel: string; sticky: boolean; keepDraft: boolean }
  | { type: 'focusInput'; text: string | null };

export const isRouteBadge: Check<RouteBadge> = shape({
  method: isRoutingMethod,
  modelKey: isString,
  tier: nullable(isTier),
  taskType: nullable(isString),
  complexity: nullable(isFiniteNumber),
  routingMs: nullable(isFiniteNumber),
  fallbackReason: nullable(isString),
  fallbackMessage: nullable(isString),
  sticky: isBoolean,
  note: nullable(isString),
  pooled: optional(isString),
  thinking: optional(shape({ enabled: isBoolean, budget: nullable(isFiniteNumber), reason: isString })),
  scores: recordOf(isFiniteNumber),
});

export const isTurnError: Check<TurnError> = shape({ kind: isString, message: isString, actions: arrayOf(isChatAction) });

export const isTurnUsage: Check<TurnUsage> = shape({
  modelKey: isString,
  inputTokens: isFiniteNumber,
  outputTokens: isFiniteNumber,
  costUsd: nullable(isFiniteNumber),
  latencyMs: isFiniteNumber,
  ttftMs: nullable(isFiniteNumber),
  escalatedFrom: arrayOf(isString),
});

export const isChatTurn: Check<ChatTurn> = shape({
  id: isString,
  prompt: isString,
  requestedModel: isString,
  createdAt: isFiniteNumber,
  status: literal('routing', 'streaming', 'done', 'error', 'cancelled'),
  route: nullable(isRouteBadge),
  answer: isString,
  thinking: isString,
  error: nullable(isTurnError),
  usage: nullable(isTurnUsage),
  recordId: optional(isString),
  signal: optional(literal('thumbs_up', 'thumbs_down')),
  nextTierModel: optional(isString),
  reaskOf: optional(isString),
});

export const isConversation: Check<Conversation> = shape({
  id: isString,
  title: isString,
  createdAt: isFiniteNumber,
  updatedAt: isFiniteNumber,
  turns: arrayOf(isChatTurn),
  stickyRoute: nullable(isRouteBadge),
});

const isConversationSummary: Check<ConversationSummary> = shape({ id: isString, title: isString, updatedAt: isFiniteNumber, turns: isFiniteNumber });
const isModelOption: Check<ModelOption> = shape({ key: isString, label: isString, tier: nullable(isTier) });

export const isChatState: Check<ChatState> = shape({
  strings: stringsGuard(CHAT_STRINGS),
  models: arrayOf(isModelOption),
  selectedModel: isString,
  sticky: isBoolean,
  conversation: isConversation,
  conversations: arrayOf(isConversationSummary),
  busyTurnId: nullable(isString),
  keepDraft: isBoolean,
});

export const isChatToWebview: Check<ChatToWebview> = unionGuard<ChatToWebview>({
  state: shape({ type: literal('state'), state: isChatState }),
  response: responseGuard(chatRequestChecks),
  turnAdded: shape({ type: literal('turnAdded'), conversationId: isString, turn: isChatTurn }),
  turnRouted: shape({ type: literal('turnRouted'), conversationId: isString, turnId: isString, route: isRouteBadge }),
  turnDelta: shape({ type: literal('turnDelta'), conversationId: isString, turnId: isString, answer: isString, thinking: isString }),
  turnFinished: shape({ type: literal('turnFinished'), conversationId: isString, turn: isChatTurn }),
  stickyRoute: shape({ type: literal('stickyRoute'), conversationId: isString, route: nullable(isRouteBadge) }),
  settings: shape({ type: literal('settings'), models: arrayOf(isModelOption), selectedModel: isString, sticky: isBoolean, keepDraft: isBoolean }),
  focusInput: shape({ type: literal('focusInput'), text: nullable(isString) }),
});
