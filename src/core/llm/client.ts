/**
 * A chat call over the `openai` SDK against any OpenAI-compatible endpoint (DashScope by default):
 * streaming with usage, or not; cancellation that aborts the HTTP request; the SDK's own retries
 * off (maxRetries 0) and one loop of ours that retries 429, 5xx and broken connections before the
 * first token, honouring Retry-After within a capped total wait, and optionally escalates to the
 * next tier's model. After the first token nothing is retried: the partial answer is kept.
 * Only text (answer, thinking, tool calls) is progress: keep-alives and empty chunks do not hold off
 * a time-out. The whole call shares one deadline for its first token (Timeouts.callFirstTokenMs).
 * `chat` never throws; every outcome comes back as a value.
 */
import OpenAI from 'openai';
import type { ModelSpec } from '../models/table';
import type { AttemptInfo } from '../history/record';
import type { ChatMessage } from '../routing/tokens';
import { ChatError, describeError, hostOf, isConnectionFailure, protocolFailure, secs, TIMEOUT_ADVICE, type ChatFailure } from './errors';
import { usageFromProvider, type ChatUsage } from './usage';

export interface ChatTarget {
  /** The model key in the table. */
  key: string;
  spec: ModelSpec;
  baseUrl: string;
  /** Empty for endpoints that need no key. */
  apiKey: string;
}

export interface RetryPolicy {
  /** Attempts per model, the first included. */
  maxAttempts: number;
  /** Cap on the time spent waiting between attempts, over the whole call. */
  maxTotalWaitMs: number;
  /** Back-off when the server gives no Retry-After: base * 2^(n-1), at most maxDelayMs, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface Timeouts {
  /** The SDK's timeout: until the response headers arrive. */
  requestMs: number;
  /** One attempt, from sending the request to the first token (thinking or answer). */
  firstTokenMs: number;
  /** Longest time without new text once the answer has started (keep-alives and empty chunks do not count). */
  idleMs: number;
  /**
   * The whole call until its first token: every attempt, retry wait and escalation shares this one
   * deadline, so a dead endpoint costs the user this long at most, never one full wait per tier.
   */
  callFirstTokenMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, maxTotalWaitMs: 20_000, baseDelayMs: 500, maxDelayMs: 8_000 };
export const DEFAULT_TIMEOUTS: Timeouts = { requestMs: 60_000, firstTokenMs: 90_000, idleMs: 60_000, callFirstTokenMs: 120_000 };

export interface ChatCallbacks {
  /** Before each HTTP attempt (the first included). */
  onAttempt?(info: { model: string; attempt: number; waitedMs: number; reason?: ChatFailure; escalated: boolean }): void;
  onThinking?(delta: string): void;
  onAnswer?(delta: string): void;
}

