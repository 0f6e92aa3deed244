/**
 * The local endpoint: the old service's HTTP API (`POST /v1/chat/completions`, `GET /models`,
 * `/health`, `/stats`, `/stats/raw`) and OpenAI's chat-completions protocol, over Node's `http`.
 * Every chat request goes through the core's `ask()` (route, call, one record), with the pieces the
 * front end hands in: the CLI's flags or the extension's settings, classifier, history and keys.
 *
 * Safe by default: 127.0.0.1, a bearer token for everything but /health (a non-loopback bind without
 * one is refused), no browser origin unless allowed, the Host header must name the bound address
 * (DNS rebinding), a body size limit and time-outs on headers and body. See docs/endpoint.md.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ask, type AskDeps, type AskResult } from '../core/ask';
import type { ClassifyFn } from '../core/classifier/result';
import type { RouterConfig } from '../core/config';
import { pageParameter, rawPageText } from '../core/history/rawPage';
import type { HistoryStore } from '../core/history/store';
import type { ErrorKind } from '../core/llm/errors';
import type { RoutingDecision } from '../core/routing/route';
import type { ChatMessage } from '../core/routing/tokens';

export interface RouterServerDeps {
  /** The config for each request (the extension's settings may change while the endpoint runs). */
  config(): RouterConfig;
  /** The classifier every request shares; undefined routes by token length ("model_missing"). */
  classify?: ClassifyFn;
  store: HistoryStore;
  getApiKey: AskDeps['getApiKey'];
  /** Appended to the "no API key" message: how to set a key in this front end. */
  missingKeyHint?: string;
  /** Called once per chat request, after its record was appended. */
  onResult?(result: AskResult): void | Promise<void>;
  /** The spending budget's gate for a request, if one is set (it cannot ask: it refuses). */
  budget?(): AskDeps['budget'];
}

export interface RouterServerOptions {
  /** Default 127.0.0.1. Anything but a loopback address needs a token. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** The bearer token every request but /health must carry; undefined leaves a loopback endpoint open. */
  token?: string;
  /** Browser origins allowed to call (exactly as the Origin header says, e.g. "http://localhost:3000"); none by default. */
  allowedOrigins?: readonly string[];
  /** Default 8 MiB. */
  maxBodyBytes?: number;
  /** Until the request's headers are in (default 10 s). */
  headersTimeoutMs?: number;
  /** Until the whole request body is in (default 30 s). */
  requestTimeoutMs?: number;
  /** Reported by /health. */
  version?: string;
}

export interface RouterServer {
  /** http://host:port, as clients should call it. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Requests being answered now. */
  readonly active: number;
  /** Stops listening; requests still running get `graceMs` (default 5 s) to finish, then are cancelled (and recorded so). */
  close(graceMs?: number): Promise<void>;
}

/** A reason the endpoint cannot start, in one sentence for the user. */
export class EndpointStartError extends Error {
  override name = 'EndpointStartError';
}

export const DEFAULT_ENDPOINT_HOST = '127.0.0.1';
export const DEFAULT_ENDPOINT_PORT = 8000;
const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

