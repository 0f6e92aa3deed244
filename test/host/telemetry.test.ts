// OpenTelemetry from the editor (issue 11): with qwenRouter.telemetry.otlp.endpoint set to a local
// OTLP/HTTP receiver and headers from "Set OpenTelemetry Headers", an ask arrives as one GenAI span
// carrying the headers and no text; a workspace cannot point the export elsewhere.
import * as assert from 'assert';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import type { QwenRouterApi } from '../../src/extension';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { OtlpReceiver } from '../support/otlpReceiver';
import { answering, until } from './prompts';

const KEY = 'sk-host-otel-7f2';

describe('OpenTelemetry export (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let standIn: DashScopeStandIn;
  let receiver: OtlpReceiver;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');

  before(async () => {
    api = await vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
    receiver = await OtlpReceiver.start();
    await settings().update('baseUrl', standIn.baseUrl, vscode.ConfigurationTarget.Global);
    await settings().update('escalateOnFailure', false, vscode.ConfigurationTarget.Global);
    await answering('showInputBox', KEY, () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
  });
  after(async () => {
    for (const key of ['baseUrl', 'escalateOnFailure', 'telemetry.otlp.endpoint']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await answering('showInputBox', '', () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
    await answering('showInputBox', '', () => vscode.commands.executeCommand('qwenRouter.setOtelHeaders'));
    await api.router.telemetry.configure();
    await standIn?.close();
    await receiver?.close();
  });

  it('an ask from the extension arrives as a GenAI span with the headers and no text', async () => {
    standIn.setScenario('qwen-max', { reply: 'host-answer-marker', usage: { prompt_tokens: 12, completion_tokens: 5 } });
    await answering('showInputBox', 'authorization=Bearer%20host-otel-token', () => vscode.commands.executeCommand('qwenRouter.setOtelHeaders'));
    await settings().update('telemetry.otlp.endpoint', receiver.endpoint, vscode.ConfigurationTarget.Global);
    await api.router.telemetry.configure();
    const result = await api.router.ask({ messages: [{ role: 'user', content: 'host-prompt-marker' }], model: 'qwen-max' });
    assert.equal(result.status, 'ok', result.error?.message);
    await until(() => receiver.spans.length > 0, 'the span at the receiver');
    const [span] = receiver.spans;
    assert.equal(span.name, 'chat qwen-max');
    assert.equal(span.resource['qwen_router.surface'], 'vscode');
    assert.equal(span.attributes['gen_ai.operation.name'], 'chat');
    assert.equal(span.attributes['gen_ai.request.model'], 'qwen-max');
    assert.equal(span.attributes['gen_ai.usage.input_tokens'], 12);
    assert.equal(span.attributes['gen_ai.usage.output_tokens'], 5);
    assert.equal(span.attributes['qwen_router.routing.method'], 'user_specified');
    assert.equal(span.attributes['qwen_router.call.id'], result.record.id);
    assert.equal(receiver.requests[0].headers.authorization, 'Bearer host-otel-token');
    assert.doesNotMatch(JSON.stringify(receiver.spans), /host-prompt-marker|host-answer-marker/);
  });

  it('a workspace cannot set the endpoint (machine scope)', async () => {
    await settings().update('telemetry.otlp.endpoint', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('telemetry.otlp.endpoint', receiver.endpoint, vscode.ConfigurationTarget.Workspace).then(
      () => undefined,
      () => undefined, // VS Code may refuse to write a machine setting to the workspace at all
    );
    await api.router.telemetry.configure();
    receiver.reset();
    standIn.setScenario('qwen-max', { reply: 'fine' });
    const result = await api.router.ask({ messages: [{ role: 'user', content: 'hello' }], model: 'qwen-max' });
    assert.equal(result.status, 'ok', result.error?.message);
    await api.router.telemetry.shutdown();
    assert.equal(receiver.requests.length, 0, 'nothing was exported');
  });
});
