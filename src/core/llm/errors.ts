/**
 * Turns whatever a chat call threw into one clear sentence for the user, plus the facts the retry
 * loop needs (retry? escalate? how long does the server ask us to wait?).
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { REGION_LABELS, regionOfUrl } from '../models/table';

export type ErrorKind =
  | 'no_api_key' // no key configured for the model
  | 'unknown_model' // the override names a model that is not in the table
  | 'auth' // 401 invalid_api_key
  | 'forbidden' // 403 AccessDenied (no access to the model, overdue account)
  | 'model_not_found' // 404 model_not_found
  | 'rate_limited' // 429 Throttling.* / AllocationQuota
  | 'content_filtered' // 400 data_inspection_failed
  | 'bad_request' // other 4xx
  | 'server_error' // 5xx
  | 'timeout' // no answer (or no first token, or a stalled stream) in time
  | 'network' // could not connect, connection reset before any answer
  | 'stream_interrupted' // the stream broke after the first token
  | 'protocol' // the provider sent something that is not the protocol (a data line that is not JSON)
  | 'budget_exceeded' // a budget stopped the call before anything was sent
  | 'internal'; // a bug on our side

export interface ChatFailure {
  kind: ErrorKind;
  /** One line for the user: what happened and what to do. */
  message: string;
  status?: number;
  code?: string;
  requestId?: string;
  /** Worth another try of the same model (429, 5xx, connection errors). */
  retryable: boolean;
  /** Worth trying the next tier's model (the failure is about this model or its quota, not the key or the prompt). */
  escalatable: boolean;
  /** Milliseconds the server asked us to wait (Retry-After / retry-after-ms). */
  retryAfterMs?: number;
}

export class ChatError extends Error {
  override name = 'ChatError';
  constructor(readonly failure: ChatFailure) {
    super(failure.message);
  }
}

export interface ErrorContext {
  model: string;
  baseUrl: string;
  /** The error body as the server sent it, when the caller captured it (for DashScope's request_id). */
  body?: unknown;
  timeoutMs?: number;
}

/** Parses Retry-After (seconds or an HTTP date) and the non-standard retry-after-ms. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function regionHint(baseUrl: string): string {
  const region = regionOfUrl(baseUrl);
  return region
    ? `Keys are bound to a region: this request went to ${REGION_LABELS[region]} (${baseUrl}); check that the key was created there, or change the region setting.`
    : `Keys are bound to a region: check that the key belongs to the endpoint ${baseUrl}.`;
}

export const secs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

/** The host (and port) of a base URL: what "the same server" means for time-outs and messages. */
export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

export const TIMEOUT_ADVICE = 'The service may be overloaded or unreachable: check the network and the proxy (http.proxy), try again later, or choose another region.';

/** The provider broke the stream's format; `line` is the offending data line when the SDK showed it. */
export function protocolFailure(model: string, baseUrl: string, line: string | undefined): ChatFailure {
  const shown = line === undefined ? '' : ` (${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line)})`;
  return {
    kind: 'protocol',
    message: `${model} at ${hostOf(baseUrl)} sent a malformed stream: a data line that is not JSON${shown}. This is the provider's fault (or a proxy's in between), not yours: try again; if it persists, check that the base URL points at an OpenAI-compatible endpoint and that no proxy rewrites the response.`,
    retryable: false,
    escalatable: false,
  };
}

const withRequestId = (text: string, requestId?: string) => (requestId ? `${text} (request_id ${requestId})` : text);

function bodyRequestId(body: unknown): string | undefined {
  const id = (body as { request_id?: unknown } | null)?.request_id;
  return typeof id === 'string' ? id : undefined;
}

