// Issue 10 in a real VS Code: the first-run download offer (once; "Later" for the session, "Don't
// Ask Again" for good; the chat badge opens it again) and routing done before Enter (the chat's
// draft classified by the extension's own classifier, then the sent prompt routed from the cache).
import * as assert from 'assert';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { ask } from '../../src/core/ask';
import { resolveConfig } from '../../src/core/config';
import type { CallRecord } from '../../src/core/history/record';
import { HistoryStore } from '../../src/core/history/store';
import type { QwenRouterApi } from '../../src/extension';
import { ChatViewProvider } from '../../src/vscode/chatViewProvider';
import { PALETTE_DRAFT_DELAY_MS } from '../../src/vscode/commands/ask';
import { ModelOffer, OFFER_DECLINED_KEY } from '../../src/vscode/modelOffer';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { memoryMemento, spyWebview, type WebviewSpy } from './webviewSpy';
import { until } from './prompts';

const MODEL = resolve(__dirname, '../../../test/fixtures/tiny-model-json');
const KEY = 'sk-first-run-host-test';

describe('first run and routing before Enter (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let spy: WebviewSpy;
  let extensionUri: vscode.Uri;
  const question = { messages: [{ role: 'user' as const, content: 'What is a monad?' }] };

  /** An offer with its own memento, answering with `answer` and counting what it showed. */
  function offer(globalState = memoryMemento(), answer = vscode.l10n.t('Later')) {
    const shown: string[] = [];
    let downloads = 0;
    const instance = new ModelOffer({
      globalState,
      prompt: async (message, ...items) => {
        shown.push(message);
        assert.deepEqual(items, [vscode.l10n.t('Download'), vscode.l10n.t('Later'), vscode.l10n.t("Don't Ask Again")]);
        return answer;
      },
      download: async () => void downloads++,
    }).watch(api.router.onDidRoute);
    return { instance, shown, globalState, downloads: () => downloads };
  }

  // The extension's own asks go to a stand-in, never to DashScope: no test reaches the internet.
  let answering: DashScopeStandIn;
  before(async () => {
    answering = await DashScopeStandIn.start({ apiKey: KEY });
    await vscode.workspace.getConfiguration('qwenRouter').update('baseUrl', answering.baseUrl, vscode.ConfigurationTarget.Global);
    api = await vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
    extensionUri = vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`)!.extensionUri;
    spy = spyWebview('qwenRouterTest.firstRun', 'First run under test');
  });
  after(async () => {
    await vscode.workspace.getConfiguration('qwenRouter').update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
    await answering?.close();
    spy?.dispose();
    await vscode.workspace.getConfiguration('qwenRouter.classifier').update('modelPath', undefined, vscode.ConfigurationTarget.Global);
    api.classifier.restart();
    await api.classifier.whenSettled();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('with no model, an ask brings the offer once; "Later" holds for the session', async () => {
    assert.equal((await api.classifier.whenSettled()).kind, 'missing', 'this suite starts without a model');
    const { instance, shown } = offer();
    try {
      await api.router.ask(question); // routed by length (no model), answered or refused by the stand-in
      await until(() => shown.length === 1, 'the offer');
      assert.match(shown[0], /0\.7 GB.*NVIDIA Open Model License/);
      await api.router.ask(question);
      await new Promise((done) => setTimeout(done, 100));
      assert.equal(shown.length, 1, '"Later": not offered again in this session');
    } finally {
      instance.dispose();
    }
  });

  it('"Don\'t Ask Again" is remembered across sessions; the chat badge still opens the offer', async () => {
    const first = offer(memoryMemento(), vscode.l10n.t("Don't Ask Again"));
    await api.router.ask(question);
    await until(() => first.shown.length === 1, 'the offer');
    await until(() => first.globalState.get(OFFER_DECLINED_KEY) === true, 'the answer to be stored');
    first.instance.dispose();

    // A new session (a new offer over the same globalState) does not ask.
    const second = offer(first.globalState, vscode.l10n.t('Download'));
    try {
      await api.router.ask(question);
      await new Promise((done) => setTimeout(done, 100));
      assert.equal(second.shown.length, 0);

      // The fallback badge's "Get the classifier" posts offerModel: the host opens the same offer.
      const context = { extensionUri, subscriptions: [], workspaceState: memoryMemento(), globalState: memoryMemento() } as unknown as vscode.ExtensionContext;
      const provider = new ChatViewProvider(context, { backend: api.router, getConfig: () => api.router.config, offerModel: () => second.instance.open() });
      try {
        spy.reset();
        provider.resolveWebviewView(spy.asView());
        await spy.waitReceived((m) => m.type === 'ready');
        spy.simulate({ type: 'offerModel' });
        await until(() => second.shown.length === 1, 'the offer from the badge');
        await until(() => second.downloads() === 1, 'the download to start');
        assert.equal(second.globalState.get(OFFER_DECLINED_KEY), undefined, 'choosing Download clears "Don\'t Ask Again"');
      } finally {
        provider.dispose();
      }
    } finally {
      second.instance.dispose();
    }
  });

  it('the palette and the sidebar chat draft apart: typing in one never drops the other\'s draft', async () => {
    await vscode.workspace.getConfiguration('qwenRouter.classifier').update('modelPath', MODEL, vscode.ConfigurationTarget.Global);
    await until(() => api.classifier.state.kind === 'ready', 'the tiny model to load');
    const inChat = 'Explain the difference between a process and a thread, with an example of each.';
    const inPalette = 'Summarize what a mutex guarantees and when a lock-free queue is the better choice.';
    // The chat's draft is scheduled; a keystroke in the palette's box comes before it runs.
    api.classifier.drafts.update(inChat);
    api.classifier.paletteDrafts.update(inPalette, PALETTE_DRAFT_DELAY_MS);
    await until(() => api.classifier.verdicts.has(inChat) && api.classifier.verdicts.has(inPalette), 'both drafts to be classified');
  });

  it('a prompt drafted in the chat and then sent is routed with the verdict made while it was typed', async () => {
    const standIn = await DashScopeStandIn.start({ apiKey: KEY });
    const dir = mkdtempSync(join(tmpdir(), 'qwen-router-draft-host-'));
    const historyPath = join(dir, 'history.jsonl');
    const { config } = resolveConfig({});
    const context = { extensionUri, subscriptions: [], workspaceState: memoryMemento(), globalState: memoryMemento() } as unknown as vscode.ExtensionContext;
    // The extension's own classifier, cache and draft scheduler; only the answer comes from the stand-in.
    const provider = new ChatViewProvider(context, {
      backend: { ask: (request, events) => ask(request, { config: { ...config, baseUrl: standIn.baseUrl }, classify: api.classifier.classify, store: new HistoryStore(historyPath, { privacy: 'metadata' }), getApiKey: () => KEY }, events) },
      getConfig: () => ({ ...config, privacy: 'metadata' }),
      drafts: api.classifier.drafts,
    });
    try {
      await vscode.workspace.getConfiguration('qwenRouter.classifier').update('modelPath', MODEL, vscode.ConfigurationTarget.Global);
      await until(() => api.classifier.state.kind === 'ready', 'the tiny model to load');
      spy.reset();
      provider.resolveWebviewView(spy.asView());
      await spy.waitReceived((m) => m.type === 'ready');
      const text = 'Write a function that merges two sorted arrays in TypeScript.';
      const started = api.classifier.drafts.events.length;
      spy.simulate({ type: 'draft', text: text.slice(0, 20) });
      spy.simulate({ type: 'draft', text });
      await until(() => api.classifier.verdicts.has(text), 'the draft to be classified');
      assert.ok(!api.classifier.verdicts.has(text.slice(0, 20)), 'the superseded draft was never classified');
      const runs = api.classifier.drafts.events.slice(started).filter((e) => e.event === 'started');
      assert.deepEqual(runs, [{ event: 'started', chars: text.length }], 'the classifier ran once, for the final draft');

      const turn = await provider.send(text);
      assert.equal(turn.status, 'done', JSON.stringify(turn.error));
      assert.equal(turn.route?.method, 'nvidia_classifier');
      const record = JSON.parse(readFileSync(historyPath, 'utf8').trim()) as CallRecord;
      assert.equal(record.routing?.method, 'nvidia_classifier');
      assert.equal(record.routing?.cached, true, 'routed from the cache');
    } finally {
      provider.dispose();
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