/** A fresh token for the endpoint: 32 random bytes, URL-safe. */
export function generateEndpointToken(): string {
  return `qr-${randomBytes(32).toString('base64url')}`;
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** An error answered in OpenAI's shape; `detail` repeats the message for the old service's clients (FastAPI's shape). */
class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly type = 'invalid_request_error', readonly code: string | null = null, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** How each failure of a call is answered: status and OpenAI's error type. */
const FAILURE_STATUS: Record<ErrorKind, [number, string]> = {
  no_api_key: [401, 'authentication_error'],
  auth: [401, 'authentication_error'],
  forbidden: [403, 'permission_error'],
  unknown_model: [400, 'invalid_request_error'],
  bad_request: [400, 'invalid_request_error'],
  content_filtered: [400, 'invalid_request_error'],
  model_not_found: [502, 'api_error'],
  rate_limited: [429, 'rate_limit_error'],
  server_error: [502, 'api_error'],
  network: [502, 'api_error'],
  protocol: [502, 'api_error'],
  stream_interrupted: [502, 'api_error'],
  timeout: [504, 'api_error'],
  internal: [500, 'api_error'],
  // 402, not 429: clients retry a 429 by themselves, and a spending budget does not lift with time.
  budget_exceeded: [402, 'insufficient_quota'],
};

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export async function startRouterServer(deps: RouterServerDeps, options: RouterServerOptions = {}): Promise<RouterServer> {
  const host = options.host?.trim() || DEFAULT_ENDPOINT_HOST;
  const port = options.port ?? DEFAULT_ENDPOINT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EndpointStartError(`The port must be a whole number from 0 to 65535, not ${port}.`);
  const token = options.token || undefined;
  if (!token && !isLoopbackHost(host)) {
    throw new EndpointStartError(`Refusing to listen on ${host} without a token: anyone who can reach it could spend your API key and read your history. Set a token, or listen on 127.0.0.1.`);
  }
  const tokenDigest = token ? digest(token) : undefined;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const active = new Map<ServerResponse, AbortController>();
  const running = new Set<Promise<void>>();
  let boundPort = port;

  const server: Server = createServer((req, res) => {
    const controller = new AbortController();
    active.set(res, controller);
    const work = handle(req, res, controller.signal)
      .catch((error) => {
        if (error instanceof HttpError) return sendError(res, error);
        sendError(res, new HttpError(500, `The endpoint failed on this request: ${error instanceof Error ? error.message : String(error)}`, 'api_error', 'internal'));
      })
      .finally(() => {
        active.delete(res);
        running.delete(work);
      });
    running.add(work);
    // The client went away: cancel its call (the record says so).
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
  });
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(new EndpointStartError(listenProblem(error, host, port)));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;

  /** The Host header must name the address we are bound to (a DNS-rebinding page names its own domain). */
  function hostAllowed(header: string | undefined): boolean {
    if (WILDCARD_HOSTS.has(host)) return true; // bound to every address: the token guards it (required off loopback)
    if (!header) return false;
    const names = new Set([urlHost.toLowerCase()]);
    if (isLoopbackHost(host)) for (const name of ['localhost', '127.0.0.1', '[::1]']) names.add(name);
    return [...names].some((name) => header.toLowerCase() === `${name}:${boundPort}` || (boundPort === 80 && header.toLowerCase() === name));
  }

  function authorized(header: string | undefined): boolean {
    if (!tokenDigest) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    return !!match && timingSafeEqual(digest(match[1]), tokenDigest);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    if (!hostAllowed(req.headers.host)) {
      throw new HttpError(403, `The Host header "${req.headers.host ?? ''}" does not name this endpoint (${urlHost}:${boundPort}); requests through another name are refused (DNS rebinding).`, 'permission_error', 'host_not_allowed');
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!allowedOrigins.has(origin)) {
        throw new HttpError(403, `Requests from the web page at ${origin} are refused: only origins allowed explicitly may call this endpoint.`, 'permission_error', 'origin_not_allowed');
      }
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' });
        res.end();
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://endpoint');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/health') {
      requireMethod(req, 'GET');
      return sendJson(res, 200, { status: 'healthy', ...(options.version ? { version: options.version } : {}), router: 'nvidia-3tier' });
    }
    if (!authorized(req.headers.authorization)) {
      throw new HttpError(401, 'Missing or wrong endpoint token: send it as "Authorization: Bearer <token>" (the token printed when the endpoint started, or the one you set).', 'authentication_error', 'invalid_endpoint_token', { 'www-authenticate': 'Bearer' });
    }
    switch (path) {
      case '/v1/chat/completions':
      case '/chat/completions':
        requireMethod(req, 'POST');
        return chatCompletions(res, await readJson(req, maxBody), signal);
      case '/models':
      case '/v1/models':
        requireMethod(req, 'GET');
        return sendJson(res, 200, modelsBody(deps.config()));
      case '/stats':
        requireMethod(req, 'GET');
        return sendText(res, 200, JSON.stringify(await deps.store.stats(), null, 2));
      case '/stats/raw': {
        requireMethod(req, 'GET');
        const limit = pageParameter(url.searchParams.get('limit') ?? undefined, 50);
        const offset = pageParameter(url.searchParams.get('offset') ?? undefined, 0);
        if (limit === undefined || offset === undefined) throw new HttpError(400, 'limit and offset must be integers.', 'invalid_request_error', 'invalid_parameter');
        return sendText(res, 200, await rawPageText(deps.store, limit, offset));
      }
      default:
        throw new HttpError(404, `No such endpoint: ${req.method} ${path}. Try POST /v1/chat/completions, GET /models, /health, /stats or /stats/raw.`, 'invalid_request_error', 'not_found');
    }
  }

  async function chatCompletions(res: ServerResponse, body: unknown, signal: AbortSignal): Promise<void> {
    const config = deps.config();
    const request = parseChatRequest(body, config);
    const recordId = randomUUID();
    const completionId = `chatcmpl-${recordId}`;
    const created = Math.floor(Date.now() / 1000);
    let decision: RoutingDecision | undefined;
    let modelKey = request.model ?? 'auto';
    let streaming = false;
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}) =>
      writeEvent(res, { id: completionId, object: 'chat.completion.chunk', created, model: modelKey, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra });
    // The stream's headers wait for the first token, so a failure before it is still an HTTP error with its status.
    const startStream = () => {
      if (streaming) return;
      streaming = true;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...routeHeaders(decision, recordId) });
      chunk({ role: 'assistant', content: '' }, null, { routing: routingInfo(decision) });
    };

    const result = await ask(
      { messages: request.messages, model: request.model, temperature: request.temperature, maxTokens: request.maxTokens, enableThinking: request.enableThinking, tools: request.tools, toolChoice: request.toolChoice, signal, surface: 'endpoint' },
      { config, classify: deps.classify, store: deps.store, getApiKey: deps.getApiKey, missingKeyHint: deps.missingKeyHint, newId: () => recordId, budget: deps.budget?.() },
      {
        onRouting: (event) => {
          decision = event.decision;
          modelKey = event.target.key;
        },
        onThinking: (delta) => {
          if (!request.stream) return;
          startStream();
          chunk({ reasoning_content: delta });
        },
        onAnswer: (delta) => {
          if (!request.stream) return;
          startStream();
          chunk({ content: delta });
        },
      },
    );
    await deps.onResult?.(result);
    const llm = result.record.llm;
    modelKey = llm.model;
    decision = result.decision ?? decision;
    if (result.status === 'cancelled') {
      if (!res.writableEnded) res.end();
      return;
    }
    const usage = { prompt_tokens: llm.input_tokens, completion_tokens: llm.output_tokens, total_tokens: llm.total_tokens };
    const ours = { provider: llm.provider, cost_usd: llm.cost_usd, latency_ms: llm.llm_latency_ms, routing: routingInfo(decision), record_id: recordId };
    const failure = result.status === 'error' ? failureError(result) : undefined;

    if (request.stream) {
      if (failure && !streaming) return sendError(res, failure, routeHeaders(decision, recordId));
      startStream();
      if (failure) {
        // After the first token the status is sent: the failure travels as an error event (the openai SDK raises it).
        writeEvent(res, { error: { message: failure.message, type: failure.type, code: failure.code, param: null } });
      } else {
        if (result.toolCalls?.length) chunk({ tool_calls: result.toolCalls.map((call, index) => ({ index, ...call })) });
        chunk({}, llm.finish_reason ?? 'stop');
        writeEvent(res, { id: completionId, object: 'chat.completion.chunk', created, model: modelKey, choices: [], usage, ...ours });
      }
      res.end('data: [DONE]\n\n');
      return;
    }
    if (failure) return sendError(res, failure, routeHeaders(decision, recordId));
    const message: Record<string, unknown> = { role: 'assistant', content: result.toolCalls?.length && !result.answer ? null : result.answer };
    if (result.reasoning) message.reasoning_content = result.reasoning;
    if (result.toolCalls?.length) message.tool_calls = result.toolCalls;
    sendJson(
      res,
      200,
      {
        id: llm.response_id ?? completionId,
        object: 'chat.completion',
        created,
        model: modelKey,
        choices: [{ index: 0, message, finish_reason: llm.finish_reason ?? 'stop' }],
        usage,
        content: result.answer,
        ...ours,
      },
      routeHeaders(decision, recordId),
    );
  }

  return {
    url: `http://${urlHost}:${boundPort}`,
    host,
    port: boundPort,
    get active() {
      return active.size;
    },
    async close(graceMs = 5_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (running.size) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...running]), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
        for (const controller of active.values()) controller.abort();
        await Promise.allSettled([...running]);
      }
      server.closeAllConnections();
      await closed;
      await deps.store.flush();
    },
  };
}

