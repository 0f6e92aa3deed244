/**
 * One question, start to finish: route, tell the caller the decision, call the model, and append
 * exactly one record to the history, whatever happened (failed and cancelled calls included,
 * partial answers kept). The extension and the CLI both call this.
 */
import { randomUUID } from 'node:crypto';
import type { ClassifyFn } from './classifier/result';
import type { RouterConfig } from './config';
import type { HistoryStore } from './history/store';
import type { CallRecord, LlmLayer, RecordError, RoutingLayer, Surface } from './history/record';
import { SCHEMA_VERSION } from './history/record';
import type { BudgetGate } from './budget/budget';
import { chat, type ChatOutcome, type ChatTarget, type ToolCall } from './llm/client';
import type { ChatFailure } from './llm/errors';
import { checkToolCalls } from './llm/toolCalls';
import { costFacts } from './models/costFacts';
import { estimateCost } from './models/pricing';
import { resolveBaseUrl, type ModelSpec } from './models/table';
import { pyRound } from './pyround';
import { TIERS } from './routing/policy';
import { route, UnknownModelError, type RouteRequest, type RoutingDecision } from './routing/route';
import { decideThinking, thinkingField, type ThinkingDecision } from './routing/thinking';
import { countTokens, estimateTokens, type ChatMessage } from './routing/tokens';

