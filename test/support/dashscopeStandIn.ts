/**
 * A stand-in for DashScope's OpenAI-compatible chat endpoint, for tests: a real HTTP server on
 * 127.0.0.1 (a random port) that answers POST <base>/chat/completions with SSE chunks (the usage
 * chunk with empty choices when stream_options.include_usage is set), plain JSON when not
 * streaming, DashScope's error bodies with their statuses and Retry-After, streams that break
 * halfway, slow first tokens, reasoning_content deltas, streams that send only keep-alives or
 * empty chunks, a `data:` line that is not JSON; and keeps a record of every request.
 *
 * Behaviour is scripted per model name: `script(model, ...scenarios)` queues one scenario per
 * request; `setScenario(model, s)` sets the standing one used when the queue is empty. Other
 * processes (extension-host tests, e2e) script it over HTTP: POST /__standin/script
 * {"model": "...", "scenarios": [...]}, POST /__standin/scenario {"model", "scenario"},
 * GET /__standin/requests, POST /__standin/reset. Run directly, it prints {"baseUrl": "..."}:
 *   node out/test/support/dashscopeStandIn.js [--port N] [--api-key KEY] [--scenarios FILE]
 * No dependencies beyond Node.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { tempDirs } from './tempDir';

export interface StandInError {
  status: number;
  code: string;
  message: string;
  type?: string;
  /** Sent as the Retry-After header, as given (seconds or an HTTP date). */
  retryAfter?: string;
}

export interface Scenario {
  /** The answer; sent in chunks of `chunkSize` characters (default 8). */
  reply?: string;
  /** Tool calls to ask for after the answer: streamed as DashScope does (the id and name with the first piece of the arguments, the rest in pieces); finish_reason "tool_calls". */
  toolCalls?: { id: string; name: string; arguments: string }[];
  /** Thinking text, sent as `reasoning_content` deltas before the answer. */
  reasoning?: string;
  chunkSize?: number;
  /** Token counts to report; default: rough counts from the text. */
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    reasoning_tokens?: number;
    /** Input served from the context cache: `prompt_tokens_details.cached_tokens`. */
    cached_tokens?: number;
    /** Explicit cache: tokens written to a new entry, and `cache_type: "ephemeral"` on a hit. */
    cache_creation_input_tokens?: number;
    cache_type?: string;
  };
  /** Leave the usage chunk out even when it was asked for. */
  omitUsage?: boolean;
  finishReason?: string;
  /** Wait before sending the response headers. */
  headersDelayMs?: number;
  /** Wait between the headers and the first chunk. */
  firstTokenDelayMs?: number;
  /** Wait between chunks. */
  chunkDelayMs?: number;
  /** Destroy the connection after this many content-bearing chunks (0: right after the headers). */
  breakAfterChunks?: number;
  /** Answer with this error instead. */
  error?: StandInError;
  /** Never answer (until the client goes away). */
  hang?: boolean;
  /** The completion id; default chatcmpl-standin-<n>. */
  id?: string;
  /**
   * After this many content-bearing chunks (0: right after the headers), send only what carries no
   * text, in turn, every `everyMs` (default 50), until the client goes away: an SSE keep-alive
   * comment, a chunk whose delta is empty, a chunk with empty choices.
   */
  keepAliveOnlyAfter?: { chunks: number; everyMs?: number };
  /** After this many content-bearing chunks (0: right after the headers), a `data:` line that is not JSON, then the end of the stream. */
  garbageAfter?: { chunks: number; line: string };
}

/** DashScope's errors as its compatible mode returns them. */
export const DASHSCOPE_ERRORS = {
  invalidApiKey: { status: 401, code: 'invalid_api_key', type: 'invalid_request_error', message: 'Incorrect API key provided. ' },
  accessDenied: { status: 403, code: 'AccessDenied', type: 'invalid_request_error', message: 'Access denied.' },
  arrearage: { status: 403, code: 'Arrearage', type: 'invalid_request_error', message: 'Access denied, please make sure your account is in good standing.' },
  modelNotFound: { status: 404, code: 'model_not_found', type: 'invalid_request_error', message: 'The model `x` does not exist or you do not have access to it.' },
  throttled: { status: 429, code: 'Throttling.RateQuota', type: 'requests', message: 'Requests rate limit exceeded, please try again later.' },
  quota: { status: 429, code: 'Throttling.AllocationQuota', type: 'requests', message: 'Allocated quota exceeded, please increase your quota limit.' },
  dataInspection: { status: 400, code: 'data_inspection_failed', type: 'data_inspection_failed', message: 'Input data may contain inappropriate content.' },
  invalidParameter: { status: 400, code: 'InvalidParameter', type: 'invalid_request_error', message: 'Range of max_tokens should be [1, 8192]' },
  internal: { status: 500, code: 'InternalError', type: 'internal_error', message: 'An internal error has occured, please try again later or contact service support.' },
} satisfies Record<string, StandInError>;