function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): string {
  if (error.code === 'EADDRINUSE') return `Port ${port} on ${host} is already in use: stop what listens there, or choose another port.`;
  if (error.code === 'EACCES') return `Not allowed to listen on port ${port} of ${host} (ports below 1024 need privileges): choose another port.`;
  if (error.code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine: listen on 127.0.0.1, or on one of this machine's addresses.`;
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return `The host name ${host} could not be resolved: give an address such as 127.0.0.1.`;
  return `Could not listen on ${host}:${port}: ${error.message}`;
}

function requireMethod(req: IncomingMessage, method: string): void {
  if (req.method !== method) throw new HttpError(405, `${req.url?.split('?')[0]} takes ${method}, not ${req.method}.`, 'invalid_request_error', 'method_not_allowed', { allow: method });
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new HttpError(413, `The request body is larger than the endpoint's limit of ${Math.round(maxBytes / 1024)} KiB.`, 'invalid_request_error', 'request_too_large', { connection: 'close' });
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    parts.push(part as Buffer);
  }
  const text = Buffer.concat(parts).toString('utf8');
  if (!text.trim()) throw new HttpError(400, 'The request has no body: send a JSON object with "messages".', 'invalid_request_error', 'invalid_json');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.', 'invalid_request_error', 'invalid_json');
  }
}

