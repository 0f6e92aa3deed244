// The "Qwen Router" log of the activated extension, read from the file its LogOutputChannel writes:
// what a bug report needs (routing, failures with DashScope's request id, the classifier's load), never
// the key or, under privacy "metadata", the prompt. And deactivate() waits for the classifier's worker.
import * as assert from 'assert';
import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import type { AskResult } from '../../src/core/ask';
import type { QwenRouterApi } from '../../src/extension';
import { DashScopeStandIn, DASHSCOPE_ERRORS } from '../support/dashscopeStandIn';
import { processGone } from '../support/processes';
import { answering } from './prompts';

const KEY = 'sk-log-secret-9b2d71';
const FIXTURES = resolve(__dirname, '../../../test/fixtures');
const PROMPT = 'Describe the zebra-quokka handshake of protocol 7731 in detail';

describe('the Qwen Router log (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let extension: vscode.Extension<QwenRouterApi>;
  let standIn: DashScopeStandIn;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');
  const logFile = () => join(api.logUri.fsPath, 'Qwen Router.log');
  const logText = () => (existsSync(logFile()) ? readFileSync(logFile(), 'utf8') : '');

  /** The log's text once it contains `pattern` (the channel writes its file asynchronously). */
  async function logWith(pattern: RegExp): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const text = logText();
      if (pattern.test(text)) return text;
      await new Promise((done) => setTimeout(done, 50));
    }
    assert.fail(`${logFile()} has no line matching ${pattern}; it reads:\n${logText()}`);
  }

  before(async () => {
    const found = vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(found);
    extension = found;
    api = await extension.activate();
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
    await settings().update('baseUrl', standIn.baseUrl, vscode.ConfigurationTarget.Global);
    await settings().update('escalateOnFailure', false, vscode.ConfigurationTarget.Global);
    await settings().update('history.privacy', 'metadata', vscode.ConfigurationTarget.Global);
    await answering('showInputBox', KEY, () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
  });
  after(async () => {
    for (const key of ['baseUrl', 'escalateOnFailure', 'history.privacy', 'classifier.modelPath']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await standIn?.close();
  });

  it('records the classifier load and its time', async () => {
    await settings().update('classifier.modelPath', join(FIXTURES, 'tiny-model-json'), vscode.ConfigurationTarget.Global);
    assert.equal((await api.classifier.whenSettled()).kind, 'ready');
    await logWith(/Classifier ready in \d+ ms \(ONNX session \d+ ms\)/);
  });

  it('records a routing line and how the call ended, with no key and no prompt text under "metadata"', async () => {
    standIn.setScenario('qwen-flash', { reply: 'The handshake has three steps.' });
    standIn.setScenario('qwen-plus', { reply: 'The handshake has three steps.' });
    standIn.setScenario('qwen-max', { reply: 'The handshake has three steps.' });
    const result = await answering('showInputBox', PROMPT, () => vscode.commands.executeCommand<AskResult>('qwenRouter.ask'));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const text = await logWith(/Answered by/);
    const routing = text.split('\n').filter((line) => line.includes('Routing: ')).at(-1) ?? '';
    assert.match(routing, /\[info\] Routing: qwen-\w+ \(qwen-\w+\) via nvidia_classifier; tier \w+; complexity [\d.]+, task /);
    assert.match(routing, new RegExp(`prompt ${PROMPT.length} chars, 1 message`));
    assert.ok(!text.includes(KEY), 'the API key is in the log');
    assert.ok(!text.includes('zebra-quokka'), 'the prompt text is in the log');
    assert.ok(!text.includes('three steps'), 'the answer text is in the log');
  });

  it("records a failure with DashScope's request id", async () => {
    standIn.setScenario('qwen-flash', { error: DASHSCOPE_ERRORS.invalidApiKey });
    standIn.setScenario('qwen-plus', { error: DASHSCOPE_ERRORS.invalidApiKey });
    standIn.setScenario('qwen-max', { error: DASHSCOPE_ERRORS.invalidApiKey });
    const result = await answering('showInputBox', 'hello', () => vscode.commands.executeCommand<AskResult>('qwenRouter.ask'));
    assert.equal(result.error?.kind, 'auth');
    const requestId = result.record.error?.request_id;
    assert.ok(requestId, JSON.stringify(result.record.error));
    await logWith(new RegExp(`\\[error\\] Call to qwen-\\w+ failed \\(auth 401, request_id ${requestId}`));
  });

  it("deactivate() resolves once the classifier's process has exited", async () => {
    assert.equal((await api.classifier.whenSettled()).kind, 'ready');
    assert.equal(api.classifier.workerRunning, true, 'the classifier runs before deactivation');
    const pid = api.classifier.pid;
    assert.ok(pid && pid !== process.pid, `the classifier has a process of its own (${pid}, host ${process.pid})`);
    // The module VS Code loaded (Node's module cache): its deactivate() as VS Code calls it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const main = require(join(extension.extensionPath, 'dist', 'extension.js')) as { deactivate(): Promise<void> };
    await main.deactivate();
    assert.equal(api.classifier.workerRunning, false, 'the classifier still runs after deactivate() resolved');
    assert.ok(processGone(pid), `process ${pid} is still there after deactivate() resolved`);
    await logWith(/Classifier process stopped\./);
    // Bring it back for the suites that follow.
    api.classifier.restart();
    assert.equal((await api.classifier.whenSettled()).kind, 'ready');
  });
});
