/**
 * One line of call_history.jsonl. The first four keys and every field inside `request`, `routing`
 * and `llm` that the old service ("LLM Router MVP" 0.3.0) wrote keep its names and meanings, so
 * its files and ours are read by the same code. Everything else is ours and marked as such.
 */
import type { ClassifierResult, FallbackReason } from '../classifier/result';
import type { ErrorKind } from '../llm/errors';
import type { Tier } from '../routing/policy';

/** Version of our record layout. Records without it were written by the old service. */
export const SCHEMA_VERSION = 1;

/** "kept_route" (ours): a conversation kept the route decided for an earlier message. */
export type RoutingMethod = 'nvidia_classifier' | 'fallback_token_length' | 'user_specified' | 'kept_route';
export type PrivacyMode = 'full' | 'metadata';
/** Ours: how a conversation's route carried over to a call (see RoutingLayer.continuity). */
export type Continuity = 'tool_continuation' | 'kept' | 'rerouted';
/** Ours: where a call came from. Every surface goes through the same ask(); this only labels the record. */
export type Surface = 'palette' | 'sidebar' | 'participant' | 'provider' | 'endpoint' | 'cli';
export const SURFACES: readonly Surface[] = ['palette', 'sidebar', 'participant', 'provider', 'endpoint', 'cli'];

export interface RecordMessage {
  role: string;
  /** null when the record was written (or exported) without text. */
  content: string | null;
  /** Ours: the content's length in UTF-16 code units, kept when the text is left out. */
  chars?: number;
}

export interface RequestLayer {
  messages: RecordMessage[];
  temperature: number | null;
  max_tokens: number | null;
  user_specified_model: string | null;
  /** Ours. */
  enable_thinking?: boolean;
  stream?: boolean;
}

/** The old service's routing detail plus all eleven classifier fields and our fallback facts. */
export interface RoutingLayer extends Partial<ClassifierResult> {
  method: RoutingMethod;
  /** The last message's content, as the old service took it; null without text. */
  query: string | null;
  routing_latency_ms?: number;
  tier?: Tier;
  /** = prompt_complexity_score */
  complexity_score?: number;
  /** = task_type_1 */
  task_type?: string;
  /** = creativity_scope */
  creativity?: number;
  // (domain_knowledge and reasoning share their names with the classifier's fields.)
  /** Ours: why the classifier was not used (fallback_token_length only). */
  fallback_reason?: FallbackReason;
  /** The classifier's failure message (the old service wrote str(e) here too). */
  error?: string;
  /** Ours: the old service's estimate_tokens of the messages (fallback_token_length only). */
  estimated_tokens?: number;
  /** Ours: the task rule that moved the tier, if any. */
  rule?: string;
  /** Ours: why the model differs from the tier's (context window), if it does. */
  adjusted?: string;
  /**
   * Ours (language-model provider): how a conversation's route carried over. "tool_continuation": a
   * tool result continued its turn on the turn's model, nothing classified; "kept": a new turn stayed
   * on the conversation's model (its tier was not higher); "rerouted": a new turn moved it up.
   */
  continuity?: Continuity;
  /** Ours: the why of `continuity`, in words. */
  continuity_reason?: string;
  /** Ours: the conversation's model before this turn ("kept" and "rerouted"). */
  previous_model?: string;
  /** Ours: the tier the classifier (or the fallback) gave a turn that stayed on a lower-or-equal conversation's model. */
  classified_tier?: Tier;
  /** Ours: why the model is not the tier's configured one (the model pool kept Auto off it), if so. */
  pooled?: string;
  /** Ours: whether the call was sent with thinking, its thinking_budget and why (absent under thinking "model-default"; enabled null: nothing sent). */
  thinking?: { enabled: boolean | null; budget?: number; reason: string };
  /** Ours: the verdict came from the in-memory cache of recent ones (the draft was classified while typed); absent otherwise. */
  cached?: boolean;
  /** Records read from disk may carry fields of other versions. */
  [extra: string]: unknown;
}