interface ChatRequestParts {
  messages: ChatMessage[];
  model?: string;
  temperature?: number;
  maxTokens?: number;
  enableThinking?: boolean;
  stream: boolean;
  tools?: unknown[];
  toolChoice?: unknown;
}

const bad = (message: string, param?: string) => new HttpError(400, message, 'invalid_request_error', param ? 'invalid_parameter' : null);

/** The old service's request and OpenAI's, read into the core's terms; a clear 400 for what cannot be used. */
function parseChatRequest(body: unknown, config: RouterConfig): ChatRequestParts {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('The request body must be a JSON object with "messages".');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.messages) || b.messages.length === 0) throw bad('"messages" must be a non-empty list of {"role", "content"} objects.', 'messages');
  const messages = b.messages.map((m, i): ChatMessage => {
    if (!m || typeof m !== 'object' || typeof (m as { role?: unknown }).role !== 'string') throw bad(`messages[${i}] must be an object with a "role" string.`, 'messages');
    const { role, content, tool_calls, tool_call_id, name } = m as Record<string, unknown>;
    return {
      role: role as string,
      content: textOf(content, i),
      ...(Array.isArray(tool_calls) ? { tool_calls } : {}),
      ...(typeof tool_call_id === 'string' ? { tool_call_id } : {}),
      ...(typeof name === 'string' ? { name } : {}),
    };
  });
  const optionalNumber = (key: string, integer: boolean): number | undefined => {
    const value = b[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && (!Number.isInteger(value) || value < 1))) throw bad(`"${key}" must be ${integer ? 'a positive integer' : 'a number'}.`, key);
    return value;
  };
  if (b.model !== undefined && b.model !== null && typeof b.model !== 'string') throw bad('"model" must be a model key, "auto", or absent.', 'model');
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') throw bad('"stream" must be true or false.', 'stream');
  if (b.tools !== undefined && b.tools !== null && !Array.isArray(b.tools)) throw bad('"tools" must be a list.', 'tools');
  if (b.enable_thinking !== undefined && b.enable_thinking !== null && typeof b.enable_thinking !== 'boolean') throw bad('"enable_thinking" must be true or false.', 'enable_thinking');
  return {
    messages,
    model: modelKeyFor(b.model as string | undefined | null, config),
    temperature: optionalNumber('temperature', false),
    maxTokens: optionalNumber('max_tokens', true) ?? optionalNumber('max_completion_tokens', true),
    enableThinking: typeof b.enable_thinking === 'boolean' ? b.enable_thinking : undefined,
    stream: b.stream === true,
    ...(Array.isArray(b.tools) && b.tools.length ? { tools: b.tools } : {}),
    ...(b.tool_choice !== undefined && b.tool_choice !== null ? { toolChoice: b.tool_choice } : {}),
  };
}