export interface ChatOptions extends ChatCallbacks {
  messages: readonly ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Passed as DashScope's top-level `enable_thinking` when set (and the model accepts it). */
  enableThinking?: boolean;
  /** DashScope's `thinking_budget` (tokens), sent with enable_thinking: true only. */
  thinkingBudget?: number;
  /** Default true. */
  stream?: boolean;
  /** OpenAI's `tools` and `tool_choice`, sent as they are; the calls come back in ChatOutcome.toolCalls. */
  tools?: readonly unknown[];
  toolChoice?: unknown;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  timeouts?: Partial<Timeouts>;
  /** Sleep used between attempts (tests may speed it up); resolves early when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export type { ChatUsage };

/** A tool call the model asked for, assembled from the stream's deltas (OpenAI's shape). */
export interface ToolCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

export interface ChatOutcome {
  status: 'ok' | 'error' | 'cancelled';
  /** The target that answered, or the last one tried. */
  target: ChatTarget;
  answer: string;
  reasoning: string;
  /** The tool calls the model asked for, if any (finish_reason "tool_calls"). */
  toolCalls?: ToolCall[];
  usage?: ChatUsage;
  responseId?: string;
  finishReason?: string;
  error?: ChatFailure;
  /** True when the failure came after the first token (nothing was retried; the answer is partial). */
  afterFirstToken: boolean;
  attempts: AttemptInfo[];
  escalatedFrom: string[];
  latencyMs: number;
  /** From the start of the call (retries included) to the first token; undefined if none came or not streaming. */
  ttftMs?: number;
  /** Whether enable_thinking was sent as true. */
  thinking: boolean;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** One HTTP attempt: the outcome's fields that a single request decides, and when its first token came. */
interface AttemptResult extends Pick<ChatOutcome, 'status' | 'answer' | 'reasoning' | 'toolCalls' | 'usage' | 'responseId' | 'finishReason' | 'error'> {
  firstTokenAt?: number;
}

type AbortCause = 'user' | 'first_token_timeout' | 'call_deadline' | 'idle_timeout';

/**
 * Calls the first target, then (when the failure allows it, before any token) the next ones in
 * order: pass [chosen] for no escalation, [chosen, nextTier, ...] to escalate.
 */
export async function chat(targets: readonly ChatTarget[], options: ChatOptions): Promise<ChatOutcome> {
  if (targets.length === 0) throw new Error('chat: no target');
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? abortableSleep;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  retry.maxAttempts = Math.max(1, Math.floor(retry.maxAttempts));
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const started = now();
  const deadline = started + timeouts.callFirstTokenMs;
  // Hosts that timed out: another model there would most likely mean the same wait again.
  const timedOutHosts = new Set<string>();
  const attempts: AttemptInfo[] = [];
  const escalatedFrom: string[] = [];
  let waitedTotal = 0;
  let last: { target: ChatTarget; result: AttemptResult } | undefined;
  let previousFailure: ChatFailure | undefined;

  const finish = (target: ChatTarget, result: AttemptResult, afterFirstToken: boolean): ChatOutcome => ({
    status: result.status,
    target,
    answer: result.answer,
    reasoning: result.reasoning,
    ...(result.toolCalls?.length ? { toolCalls: result.toolCalls } : {}),
    usage: result.usage,
    responseId: result.responseId,
    finishReason: result.finishReason,
    error: result.error,
    afterFirstToken,
    attempts,
    escalatedFrom,
    latencyMs: now() - started,
    ttftMs: result.firstTokenAt === undefined ? undefined : result.firstTokenAt - started,
    thinking: wantsThinking(target, options),
  });

  for (let t = 0; t < targets.length; t++) {
    const target = targets[t];
    let reason: ChatFailure | undefined;
    for (let n = 1; n <= retry.maxAttempts; n++) {
      let waited = 0;
      if (reason) {
        const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (n - 2)) * (0.8 + Math.random() * 0.4);
        const delay = Math.round(reason.retryAfterMs ?? backoff);
        const beyondBudget = waitedTotal + delay > retry.maxTotalWaitMs;
        if (beyondBudget || now() + delay >= deadline) {
          const asked = reason.retryAfterMs !== undefined ? `the server asked to wait ${Math.ceil(delay / 1000)} s` : `another try would need ${Math.ceil(delay / 1000)} s more`;
          const limit = beyondBudget ? `the ${Math.round(retry.maxTotalWaitMs / 1000)} s wait budget` : `the call's limit of ${secs(timeouts.callFirstTokenMs)} for a first answer`;
          last!.result.error = { ...reason, message: `${reason.message} Gave up after ${attempts.length} attempt${attempts.length === 1 ? '' : 's'}: ${asked}, beyond ${limit}.` };
          break;
        }
        await sleep(delay, options.signal);
        waited = delay;
        waitedTotal += delay;
      }
      if (options.signal?.aborted) {
        const result: AttemptResult = { status: 'cancelled', answer: '', reasoning: '' };
        attempts.push({ model: target.key, outcome: 'cancelled', waited_ms: waited, elapsed_ms: 0 });
        return finish(target, result, false);
      }
      options.onAttempt?.({ model: target.key, attempt: attempts.length + 1, waitedMs: waited, reason: reason ?? previousFailure, escalated: t > 0 && n === 1 });
      const attemptStart = now();
      const result = await attemptOnce(target, options, now, timeouts, deadline - attemptStart);
      attempts.push({
        model: target.key,
        outcome: result.status === 'error' ? result.error!.kind : result.status,
        ...(result.error?.status !== undefined ? { status: result.error.status } : {}),
        waited_ms: waited,
        elapsed_ms: Math.round(now() - attemptStart),
      });
      last = { target, result };
      const afterFirstToken = result.firstTokenAt !== undefined;
      if (result.status !== 'error' || afterFirstToken) return finish(target, result, afterFirstToken);
      reason = result.error!;
      if (!reason.retryable) break;
    }
    const failure = last!.result.error!;
    previousFailure = failure;
    if (failure.kind === 'timeout') timedOutHosts.add(hostOf(target.baseUrl));
    const rest = targets.slice(t + 1);
    const next = rest.findIndex((candidate) => !timedOutHosts.has(hostOf(candidate.baseUrl)));
    const skipped = (next < 0 ? rest : rest.slice(0, next)).map((candidate) => candidate.key);
    if (failure.escalatable && skipped.length) {
      failure.message += ` Did not try ${skipped.join(', ')}: they are on the same host, so the wait would most likely repeat.`;
    }
    if (next < 0 || !failure.escalatable || now() >= deadline) break;
    escalatedFrom.push(target.key);
    t += next; // the loop's t++ lands on the next target worth trying
  }
  return finish(last!.target, last!.result, false);
}

function wantsThinking(target: ChatTarget, options: ChatOptions): boolean {
  return options.enableThinking === true && target.spec.supportsThinking !== false;
}

async function attemptOnce(target: ChatTarget, options: ChatOptions, now: () => number, timeouts: Timeouts, callRemainingMs: number): Promise<AttemptResult> {
  const controller = new AbortController();
  let cause: AbortCause | undefined;
  const abort = (why: AbortCause) => {
    if (!cause) cause = why;
    controller.abort();
  };
  const onUserAbort = () => abort('user');
  if (options.signal?.aborted) cause = 'user';
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  // Until the first token, whichever ends first: this attempt's wait or the call's deadline.
  const firstTokenWaitMs = Math.max(0, Math.min(timeouts.firstTokenMs, callRemainingMs));
  const firstTokenCause: AbortCause = firstTokenWaitMs < timeouts.firstTokenMs ? 'call_deadline' : 'first_token_timeout';
  let timer: NodeJS.Timeout | undefined = setTimeout(() => abort(firstTokenCause), firstTokenWaitMs);
  // Called on progress only (new text), so keep-alives and empty chunks cannot keep a dead stream open.
  const armIdle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => abort('idle_timeout'), timeouts.idleMs);
  };
  let headersArrived = false;
  // The SDK logs a data line it cannot parse with console.error; keep the line for our message instead.
  let malformedLine: string | undefined;
  const quiet = () => undefined;
  const logger = {
    error: (message: unknown, data?: unknown) => {
      if (malformedLine === undefined && typeof data === 'string' && /not? parse/i.test(String(message))) malformedLine = data;
    },
    warn: quiet,
    info: quiet,
    debug: quiet,
  };

  // The error body, to keep DashScope's request_id (the SDK keeps only body.error).
  let errorBody: unknown;
  const fetchKeepingErrors = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await globalThis.fetch(input, init);
    if (!response.ok) {
      try {
        errorBody = JSON.parse(await response.clone().text());
      } catch {
        // not JSON: the SDK will report the text itself
      }
    }
    return response;
  };

  const client = new OpenAI({
    apiKey: target.apiKey || 'no-key',
    baseURL: target.baseUrl,
    maxRetries: 0, // our loop retries; the SDK's default 2 would multiply it
    timeout: timeouts.requestMs,
    fetch: fetchKeepingErrors,
    logger,
    logLevel: 'error',
  });
  const stream = options.stream !== false;
  const thinking = wantsThinking(target, options);
  const body: Record<string, unknown> = {
    model: target.spec.model,
    messages: options.messages.map((m) => ({
      role: m.role,
      content: m.contentParts ?? m.content,
      ...(m.tool_calls ? { tool_calls: m.tool_calls } : {}),
      ...(m.tool_call_id !== undefined ? { tool_call_id: m.tool_call_id } : {}),
      ...(m.name !== undefined ? { name: m.name } : {}),
    })),
    stream,
    ...(options.tools?.length ? { tools: options.tools } : {}),
    ...(options.toolChoice !== undefined ? { tool_choice: options.toolChoice } : {}),
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
    ...(options.enableThinking !== undefined && target.spec.supportsThinking !== false ? { enable_thinking: thinking } : {}),
    ...(thinking && options.thinkingBudget !== undefined ? { thinking_budget: options.thinkingBudget } : {}),
  };

  const result: AttemptResult = { status: 'ok', answer: '', reasoning: '' };
  const noteToken = () => {
    if (result.firstTokenAt === undefined) result.firstTokenAt = now();
    armIdle();
  };
  const context = { model: target.spec.model, baseUrl: target.baseUrl, timeoutMs: timeouts.requestMs };
  try {
    if (stream) {
      const chunks = (await client.chat.completions.create(body as never, { signal: controller.signal })) as unknown as AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
      headersArrived = true;
      let sawUsage = false;
      for await (const chunk of chunks) {
        if (chunk.id && !result.responseId) result.responseId = chunk.id;
        if (chunk.usage) {
          sawUsage = true;
          result.usage = usageFromProvider(chunk.usage);
        }
        for (const choice of chunk.choices ?? []) {
          const delta = choice.delta as { content?: string | null; reasoning_content?: string | null; tool_calls?: ToolCallDelta[] | null } | undefined;
          if (delta?.tool_calls?.length) {
            noteToken();
            result.toolCalls = mergeToolCallDeltas(result.toolCalls ?? [], delta.tool_calls);
          }
          if (delta?.reasoning_content) {
            noteToken();
            result.reasoning += delta.reasoning_content;
            options.onThinking?.(delta.reasoning_content);
          }
          if (delta?.content) {
            noteToken();
            result.answer += delta.content;
            options.onAnswer?.(delta.content);
          }
          if (choice.finish_reason) result.finishReason = choice.finish_reason;
        }
      }
      // The SDK ends the iteration quietly when the request is aborted: find out why.
      if (cause) throw abortError(cause);
      if (!result.finishReason && !sawUsage) {
        throw new ChatError({ kind: 'stream_interrupted', message: `The stream from ${target.spec.model} ended before the answer was complete.`, retryable: true, escalatable: true });
      }
    } else {
      const completion = (await client.chat.completions.create(body as never, { signal: controller.signal })) as unknown as OpenAI.Chat.Completions.ChatCompletion;
      if (cause) throw abortError(cause);
      const choice = completion.choices?.[0];
      const message = choice?.message as { content?: string | null; reasoning_content?: string | null; tool_calls?: ToolCallDelta[] | null } | undefined;
      if (message?.tool_calls?.length) result.toolCalls = mergeToolCallDeltas([], message.tool_calls);
      result.responseId = completion.id;
      result.finishReason = choice?.finish_reason ?? undefined;
      result.reasoning = message?.reasoning_content ?? '';
      result.answer = message?.content ?? '';
      if (completion.usage) {
        result.usage = usageFromProvider(completion.usage);
      }
      if (result.reasoning) options.onThinking?.(result.reasoning);
      if (result.answer) options.onAnswer?.(result.answer);
    }
    return result;
  } catch (error) {
    if (cause === 'user') return { ...result, status: 'cancelled' };
    result.status = 'error';
    const progress = { started: result.firstTokenAt !== undefined, headersArrived, malformedLine, firstTokenWaitMs };
    result.error = failureOf(error, cause, progress, target, context, errorBody, timeouts);
    return result;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onUserAbort);
  }
}

