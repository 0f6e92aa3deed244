// The activated extension itself, as a user drives it from the command palette: its real services,
// settings, SecretStorage and workspace storage, against the local DashScope stand-in.
import * as assert from 'assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import type { AskResult } from '../../src/core/ask';
import type { RoutingDecision } from '../../src/core/routing/route';
import type { QwenRouterApi } from '../../src/extension';
import { describeDecision } from '../../src/vscode/commands/ask';
import { DashScopeStandIn, DASHSCOPE_ERRORS } from '../support/dashscopeStandIn';
import { answering, until } from './prompts';

const KEY = 'sk-host-secret-4f1c9e';
const FIXTURES = resolve(__dirname, '../../../test/fixtures');

/** Every file under a folder, for scanning logs. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the extension, driven from the command palette (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let standIn: DashScopeStandIn;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');
  const records = () => readFileSync(api.router.history.path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));

  before(async () => {
    const extension = vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(extension);
    api = await extension.activate();
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
    await settings().update('baseUrl', standIn.baseUrl, vscode.ConfigurationTarget.Global);
    await settings().update('escalateOnFailure', false, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    for (const key of ['baseUrl', 'escalateOnFailure', 'classifier.modelPath']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    // Leave no key behind: a later suite's ask must not reach DashScope with it.
    await answering('showInputBox', '', () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
    await standIn?.close();
  });

  it('activates quickly without a model and routes by length, saying why', async () => {
    assert.ok(api.activationMs >= 0 && api.activationMs < 5000, `activation took ${api.activationMs} ms`);
    const state = await api.classifier.whenSettled();
    assert.equal(state.kind, 'missing');
    const decision = await answering('showInputBox', 'Explain quicksort', () => vscode.commands.executeCommand<RoutingDecision>('qwenRouter.explainRouting'));
    assert.equal(decision.method, 'fallback_token_length');
    assert.equal(decision.fallbackReason, 'model_missing');
    const report = vscode.window.activeTextEditor?.document.getText() ?? vscode.workspace.textDocuments.map((d) => d.getText()).join('\n');
    assert.match(report, /Routing decision/);
  });

  it('without a key, the first question says how to set it, and the failure is recorded', async () => {
    const result = await answering('showInputBox', 'What is a monad?', () => vscode.commands.executeCommand<AskResult>('qwenRouter.ask'));
    assert.equal(result.status, 'error');
    assert.equal(result.error?.kind, 'no_api_key');
    assert.match(result.error?.message ?? '', /Set API Key/);
    assert.equal(records().at(-1).error.kind, 'no_api_key');
  });

  it('keeps the key in SecretStorage: the ask flow streams, writes one record to workspace storage, and the key is nowhere else', async () => {
    await answering('showInputBox', KEY, () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
    standIn.setScenario('qwen-flash', { reply: 'A monad is a monoid in the category of endofunctors.', chunkSize: 5, chunkDelayMs: 5 });
    const before = existsSync(api.router.history.path) ? records().length : 0;
    const result = await answering('showInputBox', 'What is a monad?', () => vscode.commands.executeCommand<AskResult>('qwenRouter.ask'));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.answer, 'A monad is a monoid in the category of endofunctors.');
    assert.equal(standIn.requests.at(-1)?.headers.authorization, `Bearer ${KEY}`);

    // One record, in this workspace's storage, with the old service's three layers.
    const stored = records();
    assert.equal(stored.length, before + 1);
    const record = stored.at(-1);
    assert.deepEqual([record.routing.method, record.llm.model, record.llm.response_content], ['fallback_token_length', 'qwen-flash', result.answer]);
    assert.ok(api.router.history.path.includes('workspaceStorage'), api.router.history.path);

    // The answer document shows the decision first, then the answer.
    const answerDoc = vscode.workspace.textDocuments.find((d) => d.getText().includes('A monad is a monoid'));
    assert.ok(answerDoc, 'the answer document is open');
    const text = answerDoc.getText();
    assert.ok(text.indexOf('qwen-flash (simple)') < text.indexOf('A monad is a monoid'), text);

    // The key is in none of the settings, the records or the logs.
    const settingsText = JSON.stringify(settings().inspect('') ?? {}) + JSON.stringify(vscode.workspace.getConfiguration().get('qwenRouter'));
    assert.ok(!settingsText.includes(KEY), 'settings');
    assert.ok(!readFileSync(api.router.history.path, 'utf8').includes(KEY), 'records');
    // <user data>/User/workspaceStorage/<workspace>/<extension>/call_history.jsonl; logs are in <user data>/logs.
    const userData = dirname(dirname(dirname(dirname(dirname(api.router.history.path)))));
    const logFiles = filesUnder(join(userData, 'logs'));
    assert.ok(logFiles.length > 0, `no log files under ${userData}/logs`);
    for (const file of logFiles) assert.ok(!readFileSync(file, 'utf8').includes(KEY), file);
  });

  it('with privacy "metadata", Ask shows the answer in a read-only in-memory document that VS Code never backs up', async () => {
    await settings().update('history.privacy', 'metadata', vscode.ConfigurationTarget.Global);
    try {
      standIn.setScenario('qwen-flash', { reply: 'The Nightingale answer.', chunkSize: 5 });
      const result = await answering('showInputBox', 'About project Nightingale?', () => vscode.commands.executeCommand<AskResult>('qwenRouter.ask'));
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      // A content provider's document is read again after it says it changed: wait for that.
      const showing = () => vscode.workspace.textDocuments.filter((d) => d.getText().includes('The Nightingale answer.'));
      // (Under load that takes seconds: poll with the suite's usual deadline.)
      await until(() => showing().length > 0, 'a document showing the answer');
      const shown = showing();
      assert.equal(shown.length, 1, `one document shows the answer: ${shown.map((d) => d.uri.toString()).join(', ')}`);
      // Untitled documents are written to disk by hot exit; this one is not untitled and never dirty.
      assert.equal(shown[0].uri.scheme, 'qwen-router-answer');
      assert.equal(shown[0].isDirty, false);
      assert.equal(shown[0].languageId, 'markdown');
      assert.ok(!readFileSync(api.router.history.path, 'utf8').includes('Nightingale'), 'the history keeps no text');
    } finally {
      await settings().update('history.privacy', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('names the API key and the region when DashScope answers 401', async () => {
    standIn.setScenario('qwen-flash', { error: DASHSCOPE_ERRORS.invalidApiKey });
    const result = await answering('showInputBox', 'hello', () => vscode.commands.executeCommand<AskResult>('qwenRouter.ask'));
    assert.equal(result.error?.kind, 'auth');
    assert.match(result.error?.message ?? '', /API key/);
    assert.match(result.error?.message ?? '', /region/i);
    assert.equal(records().at(-1).error.kind, 'auth');
  });

  it('routes with the classifier once a model is configured', async () => {
    await settings().update('classifier.modelPath', join(FIXTURES, 'tiny-model-json'), vscode.ConfigurationTarget.Global);
    const state = await api.classifier.whenSettled();
    assert.equal(state.kind, 'ready', JSON.stringify(state));
    const decision = await answering('showInputBox', 'Write a Python script that uses a for loop.', () => vscode.commands.executeCommand<RoutingDecision>('qwenRouter.explainRouting'));
    assert.equal(decision.method, 'nvidia_classifier');
    assert.equal(typeof decision.classifier?.prompt_complexity_score, 'number');
    assert.ok(decision.tier);
  });

  it('runs the classifier in a process of its own: killed, the next prompt is routed by length saying why, a later one by the classifier again', async () => {
    await settings().update('classifier.modelPath', join(FIXTURES, 'tiny-model-json'), vscode.ConfigurationTarget.Global);
    assert.equal((await api.classifier.whenSettled()).kind, 'ready');
    const pid = api.classifier.pid;
    assert.ok(pid && pid !== process.pid, `the classifier runs in process ${pid}, not the extension host's ${process.pid}`);
    const explain = (prompt: string) => api.router.explain([{ role: 'user', content: prompt }]);
    assert.equal((await explain('Summarize the plot of Hamlet in two sentences.')).method, 'nvidia_classifier');

    process.kill(pid, 'SIGKILL');
    // In flight when it dies, or asked while it restarts (1 s back-off): routed by length, with the reason.
    const crashed = await explain('Translate "good morning" into French.');
    assert.equal(crashed.method, 'fallback_token_length');
    assert.equal(crashed.fallbackReason, 'classifier_crashed');
    assert.match(String(crashed.routing.error), /classifier process stopped \(signal SIGKILL\)/);
    // What the palette's answer and Explain Routing show.
    assert.match(describeDecision(crashed), /— classifier process crashed, restarting \(The classifier process stopped/);

    assert.equal((await api.classifier.whenSettled()).kind, 'ready', 'it restarted');
    assert.ok(api.classifier.pid && api.classifier.pid !== pid, 'in a new process');
    const again = await explain('Write a haiku about autumn leaves.');
    assert.equal(again.method, 'nvidia_classifier');
  });

  it('Export History refuses the history file itself and reports an unwritable target, leaving the history whole', async () => {
    const history = api.router.history.path;
    const before = readFileSync(history, 'utf8');
    assert.ok(before.length > 0);
    const exportTo = async (target: string) => {
      let shown = '';
      await answering('showQuickPick', vscode.l10n.t('With prompt and answer text'), () =>
        answering('showSaveDialog', vscode.Uri.file(target), () =>
          answering('showErrorMessage', (message: string) => void (shown = message), () => vscode.commands.executeCommand('qwenRouter.exportHistory')),
        ),
      );
      return shown;
    };
    // Through a `..` detour, so only a real-path comparison sees that it is the same file.
    const detour = join(dirname(history), 'detour');
    mkdirSync(detour, { recursive: true });
    assert.match(await exportTo(join(detour, '..', basename(history))), /Could not export/);
    assert.equal(readFileSync(history, 'utf8'), before, 'the history was changed by exporting onto itself');
    // A folder that does not exist: an error, no hang, nothing left behind.
    const missing = join(dirname(history), 'no-such-folder', 'export.jsonl');
    assert.match(await exportTo(missing), /Could not export/);
    assert.equal(existsSync(dirname(missing)), false);
    rmSync(detour, { recursive: true, force: true });
  });

  it('imports the old service history once, then clears it after asking', async () => {
    const old = join(FIXTURES, 'seed-history', 'call_history.jsonl');
    const oldCount = readFileSync(old, 'utf8').trimEnd().split('\n').length;
    const before = records().length;
    await answering('showOpenDialog', [vscode.Uri.file(old)], () => vscode.commands.executeCommand('qwenRouter.importHistory'));
    assert.equal(records().length, before + oldCount);
    await answering('showOpenDialog', [vscode.Uri.file(old)], () => vscode.commands.executeCommand('qwenRouter.importHistory'));
    assert.equal(records().length, before + oldCount, 'a second import skips records already there');

    const declined = await answering('showWarningMessage', undefined, () => vscode.commands.executeCommand<boolean>('qwenRouter.clearHistory'));
    assert.equal(declined, false);
    assert.equal(records().length, before + oldCount);
    const cleared = await answering('showWarningMessage', vscode.l10n.t('Clear History'), () => vscode.commands.executeCommand<boolean>('qwenRouter.clearHistory'));
    assert.equal(cleared, true);
    assert.equal(existsSync(api.router.history.path), false);
    assert.equal((await api.router.history.stats()).total_calls, 0);
  });
});