export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined if it was not JSON). */
  body: any;
  receivedAt: number;
  /** The scenario it was answered with. */
  scenario: Scenario;
  /** True once the response was fully sent. */
  finished: boolean;
  /** True when the connection closed before the response was complete (client abort or our break). */
  closedEarly: boolean;
  /** Resolves when the connection of this request is closed, either way. */
  closed: Promise<void>;
}

const DEFAULT_SCENARIO: Scenario = { reply: 'Hello from the stand-in.' };

export class DashScopeStandIn {
  readonly requests: RecordedRequest[] = [];
  private queues = new Map<string, Scenario[]>();
  private standing = new Map<string, Scenario>();
  private sockets = new Set<Socket>();
  private timers = new Set<NodeJS.Timeout>();
  private completions = 0;

  private constructor(private readonly server: Server, readonly port: number, private readonly apiKey: string | undefined, private defaultScenario: Scenario) {}

  static async start(options: { apiKey?: string; port?: number; defaultScenario?: Scenario; scenarios?: Record<string, Scenario | Scenario[]> } = {}): Promise<DashScopeStandIn> {
    let instance: DashScopeStandIn | undefined;
    const server = createServer((req, res) => void instance!.handle(req, res));
    server.on('connection', (socket) => {
      instance?.sockets.add(socket);
      socket.on('close', () => instance?.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    instance = new DashScopeStandIn(server, (server.address() as AddressInfo).port, options.apiKey, options.defaultScenario ?? DEFAULT_SCENARIO);
    for (const [model, value] of Object.entries(options.scenarios ?? {})) {
      if (Array.isArray(value)) instance.script(model, ...value);
      else instance.setScenario(model, value);
    }
    return instance;
  }

  /** The base URL to configure, like DashScope's: <origin>/compatible-mode/v1. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/compatible-mode/v1`;
  }

  /** Queues scenarios for the next requests naming this model, one per request. */
  script(model: string, ...scenarios: Scenario[]): this {
    this.queues.set(model, [...(this.queues.get(model) ?? []), ...scenarios]);
    return this;
  }

  /** The scenario for this model whenever its queue is empty. */
  setScenario(model: string, scenario: Scenario): this {
    this.standing.set(model, scenario);
    return this;
  }

  setDefault(scenario: Scenario): this {
    this.defaultScenario = scenario;
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.queues.clear();
    this.standing.clear();
  }

  /** Chat requests only (control requests are not recorded). */
  requestsFor(model: string): RecordedRequest[] {
    return this.requests.filter((r) => r.body?.model === model);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private scenarioFor(model: string): Scenario {
    const queue = this.queues.get(model);
    if (queue?.length) return queue.shift()!;
    return this.standing.get(model) ?? this.standing.get('*') ?? this.defaultScenario;
  }

  private sleep(ms: number, res: ServerResponse): Promise<boolean> {
    // Resolves false when the client went away meanwhile.
    return new Promise((resolve) => {
      if (!ms || res.destroyed) return resolve(!res.destroyed);
      const onClose = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        res.off('close', onClose);
        resolve(!res.destroyed);
      }, ms);
      this.timers.add(timer);
      res.once('close', onClose);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/__standin/')) return this.control(path, req.method ?? 'GET', body, res);

    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NotFound', message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } }));
      return;
    }

    const model = typeof body?.model === 'string' ? body.model : '';
    const scenario = this.scenarioFor(model);
    let markClosed!: () => void;
    const recorded: RecordedRequest = {
      index: this.requests.length,
      method: req.method,
      path,
      headers: req.headers,
      body,
      receivedAt: Date.now(),
      scenario,
      finished: false,
      closedEarly: false,
      closed: new Promise<void>((resolve) => (markClosed = resolve)),
    };
    this.requests.push(recorded);
    res.on('finish', () => (recorded.finished = true));
    res.on('close', () => {
      if (!res.writableFinished) recorded.closedEarly = true;
      markClosed();
    });

    const requestId = `standin-${recorded.index}-${Math.random().toString(16).slice(2, 10)}`;
    if (this.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return this.sendError(res, DASHSCOPE_ERRORS.invalidApiKey, requestId);
    }
    if (scenario.hang) return; // the client's abort or timeout ends it
    if (!(await this.sleep(scenario.headersDelayMs ?? 0, res))) return;
    if (scenario.error) return this.sendError(res, scenario.error, requestId);
    if (!model) return this.sendError(res, { ...DASHSCOPE_ERRORS.invalidParameter, message: 'model is required' }, requestId);

    this.completions += 1;
    const id = scenario.id ?? `chatcmpl-standin-${this.completions}`;
    const reply = scenario.reply ?? '';
    const reasoning = scenario.reasoning ?? '';
    const promptChars = Array.isArray(body?.messages) ? body.messages.reduce((n: number, m: any) => n + String(m?.content ?? '').length, 0) : 0;
    const usage = scenario.usage ?? { prompt_tokens: 10 + Math.ceil(promptChars / 4), completion_tokens: Math.ceil((reply.length + reasoning.length) / 4), ...(reasoning ? { reasoning_tokens: Math.ceil(reasoning.length / 4) } : {}) };
    const usageBody = {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.prompt_tokens + usage.completion_tokens,
      ...(usage.reasoning_tokens !== undefined ? { completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens } } : {}),
      ...(usage.cached_tokens !== undefined || usage.cache_creation_input_tokens !== undefined
        ? {
            prompt_tokens_details: {
              cached_tokens: usage.cached_tokens ?? 0,
              ...(usage.cache_creation_input_tokens !== undefined ? { cache_creation_input_tokens: usage.cache_creation_input_tokens, cache_creation: { ephemeral_5m_input_tokens: usage.cache_creation_input_tokens } } : {}),
              ...(usage.cache_type ? { cache_type: usage.cache_type } : {}),
            },
          }
        : {}),
    };
    const created = Math.floor(Date.now() / 1000);

    if (body?.stream !== true) {
      if (scenario.breakAfterChunks !== undefined) {
        res.socket?.destroy();
        return;
      }
      if (!(await this.sleep(scenario.firstTokenDelayMs ?? 0, res))) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: scenario.toolCalls && !reply ? null : reply,
                ...(reasoning ? { reasoning_content: reasoning } : {}),
                ...(scenario.toolCalls ? { tool_calls: scenario.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
              },
              finish_reason: scenario.finishReason ?? (scenario.toolCalls ? 'tool_calls' : 'stop'),
            },
          ],
          usage: usageBody,
        }),
      );
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] });
    const size = Math.max(1, scenario.chunkSize ?? 8);
    const pieces: Record<string, unknown>[] = [];
    for (let i = 0; i < reasoning.length; i += size) pieces.push({ reasoning_content: reasoning.slice(i, i + size), content: null });
    for (let i = 0; i < reply.length; i += size) pieces.push({ content: reply.slice(i, i + size) });
    // As DashScope's compatible mode streams a call: the first delta has the id, the name and the
    // first piece of the arguments; later ones an empty id and name with more arguments; every delta
    // says content null; a last delta with null arguments carries the finish reason.
    (scenario.toolCalls ?? []).forEach((call, index) => {
      for (let i = 0; i === 0 || i < call.arguments.length; i += size) {
        const first = i === 0;
        pieces.push({ content: null, tool_calls: [{ index, id: first ? call.id : '', type: 'function', function: { name: first ? call.name : '', arguments: call.arguments.slice(i, i + size) } }] });
      }
    });
    if (scenario.toolCalls?.length) pieces.push({ content: null, tool_calls: [{ index: scenario.toolCalls.length - 1, id: '', type: 'function', function: { name: null, arguments: null } }] });
    const finishReason = scenario.finishReason ?? (scenario.toolCalls ? 'tool_calls' : 'stop');

    const breakNow = async () => {
      await this.sleep(20, res); // let what was written reach the client first
      res.socket?.destroy();
    };
    // Keep-alives forever: a server that looks alive but never says anything.
    const keepAliveOnly = async () => {
      const fillers = [': keep-alive\n\n', `data: ${JSON.stringify(chunk({}))}\n\n`, `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [] })}\n\n`];
      for (let n = 0; ; n++) {
        if (!(await this.sleep(scenario.keepAliveOnlyAfter?.everyMs ?? 50, res)) || res.destroyed) return;
        res.write(fillers[n % fillers.length]);
      }
    };
    const garbageNow = () => {
      res.end(`data: ${scenario.garbageAfter!.line}\n\n`);
    };
    if (scenario.breakAfterChunks === 0) return breakNow();
    if (!(await this.sleep(scenario.firstTokenDelayMs ?? 0, res))) return;
    send(chunk({ role: 'assistant', content: '' }));
    if (scenario.keepAliveOnlyAfter?.chunks === 0) return keepAliveOnly();
    if (scenario.garbageAfter?.chunks === 0) return garbageNow();
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0 && !(await this.sleep(scenario.chunkDelayMs ?? 0, res))) return;
      if (res.destroyed) return;
      if (scenario.keepAliveOnlyAfter?.chunks === i) return keepAliveOnly();
      if (scenario.garbageAfter?.chunks === i) return garbageNow();
      const last = i === pieces.length - 1;
      send(chunk(pieces[i], last ? finishReason : null));
      if (scenario.breakAfterChunks !== undefined && i + 1 >= scenario.breakAfterChunks) return breakNow();
    }
    if (pieces.length === 0) send(chunk({ content: '' }, finishReason));
    if (body?.stream_options?.include_usage === true && !scenario.omitUsage) {
      send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageBody });
    }
    res.end('data: [DONE]\n\n');
  }

  private sendError(res: ServerResponse, error: StandInError, requestId: string): void {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
    res.writeHead(error.status, headers);
    res.end(JSON.stringify({ error: { code: error.code, message: error.message, type: error.type ?? 'invalid_request_error', param: null }, request_id: requestId }));
  }

  private control(path: string, method: string, body: any, res: ServerResponse): void {
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (path === '/__standin/requests' && method === 'GET') {
      return reply(200, this.requests.map(({ closed: _closed, ...rest }) => rest));
    }
    if (path === '/__standin/reset' && method === 'POST') {
      this.reset();
      return reply(200, { ok: true });
    }
    if (path === '/__standin/script' && method === 'POST' && typeof body?.model === 'string' && Array.isArray(body.scenarios)) {
      this.script(body.model, ...body.scenarios);
      return reply(200, { ok: true });
    }
    if (path === '/__standin/scenario' && method === 'POST' && typeof body?.model === 'string' && body.scenario) {
      this.setScenario(body.model, body.scenario);
      return reply(200, { ok: true });
    }
    return reply(404, { error: `unknown control ${method} ${path}` });
  }
}

// Run as a program: start, print where, serve until killed.
if (require.main === module) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const scenariosFile = flag('--scenarios');
  void DashScopeStandIn.start({
    port: flag('--port') ? Number(flag('--port')) : 0,
    apiKey: flag('--api-key'),
    scenarios: scenariosFile ? JSON.parse(readFileSync(scenariosFile, 'utf8')) : undefined,
  }).then((standIn) => {
    process.stdout.write(`${JSON.stringify({ baseUrl: standIn.baseUrl, port: standIn.port })}\n`);
    const stop = () => void standIn.close().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/**
 * One stand-in for a mocha suite (started before, reset before each test, closed after) and
 * temporary directories removed after it. Call inside a describe block.
 */
export function standInForSuite(apiKey: string): { standIn(): DashScopeStandIn; dirs: ReturnType<typeof tempDirs> } {
  let standIn: DashScopeStandIn | undefined;
  const dirs = tempDirs();
  before(async () => {
    standIn = await DashScopeStandIn.start({ apiKey });
  });
  after(async () => {
    await standIn?.close();
    dirs.cleanup();
  });
  beforeEach(() => standIn?.reset());
  return { standIn: () => standIn!, dirs };
}
