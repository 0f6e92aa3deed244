// The chat client against the DashScope stand-in: real HTTP on loopback.
import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { AuthenticationError } from 'openai';
import { chat, type ChatOptions, type ChatTarget } from '../../src/core/llm/client';
import { describeError, retryAfterMs } from '../../src/core/llm/errors';
import { REGION_BASE_URLS } from '../../src/core/models/table';
import { DASHSCOPE_ERRORS, DashScopeStandIn } from '../support/dashscopeStandIn';

const KEY = 'sk-test-key';
const messages = [{ role: 'user', content: 'Say hello' }];

describe('chat client (against the DashScope stand-in)', function () {
  this.timeout(20_000);
  let standIn: DashScopeStandIn;
  before(async () => {
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
  });
  after(async () => standIn.close());
  beforeEach(() => standIn.reset());

  const target = (key: string, model = key, extra: Partial<ChatTarget['spec']> = {}): ChatTarget => ({
    key,
    spec: { model, supportsThinking: true, ...extra },
    baseUrl: standIn.baseUrl,
    apiKey: KEY,
  });
  // Sleeps are recorded and skipped unless a test wants real time.
  const fastSleep = (log: number[]) => async (ms: number) => void log.push(ms);
  const call = (targets: ChatTarget[], options: Partial<ChatOptions> = {}) => chat(targets, { messages, ...options });

  it('streams the answer, asks for usage, and reads it from the last chunk', async () => {
    standIn.setScenario('qwen-flash', { reply: 'Hello there, how can I help?', chunkSize: 5, usage: { prompt_tokens: 12, completion_tokens: 7 } });
    const deltas: string[] = [];
    const outcome = await call([target('qwen-flash')], { onAnswer: (d) => deltas.push(d) });
    assert.equal(outcome.status, 'ok');
    assert.equal(outcome.answer, 'Hello there, how can I help?');
    assert.ok(deltas.length > 3, 'streamed in pieces');
    assert.equal(deltas.join(''), outcome.answer);
    assert.deepEqual(outcome.usage, { input: 12, output: 7 });
    assert.equal(outcome.finishReason, 'stop');
    assert.match(outcome.responseId ?? '', /^chatcmpl-standin-/);
    assert.ok(outcome.ttftMs !== undefined && outcome.ttftMs >= 0 && outcome.ttftMs <= outcome.latencyMs);
    const [request] = standIn.requests;
    assert.equal(request.headers.authorization, `Bearer ${KEY}`);
    assert.equal(request.path, '/compatible-mode/v1/chat/completions');
    assert.equal(request.body.model, 'qwen-flash');
    assert.equal(request.body.stream, true);
    assert.deepEqual(request.body.stream_options, { include_usage: true });
    assert.deepEqual(request.body.messages, messages);
    assert.equal('enable_thinking' in request.body, false, 'not sent unless set');
    assert.equal(outcome.attempts.length, 1);
  });

  it('calls without streaming when asked', async () => {
    standIn.setScenario('qwen-plus', { reply: 'Whole answer.', usage: { prompt_tokens: 3, completion_tokens: 4 } });
    const deltas: string[] = [];
    const outcome = await call([target('qwen-plus')], { stream: false, temperature: 0.2, maxTokens: 100, onAnswer: (d) => deltas.push(d) });
    assert.equal(outcome.status, 'ok');
    assert.equal(outcome.answer, 'Whole answer.');
    assert.deepEqual(deltas, ['Whole answer.']);
    assert.deepEqual(outcome.usage, { input: 3, output: 4 });
    assert.equal(outcome.ttftMs, undefined);
    const body = standIn.requests[0].body;
    assert.equal(body.stream, false);
    assert.equal(body.stream_options, undefined);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.max_tokens, 100);
  });

  it('passes enable_thinking through and keeps the thinking text apart from the answer', async () => {
    standIn.setScenario('qwen-plus', { reasoning: 'Let me think about greetings.', reply: 'Hello!', usage: { prompt_tokens: 5, completion_tokens: 20, reasoning_tokens: 14 } });
    const thinking: string[] = [];
    const answer: string[] = [];
    const outcome = await call([target('qwen-plus')], { enableThinking: true, onThinking: (d) => thinking.push(d), onAnswer: (d) => answer.push(d) });
    assert.equal(standIn.requests[0].body.enable_thinking, true);
    assert.equal(outcome.reasoning, 'Let me think about greetings.');
    assert.equal(thinking.join(''), outcome.reasoning);
    assert.equal(outcome.answer, 'Hello!');
    assert.equal(answer.join(''), 'Hello!');
    assert.deepEqual(outcome.usage, { input: 5, output: 20, reasoning: 14 });
    assert.equal(outcome.thinking, true);
    // Non-streaming: reasoning_content on the message.
    const whole = await call([target('qwen-plus')], { enableThinking: true, stream: false });
    assert.equal(whole.reasoning, 'Let me think about greetings.');
    assert.equal(whole.answer, 'Hello!');
    // A model that does not take the switch does not get it.
    standIn.setScenario('qwen-max', { reply: 'ok' });
    await call([target('qwen-max', 'qwen-max', { supportsThinking: false })], { enableThinking: true });
    assert.equal('enable_thinking' in standIn.requestsFor('qwen-max')[0].body, false);
    await call([target('qwen-plus')], { enableThinking: false });
    assert.equal(standIn.requests.at(-1)!.body.enable_thinking, false);
  });

  describe('clear messages per DashScope error', () => {
    const cases: [string, keyof typeof DASHSCOPE_ERRORS, string, RegExp][] = [
      ['403', 'accessDenied', 'forbidden', /Access denied for qwen-plus \(403 AccessDenied\).*not have access/],
      ['404', 'modelNotFound', 'model_not_found', /model "qwen-plus" was not found at http:\/\/127\.0\.0\.1:\d+\/compatible-mode\/v1 \(404 model_not_found\)/],
      ['400 moderation', 'dataInspection', 'content_filtered', /content moderation rejected this request \(400 data_inspection_failed\)/],
      ['400 other', 'invalidParameter', 'bad_request', /refused the request to qwen-plus \(400 InvalidParameter\): Range of max_tokens/],
    ];
    for (const [name, error, kind, pattern] of cases) {
      it(`${name}: ${kind}, not retried`, async () => {
        standIn.setScenario('qwen-plus', { error: DASHSCOPE_ERRORS[error] });
        const outcome = await call([target('qwen-plus')]);
        assert.equal(outcome.status, 'error');
        assert.equal(outcome.error?.kind, kind);
        assert.match(outcome.error!.message, pattern);
        assert.match(outcome.error!.message, /request_id standin-0-/);
        assert.equal(outcome.error?.requestId?.startsWith('standin-0-'), true);
        assert.equal(standIn.requests.length, 1);
      });
    }

    it('401: names the API key and suggests checking the region', async () => {
      const outcome = await call([{ ...target('qwen-plus'), apiKey: 'sk-wrong' }]);
      assert.equal(outcome.error?.kind, 'auth');
      assert.match(outcome.error!.message, /API key was rejected \(401 invalid_api_key\)\. Check the DashScope API key\. Keys are bound to a region/);
      assert.equal(standIn.requests.length, 1);
      // Against a DashScope URL the message names the region it went to.
      const described = describeError(new AuthenticationError(401, { code: 'invalid_api_key', message: 'Incorrect API key provided.' }, undefined, new Headers()), {
        model: 'qwen-plus',
        baseUrl: REGION_BASE_URLS.china,
      });
      assert.match(described.message, /China \(Beijing\).*change the region setting/);
    });

    it('429: retried, then a message about throttling', async () => {
      standIn.setScenario('qwen-plus', { error: DASHSCOPE_ERRORS.throttled });
      const waits: number[] = [];
      const outcome = await call([target('qwen-plus')], { sleep: fastSleep(waits) });
      assert.equal(outcome.error?.kind, 'rate_limited');
      assert.match(outcome.error!.message, /Rate limited on qwen-plus \(429 Throttling\.RateQuota\)/);
      assert.equal(standIn.requests.length, 3);
      assert.equal(waits.length, 2);
    });

    it('500: retried with back-off, then an internal-error message', async () => {
      standIn.setScenario('qwen-plus', { error: DASHSCOPE_ERRORS.internal });
      const waits: number[] = [];
      const outcome = await call([target('qwen-plus')], { sleep: fastSleep(waits), retry: { baseDelayMs: 400 } });
      assert.equal(outcome.error?.kind, 'server_error');
      assert.match(outcome.error!.message, /internal error on qwen-plus \(500 InternalError\)/);
      assert.equal(outcome.attempts.length, 3);
      assert.ok(waits[0] >= 320 && waits[0] <= 480, `first back-off ~400 ms, got ${waits[0]}`);
      assert.ok(waits[1] >= 640 && waits[1] <= 960, `second back-off ~800 ms, got ${waits[1]}`);
    });

    it('time-out before the first token', async () => {
      standIn.setScenario('qwen-plus', { hang: true });
      const outcome = await call([target('qwen-plus')], { timeouts: { firstTokenMs: 300 } });
      assert.equal(outcome.error?.kind, 'timeout');
      assert.match(outcome.error!.message, /No answer from qwen-plus within 0\.3 s/);
      await standIn.requests[0].closed;
      assert.equal(standIn.requests[0].closedEarly, true, 'the request was closed');
    });

    it('the SDK time-out (no response headers) is reported as a time-out', async () => {
      standIn.setScenario('qwen-plus', { headersDelayMs: 5_000 });
      const outcome = await call([target('qwen-plus')], { timeouts: { requestMs: 300 } });
      assert.equal(outcome.error?.kind, 'timeout');
      assert.match(outcome.error!.message, /No response from qwen-plus/);
    });

    it('no network: a clear message naming the endpoint', async () => {
      const port = await closedPort();
      const waits: number[] = [];
      const outcome = await chat([{ ...target('qwen-plus'), baseUrl: `http://127.0.0.1:${port}/v1` }], { messages, sleep: fastSleep(waits) });
      assert.equal(outcome.error?.kind, 'network');
      assert.match(outcome.error!.message, new RegExp(`Could not reach http://127\\.0\\.0\\.1:${port}/v1 \\(ECONNREFUSED`));
      assert.equal(outcome.attempts.length, 3, 'connection errors are retried');
    });
  });

  it('honours Retry-After before retrying', async () => {
    standIn.script('qwen-plus', { error: { ...DASHSCOPE_ERRORS.throttled, retryAfter: '1' } }, { reply: 'after the wait' });
    const started = Date.now();
    const outcome = await call([target('qwen-plus')]);
    const elapsed = Date.now() - started;
    assert.equal(outcome.status, 'ok');
    assert.equal(outcome.answer, 'after the wait');
    assert.ok(elapsed >= 950, `waited ${elapsed} ms`);
    assert.deepEqual(outcome.attempts.map((a) => [a.outcome, a.waited_ms]), [['rate_limited', 0], ['ok', 1000]]);
    assert.ok(standIn.requests[1].receivedAt - standIn.requests[0].receivedAt >= 950);
  });

  it('caps the total wait: a Retry-After beyond the budget ends the call at once', async () => {
    standIn.setScenario('qwen-plus', { error: { ...DASHSCOPE_ERRORS.throttled, retryAfter: '30' } });
    const started = Date.now();
    const outcome = await call([target('qwen-plus')], { retry: { maxTotalWaitMs: 2_000 } });
    assert.ok(Date.now() - started < 1_500);
    assert.equal(outcome.error?.kind, 'rate_limited');
    assert.match(outcome.error!.message, /Gave up after 1 attempt: the server asked to wait 30 s, beyond the 2 s wait budget/);
    assert.equal(standIn.requests.length, 1);
  });

  it('caps the total wait across retries', async () => {
    standIn.setScenario('qwen-plus', { error: DASHSCOPE_ERRORS.internal });
    const waits: number[] = [];
    const outcome = await call([target('qwen-plus')], { sleep: fastSleep(waits), retry: { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 100_000, maxTotalWaitMs: 5_000 } });
    assert.equal(outcome.error?.kind, 'server_error');
    assert.ok(waits.reduce((a, b) => a + b, 0) <= 5_000);
    assert.ok(outcome.attempts.length < 10);
  });

  it('retries a connection that breaks before the first token', async () => {
    standIn.script('qwen-plus', { breakAfterChunks: 0 }, { reply: 'second time lucky' });
    const outcome = await call([target('qwen-plus')], { sleep: fastSleep([]) });
    assert.equal(outcome.status, 'ok');
    assert.equal(outcome.answer, 'second time lucky');
    assert.equal(outcome.attempts[0].outcome, 'network');
  });

  it('escalates to the next tier on failure before the first token, not on a bad key or prompt', async () => {
    standIn.setScenario('qwen-flash', { error: DASHSCOPE_ERRORS.throttled });
    standIn.setScenario('qwen-plus', { reply: 'from plus' });
    const outcome = await call([target('qwen-flash'), target('qwen-plus')], { sleep: fastSleep([]) });
    assert.equal(outcome.status, 'ok');
    assert.equal(outcome.target.key, 'qwen-plus');
    assert.deepEqual(outcome.escalatedFrom, ['qwen-flash']);
    assert.deepEqual(outcome.attempts.map((a) => `${a.model}:${a.outcome}`), ['qwen-flash:rate_limited', 'qwen-flash:rate_limited', 'qwen-flash:rate_limited', 'qwen-plus:ok']);
    standIn.reset();
    standIn.setScenario('qwen-flash', { error: DASHSCOPE_ERRORS.dataInspection });
    standIn.setScenario('qwen-plus', { reply: 'from plus' });
    const filtered = await call([target('qwen-flash'), target('qwen-plus')]);
    assert.equal(filtered.error?.kind, 'content_filtered');
    assert.equal(standIn.requestsFor('qwen-plus').length, 0);
  });

  it('after the first token: no retry, the partial answer kept, the failure reported', async () => {
    standIn.setScenario('qwen-plus', { reply: 'The first part, then the rest that never comes.', chunkSize: 5, breakAfterChunks: 3, chunkDelayMs: 10 });
    const outcome = await call([target('qwen-plus'), target('qwen-max')], { sleep: fastSleep([]) });
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.kind, 'stream_interrupted');
    assert.equal(outcome.afterFirstToken, true);
    assert.equal(outcome.answer, 'The first part,');
    assert.match(outcome.error!.message, /cut off \(the connection broke\)\. The partial answer is kept\./);
    assert.equal(standIn.requests.length, 1, 'neither retried nor escalated');
    assert.equal(outcome.usage, undefined);
  });

  it('waits for a slow first token within its budget', async () => {
    standIn.setScenario('qwen-plus', { reply: 'slow but fine', firstTokenDelayMs: 600 });
    const outcome = await call([target('qwen-plus')], { timeouts: { firstTokenMs: 3_000 } });
    assert.equal(outcome.status, 'ok');
    assert.ok(outcome.ttftMs! >= 550, `ttft ${outcome.ttftMs}`);
  });

  it('gives up on a stream that stalls after the first token, keeping what came', async () => {
    standIn.setScenario('qwen-plus', { reply: 'abcdefghij', chunkSize: 5, chunkDelayMs: 5_000 });
    const outcome = await call([target('qwen-plus')], { timeouts: { idleMs: 300 } });
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.kind, 'timeout');
    assert.equal(outcome.answer, 'abcde');
    assert.match(outcome.error!.message, /stopped arriving: nothing new for 0\.3 s\. The partial answer is kept\./);
  });

  it('cancellation aborts the HTTP request: the server sees the connection close', async () => {
    standIn.setScenario('qwen-plus', { reply: 'one two three four five six', chunkSize: 4, chunkDelayMs: 200 });
    const controller = new AbortController();
    const outcome = await call([target('qwen-plus')], { signal: controller.signal, onAnswer: () => controller.abort() });
    assert.equal(outcome.status, 'cancelled');
    assert.equal(outcome.answer, 'one ');
    const [request] = standIn.requests;
    await request.closed;
    assert.equal(request.closedEarly, true);
    assert.equal(request.finished, false);
  });

  it('cancellation before the answer starts (still waiting for headers) closes the request too', async () => {
    standIn.setScenario('qwen-plus', { hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const outcome = await call([target('qwen-plus')], { signal: controller.signal });
    assert.equal(outcome.status, 'cancelled');
    await standIn.requests[0].closed;
    assert.equal(standIn.requests[0].closedEarly, true);
  });

  it('cancellation during a retry wait ends the call without another request', async () => {
    standIn.setScenario('qwen-plus', { error: { ...DASHSCOPE_ERRORS.throttled, retryAfter: '5' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const outcome = await call([target('qwen-plus')], { signal: controller.signal });
    assert.equal(outcome.status, 'cancelled');
    assert.ok(Date.now() - started < 2_000);
    assert.equal(standIn.requests.length, 1);
  });

  it('the stand-in can be scripted over HTTP by other processes', async () => {
    const origin = standIn.baseUrl.replace('/compatible-mode/v1', '');
    const post = (path: string, body: unknown) => fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post('/__standin/script', { model: 'qwen-plus', scenarios: [{ error: DASHSCOPE_ERRORS.accessDenied }, { reply: 'scripted' }] })).status, 200);
    assert.equal((await call([target('qwen-plus')])).error?.kind, 'forbidden');
    assert.equal((await call([target('qwen-plus')])).answer, 'scripted');
    const seen = (await (await fetch(`${origin}/__standin/requests`)).json()) as { body: { model: string }; finished: boolean }[];
    assert.deepEqual(seen.map((r) => [r.body.model, r.finished]), [['qwen-plus', true], ['qwen-plus', true]]);
    await post('/__standin/reset', {});
    assert.equal(standIn.requests.length, 0);
  });

  it('parses Retry-After as seconds, as a date, and retry-after-ms', () => {
    const h = (entries: Record<string, string>) => new Headers(entries);
    assert.equal(retryAfterMs(h({ 'retry-after': '2' })), 2000);
    assert.equal(retryAfterMs(h({ 'retry-after-ms': '150' })), 150);
    assert.equal(retryAfterMs(h({ 'retry-after': new Date(10_000).toUTCString() }), 7_000), 3_000);
    assert.equal(retryAfterMs(h({})), undefined);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
