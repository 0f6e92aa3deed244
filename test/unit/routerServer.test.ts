// The local endpoint (src/node/routerServer.ts) in this process, with the real classifier on the tiny
// model, a real history file and the DashScope stand-in behind it; clients are the real `openai`
// SDK, Node's fetch and raw http requests. The CLI's `stats` and `raw` run as child processes.
import * as assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { resolveConfig, type ConfigInput, type RouterConfig } from '../../src/core/config';
import { HistoryStore } from '../../src/core/history/store';
import { DEFAULT_CONFIG } from '../../src/core/config';
import { ClassifierService } from '../../src/node/classifierService';
import { EndpointStartError, startRouterServer, type RouterServer, type RouterServerDeps, type RouterServerOptions } from '../../src/node/routerServer';
import { budgetGate } from '../../src/core/budget/budget';
import { runCli } from '../support/cliProcess';
import { DashScopeStandIn, DASHSCOPE_ERRORS } from '../support/dashscopeStandIn';
import { fixture, WORKER_PATH } from '../support/fixtures';
import { tempDirs } from '../support/tempDir';

const KEY = 'sk-upstream-7d1e';
const TOKEN = 'endpoint-token-3b9a51';

describe('local endpoint: the old service API and OpenAI chat completions over the core', function () {
  this.timeout(30_000);
  const dirs = tempDirs();
  let standIn: DashScopeStandIn;
  let classifier: ClassifierService;
  const servers: RouterServer[] = [];

  before(async () => {
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
    classifier = new ClassifierService({ modelDir: fixture('tiny-model-json'), precision: 'fp32', intraOpThreads: 1, timeBudgetMs: 30_000, workerPath: WORKER_PATH });
    classifier.start();
    assert.equal((await classifier.whenSettled()).kind, 'ready');
  });
  after(async () => {
    for (const server of servers.splice(0)) await server.close(0);
    await classifier?.dispose();
    await standIn?.close();
    dirs.cleanup();
  });
  beforeEach(() => standIn.reset());

  /** A server on a random port with its own history, the stand-in as the provider. */
  async function serve(options: RouterServerOptions = {}, configInput: ConfigInput = {}, apiKey = KEY, budget?: RouterServerDeps['budget']) {
    const { config, problems } = resolveConfig({ baseUrl: standIn.baseUrl, ...configInput });
    assert.deepEqual(problems, []);
    const history = join(dirs.make(), 'call_history.jsonl');
    const topKey = DEFAULT_CONFIG.policy.tierModels.complex;
    const store = new HistoryStore(history, { topTier: { key: topKey, spec: DEFAULT_CONFIG.models[topKey] } });
    const server = await startRouterServer({ config: (): RouterConfig => config, classify: classifier.classify, store, getApiKey: () => apiKey, budget }, { port: 0, token: TOKEN, ...options });
    servers.push(server);
    const records = () => readFileSync(history, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { server, history, store, records, client, post };
  }

  /** A raw request with headers fetch would not let us set (Host). */
  function raw(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ hostname, port, path, method: 'GET', headers }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('the openai SDK with model "auto" gets a routed answer; the routing is in a header and the body, and the call is recorded', async () => {
    const { client, records } = await serve();
    const { data, response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Write a haiku about routers' }] }).withResponse();
    const body = data as unknown as Record<string, any>;
    assert.equal(data.choices[0].message.content, 'Hello from the stand-in.');
    assert.equal(data.object, 'chat.completion');
    assert.equal(body.routing.method, 'nvidia_classifier');
    assert.ok(['simple', 'medium', 'complex'].includes(body.routing.tier));
    assert.equal(typeof body.routing.complexity, 'number');
    assert.equal(data.model, body.routing.model);
    assert.match(response.headers.get('x-qwen-router-routing') ?? '', new RegExp(`^tier=${body.routing.tier}; method=nvidia_classifier; complexity=${body.routing.complexity}; model=${data.model}$`));
    const [record] = records();
    assert.equal(record.id, response.headers.get('x-qwen-router-record-id'));
    assert.equal(record.routing.method, 'nvidia_classifier');
    assert.equal(record.surface, 'endpoint');
    assert.equal(record.llm.model, data.model);
    assert.deepEqual(data.usage, { prompt_tokens: record.llm.input_tokens, completion_tokens: record.llm.output_tokens, total_tokens: record.llm.total_tokens });
    assert.equal(standIn.requests.length, 1);
    assert.equal(standIn.requests[0].body.model, data.model);
  });

  it('a model key names the model (user_specified, as the old service recorded it); a provider model id works too', async () => {
    const { client, records } = await serve();
    const named = await client.chat.completions.create({ model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(named.model, 'qwen-plus');
    assert.equal((named as unknown as Record<string, any>).routing.method, 'user_specified');
    assert.equal(standIn.requests[0].body.model, 'qwen-plus');
    const [record] = records();
    assert.deepEqual(record.routing, { method: 'user_specified', query: 'hi' });
    assert.equal(record.request.user_specified_model, 'qwen-plus');
  });

  it('streams in OpenAI chunk format through the openai SDK, usage at the end, the same answer recorded', async () => {
    const { client, records } = await serve();
    standIn.setScenario('*', { reply: 'Streaming through the endpoint works.', chunkSize: 5, usage: { prompt_tokens: 21, completion_tokens: 9 } });
    const stream = await client.chat.completions.create({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'Say something' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Streaming through the endpoint works.');
    assert.ok(chunks > 3, `${chunks} chunks`);
    assert.equal(finish, 'stop');
    assert.deepEqual(usage, { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
    const [record] = records();
    assert.equal(record.llm.response_content, text);
    assert.equal(record.llm.input_tokens, 21);
  });

  for (const stream of [false, true]) {
    it(`passes tools through and returns the model's tool calls (${stream ? 'streamed deltas assembled' : 'not streamed'}), then the tool's result goes back`, async () => {
      const { client } = await serve();
      const call = { id: 'call_weather_1', name: 'get_weather', arguments: '{"city": "Hangzhou", "unit": "celsius"}' };
      standIn.script('qwen-plus', { reply: '', toolCalls: [call] }, { reply: 'It is 21 degrees in Hangzhou.' });
      const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Hangzhou?' }];
      let toolCalls: OpenAI.Chat.Completions.ChatCompletionMessageToolCall[];
      if (stream) {
        const runner = client.chat.completions.stream({ model: 'qwen-plus', messages, tools, tool_choice: 'auto' });
        const final = await runner.finalChatCompletion();
        toolCalls = final.choices[0].message.tool_calls ?? [];
        assert.equal(final.choices[0].finish_reason, 'tool_calls');
      } else {
        const answer = await client.chat.completions.create({ model: 'qwen-plus', messages, tools, tool_choice: 'auto' });
        toolCalls = answer.choices[0].message.tool_calls ?? [];
        assert.equal(answer.choices[0].finish_reason, 'tool_calls');
        assert.equal(answer.choices[0].message.content, null);
      }
      assert.deepEqual(
        toolCalls.map((c) => (c.type === 'function' ? { id: c.id, name: c.function.name, arguments: c.function.arguments } : undefined)),
        [call],
      );
      assert.deepEqual(standIn.requests[0].body.tools, tools);
      assert.equal(standIn.requests[0].body.tool_choice, 'auto');

      const followUp = await client.chat.completions.create({
        model: 'qwen-plus',
        messages: [...messages, { role: 'assistant', content: null, tool_calls: toolCalls }, { role: 'tool', tool_call_id: call.id, content: '21 °C' }],
        tools,
      });
      assert.equal(followUp.choices[0].message.content, 'It is 21 degrees in Hangzhou.');
      const sent = standIn.requests[1].body.messages;
      assert.deepEqual(sent[1].tool_calls, toolCalls.map((c) => ({ id: c.id, type: 'function', function: (c as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall).function })));
      assert.equal(sent[2].tool_call_id, call.id);
    });
  }

  it("answers the old service's request with its response shape (same fields, values from the call and its record)", async () => {
    const { post, records, server } = await serve();
    standIn.script('qwen-flash', { reply: 'Old clients still work.', id: 'chatcmpl-old-1', usage: { prompt_tokens: 14, completion_tokens: 5 } });
    const response = await post({ messages: [{ role: 'user', content: 'Is the old API kept?' }], model: 'qwen-flash', temperature: 0.7, max_tokens: 64 });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, any>;
    const [record] = records();
    // The old ChatResponse: id, model, provider, content, usage, cost_usd, latency_ms.
    assert.equal(body.id, 'chatcmpl-old-1');
    assert.equal(body.model, 'qwen-flash');
    assert.equal(body.provider, 'dashscope');
    assert.equal(body.content, 'Old clients still work.');
    assert.deepEqual(body.usage, { prompt_tokens: 14, completion_tokens: 5, total_tokens: 19 });
    assert.equal(body.cost_usd, record.llm.cost_usd);
    assert.ok(body.cost_usd > 0);
    assert.equal(body.latency_ms, record.llm.llm_latency_ms);
    assert.equal(standIn.requests[0].body.temperature, 0.7);
    assert.equal(standIn.requests[0].body.max_tokens, 64);
    assert.equal(record.request.temperature, 0.7);
    assert.equal(record.request.max_tokens, 64);

    // The old /models and /health shapes.
    const models = (await (await fetch(`${server.url}/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Record<string, any>;
    assert.deepEqual(models.models.find((m: { key: string }) => m.key === 'qwen-plus'), { key: 'qwen-plus', provider: 'dashscope', provider_model: 'qwen-plus', input_cost_per_1k: 0.0004, output_cost_per_1k: 0.0012 });
    assert.deepEqual(models.data.map((m: { id: string }) => m.id), ['auto', ...Object.keys(DEFAULT_CONFIG.models)]);
    const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, any>;
    assert.equal(health.status, 'healthy');
  });

  it('/stats and /stats/raw answer exactly what the CLI stats and raw print for the same history', async () => {
    const { client, post, history, server } = await serve();
    await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'first' }] });
    await client.chat.completions.create({ model: 'qwen-max', messages: [{ role: 'user', content: 'second' }] });
    standIn.script('qwen-flash', { error: DASHSCOPE_ERRORS.dataInspection });
    assert.equal((await post({ model: 'qwen-flash', messages: [{ role: 'user', content: 'third' }] })).status, 400);
    const get = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();

    const cliStats = await runCli(['stats', '--history', history]);
    assert.equal(cliStats.code, 0, cliStats.stderr);
    const stats = JSON.parse(await get('/stats'));
    assert.deepEqual(stats, JSON.parse(cliStats.stdout));
    assert.equal(stats.records, 3);
    assert.equal(stats.total_calls, 2);
    assert.equal(stats.failed_calls, 1);

    for (const [limit, offset] of [[50, 0], [1, 1], [2, -1]]) {
      const cliRaw = await runCli(['raw', '--history', history, `--limit=${limit}`, `--offset=${offset}`]);
      assert.equal(cliRaw.code, 0, cliRaw.stderr);
      assert.equal(await get(`/stats/raw?limit=${limit}&offset=${offset}`), cliRaw.stdout.trimEnd());
    }
    const badPage = await fetch(`${server.url}/stats/raw?limit=ten`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(badPage.status, 400);
  });

  it('without the right token: 401 in OpenAI shape, nothing called or recorded; /health stays open', async () => {
    const { server, history } = await serve();
    for (const authorization of [undefined, 'Bearer wrong-token', TOKEN]) {
      for (const [method, path] of [['POST', '/v1/chat/completions'], ['GET', '/stats'], ['GET', '/stats/raw'], ['GET', '/models']]) {
        const response = await fetch(`${server.url}${path}`, { method, headers: authorization ? { authorization } : {}, ...(method === 'POST' ? { body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }) } : {}) });
        assert.equal(response.status, 401, `${method} ${path} with ${authorization}`);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer');
        const body = (await response.json()) as Record<string, any>;
        assert.equal(body.error.type, 'authentication_error');
        assert.match(body.error.message, /Authorization: Bearer/);
      }
    }
    const sdk = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'not-the-token', maxRetries: 0 });
    await assert.rejects(sdk.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'x' }] }), (error: unknown) => error instanceof OpenAI.AuthenticationError);
    assert.equal(standIn.requests.length, 0);
    assert.throws(() => readFileSync(history), /ENOENT/);
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  });

  it('refuses a foreign Origin (browsers) unless allowed, and a Host header that does not name the endpoint (DNS rebinding)', async () => {
    const { server, post } = await serve({ allowedOrigins: ['http://localhost:5173'] });
    const foreign = await post({ messages: [{ role: 'user', content: 'x' }] }, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.match(((await foreign.json()) as any).error.message, /https:\/\/evil\.example are refused/);
    const preflight = await fetch(`${server.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    assert.equal(preflight.status, 403);
    const allowed = await post({ messages: [{ role: 'user', content: 'x' }] }, { origin: 'http://localhost:5173' });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:5173');

    const rebound = await raw(server.url, '/stats', { host: `attacker.example:${server.port}`, authorization: `Bearer ${TOKEN}` });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body.error.message, /DNS rebinding/);
    assert.equal((await raw(server.url, '/health', { host: `localhost:${server.port}` })).status, 200);
    assert.equal(standIn.requests.length, 1);
  });

  it('refuses a non-loopback bind without a token, before listening', async () => {
    await assert.rejects(startRouterServer({ config: () => DEFAULT_CONFIG, store: new HistoryStore(join(dirs.make(), 'h.jsonl')), getApiKey: () => KEY }, { host: '0.0.0.0', port: 0 }), (error: unknown) => error instanceof EndpointStartError && /without a token/.test(error.message));
  });

  it('refuses a call past the spending budget with 402 (not 429, which clients retry), sends nothing, and records it', async () => {
    const { config } = resolveConfig({ baseUrl: standIn.baseUrl });
    const gate = budgetGate({
      budget: { daily: 0.000001, currency: 'USD', scope: 'workspace', onExceed: 'ask', warnAt: 0.8 },
      config,
      spend: async () => ({ today: 0, month: 0 }),
      howToRaise: 'Raise the budget.',
    });
    const { post, records } = await serve({}, {}, KEY, () => gate);
    standIn.reset();
    const refused = await post({ model: 'qwen-max', messages: [{ role: 'user', content: 'an expensive question' }] });
    assert.equal(refused.status, 402);
    const body = (await refused.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'insufficient_quota');
    assert.match(body.error.message, /budget/i);
    assert.equal(standIn.requests.length, 0, 'nothing was sent');
    assert.equal(records().at(-1).error.kind, 'budget_exceeded');
  });

  it('errors carry the same sentences as elsewhere with the right status: 401 key, 429 with Retry-After, 502, 504, 400; every failure recorded', async () => {
    const { post, records } = await serve({}, { retry: { maxAttempts: 1 }, timeouts: { firstTokenMs: 400, callFirstTokenMs: 400 }, escalate: false });
    const ask = (model: string) => post({ model, messages: [{ role: 'user', content: `to ${model}` }] });
    standIn.script('qwen-flash', { error: { ...DASHSCOPE_ERRORS.throttled, retryAfter: '30' } });
    const limited = await ask('qwen-flash');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '30');
    const limitedBody = (await limited.json()) as any;
    assert.equal(limitedBody.error.type, 'rate_limit_error');
    assert.match(limitedBody.error.message, /^Rate limited on qwen-flash/);
    assert.equal(limitedBody.detail, limitedBody.error.message);

    standIn.script('qwen-plus', { error: DASHSCOPE_ERRORS.internal });
    const broken = await ask('qwen-plus');
    assert.equal(broken.status, 502);
    assert.match(((await broken.json()) as any).error.message, /The provider had an internal error on qwen-plus/);

    standIn.script('qwen-max', { hang: true });
    const slow = await ask('qwen-max');
    assert.equal(slow.status, 504);
    assert.match(((await slow.json()) as any).error.message, /No answer from qwen-max/);

    const unknown = await ask('gpt-9');
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as any).detail, /Unknown model "gpt-9": configured models are/);

    const rows = records();
    assert.deepEqual(rows.map((r) => r.error?.kind), ['rate_limited', 'server_error', 'timeout', 'unknown_model']);
    assert.equal(rows[0].error.message, limitedBody.error.message);

    const { post: postWrongKey, records: wrongKeyRecords } = await serve({}, {}, 'sk-wrong');
    const rejected = await postWrongKey({ model: 'qwen-flash', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(rejected.status, 401);
    const rejectedBody = (await rejected.json()) as any;
    assert.equal(rejectedBody.error.type, 'authentication_error');
    assert.match(rejectedBody.error.message, /The API key was rejected/);
    assert.equal(wrongKeyRecords()[0].error.kind, 'auth');
  });

  it('bad requests get a 400 that says what is wrong; an oversized body a 413', async () => {
    const { post, server } = await serve({ maxBodyBytes: 2048 });
    const cases: [unknown, RegExp][] = [
      [{}, /"messages" must be a non-empty list/],
      [{ messages: [{ content: 'x' }] }, /messages\[0\] must be an object with a "role"/],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, /only text content is supported/],
      [{ messages: [{ role: 'user', content: 'x' }], max_tokens: 'many' }, /"max_tokens" must be a positive integer/],
    ];
    for (const [body, message] of cases) {
      const response = await post(body);
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as any).error.message, message);
    }
    const notJson = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{"messages": [' });
    assert.equal(notJson.status, 400);
    const big = await post({ messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
    assert.equal(big.status, 413);
    assert.equal(standIn.requests.length, 0);
  });

  it('50 concurrent requests share one classifier and one history: all answered, all recorded whole, none lost', async () => {
    const { client, records, store } = await serve();
    standIn.setScenario('*', { reply: 'A concurrent answer, in several chunks.', chunkSize: 6, chunkDelayMs: 2 });
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: `Question number ${i}: ${'why '.repeat(i % 7)}?` }];
        if (i % 2) {
          const { data, response } = await client.chat.completions.create({ model: 'auto', messages }).withResponse();
          return { text: data.choices[0].message.content, id: response.headers.get('x-qwen-router-record-id') };
        }
        const { data: stream, response } = await client.chat.completions.create({ model: 'auto', messages, stream: true }).withResponse();
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
        return { text, id: response.headers.get('x-qwen-router-record-id') };
      }),
    );
    assert.ok(answers.every((a) => a.text === 'A concurrent answer, in several chunks.'));
    const rows = records();
    assert.equal(rows.length, 50);
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(answers.map((a) => a.id)));
    assert.deepEqual(new Set(rows.map((r) => r.request.messages[0].content)), new Set(Array.from({ length: 50 }, (_, i) => `Question number ${i}: ${'why '.repeat(i % 7)}?`)));
    assert.ok(rows.every((r) => r.routing.method === 'nvidia_classifier' && r.llm.response_content === 'A concurrent answer, in several chunks.'));
    assert.equal((await store.stats()).total_calls, 50);
    assert.equal(standIn.requests.length, 50);
  });

  it('a client that goes away cancels its call, and the record says so', async () => {
    const { client, records } = await serve();
    standIn.setScenario('*', { reply: 'never finished', hang: true });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'qwen-plus', messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal });
    while (standIn.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await assert.rejects(pending);
    await standIn.requests[0].closed;
    let rows: any[] = [];
    for (let i = 0; i < 200 && rows.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      try {
        rows = records();
      } catch {
        rows = [];
      }
    }
    assert.equal(rows[0].cancelled, true);
  });
});
