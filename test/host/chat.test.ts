// The sidebar chat in a real VS Code: the provider behind a real webview (a panel shown in the
// workbench, standing in for the sidebar view), the core's ask() against the local DashScope
// stand-in, and a history file in a temporary folder.
import * as assert from 'assert';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { ask } from '../../src/core/ask';
import { resolveConfig } from '../../src/core/config';
import type { CallRecord, PrivacyMode } from '../../src/core/history/record';
import { HistoryStore } from '../../src/core/history/store';
import { AUTO_MODEL, type ChatState } from '../../src/protocol/chat';
import { ChatViewProvider, type ChatBackend } from '../../src/vscode/chatViewProvider';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { memoryMemento, spyWebview, waitFor, type WebviewSpy } from './webviewSpy';

const KEY = 'sk-chat-host-test';
const extensionId = `${manifest.publisher}.${manifest.name}`;

describe('sidebar chat (host)', function () {
  this.timeout(60_000);
  let standIn: DashScopeStandIn;
  let dir: string;
  let historyPath: string;
  let apiKey: string | undefined;
  let extensionUri: vscode.Uri;
  let spy: WebviewSpy;
  const providers: ChatViewProvider[] = [];

  const { config } = resolveConfig({});
  const backend = (privacy: PrivacyMode = 'full'): ChatBackend => ({
    ask: (request, events) =>
      ask(request, { config: { ...config, baseUrl: standIn.baseUrl, retry: { ...config.retry, maxAttempts: 1 } }, store: new HistoryStore(historyPath, { privacy }), getApiKey: () => apiKey, sleep: async () => undefined }, events),
    signal: async (recordId, kind) => void (await new HistoryStore(historyPath, { privacy }).appendSignal(recordId, kind)),
  });
  /** Every line of the history, call records and signal lines alike. */
  const lines = (): Record<string, unknown>[] => (existsSync(historyPath) ? readFileSync(historyPath, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line)) : []);
  const records = (): CallRecord[] => (existsSync(historyPath) ? readFileSync(historyPath, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as CallRecord) : []);

  function makeProvider(mementos = { workspaceState: memoryMemento(), globalState: memoryMemento() }, privacy: PrivacyMode = 'full') {
    const context = { extensionUri, subscriptions: [], ...mementos } as unknown as vscode.ExtensionContext;
    const provider = new ChatViewProvider(context, { backend: backend(privacy), getConfig: () => ({ ...config, privacy }) });
    providers.push(provider);
    return { provider, mementos };
  }

  /** Shows the provider's page in the one test panel (reused: see WebviewSpy.reset). */
  async function openChat(provider: ChatViewProvider): Promise<WebviewSpy> {
    spy.reset();
    provider.resolveWebviewView(spy.asView());
    await spy.waitReceived((m) => m.type === 'ready');
    await spy.waitPosted((m) => m.type === 'state');
    return spy;
  }

  before(async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not loaded`);
    extensionUri = extension.extensionUri;
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
    dir = mkdtempSync(join(tmpdir(), 'qwen-router-chat-host-'));
    spy = spyWebview('qwenRouterTest.chat', 'Chat under test');
  });

  beforeEach(() => {
    standIn.reset();
    apiKey = KEY;
    historyPath = join(dir, `history-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
  });

  afterEach(() => {
    for (const provider of providers.splice(0)) provider.dispose();
  });

  after(async () => {
    spy?.dispose();
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('loads the chat page under its CSP: it says ready, then gets its state with the localized strings', async () => {
    const { provider } = makeProvider();
    const spy = await openChat(provider);
    assert.deepEqual(spy.received[0].message, { type: 'ready' });
    const state = (spy.posted.find((p) => p.message.type === 'state')?.message.state ?? {}) as ChatState;
    assert.equal(state.selectedModel, AUTO_MODEL);
    assert.ok(state.strings.send.length > 0);
    // vscode.l10n.t without arguments leaves the placeholders for the page to fill.
    assert.ok(state.strings.keptRoute.includes('{0}'), state.strings.keptRoute);
    assert.deepEqual(state.models.map((m) => m.key), ['qwen-flash', 'qwen-plus', 'qwen-max', 'qwen3-coder-flash', 'qwen3-coder-plus', 'qwen3-max']);
    // Nothing was posted before the page said ready.
    assert.ok(spy.posted[0].at >= spy.received[0].at);
    const html = spy.panel.webview.html;
    assert.match(html, /default-src 'none'/);
    assert.doesNotMatch(html, /<script>(?!<)/);
  });

  it('routes a message, posts the badge before the first token, streams, and writes one record', async () => {
    standIn.setDefault({ reply: 'Roses are red. Violets are blue.', chunkSize: 5, firstTokenDelayMs: 400, chunkDelayMs: 10, usage: { prompt_tokens: 11, completion_tokens: 9 } });
    const { provider } = makeProvider();
    const spy = await openChat(provider);
    const turn = await provider.send('Write a short poem');
    assert.equal(turn.status, 'done', JSON.stringify(turn.error));
    assert.equal(turn.answer, 'Roses are red. Violets are blue.');
    assert.ok(turn.route, 'no route on the turn');
    assert.equal(turn.route.method, 'fallback_token_length'); // no classifier in this test: fallback with its reason
    assert.equal(turn.route.fallbackReason, 'model_missing');
    assert.equal(turn.route.modelKey, 'qwen-flash');
    assert.equal(turn.usage?.inputTokens, 11);

    const types = spy.posted.map((p) => p.message.type);
    const routed = types.indexOf('turnRouted');
    const firstDelta = types.indexOf('turnDelta');
    assert.ok(types.indexOf('turnAdded') < routed && routed < firstDelta && firstDelta < types.indexOf('turnFinished'), types.join(','));
    // The badge went out while the model was still thinking about its first token.
    const gap = spy.posted[firstDelta].at - spy.posted[routed].at;
    assert.ok(gap > 250, `badge only ${gap.toFixed(0)} ms before the first token`);
    const streamed = spy.posted.filter((p) => p.message.type === 'turnDelta').map((p) => p.message.answer).join('');
    assert.equal(streamed, turn.answer);

    const history = records();
    assert.equal(history.length, 1);
    assert.equal(history[0].llm.response_content, turn.answer);
    assert.equal(history[0].routing?.fallback_reason, 'model_missing');
  });

  it('with privacy "metadata", a chat leaves its text nowhere: not in the workspace state, the history or after a reload', async () => {
    standIn.setDefault({ reply: 'The Nightingale answer is 42.', chunkSize: 6 });
    const { provider, mementos } = makeProvider(undefined, 'metadata');
    const spy = await openChat(provider);
    const turn = await provider.send('Tell me about project Nightingale');
    assert.equal(turn.status, 'done', JSON.stringify(turn.error));
    assert.ok(spy.posted.some((p) => p.message.type === 'turnDelta'), 'the answer was shown');
    const kept = JSON.stringify(mementos.workspaceState.keys().map((key) => mementos.workspaceState.get(key))) + JSON.stringify(mementos.globalState.keys().map((key) => mementos.globalState.get(key)));
    assert.ok(!kept.includes('Nightingale'), `the workspace state keeps the text: ${kept}`);
    const history = readFileSync(historyPath, 'utf8');
    assert.equal(records().length, 1);
    assert.ok(!history.includes('Nightingale'), history);
    // A reload: a new provider over the same storage starts with an empty chat.
    provider.dispose();
    const { provider: reloaded } = makeProvider(mementos, 'metadata');
    const again = await openChat(reloaded);
    const state = again.posted.find((p) => p.message.type === 'state')?.message.state as ChatState;
    assert.equal(state.conversation.turns.length, 0);
    assert.ok(!JSON.stringify(state).includes('Nightingale'));
  });

  it('👎 from the page lands as a signal line on the answer\'s record; "Ask the next tier" re-asks there, linked', async () => {
    standIn.setDefault({ reply: 'A short answer.', chunkSize: 8 });
    const { provider } = makeProvider();
    const spy = await openChat(provider);
    const first = await provider.send('What is a closure?');
    assert.equal(first.status, 'done', JSON.stringify(first.error));
    const firstRecord = records()[0];
    assert.equal(first.recordId, firstRecord.id);
    assert.equal(first.nextTierModel, 'qwen-plus');

    spy.simulate({ type: 'signal', turnId: first.id, signal: 'thumbs_down' });
    const signal = await waitFor(() => lines().find((line) => line.type === 'signal'), 10_000, 'the signal line');
    assert.deepEqual([signal?.of, signal?.signal], [firstRecord.id, 'thumbs_down']);

    const second = await provider.askNextTier(first.id);
    assert.ok(second, 'the re-ask started');
    assert.equal(second.status, 'done', JSON.stringify(second.error));
    assert.equal(standIn.requests.at(-1)?.body?.model, 'qwen-plus', 'the re-ask went to the next tier\'s model');
    const calls = records().filter((line) => (line as { type?: string }).type !== 'signal');
    assert.equal(calls.length, 2);
    assert.equal((calls[1] as CallRecord & { escalated_from_record?: string }).escalated_from_record, firstRecord.id);
    assert.ok(lines().some((line) => line.type === 'signal' && line.signal === 'next_tier' && line.of === firstRecord.id));
  });

  it('Stop aborts the request: the turn is cancelled, the partial answer kept and recorded as cancelled', async () => {
    standIn.setDefault({ reply: 'one two three four five six seven eight nine ten', chunkSize: 4, chunkDelayMs: 300 });
    const { provider } = makeProvider();
    const spy = await openChat(provider);
    const finished = provider.send('Count slowly');
    await spy.waitPosted((m) => m.type === 'turnDelta');
    const started = Date.now();
    provider.stop();
    const turn = await finished;
    assert.ok(Date.now() - started < 2000, 'stop took too long');
    assert.equal(turn.status, 'cancelled');
    assert.ok(turn.answer.length > 0 && turn.answer.length < 'one two three four five six seven eight nine ten'.length, turn.answer);
    const history = records();
    assert.equal(history.length, 1);
    assert.equal(history[0].cancelled, true);
    assert.equal(history[0].llm.response_content, turn.answer);
  });

  it('a message from the page is answered with a correlated response, and Stop from the page aborts it', async () => {
    standIn.setDefault({ reply: 'x'.repeat(400), chunkSize: 4, chunkDelayMs: 50 });
    const { provider } = makeProvider();
    const spy = await openChat(provider);
    spy.simulate({ type: 'request', requestId: 'q-1', method: 'send', params: { text: 'from the page', model: AUTO_MODEL } });
    const reply = await spy.waitPosted((m) => m.type === 'response' && m.requestId === 'q-1');
    assert.equal(reply.ok, true);
    const turnId = (reply.result as { turnId: string }).turnId;
    // A second message while the first is streaming is refused, with a reason.
    spy.simulate({ type: 'request', requestId: 'q-2', method: 'send', params: { text: 'again', model: AUTO_MODEL } });
    const refused = await spy.waitPosted((m) => m.type === 'response' && m.requestId === 'q-2');
    assert.equal(refused.ok, false);
    assert.ok(String(refused.error).length > 0);
    await spy.waitPosted((m) => m.type === 'turnDelta');
    spy.simulate({ type: 'stop', turnId });
    const finished = await spy.waitPosted((m) => m.type === 'turnFinished');
    assert.equal((finished.turn as { status: string }).status, 'cancelled');
    // Messages outside the protocol are ignored.
    spy.simulate({ type: 'runAction', action: 'workbench.action.quit' });
    spy.simulate({ type: 'nope' });
    spy.simulate('ready');
  });

  it('shows a missing API key inline, with Set API Key first', async () => {
    apiKey = undefined;
    const { provider } = makeProvider();
    await openChat(provider);
    const turn = await provider.send('hello');
    assert.equal(turn.status, 'error');
    assert.equal(turn.error?.kind, 'no_api_key');
    assert.deepEqual(turn.error?.actions, ['setApiKey', 'retry']);
    assert.equal(records()[0].error?.kind, 'no_api_key');
  });

  it('keeps one route for the conversation when asked, and re-routes on request', async () => {
    standIn.setDefault({ reply: 'ok' });
    const { provider } = makeProvider();
    const spy = await openChat(provider);
    spy.simulate({ type: 'setSticky', sticky: true });
    await spy.waitPosted((m) => m.type === 'settings' && m.sticky === true);
    const first = await provider.send('first question');
    assert.equal(first.route?.sticky, false);
    const kept = await spy.waitPosted((m) => m.type === 'stickyRoute' && m.route !== null);
    assert.equal((kept.route as { modelKey: string }).modelKey, first.route?.modelKey);
    const second = await provider.send('a much longer second question that would route on its own');
    assert.equal(second.route?.sticky, true);
    assert.equal(second.route?.modelKey, first.route?.modelKey);
    // Recorded as a kept route, not as the user's choice: the user named no model.
    assert.equal(records()[1].request.user_specified_model, null);
    assert.deepEqual([records()[1].routing?.method, records()[1].llm.model], ['kept_route', first.route?.modelKey]);
    assert.equal(records()[1].routing?.tier, first.route?.tier);
    spy.simulate({ type: 'reroute' });
    await spy.waitPosted((m) => m.type === 'stickyRoute' && m.route === null);
    const third = await provider.send('third');
    assert.equal(third.route?.sticky, false);
    assert.equal(records()[2].routing?.method, 'fallback_token_length');
  });

  it('keeps conversations per workspace across a reload, and New Chat starts an empty one', async () => {
    standIn.setDefault({ reply: 'remembered' });
    const first = makeProvider();
    await first.provider.send('remember me');
    const conversationId = first.provider.activeConversation.id;
    // A new provider over the same workspaceState: what a window reload does.
    const reloaded = makeProvider(first.mementos);
    assert.equal(reloaded.provider.activeConversation.id, conversationId);
    assert.equal(reloaded.provider.activeConversation.turns[0].answer, 'remembered');
    const spy = await openChat(reloaded.provider);
    spy.simulate({ type: 'newChat' });
    await waitFor(() => (reloaded.provider.activeConversation.id !== conversationId ? true : undefined), 5000, 'a new conversation');
    assert.equal(reloaded.provider.activeConversation.turns.length, 0);
    const state = (await spy.waitPosted((m) => m.type === 'state' && (m.state as ChatState).conversation.id !== conversationId)).state as ChatState;
    assert.equal(state.conversations.length, 2);
    spy.simulate({ type: 'openConversation', conversationId });
    await waitFor(() => (reloaded.provider.activeConversation.id === conversationId ? true : undefined), 5000, 'the old conversation');
  });

  it('inserts a code block at the cursor of the active editor', async () => {
    const document = await vscode.workspace.openTextDocument({ content: 'before\n', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.Two);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    const { provider } = makeProvider();
    const spy = await openChat(provider);
    await vscode.window.showTextDocument(document, vscode.ViewColumn.Two);
    spy.simulate({ type: 'insert', text: 'console.log(1);\n' });
    await waitFor(() => (document.getText().includes('console.log(1);') ? true : undefined), 5000, 'the inserted code');
    assert.equal(document.getText(), 'before\nconsole.log(1);\n');
  });

  it('is registered by the extension: the chat view and New Chat', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('qwenRouter.newChat'), 'qwenRouter.newChat is not registered');
    assert.ok(commands.includes('qwenRouter.chat.focus'), 'the chat view qwenRouter.chat is not registered');
    await vscode.commands.executeCommand('qwenRouter.chat.focus');
    await vscode.commands.executeCommand('qwenRouter.newChat');
  });
});