export interface LlmLayer {
  /** The model key (qwen-flash, ...), as the old service wrote it. */
  model: string;
  provider: string;
  response_id: string | null;
  /** The answer; partial when the call failed or was cancelled after the first token; null without text. */
  response_content: string | null;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  /** Estimated from the dated price table; 0 when the model has no prices or nothing was used. */
  cost_usd: number;
  llm_latency_ms: number;
  /** Ours. */
  provider_model?: string;
  base_url?: string;
  /** Thinking text, kept apart from the answer; null without text. */
  reasoning_content?: string | null;
  reasoning_tokens?: number;
  /** Time from the start of the call to the first streamed token (thinking or answer), null if none came. */
  ttft_ms?: number | null;
  /** Where the token counts come from: the provider's usage, our estimate (a broken stream), or nothing. */
  usage_source?: 'provider' | 'estimate' | 'none';
  finish_reason?: string | null;
  price_as_of?: string | null;
  /** Ours: input tokens served from the context cache (`prompt_tokens_details.cached_tokens`), when reported. */
  cached_tokens?: number;
  /** Ours: input tokens written to an explicit cache entry, when reported. */
  cache_creation_tokens?: number;
  /** Ours: "ephemeral" for an explicit cache hit. */
  cache_type?: string;
  /**
   * Ours: the currency of the estimate when it is not USD (China-region prices are in CNY). Such a
   * record has `cost_usd: 0` and its estimate in `cost`; USD and CNY are never added up.
   */
  cost_currency?: 'USD' | 'CNY';
  /** Ours: the estimate in `cost_currency` (written when that is not USD). */
  cost?: number;
  /** Ours: what the context cache saved against full input prices, in the estimate's currency. */
  cache_saved?: number;
  /** Ours: how many tool calls the model asked for in this answer; absent when none. */
  tool_calls?: number;
}

export interface RecordError {
  kind: ErrorKind;
  message: string;
  status?: number;
  code?: string;
  request_id?: string;
}

export interface AttemptInfo {
  model: string;
  /** "ok", "cancelled", or the error kind. */
  outcome: string;
  status?: number;
  /** How long we waited before this attempt. */
  waited_ms: number;
  elapsed_ms: number;
}

export interface CallRecord {
  /** Ours. Absent on the old service's records. */
  schema_version?: number;
  /** Ours: a unique id, so imports and exports can recognise the record. */
  id?: string;
  /** Seconds since the epoch, as Python's time.time(). */
  timestamp: number;
  request: RequestLayer;
  routing: RoutingLayer | null;
  llm: LlmLayer;
  /** Ours: null on success. */
  error?: RecordError | null;
  cancelled?: boolean;
  /** Ours: HTTP requests made for this call, retries and escalations included. */
  attempts?: number;
  attempt_log?: AttemptInfo[];
  /** Ours: model keys tried before the one in `llm.model`. */
  escalated_from?: string[];
  /** Ours: the id of the record this call re-asked on the next tier ("Ask the next tier instead"). */
  escalated_from_record?: string;
  privacy?: PrivacyMode;
  /** Ours: the surface the call came from; absent on the old service's records and on ours before it was kept. */
  surface?: Surface;
}

/**
 * Whether a record counts as a successful call in the old service's /stats sense. The old service
 * wrote successful calls only, so its records (no error, no cancelled flag) all count.
 */
export function isSuccessful(record: Pick<CallRecord, 'error' | 'cancelled'>): boolean {
  return !record.error && record.cancelled !== true;
}

/**
 * A key that recognises the same call in two files: our id, or for the old service's records the
 * time stamp with the response id, model and token counts. Text is not part of it, so a record
 * with its text left out is still the same call.
 */
export function identityKey(record: Partial<CallRecord>): string {
  if (typeof record.id === 'string' && record.id) return `id:${record.id}`;
  const llm = (record.llm ?? {}) as Partial<LlmLayer>;
  return `legacy:${JSON.stringify(record.timestamp ?? null)}|${JSON.stringify(llm.response_id ?? null)}|${JSON.stringify(llm.model ?? null)}|${llm.input_tokens ?? ''}|${llm.output_tokens ?? ''}`;
}

/**
 * The record without prompt or answer text (privacy mode "metadata" and text-less export): message
 * contents, the query, the answer and the thinking text become null; lengths and everything else stay.
 * Returns a new object; unknown fields are kept.
 */
export function withoutText<T extends Partial<CallRecord>>(record: T): T {
  const copy: T = { ...record };
  if (record.request && typeof record.request === 'object') {
    const messages = Array.isArray(record.request.messages)
      ? record.request.messages.map((m) => ({ role: m?.role, content: null, chars: typeof m?.content === 'string' ? m.content.length : m?.chars }))
      : record.request.messages;
    copy.request = { ...record.request, messages } as RequestLayer;
  }
  if (record.routing && typeof record.routing === 'object') copy.routing = { ...record.routing, query: null };
  if (record.llm && typeof record.llm === 'object') {
    const llm: LlmLayer = { ...record.llm, response_content: null };
    if ('reasoning_content' in record.llm) llm.reasoning_content = null;
    copy.llm = llm;
  }
  copy.privacy = 'metadata';
  return copy;
}
