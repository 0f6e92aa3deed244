// Qwen Router's models in VS Code's own chat, through vscode.lm as any caller (Copilot, an
// extension, a participant) reaches them: the models listed, a routed and streamed answer, a tool
// call and its result on the same model, cancellation, and a rejected key. Every request is one
// record with surface "provider".
import * as assert from 'assert';
import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import * as vscode from 'vscode';
import type { CallRecord } from '../../src/core/history/record';
import type { QwenRouterApi } from '../../src/extension';
import type { DashScopeStandIn, Scenario } from '../support/dashscopeStandIn';
import { answering, until } from './prompts';
import { extensionOnStandIn, leaveStandIn } from './standIn';

const KEY = 'sk-host-provider-5e1';
const FIXTURES = resolve(__dirname, '../../../test/fixtures');
const TIER_MODELS = ['qwen-flash', 'qwen-plus', 'qwen-max'];

describe('language-model provider (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let standIn: DashScopeStandIn;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');
  const records = (): CallRecord[] => (existsSync(api.router.history.path) ? readFileSync(api.router.history.path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line)).filter((line) => line.llm) : []);
  const setKey = (key: string) => answering('showInputBox', key, () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
  /** Every tier model answers with these scenarios, one per request (whichever tier routing picks). */
  const everyTier = (...scenarios: Scenario[]) => TIER_MODELS.forEach((model) => standIn.script(model, ...scenarios));
  const model = async (id: string) => {
    const [found] = await vscode.lm.selectChatModels({ vendor: 'qwen-router', id });
    assert.ok(found, `no model ${id}`);
    return found;
  };
  /** The new records once `count` more have been written (the history is appended asynchronously). */
  async function newRecords(before: number, count: number): Promise<CallRecord[]> {
    await until(() => records().length >= before + count, `${count} new record(s)`);
    return records().slice(before);
  }

  before(async () => {
    ({ api, standIn } = await extensionOnStandIn(KEY));
    await settings().update('classifier.modelPath', join(FIXTURES, 'tiny-model-json'), vscode.ConfigurationTarget.Global);
    await until(() => api.router.config.baseUrl === standIn.baseUrl, 'the stand-in base URL to be read');
    assert.equal((await api.classifier.whenSettled()).kind, 'ready');
  });
  after(async () => {
    await settings().update('classifier.modelPath', undefined, vscode.ConfigurationTarget.Global);
    await leaveStandIn(standIn);
  });
  beforeEach(() => standIn.reset());

  it('lists "Qwen Router: Auto" and each tier model, tool-calling, with their limits', async () => {
    const models = await vscode.lm.selectChatModels({ vendor: 'qwen-router' });
    assert.deepEqual(models.map((m) => m.id), ['auto', ...TIER_MODELS]);
    assert.equal(models[0].name, 'Qwen Router: Auto');
    const max = models.find((m) => m.id === 'qwen-max')!;
    assert.equal(max.family, 'qwen-max');
    assert.equal(max.maxInputTokens, 32_768 - 8_192);
    assert.equal(models[0].maxInputTokens, 1_000_000 - 32_768, 'Auto takes what the largest tier model takes');
  });

  it('routes a request through Auto with the classifier, streams it, and writes one provider record', async () => {
    everyTier({ reply: 'Routers route; the answer streams in pieces.', chunkSize: 6 });
    const before = records().length;
    const response = await (await model('auto')).sendRequest([vscode.LanguageModelChatMessage.User('Write a haiku about routers')], {}, new vscode.CancellationTokenSource().token);
    const parts: string[] = [];
    for await (const part of response.stream) if (part instanceof vscode.LanguageModelTextPart) parts.push(part.value);
    assert.equal(parts.join(''), 'Routers route; the answer streams in pieces.');
    assert.ok(parts.length > 1, `streamed in ${parts.length} part(s)`);
    const [record, ...more] = await newRecords(before, 1);
    assert.equal(more.length, 0);
    assert.equal(record.surface, 'provider');
    assert.equal(record.routing?.method, 'nvidia_classifier');
    assert.equal(record.routing?.query, 'Write a haiku about routers');
    assert.ok(record.llm.input_tokens > 0 && record.llm.cost_usd > 0);
  });

  it('hands a tool call to the caller and continues the turn on the same model, unclassified, with the result', async () => {
    const call = { id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Hangzhou","unit":"celsius"}' };
    everyTier({ reply: '', toolCalls: [call], chunkSize: 7 }, { reply: 'It is 21 °C in Hangzhou.' });
    const before = records().length;
    const auto = await model('auto');
    const tools = [{ name: 'get_weather', description: 'The weather in a city', inputSchema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } } }];
    const question = vscode.LanguageModelChatMessage.User('What is the weather in Hangzhou?');
    const first = await auto.sendRequest([question], { tools }, new vscode.CancellationTokenSource().token);
    const calls: vscode.LanguageModelToolCallPart[] = [];
    for await (const part of first.stream) if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].callId, call.id);
    assert.equal(calls[0].name, 'get_weather');
    assert.deepEqual(calls[0].input, { city: 'Hangzhou', unit: 'celsius' });

    const followUp = [
      question,
      vscode.LanguageModelChatMessage.Assistant([calls[0]]),
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.id, [new vscode.LanguageModelTextPart('21 °C, sunny')])]),
    ];
    const second = await auto.sendRequest(followUp, { tools }, new vscode.CancellationTokenSource().token);
    let text = '';
    for await (const chunk of second.text) text += chunk;
    assert.equal(text, 'It is 21 °C in Hangzhou.');

    const [asked, continued] = await newRecords(before, 2);
    assert.equal(asked.llm.tool_calls, 1);
    assert.equal(continued.llm.model, asked.llm.model, 'the turn stayed on its model');
    assert.equal(continued.routing?.method, 'kept_route');
    assert.equal(continued.routing?.continuity, 'tool_continuation');
    assert.equal(continued.routing?.complexity_score, undefined, 'nothing was classified');
    assert.equal(continued.surface, 'provider');
    const sent = standIn.requests.at(-1)!.body.messages;
    assert.deepEqual(sent.at(-1), { role: 'tool', content: '21 °C, sunny', tool_call_id: call.id });
    assert.deepEqual(sent.at(-2).tool_calls, [{ id: call.id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } }]);
  });

  // Through the provider's own entry point: in VS Code 1.117 a vscode.lm caller's cancellation does
  // not reach the provider once the request has started (microsoft/vscode#277872, fixed by
  // microsoft/vscode#319098 in a later release); VS Code's chat cancels the same token.
  it('cancels mid-stream: the token aborts the HTTP request and the record says cancelled', async () => {
    everyTier({ reply: 'word '.repeat(200), chunkSize: 5, chunkDelayMs: 100 });
    const before = records().length;
    const auto = api.languageModels.provideLanguageModelChatInformation().find((m) => m.id === 'auto')!;
    const source = new vscode.CancellationTokenSource();
    const parts: vscode.LanguageModelResponsePart[] = [];
    const progress = { report: (part: vscode.LanguageModelResponsePart) => (parts.push(part), source.cancel()) };
    const request = api.languageModels.provideLanguageModelChatResponse(auto, [vscode.LanguageModelChatMessage.User('Tell me a long story')], { toolMode: vscode.LanguageModelChatToolMode.Auto }, progress, source.token);
    await assert.rejects(request, (error: unknown) => error instanceof vscode.CancellationError);
    assert.ok(parts.length >= 1 && parts.length < 200, `${parts.length} part(s) before the end`);
    const [record] = await newRecords(before, 1);
    assert.equal(record.cancelled, true);
    assert.equal(record.surface, 'provider');
    await standIn.requests.at(-1)!.closed;
    assert.equal(standIn.requests.at(-1)!.closedEarly, true, 'the request was not aborted');
  });

  it('surfaces a rejected key as a LanguageModelError that names the key', async () => {
    await setKey('sk-wrong-key');
    try {
      let caught: unknown;
      try {
        const response = await (await model('qwen-flash')).sendRequest([vscode.LanguageModelChatMessage.User('hello')], {}, new vscode.CancellationTokenSource().token);
        for await (const part of response.stream) void part;
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof vscode.LanguageModelError, `not a LanguageModelError: ${String(caught)}`);
      assert.match(caught.message, /API key was rejected.*DashScope API key/);
      assert.ok(!caught.message.includes('sk-wrong-key'), 'the key itself is in the message');
    } finally {
      await setKey(KEY);
    }
  });
});