/** A piece of a tool call as a stream sends it: the first piece of a call has its id and name, later ones more arguments. */
interface ToolCallDelta {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** Folds tool-call deltas into whole calls, by their index (a whole call, as a non-streamed answer has it, is one delta). */
function mergeToolCallDeltas(calls: ToolCall[], deltas: readonly ToolCallDelta[]): ToolCall[] {
  deltas.forEach((delta, position) => {
    const index = delta.index ?? position;
    const call = (calls[index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
    if (delta.id) call.id = delta.id;
    if (delta.type) call.type = delta.type;
    if (delta.function?.name) call.function.name += delta.function.name;
    if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
  });
  return calls;
}

function abortError(cause: AbortCause): Error {
  const error = new Error(`aborted: ${cause}`);
  (error as { abortCause?: AbortCause }).abortCause = cause;
  return error;
}

interface AttemptProgress {
  /** The first token arrived. */
  started: boolean;
  headersArrived: boolean;
  /** A data line of the stream that was not JSON, as the SDK logged it. */
  malformedLine?: string;
  /** How long this attempt waited for its first token. */
  firstTokenWaitMs: number;
}

function failureOf(error: unknown, cause: AbortCause | undefined, progress: AttemptProgress, target: ChatTarget, context: { model: string; baseUrl: string; timeoutMs: number }, body: unknown, timeouts: Timeouts): ChatFailure {
  const model = target.spec.model;
  const { started } = progress;
  if (cause === 'first_token_timeout' || cause === 'call_deadline') {
    const within = cause === 'call_deadline' ? `within the call's limit of ${secs(timeouts.callFirstTokenMs)} for a first answer` : `within ${secs(progress.firstTokenWaitMs)}`;
    const what = progress.headersArrived ? 'the connection stayed open but sent only keep-alives or empty chunks' : 'no response at all';
    return { kind: 'timeout', message: `No answer from ${model} ${within} (${hostOf(target.baseUrl)}): ${what}. ${TIMEOUT_ADVICE}`, retryable: false, escalatable: true };
  }
  if (cause === 'idle_timeout') {
    return { kind: 'timeout', message: `The answer from ${model} stopped arriving: nothing new for ${secs(timeouts.idleMs)}.${started ? ' The partial answer is kept.' : ''}`, retryable: false, escalatable: true };
  }
  // JSON.parse's own error, thrown while the SDK read the stream: the provider sent garbage.
  if (progress.headersArrived && error instanceof SyntaxError) {
    const failure = protocolFailure(model, target.baseUrl, progress.malformedLine);
    return started ? { ...failure, message: `${failure.message} The partial answer is kept.` } : failure;
  }
  if (started) {
    if (error instanceof ChatError) return { ...error.failure, kind: 'stream_interrupted', message: `${error.failure.message} The partial answer is kept.`, retryable: false, escalatable: false };
    const described = describeError(error, { ...context, body });
    if (described.kind === 'content_filtered') return { ...described, message: `${described.message} The partial answer is kept.` };
    const connection = isConnectionFailure(error) || described.kind === 'network';
    return {
      ...described,
      kind: 'stream_interrupted',
      message: `The answer from ${model} was cut off${connection ? ' (the connection broke)' : `: ${described.message}`}. The partial answer is kept.`,
      retryable: false,
      escalatable: false,
    };
  }
  return describeError(error, { ...context, body });
}

