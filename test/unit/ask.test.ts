// ask(): route, show the decision, call, and append exactly one record per call, whatever happens.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ask, type AskDeps, type AskEvents } from '../../src/core/ask';
import type { ClassifierResult } from '../../src/core/classifier/result';
import { resolveConfig, type ConfigInput } from '../../src/core/config';
import { HistoryStore } from '../../src/core/history/store';
import { SCHEMA_VERSION, type CallRecord } from '../../src/core/history/record';
import { DASHSCOPE_ERRORS, DashScopeStandIn } from '../support/dashscopeStandIn';
import { tempDirs } from '../support/tempDir';

const KEY = 'sk-ask-test';
const RESULT: ClassifierResult = {
  task_type_1: 'Text Generation',
  task_type_2: 'NA',
  task_type_prob: 0.9,
  creativity_scope: 0.8,
  reasoning: 0.2,
  contextual_knowledge: 0.1,
  number_of_few_shots: 0,
  domain_knowledge: 0.3,
  no_label_reason: 0,
  constraint_ct: 0.4,
  prompt_complexity_score: 0.472,
};

describe('ask() (route, call, record)', function () {
  this.timeout(20_000);
  let standIn: DashScopeStandIn;
  const dirs = tempDirs();
  before(async () => {
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
  });
  after(async () => {
    await standIn.close();
    dirs.cleanup();
  });
  beforeEach(() => standIn.reset());

  const setup = (input: ConfigInput = {}, extra: Partial<AskDeps> = {}) => {
    const path = join(dirs.make(), 'call_history.jsonl');
    const store = new HistoryStore(path, { privacy: input.privacy === 'metadata' ? 'metadata' : 'full' });
    const { config, problems } = resolveConfig({ baseUrl: standIn.baseUrl, ...input });
    assert.deepEqual(problems, []);
    const deps: AskDeps = { config, store, getApiKey: () => KEY, sleep: async () => undefined, ...extra };
    const records = (): CallRecord[] => (existsSync(path) ? readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)) : []);
    return { deps, store, records, path };
  };
  const user = (content: string) => [{ role: 'user', content }];

  it('tells the decision before the first token, streams, and writes one record with the old fields and ours', async () => {
    standIn.setScenario('qwen-plus', { reply: 'Once upon a time...', chunkSize: 4, usage: { prompt_tokens: 20, completion_tokens: 10 } });
    const { deps, records } = setup({}, { classify: async () => ({ ok: true, result: RESULT, elapsedMs: 30, tokens: 12 }) });
    const events: string[] = [];
    const handlers: AskEvents = {
      onRouting: ({ decision, target }) => events.push(`routing:${decision.modelKey}:${decision.tier}:${target.model}`),
      onAnswer: () => events.push('answer'),
      onDone: (r) => events.push(`done:${r.status}`),
    };
    const result = await ask({ messages: user('Write a mystery story set in a lighthouse.'), temperature: 0.7, surface: 'sidebar' }, deps, handlers);
    assert.equal(result.status, 'ok');
    assert.equal(result.answer, 'Once upon a time...');
    assert.equal(events[0], 'routing:qwen-plus:medium:qwen-plus');
    assert.ok(events.filter((e) => e === 'answer').length >= 4);
    assert.equal(events.at(-1), 'done:ok');

    const [record] = records();
    assert.equal(records().length, 1);
    // The old service's layers, with its field names.
    assert.deepEqual(Object.keys(record.request).slice(0, 4), ['messages', 'temperature', 'max_tokens', 'user_specified_model']);
    assert.deepEqual(record.request.messages, [{ role: 'user', content: 'Write a mystery story set in a lighthouse.' }]);
    assert.equal(record.request.temperature, 0.7);
    assert.equal(record.request.max_tokens, null);
    assert.equal(record.request.user_specified_model, null);
    assert.equal(record.routing!.method, 'nvidia_classifier');
    assert.equal(record.routing!.tier, 'medium');
    assert.equal(record.routing!.complexity_score, 0.472);
    assert.equal(record.routing!.task_type, 'Text Generation');
    assert.equal(record.routing!.creativity, 0.8);
    assert.equal(record.routing!.prompt_complexity_score, 0.472);
    assert.equal(record.routing!.constraint_ct, 0.4);
    const llm = record.llm;
    assert.deepEqual(Object.keys(llm).slice(0, 9), ['model', 'provider', 'response_id', 'response_content', 'input_tokens', 'output_tokens', 'total_tokens', 'cost_usd', 'llm_latency_ms']);
    assert.equal(llm.model, 'qwen-plus');
    assert.equal(llm.provider, 'dashscope');
    assert.match(llm.response_id!, /^chatcmpl-standin-/);
    assert.equal(llm.response_content, 'Once upon a time...');
    assert.deepEqual([llm.input_tokens, llm.output_tokens, llm.total_tokens], [20, 10, 30]);
    assert.ok(Math.abs(llm.cost_usd - (20 * 0.4 + 10 * 1.2) / 1e6) < 1e-15);
    assert.equal(llm.price_as_of, '2026-12');
    assert.equal(llm.usage_source, 'provider');
    assert.equal(typeof llm.ttft_ms, 'number');
    assert.equal(llm.finish_reason, 'stop');
    // Ours.
    assert.equal(record.schema_version, SCHEMA_VERSION);
    assert.match(record.id!, /^[0-9a-f-]{36}$/);
    assert.ok(Math.abs(record.timestamp - Date.now() / 1000) < 60);
    assert.equal(record.error, null);
    assert.equal(record.cancelled, false);
    assert.equal(record.surface, 'sidebar');
    assert.equal(record.attempts, 1);
  });

  it('without a classifier routes by length with reason model_missing, and records it', async () => {
    standIn.setScenario('qwen-flash', { reply: 'hi' });
    const { deps, records } = setup();
    const result = await ask({ messages: user('hello world') }, deps);
    assert.equal(result.status, 'ok');
    const [record] = records();
    assert.equal(record.routing!.method, 'fallback_token_length');
    assert.equal(record.routing!.fallback_reason, 'model_missing');
    assert.equal(record.routing!.estimated_tokens, 9);
    assert.equal(record.llm.model, 'qwen-flash');
  });

  it('uses the named model for this message, without escalation', async () => {
    standIn.setScenario('qwen-max', { error: DASHSCOPE_ERRORS.internal });
    const { deps, records } = setup();
    const result = await ask({ messages: user('hi'), model: 'qwen-max' }, deps);
    assert.equal(result.status, 'error');
    assert.equal(standIn.requests.every((r) => r.body.model === 'qwen-max'), true);
    const [record] = records();
    assert.deepEqual(record.routing, { method: 'user_specified', query: 'hi' });
    assert.equal(record.request.user_specified_model, 'qwen-max');
    assert.equal(record.error!.kind, 'server_error');
    assert.equal(record.attempts, 3);
    assert.equal(record.attempt_log!.length, 3);
  });

  it('records an unknown model name and a missing key as failed calls, without calling anyone', async () => {
    const { deps, records } = setup();
    const unknown = await ask({ messages: user('hi'), model: 'gpt-9' }, deps);
    assert.equal(unknown.error?.kind, 'unknown_model');
    const noKey = await ask({ messages: user('hi') }, { ...deps, getApiKey: () => undefined, missingKeyHint: 'Set it in the settings.' });
    assert.equal(noKey.error?.kind, 'no_api_key');
    assert.match(noKey.error!.message, /No API key for qwen-flash \(key "dashscope"\)\. Set it in the settings\./);
    assert.equal(standIn.requests.length, 0);
    const stored = records();
    assert.equal(stored.length, 2);
    assert.deepEqual(stored.map((r) => r.error!.kind), ['unknown_model', 'no_api_key']);
    assert.equal(stored[1].routing!.method, 'fallback_token_length');
  });

  it('escalates to the next tier before the first token and records where it came from', async () => {
    standIn.setScenario('qwen-flash', { error: DASHSCOPE_ERRORS.modelNotFound });
    standIn.setScenario('qwen-plus', { reply: 'plus here' });
    const { deps, records } = setup();
    const retries: string[] = [];
    const result = await ask({ messages: user('hi') }, deps, { onRetry: (info) => retries.push(`${info.model}:${info.escalated}:${info.reason.kind}`) });
    assert.equal(result.status, 'ok');
    assert.deepEqual(retries, ['qwen-plus:true:model_not_found']);
    const [record] = records();
    assert.equal(record.llm.model, 'qwen-plus');
    assert.deepEqual(record.escalated_from, ['qwen-flash']);
    assert.equal(record.routing!.tier, 'simple', 'the routing decision stays what it was');
    assert.equal(record.attempts, 2);
  });

  it('keeps the partial answer of a broken stream, with estimated tokens, as a failed call', async () => {
    standIn.setScenario('qwen-flash', { reply: 'partial answer that breaks', chunkSize: 8, breakAfterChunks: 2 });
    const { deps, records, store } = setup();
    const result = await ask({ messages: user('hi') }, deps);
    assert.equal(result.status, 'error');
    assert.equal(result.answer, 'partial answer t');
    const [record] = records();
    assert.equal(record.llm.response_content, 'partial answer t');
    assert.equal(record.error!.kind, 'stream_interrupted');
    assert.equal(record.llm.usage_source, 'estimate');
    assert.ok(record.llm.output_tokens > 0);
    assert.ok(record.llm.cost_usd > 0);
    const stats = await store.stats();
    assert.equal(stats.total_calls, 0, 'not a successful call');
    assert.equal(stats.failed_calls, 1);
  });

  it('records a cancelled call with what had arrived', async () => {
    standIn.setScenario('qwen-flash', { reply: 'aaaa bbbb cccc dddd', chunkSize: 5, chunkDelayMs: 300 });
    const { deps, records, store } = setup();
    const controller = new AbortController();
    const result = await ask({ messages: user('hi'), signal: controller.signal }, deps, { onAnswer: () => controller.abort() });
    assert.equal(result.status, 'cancelled');
    const [record] = records();
    assert.equal(record.cancelled, true);
    assert.equal(record.error, null);
    assert.equal(record.llm.response_content, 'aaaa ');
    await standIn.requests[0].closed;
    assert.equal(standIn.requests[0].closedEarly, true);
    const stats = await store.stats();
    assert.equal(stats.cancelled_calls, 1);
    assert.equal(stats.total_calls, 0);
  });

  it('keeps thinking apart and prices it at the thinking rate', async () => {
    standIn.setScenario('qwen-flash', { reasoning: 'hmm', reply: 'ok', usage: { prompt_tokens: 10, completion_tokens: 10, reasoning_tokens: 5 } });
    standIn.setScenario('qwen-plus', { reasoning: 'hmm', reply: 'ok', usage: { prompt_tokens: 10, completion_tokens: 10, reasoning_tokens: 5 } });
    const { deps, records } = setup({ thinking: 'on', tierModels: { simple: 'qwen-plus' } });
    const thinking: string[] = [];
    await ask({ messages: user('hi') }, deps, { onThinking: (d) => thinking.push(d) });
    assert.equal(thinking.join(''), 'hmm');
    const [record] = records();
    assert.equal(record.request.enable_thinking, true);
    assert.equal(record.llm.reasoning_content, 'hmm');
    assert.equal(record.llm.response_content, 'ok');
    assert.equal(record.llm.reasoning_tokens, 5);
    assert.ok(Math.abs(record.llm.cost_usd - (10 * 0.4 + 10 * 4.0) / 1e6) < 1e-15);
  });

  it('writes no text in privacy mode "metadata"', async () => {
    standIn.setScenario('qwen-flash', { reply: 'the secret answer' });
    const { deps, path } = setup({ privacy: 'metadata' });
    const result = await ask({ messages: user('my secret prompt') }, deps);
    assert.equal(result.answer, 'the secret answer', 'the caller still gets the answer');
    const text = readFileSync(path, 'utf8');
    assert.ok(!text.includes('secret'));
    assert.equal(JSON.parse(text).privacy, 'metadata');
  });

  it('reports a history that cannot be written without failing the call', async () => {
    standIn.setScenario('qwen-flash', { reply: 'fine' });
    const { deps, path } = setup();
    writeFileSync(path, ''); // a file where the history's directory would have to be
    const result = await ask({ messages: user('hi') }, { ...deps, store: new HistoryStore(join(path, 'sub', 'call_history.jsonl')) });
    assert.equal(result.status, 'ok');
    assert.match(result.historyError!, /Could not write the call history/);
  });
});