/** Describes a failure before any answer arrived. */
export function describeError(error: unknown, context: ErrorContext): ChatFailure {
  const { model, baseUrl } = context;
  if (error instanceof ChatError) return error.failure;
  if (error instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', message: `No response from ${model} at ${baseUrl}${context.timeoutMs ? ` within ${secs(context.timeoutMs)}` : ''}. ${TIMEOUT_ADVICE}`, retryable: false, escalatable: true };
  }
  if (error instanceof APIUserAbortError) {
    return { kind: 'internal', message: 'The request was aborted.', retryable: false, escalatable: false };
  }
  if (error instanceof APIConnectionError) {
    const cause = describeCause((error as { cause?: unknown }).cause);
    return { kind: 'network', message: `Could not reach ${baseUrl}${cause ? ` (${cause})` : ''}. Check the network connection, the proxy (http.proxy) and the base URL.`, retryable: true, escalatable: true };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const code = typeof error.code === 'string' ? error.code : undefined;
    const serverMessage = typeof (error.error as { message?: unknown } | undefined)?.message === 'string' ? String((error.error as { message: string }).message) : undefined;
    const requestId = bodyRequestId(context.body) ?? error.requestID ?? undefined;
    const base = { status, code, requestId };
    if (status === 401) {
      return { ...base, kind: 'auth', message: withRequestId(`The API key was rejected (401 ${code ?? 'invalid_api_key'}). Check the DashScope API key. ${regionHint(baseUrl)}`, requestId), retryable: false, escalatable: false };
    }
    if (status === 403) {
      return { ...base, kind: 'forbidden', message: withRequestId(`Access denied for ${model} (403 ${code ?? 'AccessDenied'}): the account may not have access to this model, or it may be overdue.${serverMessage ? ` Server said: ${serverMessage}` : ''}`, requestId), retryable: false, escalatable: true };
    }
    if (status === 404) {
      return { ...base, kind: 'model_not_found', message: withRequestId(`The model "${model}" was not found at ${baseUrl} (404 ${code ?? 'model_not_found'}). Check the model id in the model table, and that the region offers it.`, requestId), retryable: false, escalatable: true };
    }
    if (status === 429) {
      return { ...base, kind: 'rate_limited', message: withRequestId(`Rate limited on ${model} (429 ${code ?? 'Throttling'}): too many requests or tokens for the account's quota. Wait a moment and try again.`, requestId), retryable: true, escalatable: true, retryAfterMs: retryAfterMs(error.headers) };
    }
    if (status === 400 && (code === 'data_inspection_failed' || /data_inspection_failed|inappropriate content/i.test(serverMessage ?? ''))) {
      return { ...base, kind: 'content_filtered', message: withRequestId(`The provider's content moderation rejected this request (400 data_inspection_failed): the input or the answer may contain content it does not allow. Rephrase and try again.`, requestId), retryable: false, escalatable: false };
    }
    if (status >= 500) {
      return { ...base, kind: 'server_error', message: withRequestId(`The provider had an internal error on ${model} (${status}${code ? ` ${code}` : ''}). Try again later.`, requestId), retryable: true, escalatable: true, retryAfterMs: retryAfterMs(error.headers) };
    }
    return { ...base, kind: 'bad_request', message: withRequestId(`The provider refused the request to ${model} (${status}${code ? ` ${code}` : ''})${serverMessage ? `: ${serverMessage}` : ''}.`, requestId), retryable: false, escalatable: false };
  }
  if (error instanceof APIError) {
    // An error event inside a stream (no HTTP status).
    const serverMessage = (error.error as { message?: unknown } | undefined)?.message;
    const code = typeof error.code === 'string' ? error.code : undefined;
    if (code === 'data_inspection_failed') {
      return { kind: 'content_filtered', code, message: `The provider's content moderation stopped the answer (data_inspection_failed).`, retryable: false, escalatable: false };
    }
    return { kind: 'server_error', code, message: `The provider reported an error during the answer from ${model}${code ? ` (${code})` : ''}${typeof serverMessage === 'string' ? `: ${serverMessage}` : ''}.`, retryable: true, escalatable: true };
  }
  const cause = describeCause(error);
  if (cause && isConnectionFailure(error)) {
    return { kind: 'network', message: `The connection to ${baseUrl} failed (${cause}). Check the network connection, the proxy and the base URL.`, retryable: true, escalatable: true };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', message: `Unexpected error calling ${model}: ${text}`, retryable: false, escalatable: false };
}

const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** True for socket-level failures: resets, refused connections, DNS, a body that ended early. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true;
  if (errorCodes(error).some((code) => CONNECTION_CODES.has(code))) return true;
  const text = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : '';
  return /terminated|socket|fetch failed|other side closed|premature close|network/i.test(text);
}

function describeCause(error: unknown): string | undefined {
  const codes = errorCodes(error);
  const known = codes.find((code) => CONNECTION_CODES.has(code));
  if (known === 'ENOTFOUND' || known === 'EAI_AGAIN') return `${known}: the host name could not be resolved; no network or a wrong URL`;
  if (known === 'ECONNREFUSED') return 'ECONNREFUSED: nothing is listening there';
  if (known) return known;
  let current: unknown = error;
  let last: string | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error && current.message) last = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return last;
}
