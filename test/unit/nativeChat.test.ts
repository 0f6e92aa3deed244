// VS Code's chat ↔ OpenAI messages, tool calls checked before they reach the editor, and which
// route a request to "Qwen Router: Auto" takes across the requests of a conversation.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { ask } from '../../src/core/ask';
import type { ClassifierResult } from '../../src/core/classifier/result';
import { resolveConfig } from '../../src/core/config';
import type { CallRecord } from '../../src/core/history/record';
import { HistoryStore } from '../../src/core/history/store';
import { checkToolCalls } from '../../src/core/llm/toolCalls';
import { answerFingerprint, messageFingerprint, planAutoRoute, TurnMemory } from '../../src/core/nativeChat/continuity';
import { isToolContinuation, latestUserWords, toChatMessages, toOpenAiTools, type PlainMessage } from '../../src/core/nativeChat/messages';
import { AUTO_MODEL_ID, DEFAULT_MAX_OUTPUT_TOKENS, providerModels } from '../../src/core/nativeChat/models';
import { route } from '../../src/core/routing/route';
import { standInForSuite } from '../support/dashscopeStandIn';

const system = (text: string): PlainMessage => ({ role: 'system', parts: [{ kind: 'text', text }] });
const user = (...texts: string[]): PlainMessage => ({ role: 'user', parts: texts.map((text) => ({ kind: 'text', text })) });
const answer = (text: string): PlainMessage => ({ role: 'assistant', parts: [{ kind: 'text', text }] });
const calling = (callId: string, name: string, input: unknown, text = ''): PlainMessage => ({ role: 'assistant', parts: [...(text ? [{ kind: 'text' as const, text }] : []), { kind: 'toolCall', callId, name, input }] });
const result = (callId: string, text: string): PlainMessage => ({ role: 'user', parts: [{ kind: 'toolResult', callId, text }] });

function verdict(score: number): ClassifierResult {
  return { task_type_1: 'Code Generation', task_type_2: 'NA', task_type_prob: 0.9, creativity_scope: 0.1, reasoning: 0.2, contextual_knowledge: 0.1, number_of_few_shots: 0, domain_knowledge: 0.5, no_label_reason: 0, constraint_ct: 0.2, prompt_complexity_score: score };
}