export interface AskRequest {
  /** The conversation; the last message is the one routed (the old service's "query"). */
  messages: ChatMessage[];
  /** The route this conversation keeps (sticky routing, a tool result continuing its turn): recorded as "kept_route", not as the user's choice. */
  keepRoute?: RouteRequest['keep'];
  /** The route the conversation is on: a new turn moves only to a higher tier (see RouteRequest.conversation). */
  conversation?: RouteRequest['conversation'];
  /** The user's own words to classify and record as the query, when the last message is not them (default: its content). */
  routeQuery?: string;
  /** A model key to use instead of routing, for this message. */
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Thinking on or off for this call, whatever the thinking setting decides (an endpoint client's enable_thinking). */
  enableThinking?: boolean;
  /** Overrides the config's stream for this call. */
  stream?: boolean;
  /** OpenAI's `tools` / `tool_choice`, passed to the provider as they are. */
  tools?: readonly unknown[];
  toolChoice?: unknown;
  signal?: AbortSignal;
  /** The record id of the answer this call re-asks on the next tier; recorded as `escalated_from_record`. */
  escalatedFromRecord?: string;
  /** The surface asking (palette, sidebar, participant, provider, endpoint, cli); recorded as `surface`. */
  surface?: Surface;
}

export interface RoutedEvent {
  decision: RoutingDecision;
  /** Where the call goes. */
  target: { key: string; model: string; baseUrl: string };
}

export interface AskEvents {
  /** Routing is done: show the decision before the first token. */
  onRouting?(event: RoutedEvent): void;
  /** A retry (same model) or an escalation (`escalated`: the next tier's model) is about to start. */
  onRetry?(info: { model: string; attempt: number; waitedMs: number; reason: ChatFailure; escalated: boolean }): void;
  onThinking?(delta: string): void;
  onAnswer?(delta: string): void;
  onDone?(result: AskResult): void;
}

export interface AskDeps {
  config: RouterConfig;
  /** The classifier seam: undefined routes by token length with fallback_reason "model_missing". */
  classify?: ClassifyFn;
  /** Where the record goes; undefined writes nothing (a dry run). */
  store?: HistoryStore;
  /** The API key for a model (by its apiKeyId, default "dashscope"); undefined or "" when none is set. */
  getApiKey(apiKeyId: string, target: { key: string; spec: ModelSpec; baseUrl: string }): string | undefined | Promise<string | undefined>;
  /** Appended to the "no API key" message, e.g. how to set one in this front end. */
  missingKeyHint?: string;
  /** Wall clock in ms since the epoch (for the record's timestamp). */
  wallClock?: () => number;
  /** Monotonic clock in ms (for durations). */
  now?: () => number;
  newId?: () => string;
  /** The budget check, run after routing and before anything is sent (core/budget/budget.ts). */
  budget?: BudgetGate;
  /** Options forwarded to chat (tests speed up sleeps). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface AskResult {
  status: 'ok' | 'error' | 'cancelled';
  answer: string;
  reasoning: string;
  /** The tool calls the model asked for, if any. */
  toolCalls?: ToolCall[];
  /** How long the provider asked to wait before trying again (a rate limit's Retry-After), when it said. */
  retryAfterMs?: number;
  /** Undefined when routing itself failed (an unknown model name). */
  decision?: RoutingDecision;
  /** The record as it was built (before any privacy redaction by the store). */
  record: CallRecord;
  error?: RecordError;
  /** Set when the record could not be written; the call itself is unaffected. */
  historyError?: string;
}

function providerOf(spec: ModelSpec, baseUrl: string): string {
  if (spec.provider) return spec.provider;
  if (/dashscope/i.test(baseUrl)) return 'dashscope';
  try {
    return new URL(baseUrl).hostname;
  } catch {
    return 'unknown';
  }
}

export async function ask(request: AskRequest, deps: AskDeps, events: AskEvents = {}): Promise<AskResult> {
  const { config } = deps;
  const now = deps.now ?? (() => performance.now());
  const wallClock = deps.wallClock ?? Date.now;
  const stream = request.stream ?? config.stream;
  const messages = request.messages;
  const query = request.routeQuery ?? (messages.length ? messages[messages.length - 1].content : '');

  let thinking: ThinkingDecision = { reason: '' };
  const requestLayer = (): CallRecord['request'] => ({
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    temperature: request.temperature ?? null,
    max_tokens: request.maxTokens ?? null,
    user_specified_model: request.model ?? null,
    ...(thinking.enabled !== undefined ? { enable_thinking: thinking.enabled } : {}),
    stream,
  });
  const base = (routing: RoutingLayer | null, llm: LlmLayer): CallRecord => ({
    schema_version: SCHEMA_VERSION,
    id: (deps.newId ?? randomUUID)(),
    timestamp: wallClock() / 1000,
    request: requestLayer(),
    routing,
    llm,
    error: null,
    cancelled: false,
    attempts: 0,
    ...(request.escalatedFromRecord ? { escalated_from_record: request.escalatedFromRecord } : {}),
    ...(request.surface ? { surface: request.surface } : {}),
  });
  const emptyLlm = (key: string, spec: ModelSpec | undefined, baseUrl: string | undefined): LlmLayer => ({
    model: key,
    provider: spec ? providerOf(spec, baseUrl ?? '') : 'unknown',
    response_id: null,
    response_content: null,
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    cost_usd: 0,
    llm_latency_ms: 0,
    ...(spec ? { provider_model: spec.model } : {}),
    ...(baseUrl ? { base_url: baseUrl } : {}),
    ttft_ms: null,
    usage_source: 'none',
  });

  // 1. Route.
  let decision: RoutingDecision;
  try {
    decision = await route({ messages, query: request.routeQuery, override: request.model, keep: request.keepRoute, conversation: request.conversation, signal: request.signal }, { policy: config.policy, models: config.models, classify: deps.classify, now });
  } catch (error) {
    const message = error instanceof UnknownModelError ? error.message : `Routing failed: ${error instanceof Error ? error.message : String(error)}`;
    const record = base({ method: 'user_specified', query }, emptyLlm(request.model ?? 'unknown', undefined, undefined));
    record.error = { kind: error instanceof UnknownModelError ? 'unknown_model' : 'internal', message };
    return done(deps, events, { status: 'error', answer: '', reasoning: '', record, error: record.error });
  }

  // Thinking for the decided model: the caller's explicit switch wins over the setting (on models that
  // take it, as chat() sends it); the record's routing.thinking says what was sent.
  const settleThinking = (d: RoutingDecision, again: boolean): RoutingDecision => {
    let t = again ? decideThinking(config.policy.thinking ?? 'model-default', config.models[d.modelKey], d.classifier) : d.thinking;
    if (request.enableThinking !== undefined) t = config.models[d.modelKey]?.supportsThinking === false ? { reason: 'the model does not support thinking' } : { enabled: request.enableThinking, reason: 'asked for this call' };
    thinking = t;
    return { ...d, thinking: t, routing: d.routing.thinking ? { ...d.routing, thinking: thinkingField(t) } : d.routing };
  };
  decision = settleThinking(decision, false);

  // 1b. Budget: refused calls are recorded (error kind "budget_exceeded") and send nothing.
  const gate = deps.budget ? await deps.budget({ decision, messages, maxTokens: request.maxTokens, thinking: thinking.enabled }) : undefined;
  if (gate?.action === 'refuse') {
    const record = base(decision.routing, emptyLlm(decision.modelKey, config.models[decision.modelKey], undefined));
    record.error = { kind: 'budget_exceeded', message: gate.message };
    return done(deps, events, { status: 'error', answer: '', reasoning: '', decision, record, error: record.error });
  }
  // Another model: thinking is decided again for it.
  if (gate?.action === 'switch') decision = settleThinking(gate.decision, true);

  // 2. Targets: the chosen model, then (escalation) the higher tiers' models.
  const targetFor = (key: string): Omit<ChatTarget, 'apiKey'> => {
    const spec = config.models[key];
    return { key, spec, baseUrl: resolveBaseUrl(spec, config) };
  };
  const chosen = targetFor(decision.modelKey);
  events.onRouting?.({ decision, target: { key: chosen.key, model: chosen.spec.model, baseUrl: chosen.baseUrl } });

  const candidates = [chosen];
  if (config.escalate && gate?.action !== 'switch' && decision.method !== 'user_specified' && decision.tier) {
    for (const tier of TIERS.slice(TIERS.indexOf(decision.tier) + 1)) {
      const key = config.policy.tierModels[tier];
      if (config.models[key] && !candidates.some((c) => c.key === key)) candidates.push(targetFor(key));
    }
  }
  const targets: ChatTarget[] = [];
  for (const candidate of candidates) {
    const keyId = candidate.spec.apiKeyId ?? 'dashscope';
    const apiKey = keyId === '' ? '' : ((await deps.getApiKey(keyId, candidate)) ?? '');
    if (keyId !== '' && !apiKey) {
      if (targets.length === 0 && candidate === chosen) {
        const record = base(decision.routing, emptyLlm(chosen.key, chosen.spec, chosen.baseUrl));
        record.error = { kind: 'no_api_key', message: `No API key for ${chosen.key} (key "${keyId}").${deps.missingKeyHint ? ` ${deps.missingKeyHint}` : ''}` };
        return done(deps, events, { status: 'error', answer: '', reasoning: '', decision, record, error: record.error });
      }
      continue; // an escalation target without a key is skipped
    }
    targets.push({ ...candidate, apiKey });
  }

  // 3. Call.
  const outcome = await chat(targets, {
    messages,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    enableThinking: thinking.enabled,
    thinkingBudget: thinking.budget,
    stream,
    tools: request.tools,
    toolChoice: request.toolChoice,
    signal: request.signal,
    retry: config.retry,
    timeouts: config.timeouts,
    sleep: deps.sleep,
    now,
    onAttempt: (info) => {
      if (info.attempt > 1 && info.reason) events.onRetry?.({ model: info.model, attempt: info.attempt, waitedMs: info.waitedMs, reason: info.reason, escalated: info.escalated });
    },
    onThinking: events.onThinking,
    onAnswer: events.onAnswer,
  });

  // 3b. Tool calls no tool could take (arguments cut off or not JSON) fail the answer, clearly.
  if (outcome.status === 'ok' && outcome.toolCalls?.length) {
    const checked = checkToolCalls(outcome.toolCalls, () => 'unchecked');
    if (!checked.ok) Object.assign(outcome, { status: 'error', error: { kind: 'protocol', message: checked.message, retryable: false, escalatable: false } });
  }

  // 4. Record.
  const record = base(decision.routing, llmLayer(outcome, messages));
  record.attempts = outcome.attempts.length;
  record.attempt_log = outcome.attempts;
  if (outcome.escalatedFrom.length) record.escalated_from = outcome.escalatedFrom;
  if (outcome.status === 'cancelled') record.cancelled = true;
  if (outcome.status === 'error' && outcome.error) {
    const e = outcome.error;
    record.error = { kind: e.kind, message: e.message, ...(e.status !== undefined ? { status: e.status } : {}), ...(e.code ? { code: e.code } : {}), ...(e.requestId ? { request_id: e.requestId } : {}) };
  }
  const extra = { ...(outcome.toolCalls ? { toolCalls: outcome.toolCalls } : {}), ...(outcome.error?.retryAfterMs !== undefined ? { retryAfterMs: outcome.error.retryAfterMs } : {}) };
  return done(deps, events, { status: outcome.status, answer: outcome.answer, reasoning: outcome.reasoning, ...extra, decision, record, error: record.error ?? undefined });
}

function llmLayer(outcome: ChatOutcome, messages: readonly ChatMessage[]): LlmLayer {
  const { target } = outcome;
  let input = 0;
  let output = 0;
  let source: LlmLayer['usage_source'] = 'none';
  if (outcome.usage) {
    input = outcome.usage.input;
    output = outcome.usage.output;
    source = 'provider';
  } else if (outcome.answer || outcome.reasoning) {
    // A stream that broke (or was cancelled) before its usage chunk: count what we saw, flagged as an estimate.
    input = estimateTokens(messages);
    output = countTokens(outcome.answer) + countTokens(outcome.reasoning);
    source = 'estimate';
  }
  const usage = outcome.usage;
  const cost = source === 'none' ? undefined : estimateCost(target.spec, input, output, { thinking: outcome.thinking, baseUrl: target.baseUrl, reasoningTokens: usage?.reasoning, cachedTokens: usage?.cached, cacheCreationTokens: usage?.cacheCreation, explicitCache: usage?.cacheType === 'ephemeral' });
  return {
    model: target.key,
    provider: providerOf(target.spec, target.baseUrl),
    response_id: outcome.responseId ?? null,
    response_content: outcome.answer,
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    cost_usd: cost?.usd ?? 0,
    llm_latency_ms: pyRound(outcome.latencyMs, 2),
    provider_model: target.spec.model,
    base_url: target.baseUrl,
    ...(outcome.reasoning || outcome.thinking ? { reasoning_content: outcome.reasoning } : {}),
    ...(outcome.usage?.reasoning !== undefined ? { reasoning_tokens: outcome.usage.reasoning } : {}),
    ...(outcome.toolCalls?.length ? { tool_calls: outcome.toolCalls.length } : {}),
    ttft_ms: outcome.ttftMs === undefined ? null : pyRound(outcome.ttftMs, 2),
    usage_source: source,
    finish_reason: outcome.finishReason ?? null,
    price_as_of: cost?.asOf ?? target.spec.prices?.asOf ?? null,
    ...costFacts(usage, cost),
  };
}

async function done(deps: AskDeps, events: AskEvents, result: AskResult): Promise<AskResult> {
  if (deps.store) {
    try {
      await deps.store.append(result.record);
    } catch (error) {
      result.historyError = `Could not write the call history (${deps.store.path}): ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  events.onDone?.(result);
  return result;
}