/** Text content: a string, null (an assistant's tool calls), or OpenAI's list of text parts. */
function textOf(content: unknown, i: number): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        const p = part as { type?: unknown; text?: unknown } | null;
        if (p?.type === 'text' && typeof p.text === 'string') return p.text;
        throw bad(`messages[${i}]: only text content is supported (got a "${String(p?.type)}" part).`, 'messages');
      })
      .join('');
  }
  throw bad(`messages[${i}].content must be a string or a list of text parts.`, 'messages');
}

/** "auto", "" or nothing routes; a model key names that model; a provider model id names its key. Unknown names go to ask(), which records and explains them. */
function modelKeyFor(model: string | undefined | null, config: RouterConfig): string | undefined {
  if (!model || model === 'auto') return undefined;
  if (config.models[model]) return model;
  return Object.entries(config.models).find(([, spec]) => spec.model === model)?.[0] ?? model;
}

function failureError(result: AskResult): HttpError {
  const kind = result.error?.kind ?? 'internal';
  const [status, type] = FAILURE_STATUS[kind] ?? [500, 'api_error'];
  const headers: Record<string, string> = {};
  if (status === 429 && result.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
  return new HttpError(status, result.error?.message ?? 'The call failed.', type, result.error?.code ?? kind, headers);
}

/** The routing decision, for the body: why this model. */
function routingInfo(decision: RoutingDecision | undefined): Record<string, unknown> | null {
  if (!decision) return null;
  return {
    model: decision.modelKey,
    tier: decision.tier ?? null,
    method: decision.method,
    complexity: decision.routing.complexity_score ?? null,
    task_type: decision.routing.task_type ?? null,
    ...(decision.fallbackReason ? { fallback_reason: decision.fallbackReason } : {}),
    summary: decision.summary,
  };
}

/** The routing decision, for the headers: `X-Qwen-Router-Routing: tier=medium; method=nvidia_classifier; complexity=0.472; model=qwen-plus`. */
function routeHeaders(decision: RoutingDecision | undefined, recordId: string): Record<string, string> {
  const headers: Record<string, string> = { 'x-qwen-router-record-id': recordId };
  if (decision) {
    const parts = [`tier=${decision.tier ?? 'none'}`, `method=${decision.method}`];
    if (decision.routing.complexity_score !== undefined) parts.push(`complexity=${decision.routing.complexity_score}`);
    if (decision.fallbackReason) parts.push(`fallback_reason=${decision.fallbackReason}`);
    parts.push(`model=${decision.modelKey}`);
    headers['x-qwen-router-routing'] = parts.join('; ').replace(/[^\x20-\x7e]/g, '?');
  }
  return headers;
}

/** The old service's model list (per-1K prices) and OpenAI's `data` list ("auto" first: it routes). */
function modelsBody(config: RouterConfig): Record<string, unknown> {
  const entries = Object.entries(config.models);
  const per1k = (value: number | undefined) => (value === undefined ? 0 : value / 1000);
  return {
    models: entries.map(([key, spec]) => {
      const band = spec.prices?.bands[0];
      return { key, provider: spec.provider ?? 'dashscope', provider_model: spec.model, input_cost_per_1k: per1k(band?.input), output_cost_per_1k: per1k(band?.output) };
    }),
    object: 'list',
    data: [{ id: 'auto', object: 'model', created: 0, owned_by: 'qwen-router' }, ...entries.map(([key, spec]) => ({ id: key, object: 'model', created: 0, owned_by: spec.provider ?? 'dashscope' }))],
  };
}

function writeEvent(res: ServerResponse, payload: unknown): void {
  if (!res.writableEnded) res.write(`data: ${JSON.stringify(payload)}\n\n`);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), headers);
}

function sendError(res: ServerResponse, error: HttpError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, { error: { message: error.message, type: error.type, code: error.code, param: null }, detail: error.message }, { ...headers, ...error.headers });
}
