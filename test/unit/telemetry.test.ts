// OpenTelemetry export (docs/telemetry.md): the pure mapping and the OTEL_* variables, then the CLI
// as a real child process (node dist/cli.js) against the DashScope stand-in and a local OTLP/HTTP
// receiver that decodes what arrives.
import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { callTelemetry, otlpTargetFromEnvironment, parseOtlpHeaders } from '../../src/core/telemetry/genai';
import type { CallRecord } from '../../src/core/history/record';
import { cliSuite, runCliChild as cli } from '../support/cliChild';
import { OtlpReceiver } from '../support/otlpReceiver';

const KEY = 'sk-telemetry-test';
const PROMPT = 'What is the capital of France? secret-prompt-marker';
const REPLY = 'Paris. secret-answer-marker';

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OpenTelemetry: the mapping and the environment', () => {
  const record: CallRecord = {
    id: 'r1',
    timestamp: 1767225600.5,
    request: { messages: [{ role: 'user', content: 'hi there' }], temperature: null, max_tokens: 100, user_specified_model: null, stream: true },
    routing: { method: 'nvidia_classifier', query: 'hi there', tier: 'medium', complexity_score: 0.42, routing_latency_ms: 12.5 },
    llm: { model: 'qwen-plus', provider: 'dashscope', provider_model: 'qwen-plus', base_url: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', response_id: 'chatcmpl-1', response_content: 'hello', input_tokens: 10, output_tokens: 3, total_tokens: 13, cost_usd: 0.0000076, llm_latency_ms: 487.5, finish_reason: 'stop', usage_source: 'provider', cost_currency: 'CNY', cost: 0.01 },
    error: null,
    cancelled: false,
    attempts: 1,
  };

  it('maps a record to GenAI and routing attributes, the span ending at the record time', () => {
    const t = callTelemetry(record);
    assert.equal(t.span.name, 'chat qwen-plus');
    assert.equal(t.span.endMs, 1767225600500);
    assert.equal(t.span.startMs, 1767225600500 - 500);
    const a = t.span.attributes;
    assert.equal(a['gen_ai.operation.name'], 'chat');
    assert.equal(a['gen_ai.provider.name'], 'dashscope');
    assert.equal(a['server.address'], 'dashscope-intl.aliyuncs.com');
    assert.equal(a['server.port'], 443);
    assert.deepEqual(a['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(a['gen_ai.request.max_tokens'], 100);
    assert.equal(a['qwen_router.routing.complexity'], 0.42);
    assert.equal(a['qwen_router.cost'], 0.01, 'the estimate in its own currency');
    assert.equal(a['qwen_router.cost.currency'], 'CNY');
    assert.equal(a['gen_ai.input.messages'], undefined);
    assert.deepEqual(t.tokens.map((p) => [p.attributes['gen_ai.token.type'], p.value]), [['input', 10], ['output', 3]]);
    assert.equal(t.cost?.attributes['qwen_router.cost.currency'], 'CNY');
    assert.equal(t.routing?.value, 0.0125);
  });

  it('puts text on the span only when asked, and never for a metadata record', () => {
    const withText = callTelemetry(record, { includeText: true }).span.attributes;
    assert.deepEqual(JSON.parse(String(withText['gen_ai.input.messages'])), [{ role: 'user', parts: [{ type: 'text', content: 'hi there' }] }]);
    assert.match(String(withText['gen_ai.output.messages']), /hello/);
    const metadata = callTelemetry({ ...record, privacy: 'metadata' }, { includeText: true }).span.attributes;
    assert.equal(metadata['gen_ai.input.messages'], undefined);
    assert.equal(metadata['gen_ai.output.messages'], undefined);
  });

  it('reads the standard variables; refuses plain http to another machine; names a bad header by its key only', () => {
    assert.deepEqual(otlpTargetFromEnvironment({}), {});
    const { target } = otlpTargetFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com:4318/', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://m.example.com/custom', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team = core', OTEL_SERVICE_NAME: 'team-x' });
    assert.equal(target?.tracesUrl, 'https://otel.example.com:4318/v1/traces');
    assert.equal(target?.metricsUrl, 'https://m.example.com/custom');
    assert.deepEqual(target?.headers, { authorization: 'Bearer abc', 'x-team': 'core' });
    assert.equal(target?.serviceName, 'team-x');
    assert.equal(target?.includeText, false);
    assert.match(otlpTargetFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://10.0.0.5:4318' }).problem ?? '', /plain http:\/\/.*allowInsecureHttp/);
    assert.ok(otlpTargetFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://10.0.0.5:4318' }, { allowInsecureHttp: true }).target);
    assert.deepEqual(otlpTargetFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://x', OTEL_SDK_DISABLED: 'true' }), {});
    const bad = parseOtlpHeaders('good=1,token-without-value-s3cret');
    assert.match(bad.problem ?? '', /"token-without-value-s3cret" is not a key=value pair/);
    assert.doesNotMatch(parseOtlpHeaders('bad key=s3cret').problem ?? '', /s3cret/);
  });
});

describe('OpenTelemetry from the CLI (node dist/cli.js, a local OTLP/HTTP receiver)', function () {
  this.timeout(30_000);
  const suite = cliSuite(KEY);
  let receiver: OtlpReceiver;
  before(async () => (receiver = await OtlpReceiver.start()));
  after(() => receiver?.close());
  beforeEach(() => receiver.reset());

  const ask = (extraEnv: Record<string, string>, args: string[] = []) =>
    cli(['ask', '--base-url', suite.standIn.baseUrl, '--history', suite.history(), ...args, PROMPT], { env: { DASHSCOPE_API_KEY: KEY, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, ...extraEnv } });

  it('ask: one span with the GenAI and routing attributes, token, duration and cost metrics, and no text', async () => {
    suite.standIn.setScenario('qwen-flash', { reply: REPLY, usage: { prompt_tokens: 21, completion_tokens: 7, cached_tokens: 4 } });
    const run = await ask({ OTEL_SERVICE_NAME: 'team-cli', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20otel-token' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), REPLY);
    assert.equal(receiver.spans.length, 1);
    const [span] = receiver.spans;
    const a = span.attributes;
    assert.equal(span.name, 'chat qwen-flash');
    assert.equal(span.kind, 3, 'SPAN_KIND_CLIENT');
    assert.equal(span.resource['service.name'], 'team-cli');
    assert.equal(span.resource['qwen_router.surface'], 'cli');
    assert.ok(span.endMs >= span.startMs);
    assert.equal(a['gen_ai.operation.name'], 'chat');
    assert.equal(a['gen_ai.provider.name'], 'dashscope');
    assert.equal(a['gen_ai.system'], 'dashscope');
    assert.equal(a['gen_ai.request.model'], 'qwen-flash');
    assert.equal(a['gen_ai.response.model'], 'qwen-flash');
    assert.equal(a['gen_ai.usage.input_tokens'], 21);
    assert.equal(a['gen_ai.usage.output_tokens'], 7);
    assert.equal(a['gen_ai.usage.cache_read.input_tokens'], 4);
    assert.equal(typeof a['gen_ai.response.id'], 'string');
    assert.deepEqual(a['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(a['qwen_router.tier'], 'simple');
    assert.equal(a['qwen_router.routing.method'], 'fallback_token_length');
    assert.equal(a['qwen_router.cost.currency'], 'USD');
    assert.ok(typeof a['qwen_router.cost'] === 'number' && a['qwen_router.cost'] > 0);
    assert.equal(typeof a['qwen_router.routing.latency_ms'], 'number');
    assert.equal(a['error.type'], undefined);

    const tokens = receiver.metrics.filter((p) => p.metric === 'gen_ai.client.token.usage');
    assert.deepEqual(tokens.map((p) => [p.attributes['gen_ai.token.type'], p.value, p.unit]).sort(), [['input', 21, '{token}'], ['output', 7, '{token}']]);
    const duration = receiver.metrics.filter((p) => p.metric === 'gen_ai.client.operation.duration');
    assert.equal(duration.length, 1);
    assert.equal(duration[0].unit, 's');
    assert.equal(duration[0].attributes['gen_ai.request.model'], 'qwen-flash');
    const cost = receiver.metrics.filter((p) => p.metric === 'qwen_router.cost');
    assert.equal(cost.length, 1);
    assert.equal(cost[0].value, a['qwen_router.cost']);
    assert.equal(receiver.metrics.filter((p) => p.metric === 'qwen_router.routing.duration').length, 1);

    for (const r of receiver.requests) {
      assert.match(r.contentType, /^application\/json/);
      assert.equal(r.headers.authorization, 'Bearer otel-token');
    }
    const everything = JSON.stringify([receiver.spans, receiver.metrics]);
    assert.doesNotMatch(everything, /secret-prompt-marker|secret-answer-marker/);
  });

  it('with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true the text is on the span, but never under --privacy metadata', async () => {
    suite.standIn.setScenario('qwen-flash', { reply: REPLY });
    const run = await ask({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(String(receiver.spans[0].attributes['gen_ai.input.messages']), /secret-prompt-marker/);
    assert.match(String(receiver.spans[0].attributes['gen_ai.output.messages']), /secret-answer-marker/);

    receiver.reset();
    const metadata = await ask({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' }, ['--privacy', 'metadata']);
    assert.equal(metadata.code, 0, metadata.stderr);
    assert.equal(receiver.spans.length, 1);
    assert.doesNotMatch(JSON.stringify(receiver.spans), /secret-prompt-marker|secret-answer-marker/);
  });

  it('a failed call is exported as a span with error.type and an error status', async () => {
    suite.standIn.setScenario('qwen-flash', { error: { status: 400, code: 'InvalidParameter', message: 'Range of max_tokens should be [1, 8192]' } });
    const run = await ask({});
    assert.equal(run.code, 1);
    assert.equal(receiver.spans.length, 1);
    const [span] = receiver.spans;
    assert.equal(span.attributes['error.type'], 'bad_request');
    assert.equal(span.attributes['http.response.status_code'], 400);
    assert.equal(span.status.code, 2, 'STATUS_CODE_ERROR');
    assert.match(span.status.message ?? '', /InvalidParameter/);
    const duration = receiver.metrics.find((p) => p.metric === 'gen_ai.client.operation.duration');
    assert.equal(duration?.attributes['error.type'], 'bad_request');
  });

  it('a dead receiver does not fail the call: the answer is printed, one warning, exit 0', async () => {
    suite.standIn.setScenario('qwen-flash', { reply: REPLY });
    const run = await ask({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await deadPort()}` });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), REPLY);
    assert.match(run.stderr, /warning: OpenTelemetry: could not send (spans|metrics) to http:\/\/127\.0\.0\.1:\d+\/v1\/(traces|metrics)/);
    assert.equal(suite.records(suite.history()).length, 0, 'sanity: a fresh history path');
  });

  it('a receiver that never answers: the CLI still exits after its bounded flush (OTEL_EXPORTER_OTLP_TIMEOUT)', async () => {
    suite.standIn.setScenario('qwen-flash', { reply: REPLY });
    receiver.hang = true;
    const run = await ask({ OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), REPLY);
    assert.ok(receiver.requests.length >= 1, 'the export was attempted');
  });

  it('plain http:// to another machine is refused with one warning; the call goes on', async () => {
    suite.standIn.setScenario('qwen-flash', { reply: REPLY });
    const run = await ask({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://192.0.2.1:4318' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: OpenTelemetry endpoint: .*plain http:\/\/.*no telemetry is sent/);
  });
});