describe('native chat: messages both ways', () => {
  it('turns text, tool calls and tool results into OpenAI messages, results right after their calls', () => {
    const messages = toChatMessages(
      [system('You are a helper.'), user('What is the ', 'weather?'), calling('call_1', 'get_weather', { city: 'Hangzhou' }, 'Let me look.'), { role: 'user', parts: [{ kind: 'toolResult', callId: 'call_1', text: '21 °C' }, { kind: 'text', text: 'And tomorrow?' }] }],
      { images: false },
    );
    assert.deepEqual(messages, [
      { role: 'system', content: 'You are a helper.' },
      { role: 'user', content: 'What is the weather?' },
      { role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '21 °C' },
      { role: 'user', content: 'And tomorrow?' },
    ]);
  });

  it('sends images as data URLs only to a model that reads them', () => {
    const withImage: PlainMessage = { role: 'user', parts: [{ kind: 'text', text: 'What is this?' }, { kind: 'image', mimeType: 'image/png', data: new Uint8Array([1, 2, 3]) }] };
    assert.deepEqual(toChatMessages([withImage], { images: false }), [{ role: 'user', content: 'What is this?' }]);
    const [sent] = toChatMessages([withImage], { images: true });
    assert.equal(sent.content, 'What is this?', 'routing and the record still read the text');
    assert.deepEqual(sent.contentParts, [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AQID' } }]);
  });

  it('maps the tools and the tool mode to tools / tool_choice (DashScope has no "required")', () => {
    assert.deepEqual(toOpenAiTools(undefined, 'auto'), {});
    assert.deepEqual(toOpenAiTools([], 'required'), {});
    const one = toOpenAiTools([{ name: 'read', description: 'Reads a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }], 'required');
    assert.deepEqual(one.tools, [{ type: 'function', function: { name: 'read', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }]);
    assert.deepEqual(one.toolChoice, { type: 'function', function: { name: 'read' } });
    const two = toOpenAiTools([{ name: 'a', description: '' }, { name: 'b', description: '' }], 'required');
    assert.equal(two.toolChoice, 'auto');
    assert.deepEqual((two.tools as { function: { parameters: unknown } }[])[0].function.parameters, { type: 'object', properties: {} });
    assert.equal(toOpenAiTools([{ name: 'a', description: '' }], 'auto').toolChoice, 'auto');
  });

  it("finds the user's own words: not the system prompt, not tool results", () => {
    const messages = [system('Long system prompt'), user('Refactor the parser'), calling('c1', 'read', {}), result('c1', 'file text')];
    assert.equal(latestUserWords(messages), 'Refactor the parser');
    assert.ok(isToolContinuation(messages));
    assert.ok(!isToolContinuation(messages.slice(0, 2)));
    assert.equal(latestUserWords([system('only a system prompt')]), '');
  });
});

describe('native chat: tool calls are checked', () => {
  const ids = () => 'call_generated';
  it('passes complete JSON objects, reads "" as {}, fills a missing id', () => {
    const checked = checkToolCalls(
      [
        { id: 'call_a', type: 'function', function: { name: 'read', arguments: '{"path":"a.ts"}' } },
        { id: '', type: 'function', function: { name: 'list', arguments: '' } },
      ],
      ids,
    );
    assert.deepEqual(checked, { ok: true, calls: [{ callId: 'call_a', name: 'read', input: { path: 'a.ts' } }, { callId: 'call_generated', name: 'list', input: {} }] });
  });

  it('skips the holes a sparse stream index leaves', () => {
    const calls = [];
    calls[1] = { id: 'call_b', type: 'function', function: { name: 'read', arguments: '{}' } };
    assert.deepEqual(checkToolCalls(calls, ids), { ok: true, calls: [{ callId: 'call_b', name: 'read', input: {} }] });
  });

  it('fails arguments cut off mid-JSON with a sentence naming the tool, and non-objects too', () => {
    const cut = checkToolCalls([{ id: 'c', type: 'function', function: { name: 'edit_file', arguments: '{"path":"a.ts","text":"hel' } }], ids);
    assert.equal(cut.ok, false);
    assert.match(!cut.ok ? cut.message : '', /tool "edit_file" has arguments that are not complete JSON \(26 characters/);
    const list = checkToolCalls([{ id: 'c', type: 'function', function: { name: 'x', arguments: '[1]' } }], ids);
    assert.match(!list.ok ? list.message : '', /not a JSON object/);
    const nameless = checkToolCalls([{ id: 'c', type: 'function', function: { name: '', arguments: '{}' } }], ids);
    assert.match(!nameless.ok ? nameless.message : '', /without naming the tool/);
  });
});

describe('native chat: continuity of a conversation', () => {
  it('fingerprints an answer by its tool-call ids, else by its text, as the editor sends it back', () => {
    assert.equal(answerFingerprint({ text: 'x', toolCallIds: ['c1', 'c2'] }), 'calls:c1,c2');
    assert.equal(answerFingerprint({ text: ' Hello. ', toolCallIds: [] }), messageFingerprint(answer('Hello.')));
    assert.notEqual(messageFingerprint(answer('Hello.')), messageFingerprint(answer('Hello!')));
    assert.equal(answerFingerprint({ text: '  ', toolCallIds: [] }), undefined);
    assert.equal(messageFingerprint(calling('c9', 'read', {}, 'Looking.')), 'calls:c9');
  });

  it('remembers the newest answers only', () => {
    const memory = new TurnMemory(2);
    memory.remember('a', { modelKey: 'qwen-flash', tier: 'simple' });
    memory.remember('b', { modelKey: 'qwen-plus', tier: 'medium' });
    memory.remember('a', { modelKey: 'qwen-flash', tier: 'simple' }); // used again: newest
    memory.remember('c', { modelKey: 'qwen-max', tier: 'complex' });
    assert.equal(memory.size, 2);
    assert.equal(memory.recall('b'), undefined);
    assert.deepEqual(memory.recall('a'), { modelKey: 'qwen-flash', tier: 'simple' });
    memory.remember(undefined, { modelKey: 'qwen-max', tier: 'complex' });
    assert.equal(memory.size, 2);
  });

  it('plans: a first turn is classified; a tool result keeps its turn; a new turn carries the conversation', () => {
    const memory = new TurnMemory();
    const first = [system('sys'), user('Write a parser')];
    assert.deepEqual(planAutoRoute(first, memory), { routeQuery: 'Write a parser' });

    memory.remember(answerFingerprint({ text: '', toolCallIds: ['c1'] }), { modelKey: 'qwen-plus', tier: 'medium' });
    const continued = planAutoRoute([...first, calling('c1', 'read', {}), result('c1', 'contents')], memory);
    assert.equal(continued.routeQuery, 'Write a parser');
    assert.deepEqual(continued.keepRoute, { modelKey: 'qwen-plus', tier: 'medium', continuity: 'tool_continuation', reason: 'a tool result continues the turn on qwen-plus: not classified' });
    assert.equal(continued.conversation, undefined);

    memory.remember(answerFingerprint({ text: 'Done: the parser.', toolCallIds: [] }), { modelKey: 'qwen-plus', tier: 'medium' });
    const next = planAutoRoute([...first, calling('c1', 'read', {}), result('c1', 'contents'), answer('Done: the parser.'), user('Thanks, now add tests')], memory);
    assert.deepEqual(next, { routeQuery: 'Thanks, now add tests', conversation: { modelKey: 'qwen-plus', tier: 'medium' } });

    // An answer we never gave (another window, a reload): classified afresh, on the user's words.
    assert.deepEqual(planAutoRoute([user('hi'), calling('zz', 'read', {}), result('zz', 'x')], memory), { routeQuery: 'hi' });
  });

  const { config } = resolveConfig({});
  const context = (score: number) => ({ policy: config.policy, models: config.models, classify: async () => ({ ok: true as const, result: verdict(score), elapsedMs: 1, tokens: 3 }) });

  it('keeps a conversation on its model when a new turn is not a higher tier, and says why', async () => {
    const decision = await route({ messages: [{ role: 'user', content: 'ok' }], conversation: { modelKey: 'qwen-plus', tier: 'medium' } }, context(0.1));
    assert.equal(decision.modelKey, 'qwen-plus');
    assert.equal(decision.method, 'kept_route');
    assert.equal(decision.routing.continuity, 'kept');
    assert.equal(decision.routing.classified_tier, 'simple');
    assert.equal(decision.routing.complexity_score, 0.1, 'the verdict stays in the record');
    assert.match(decision.routing.continuity_reason as string, /simple, not above the conversation's medium/);
  });

  it('moves a conversation up when a new turn is a higher tier', async () => {
    const decision = await route({ messages: [{ role: 'user', content: 'prove it' }], conversation: { modelKey: 'qwen-flash', tier: 'simple' } }, context(0.7));
    assert.equal(decision.modelKey, 'qwen-max');
    assert.equal(decision.method, 'nvidia_classifier');
    assert.equal(decision.routing.continuity, 'rerouted');
    assert.equal(decision.routing.previous_model, 'qwen-flash');
    assert.match(decision.routing.continuity_reason as string, /complex, above the conversation's qwen-flash \(simple\)/);
  });

  it('classifies the words it is given, not the last message', async () => {
    let seen = '';
    const decision = await route(
      { messages: [{ role: 'user', content: 'the words' }, { role: 'tool', content: 'tool output', tool_call_id: 'c' }], query: 'the words' },
      { ...context(0.1), classify: async (text: string) => ((seen = text), { ok: true as const, result: verdict(0.1), elapsedMs: 1, tokens: 3 }) },
    );
    assert.equal(seen, 'the words');
    assert.equal(decision.routing.query, 'the words');
  });
});

describe('native chat: the models offered', () => {
  it('offers Auto and each configured tier model, with limits, images and list price', () => {
    const { config } = resolveConfig({
      models: { 'my-vl': { model: 'qwen-vl-plus', contextWindow: 131_072, maxOutputTokens: 8_192, imageInput: true, prices: { asOf: '2026-11', currency: 'USD', bands: [{ input: 0.2, output: 0.6 }] } } },
      tierModels: { simple: 'qwen-flash', medium: 'my-vl', complex: 'my-vl' },
    });
    const models = providerModels(config);
    assert.deepEqual(models.map((m) => m.id), [AUTO_MODEL_ID, 'qwen-flash', 'my-vl']);
    const vl = models[2];
    assert.deepEqual(vl.tiers, ['medium', 'complex']);
    assert.equal(vl.family, 'qwen-vl-plus');
    assert.equal(vl.maxInputTokens, 131_072 - 8_192);
    assert.equal(vl.maxOutputTokens, 8_192);
    assert.equal(vl.imageInput, true);
    assert.deepEqual(vl.price, { input: 0.2, output: 0.6, currency: 'USD', asOf: '2026-11' });
    const flash = models[1];
    assert.equal(flash.imageInput, false);
    assert.equal(flash.maxOutputTokens, 32_768);
    assert.equal(flash.maxInputTokens, 1_000_000 - 32_768);
    const auto = models[0];
    assert.equal(auto.maxInputTokens, flash.maxInputTokens, 'the largest input any tier takes');
    assert.equal(auto.maxOutputTokens, 8_192, 'the smallest output any tier gives');
    assert.equal(auto.imageInput, false, 'images only when every tier reads them');
  });

  it('guesses limits for a model the table gives none for', () => {
    const { config } = resolveConfig({ models: { mine: { model: 'my-model' } }, tierModels: { simple: 'mine' } });
    const mine = providerModels(config).find((m) => m.id === 'mine')!;
    assert.equal(mine.maxOutputTokens, DEFAULT_MAX_OUTPUT_TOKENS);
    assert.equal(mine.price, undefined);
  });

  it('rejects limits that are not positive integers in the model table', () => {
    const { problems } = resolveConfig({ models: { bad: { model: 'x', maxOutputTokens: -1, imageInput: 'yes' as unknown as boolean } } });
    assert.deepEqual(problems, ['models: bad: "maxOutputTokens" must be a positive integer', 'models: bad: "imageInput" must be true or false']);
  });
});

describe('native chat: through ask()', function () {
  this.timeout(20_000);
  const KEY = 'sk-native-chat';
  const { standIn, dirs } = standInForSuite(KEY);

  const deps = () => {
    const path = join(dirs.make(), 'call_history.jsonl');
    const { config } = resolveConfig({ baseUrl: standIn().baseUrl, escalate: false });
    const records = (): CallRecord[] => (existsSync(path) ? readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)) : []);
    return { deps: { config, store: new HistoryStore(path), getApiKey: () => KEY, sleep: async () => undefined }, records };
  };

  it('assembles streamed tool calls, counts them in the record, and keeps a tool continuation on its model', async () => {
    standIn().script('qwen-plus', { reply: '', toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Hangzhou","unit":"celsius"}' }], chunkSize: 5 }, { reply: 'It is 21 °C.' });
    const { deps: d, records } = deps();
    const first = await ask({ messages: toChatMessages([user('Weather in Hangzhou?')], { images: false }), model: 'qwen-plus', surface: 'provider', ...toOpenAiTools([{ name: 'get_weather', description: 'Weather' }], 'auto') }, d);
    assert.equal(first.status, 'ok', JSON.stringify(first.error));
    assert.deepEqual(first.toolCalls, [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou","unit":"celsius"}' } }]);
    assert.equal(records()[0].llm.tool_calls, 1);

    const conversation = [user('Weather in Hangzhou?'), calling('call_w1', 'get_weather', { city: 'Hangzhou', unit: 'celsius' }), result('call_w1', '21 °C')];
    const memory = new TurnMemory();
    memory.remember(answerFingerprint({ text: '', toolCallIds: ['call_w1'] }), { modelKey: 'qwen-plus', tier: 'medium' });
    const second = await ask({ messages: toChatMessages(conversation, { images: false }), ...planAutoRoute(conversation, memory), surface: 'provider' }, d);
    assert.equal(second.answer, 'It is 21 °C.');
    const record = records()[1];
    assert.equal(record.routing!.method, 'kept_route');
    assert.equal(record.routing!.continuity, 'tool_continuation');
    assert.equal(record.routing!.query, 'Weather in Hangzhou?');
    assert.equal(record.llm.tool_calls, undefined);
    assert.equal(record.surface, 'provider');
    const sent = standIn().requestsFor('qwen-plus')[1].body.messages;
    assert.deepEqual(sent.at(-1), { role: 'tool', content: '21 °C', tool_call_id: 'call_w1' });
  });

  it('fails an answer whose tool-call arguments were cut off, and records why', async () => {
    standIn().script('qwen-flash', { reply: '', toolCalls: [{ id: 'call_x', name: 'edit_file', arguments: '{"path":"a.ts","text":"hel' }] });
    const { deps: d, records } = deps();
    const outcome = await ask({ messages: [{ role: 'user', content: 'edit' }], model: 'qwen-flash', tools: [{ type: 'function', function: { name: 'edit_file', parameters: {} } }] }, d);
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.kind, 'protocol');
    assert.match(outcome.error!.message, /"edit_file" has arguments that are not complete JSON/);
    assert.equal(records()[0].error?.kind, 'protocol');
    assert.equal(records()[0].llm.tool_calls, 1);
  });
});
