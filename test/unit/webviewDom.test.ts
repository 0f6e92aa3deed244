// The two webview bundles (dist/webview/chat.js, stats.js) in a real browser: Debian's Chromium
// through playwright-core, each page served as the host serves it (the HTML of webviewHtml.ts with
// its strict CSP and nonce), with acquireVsCodeApi stubbed to record what the page posts and
// window.postMessage standing in for the host. Skipped when Chromium is not installed.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { findChromium } from '../../scripts/platform.mjs';
import { AUTO_MODEL, CHAT_STRINGS, type ChatState, type ChatToWebview, type ChatTurn, type RouteBadge } from '../../src/protocol/chat';
import { localizeTable } from '../../src/protocol/common';
import { STATS_STRINGS, type SpendView, type StatsState, type StatsToWebview } from '../../src/protocol/stats';
import { StatsAccumulator } from '../../src/core/stats/accumulator';
import { compareResults, type SelfCheckReport } from '../../src/core/classifier/selfCheck';
import { classifierView } from '../../src/core/classifier/selfCheckView';
import { calibrate } from '../../src/core/stats/calibrate';
import { evaluate } from '../../src/core/stats/evaluate';
import { fold, history, MODELS, SCENARIO, signal } from '../support/syntheticHistory';
import { buildWebviewHtml } from '../../src/vscode/webviewHtml';

// Browser-side globals used inside page.evaluate callbacks (this file compiles without the DOM lib;
// these declarations are local to the module).
interface PageElement {
  outerHTML: string;
  innerText: string;
  textContent: string | null;
  attributes: ArrayLike<{ name: string }>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
declare const document: {
  addEventListener(type: 'securitypolicyviolation', listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
};
declare const window: { postMessage(message: unknown, origin: string): void };

const root = resolve(__dirname, '../../..');
const found = findChromium();
/** Set to 1 to leave these tests out (reported as pending) on a machine without any Chromium. */
const SKIP_BROWSER = process.env.QWEN_ROUTER_SKIP_BROWSER_TESTS === '1';
const ORIGIN = 'https://webview.test';

const XSS_ANSWER = [
  'Here is the fix.',
  '',
  '<img src=x onerror="window.__xss = 1">',
  '<script>window.__xss = 2</script>',
  '[click me](javascript:window.__xss=3)',
  '<a href="javascript:window.__xss=4">raw link</a>',
  '<svg onload="window.__xss=5"></svg> <iframe src="javascript:window.__xss=6"></iframe>',
  '![img](x" onerror="window.__xss=7)',
  '',
  '```js',
  'console.log("<b>not bold</b>");',
  '```',
  '',
].join('\n');

async function openView(browser: Browser, view: 'chat' | 'stats'): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    w.__posted = [];
    w.__csp = [];
    w.__state = undefined;
    document.addEventListener('securitypolicyviolation', (event) => {
      (w.__csp as string[]).push(`${event.violatedDirective} ${event.blockedURI}`);
    });
    w.acquireVsCodeApi = () => ({
      postMessage: (message: unknown) => (w.__posted as unknown[]).push(JSON.parse(JSON.stringify(message))),
      getState: () => w.__state,
      setState: (state: unknown) => {
        w.__state = state;
      },
    });
  });
  const html = buildWebviewHtml({
    cspSource: ORIGIN,
    nonce: 'dGVzdC1ub25jZS0xMjM0NQ==',
    scriptUri: `${ORIGIN}/dist/webview/${view}.js`,
    styleUris: [`${ORIGIN}/media/codicons/codicon.css`, `${ORIGIN}/media/webview.css`, `${ORIGIN}/media/${view}.css`],
    title: view,
    lang: 'en',
    view,
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/index.html') return route.fulfill({ body: html, contentType: 'text/html' });
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file)) return route.fulfill({ status: 404, body: '' });
    const type = path.endsWith('.js') ? 'text/javascript' : path.endsWith('.css') ? 'text/css' : path.endsWith('.ttf') ? 'font/ttf' : 'application/octet-stream';
    return route.fulfill({ body: readFileSync(file), contentType: type });
  });
  await page.goto(`${ORIGIN}/index.html`);
  return page;
}

/** Posts a host message into the page. */
function hostSays(page: Page, message: ChatToWebview | StatsToWebview): Promise<void> {
  return page.evaluate((m) => window.postMessage(m, '*'), message as unknown);
}

async function posted(page: Page): Promise<Record<string, unknown>[]> {
  return page.evaluate(() => (window as unknown as { __posted: Record<string, unknown>[] }).__posted);
}

async function waitPosted(page: Page, type: string, method?: string): Promise<Record<string, unknown>> {
  await page.waitForFunction(
    ([t, m]) => (window as unknown as { __posted: { type: string; method?: string }[] }).__posted.some((x) => x.type === t && (!m || x.method === m)),
    [type, method ?? ''] as const,
    { timeout: 5000 },
  );
  const all = await posted(page);
  return all.filter((x) => x.type === type && (!method || x.method === method)).pop() as Record<string, unknown>;
}

const route: RouteBadge = {
  method: 'nvidia_classifier',
  modelKey: 'qwen-plus',
  tier: 'medium',
  taskType: 'Code Generation',
  complexity: 0.412,
  routingMs: 23.4,
  fallbackReason: null,
  fallbackMessage: null,
  sticky: false,
  note: null,
  scores: { prompt_complexity_score: 0.412, reasoning: 0.3 },
};

function chatState(turns: ChatTurn[] = [], busyTurnId: string | null = null): ChatState {
  return {
    strings: localizeTable(CHAT_STRINGS, (text) => text),
    models: [
      { key: 'qwen-flash', label: 'qwen-flash', tier: 'simple' },
      { key: 'qwen-plus', label: 'qwen-plus', tier: 'medium' },
      { key: 'qwen-max', label: 'qwen-max', tier: 'complex' },
    ],
    selectedModel: AUTO_MODEL,
    sticky: false,
    conversation: { id: 'c1', title: '', createdAt: 0, updatedAt: 0, turns, stickyRoute: null },
    conversations: [],
    busyTurnId,
    keepDraft: true,
  };
}

function turn(id: string, overrides: Partial<ChatTurn> = {}): ChatTurn {
  return { id, prompt: 'fix my code', requestedModel: AUTO_MODEL, createdAt: 0, status: 'routing', route: null, answer: '', thinking: '', error: null, usage: null, ...overrides };
}

describe('webviews in Chromium (dist/webview/*.js under the real CSP)', function () {
  this.timeout(30_000);
  let browser: Browser | undefined;

  before(async function () {
    if (SKIP_BROWSER) this.skip();
    // No silent skip: a machine without Chromium fails here, saying how to get one (or how to opt out).
    assert.ok(found.path, `${found.problem} (To leave the browser tests out, set QWEN_ROUTER_SKIP_BROWSER_TESTS=1.)`);
    const chromiumPath = found.path;
    assert.ok(existsSync(join(root, 'dist/webview/chat.js')), 'dist/webview/chat.js is missing: run node esbuild.config.mjs');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });

  after(async () => {
    await browser?.close();
  });

  describe('chat', () => {
    let page: Page;

    beforeEach(async () => {
      page = await openView(browser as Browser, 'chat');
    });

    afterEach(async () => {
      const violations = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
      await page.close();
      assert.deepEqual(violations, [], 'CSP violations');
    });

    it('says ready first, and renders only after the host sends its state', async () => {
      const first = await waitPosted(page, 'ready');
      assert.deepEqual(first, { type: 'ready' });
      assert.equal(await page.locator('textarea').count(), 0);
      await hostSays(page, { type: 'state', state: chatState() });
      await page.waitForSelector('textarea.input');
      const options = await page.locator('select.model-select option').allTextContents();
      assert.deepEqual(options, [CHAT_STRINGS.auto, 'qwen-flash · simple', 'qwen-plus · medium', 'qwen-max · complex']);
      assert.equal(await page.locator('.empty h2').textContent(), CHAT_STRINGS.emptyTitle);
    });

    it('sends on Enter, breaks the line on Shift+Enter, and passes the picked model', async () => {
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state: chatState() });
      await page.selectOption('select.model-select', 'qwen-max');
      const setModel = await waitPosted(page, 'setModel');
      assert.deepEqual(setModel, { type: 'setModel', model: 'qwen-max' });
      await page.click('textarea.input');
      await page.keyboard.type('line one');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('line two');
      assert.equal((await posted(page)).filter((m) => m.type === 'request').length, 0);
      await page.keyboard.press('Enter');
      const request = await waitPosted(page, 'request', 'send');
      assert.deepEqual(request.params, { text: 'line one\nline two', model: 'qwen-max' });
      assert.equal(await page.inputValue('textarea.input'), '');
      // A refusal gives the text back and says why.
      await hostSays(page, { type: 'response', requestId: String(request.requestId), method: 'send', ok: false, error: CHAT_STRINGS.busy });
      await page.waitForSelector('.notice:not([hidden])');
      assert.equal(await page.inputValue('textarea.input'), 'line one\nline two');
    });

    it('keeps an unsent draft in its saved state, except under privacy "metadata"', async () => {
      const savedDraft = () => page.evaluate(() => (window as unknown as { __state?: { draft?: string } }).__state?.draft);
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state: chatState() });
      await page.click('textarea.input');
      await page.keyboard.type('draft about Nightingale');
      assert.equal(await savedDraft(), 'draft about Nightingale');
      // The user switches to "metadata": the stored draft is erased, the text stays in the box.
      await hostSays(page, { type: 'settings', models: chatState().models, selectedModel: AUTO_MODEL, sticky: false, keepDraft: false });
      await page.waitForFunction(() => (window as unknown as { __state?: { draft?: string } }).__state?.draft === '');
      await page.keyboard.type(' and more');
      assert.equal(await savedDraft(), '');
      assert.equal(await page.inputValue('textarea.input'), 'draft about Nightingale and more');
    });

    it('shows the routing badge before the first token, then streams sanitized markdown', async () => {
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state: chatState() });
      await hostSays(page, { type: 'turnAdded', conversationId: 'c1', turn: turn('t1') });
      await page.waitForSelector('.turn[data-turn="t1"] .route-badge[data-state="routing"]');
      await hostSays(page, { type: 'turnRouted', conversationId: 'c1', turnId: 't1', route });
      await page.waitForSelector('.turn[data-turn="t1"] .route-badge[data-state="routed"]');
      const badge = await page.locator('.route-badge').innerText();
      for (const part of ['medium', 'qwen-plus', 'Code Generation', 'complexity 0.41', 'routed in 23 ms']) assert.ok(badge.includes(part), `badge "${badge}" lacks "${part}"`);
      assert.equal(await page.locator('.answer').innerText(), CHAT_STRINGS.waiting);
      // While busy, the send button is Stop; it aborts this turn.
      await page.click('button.send[data-action="stop"]');
      assert.deepEqual(await waitPosted(page, 'stop'), { type: 'stop', turnId: 't1' });

      for (const chunk of XSS_ANSWER.match(/[\s\S]{1,7}/g) ?? []) await hostSays(page, { type: 'turnDelta', conversationId: 'c1', turnId: 't1', answer: chunk, thinking: '' });
      await page.waitForFunction(() => document.querySelector('.answer .code-block') !== null);
      await hostSays(page, { type: 'turnFinished', conversationId: 'c1', turn: turn('t1', { status: 'done', route, answer: XSS_ANSWER, usage: { modelKey: 'qwen-plus', inputTokens: 12, outputTokens: 80, costUsd: 0.0001, latencyMs: 1500, ttftMs: 300, escalatedFrom: [] } }) });
      await page.waitForSelector('.turn[data-status="done"] .turn-footer:not([hidden])');

      const report = await page.evaluate(() => {
        const answer = document.querySelector('.answer') as PageElement;
        const all = Array.from(document.querySelectorAll('#app *'));
        return {
          xss: (window as unknown as { __xss?: number }).__xss,
          handlers: all.filter((el) => Array.from(el.attributes).some((a) => a.name.toLowerCase().startsWith('on'))).map((el) => el.outerHTML),
          scripts: document.querySelectorAll('#app script, #app iframe, #app svg[onload], #app object, #app embed').length,
          scriptLinks: Array.from(document.querySelectorAll('#app a')).map((a) => a.getAttribute('href') ?? '').filter((href) => !/^(https?:|mailto:|#|$)/i.test(href)),
          images: Array.from(answer.querySelectorAll('img')).map((img) => img.getAttribute('src')),
          text: answer.innerText,
          code: answer.querySelector('pre code')?.textContent,
          buttons: Array.from(answer.querySelectorAll('.code-toolbar button')).map((b) => b.getAttribute('data-action')),
        };
      });
      assert.equal(report.xss, undefined, 'a payload ran');
      assert.deepEqual(report.handlers, []);
      assert.equal(report.scripts, 0);
      assert.deepEqual(report.scriptLinks, []);
      // The HTML of the answer is shown as text, not parsed.
      assert.ok(report.text.includes('<img src=x onerror="window.__xss = 1">'), report.text);
      assert.ok(report.text.includes('<script>window.__xss = 2</script>'), report.text);
      assert.equal(report.code, 'console.log("<b>not bold</b>");\n');
      assert.deepEqual(report.buttons, ['copy-code', 'insert-code']);
      for (const src of report.images) assert.ok(src === null || !/onerror/i.test(src), String(src));

      await page.click('.code-toolbar button[data-action="copy-code"]');
      assert.deepEqual(await waitPosted(page, 'copy'), { type: 'copy', text: 'console.log("<b>not bold</b>");\n' });
      await page.click('.code-toolbar button[data-action="insert-code"]');
      assert.deepEqual(await waitPosted(page, 'insert'), { type: 'insert', text: 'console.log("<b>not bold</b>");\n' });
      const footer = await page.locator('.turn-footer').innerText();
      assert.ok(footer.includes('qwen-plus') && footer.includes('12 in') && footer.includes('80 out'), footer);
    });

    it('shows a fallback badge with its reason', async () => {
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state: chatState() });
      await hostSays(page, { type: 'turnAdded', conversationId: 'c1', turn: turn('t1') });
      await hostSays(page, { type: 'turnRouted', conversationId: 'c1', turnId: 't1', route: { ...route, method: 'fallback_token_length', tier: 'simple', modelKey: 'qwen-flash', taskType: null, complexity: null, fallbackReason: 'timeout', fallbackMessage: 'the classifier did not answer within 1500 ms', scores: {} } });
      await page.waitForSelector('.route-badge.method-fallback_token_length');
      const text = await page.locator('.route-badge').innerText();
      assert.ok(text.includes('fallback: classifier timed out') && text.includes('qwen-flash'), text);
      assert.ok((await page.locator('.route-badge').getAttribute('title'))?.includes('the classifier did not answer within 1500 ms'));
    });

    it('shows thinking and the model pool on the badge, with their reasons in its tooltip', async () => {
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state: chatState() });
      await hostSays(page, { type: 'turnAdded', conversationId: 'c1', turn: turn('t1') });
      const pooled = 'qwen-max is excluded from the model pool; using qwen-plus';
      const thinking = { enabled: true, budget: 4608, reason: 'auto: reasoning 0.85 >= 0.6' };
      await hostSays(page, { type: 'turnRouted', conversationId: 'c1', turnId: 't1', route: { ...route, tier: 'complex', note: pooled, pooled, thinking } });
      await page.waitForSelector('.route-badge .badge-thinking');
      assert.equal(await page.locator('.route-badge .badge-thinking').innerText(), 'thinking, up to 4,608 tokens');
      assert.equal(await page.locator('.route-badge .badge-pooled').innerText(), CHAT_STRINGS.pooled);
      assert.equal(await page.locator('.route-badge .badge-pooled').getAttribute('title'), pooled);
      const title = (await page.locator('.route-badge').getAttribute('title')) ?? '';
      assert.ok(title.includes(`Thinking: thinking, up to 4,608 tokens (${thinking.reason})`) && title.includes(pooled), title);
      // Thinking off: no tag, the tooltip still says so and why.
      await hostSays(page, { type: 'turnRouted', conversationId: 'c1', turnId: 't1', route: { ...route, thinking: { enabled: false, budget: null, reason: 'auto: reasoning 0.1 is below 0.6' } } });
      await page.waitForFunction(() => document.querySelector('.route-badge .badge-thinking') === null);
      assert.ok((await page.locator('.route-badge').getAttribute('title'))?.includes('Thinking: no thinking (auto: reasoning 0.1 is below 0.6)'));
    });

    it('posts the draft after a pause in typing (debounced: the final text, not every keystroke), and not after Enter', async () => {
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state: chatState() });
      await page.click('textarea.input');
      await page.keyboard.type('sort a list in place');
      const draft = await waitPosted(page, 'draft');
      assert.deepEqual(draft, { type: 'draft', text: 'sort a list in place' });
      const drafts = (await posted(page)).filter((m) => m.type === 'draft');
      assert.ok(drafts.length < 'sort a list in place'.length, `one draft per pause, not per keystroke (${drafts.length})`);
      // Typed and sent at once: the pending draft is cancelled by Enter (the send routes it).
      await page.keyboard.type('!');
      await page.keyboard.press('Enter');
      const request = await waitPosted(page, 'request', 'send');
      await hostSays(page, { type: 'response', requestId: String(request.requestId), method: 'send', ok: true, result: { turnId: 't9' } });
      await page.waitForTimeout(400);
      assert.ok(!(await posted(page)).some((m) => m.type === 'draft' && m.text === 'sort a list in place!'), 'no draft after the text was sent');
    });

    it('offers the model download from a badge routed by length for want of a model', async () => {
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state: chatState() });
      await hostSays(page, { type: 'turnAdded', conversationId: 'c1', turn: turn('t1') });
      await hostSays(page, { type: 'turnRouted', conversationId: 'c1', turnId: 't1', route: { ...route, method: 'fallback_token_length', tier: 'simple', modelKey: 'qwen-flash', taskType: null, complexity: null, fallbackReason: 'model_missing', fallbackMessage: 'No classifier model is installed.', scores: {} } });
      await page.click('.route-badge button[data-action="offer-model"]');
      assert.deepEqual(await waitPosted(page, 'offerModel'), { type: 'offerModel' });
      assert.equal(await page.locator('.route-badge button[data-action="offer-model"]').innerText(), CHAT_STRINGS.offerModel);
    });

    it('puts 👍/👎 and "Ask the next tier instead" on a recorded answer, posts them typed, and shows the choice', async () => {
      await waitPosted(page, 'ready');
      const usage = { modelKey: 'qwen-plus', inputTokens: 12, outputTokens: 80, costUsd: 0.0001, latencyMs: 1500, ttftMs: 300, escalatedFrom: [] };
      const answered = turn('t1', { status: 'done', route, answer: 'ok', usage, recordId: 'rec-1', nextTierModel: 'qwen-max' });
      const top = turn('t2', { status: 'done', route: { ...route, tier: 'complex', modelKey: 'qwen-max' }, answer: 'ok', usage: { ...usage, modelKey: 'qwen-max' }, recordId: 'rec-2' });
      const unrecorded = turn('t3', { status: 'done', route, answer: 'ok', usage });
      await hostSays(page, { type: 'state', state: chatState([answered, top, unrecorded]) });
      await page.waitForSelector('article[data-turn="t1"] .turn-signals');
      assert.equal(await page.locator('article[data-turn="t2"] .turn-signals button').count(), 2, 'the top tier has thumbs and no next tier');
      assert.equal(await page.locator('article[data-turn="t3"] .turn-signals').count(), 0, 'no buttons without a record id');
      const t1 = 'article[data-turn="t1"] .turn-signals';
      assert.equal(await page.locator(`${t1} [data-action="ask-next-tier"]`).innerText(), CHAT_STRINGS.askNextTier);
      assert.deepEqual(await page.locator(`${t1} [data-action="turn-signal"]`).evaluateAll((els) => els.map((e) => e.getAttribute('aria-pressed'))), ['false', 'false']);

      await page.click(`${t1} [data-value="thumbs_down"]`);
      assert.deepEqual(await waitPosted(page, 'signal'), { type: 'signal', turnId: 't1', signal: 'thumbs_down' });
      await hostSays(page, { type: 'turnFinished', conversationId: 'c1', turn: { ...answered, signal: 'thumbs_down' } });
      await page.waitForSelector(`${t1} [data-value="thumbs_down"][aria-pressed="true"]`);
      assert.equal(await page.locator(`${t1} [data-value="thumbs_up"]`).getAttribute('aria-pressed'), 'false');
      // A later opposite choice replaces it.
      await page.click(`${t1} [data-value="thumbs_up"]`);
      await page.waitForFunction(() => (window as unknown as { __posted: { type: string; signal?: string }[] }).__posted.some((m) => m.type === 'signal' && m.signal === 'thumbs_up'));
      await hostSays(page, { type: 'turnFinished', conversationId: 'c1', turn: { ...answered, signal: 'thumbs_up' } });
      await page.waitForSelector(`${t1} [data-value="thumbs_up"][aria-pressed="true"]`);
      assert.equal(await page.locator(`${t1} [data-value="thumbs_down"]`).getAttribute('aria-pressed'), 'false');

      await page.click(`${t1} [data-action="ask-next-tier"]`);
      assert.deepEqual(await waitPosted(page, 'askNextTier'), { type: 'askNextTier', turnId: 't1' });
    });

    it('puts errors inline with their actions', async () => {
      await waitPosted(page, 'ready');
      const failed = turn('t1', { status: 'error', error: { kind: 'auth', message: 'The API key was rejected (401 invalid_api_key).', actions: ['setApiKey', 'chooseRegion', 'retry'] } });
      await hostSays(page, { type: 'state', state: chatState([failed]) });
      await page.waitForSelector('.turn-error .error-actions');
      assert.equal(await page.locator('.route-badge').isHidden(), true);
      assert.deepEqual(await page.locator('.turn-error button').allInnerTexts(), [CHAT_STRINGS.setApiKey, CHAT_STRINGS.chooseRegion, CHAT_STRINGS.retry]);
      await page.click(`.turn-error button:has-text("${CHAT_STRINGS.setApiKey}")`);
      assert.deepEqual(await waitPosted(page, 'runAction'), { type: 'runAction', action: 'setApiKey' });
      await page.click(`.turn-error button:has-text("${CHAT_STRINGS.retry}")`);
      assert.deepEqual(await waitPosted(page, 'retry'), { type: 'retry', turnId: 't1' });
    });

    it('keeps a route for the chat with a visible way to re-route, and starts new chats', async () => {
      await waitPosted(page, 'ready');
      const state = chatState([turn('t1', { status: 'done', route, answer: 'ok' })]);
      state.sticky = true;
      state.conversation.stickyRoute = route;
      await hostSays(page, { type: 'state', state });
      await page.waitForSelector('.sticky-chip:not([hidden])');
      assert.ok((await page.locator('.sticky-chip').innerText()).includes('qwen-plus (medium)'));
      await page.click('.sticky-chip button[data-action="reroute"]');
      assert.deepEqual(await waitPosted(page, 'reroute'), { type: 'reroute' });
      await hostSays(page, { type: 'stickyRoute', conversationId: 'c1', route: null });
      await page.waitForSelector('.sticky-chip[hidden]', { state: 'attached' });
      await page.click('#sticky-toggle');
      assert.deepEqual(await waitPosted(page, 'setSticky'), { type: 'setSticky', sticky: false });
      await page.click('button[data-action="new-chat"]');
      assert.deepEqual(await waitPosted(page, 'newChat'), { type: 'newChat' });
    });

    it('drops messages that are not in the protocol', async () => {
      await waitPosted(page, 'ready');
      await page.evaluate(() => window.postMessage({ type: 'state', state: { strings: {} } }, '*'));
      await page.evaluate(() => window.postMessage({ type: 'turnDelta', answer: '<img src=x onerror=alert(1)>' }, '*'));
      await page.waitForTimeout(100);
      assert.equal(await page.locator('textarea').count(), 0);
    });
  });

  describe('stats', () => {
    let page: Page;

    afterEach(async () => {
      const violations = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
      await page.close();
      assert.deepEqual(violations, [], 'CSP violations');
    });

    function record(i: number): Record<string, unknown> {
      const tiers = ['simple', 'medium', 'complex'];
      const models = ['qwen-flash', 'qwen-plus', 'qwen-max'];
      return {
        schema_version: 1,
        id: `r${i}`,
        timestamp: 1_764_000_000 + i * 40_000,
        request: { messages: [{ role: 'user', content: `question ${i} <script>window.__xss=1</script>` }], temperature: null, max_tokens: null, user_specified_model: null },
        routing: { method: i % 4 === 3 ? 'fallback_token_length' : 'nvidia_classifier', query: `question ${i}`, routing_latency_ms: 10 + i, tier: tiers[i % 3], complexity_score: (i % 10) / 10, task_type: i % 2 ? 'Code Generation' : 'Open QA', ...(i % 4 === 3 ? { fallback_reason: 'timeout' } : {}) },
        llm: { model: models[i % 3], provider: 'dashscope', response_id: `x${i}`, response_content: `answer ${i}`, input_tokens: 100 + i, output_tokens: 200 + i, total_tokens: 300 + 2 * i, cost_usd: 0.0001 * (i + 1), llm_latency_ms: 500 + 10 * i, ttft_ms: 100 + i },
        error: i === 5 ? { kind: 'rate_limited', message: 'Rate limited' } : null,
        cancelled: false,
      };
    }

    /** Opens the stats page and sends it a state with no filters: `stats` and `page` as given. */
    async function openStats(parts: Pick<StatsState, 'stats' | 'page'>): Promise<Page> {
      const state: StatsState = {
        strings: localizeTable(STATS_STRINGS, (text) => text),
        ...parts,
        filters: { tiers: [], models: [], methods: [] },
        thresholds: { simple: 0.3, medium: 0.5 },
        historyPath: '/tmp/call_history.jsonl',
        updatedAt: Date.now(),
        error: null,
      };
      const opened = await openView(browser as Browser, 'stats');
      await waitPosted(opened, 'ready');
      await hostSays(opened, { type: 'state', state });
      return opened;
    }

    it('renders the summary, charts, percentiles and records, and asks for pages and the what-if', async () => {
      const records = Array.from({ length: 12 }, (_, i) => record(i));
      const accumulator = new StatsAccumulator({ dayKey: 'utc', topTier: { key: 'qwen-max', spec: { model: 'qwen-max', prices: { asOf: 't', bands: [{ input: 1.6, output: 6.4 }] } } } });
      for (const r of records) accumulator.add(r);
      const stats = accumulator.finish();
      const newestFirst = [...records].reverse();
      const state: StatsState = {
        strings: localizeTable(STATS_STRINGS, (text) => text),
        stats,
        filters: { tiers: ['simple', 'medium', 'complex'], models: ['qwen-flash', 'qwen-max', 'qwen-plus'], methods: ['fallback_token_length', 'nvidia_classifier', 'user_specified'] },
        page: { total: 12, offset: 0, limit: 50, records: newestFirst },
        thresholds: { simple: 0.3, medium: 0.5 },
        historyPath: '/tmp/call_history.jsonl',
        updatedAt: Date.now(),
        error: null,
      };
      page = await openView(browser as Browser, 'stats');
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state });
      await page.waitForSelector('.summary-grid .metric');
      const summary = await page.locator('.summary-grid').innerText();
      assert.ok(summary.includes(String(stats.total_calls)), summary);
      assert.ok(summary.includes('qwen-max'), summary);
      // The first card counts the answered calls, and says how many calls there were in all (the table's records).
      const calls = page.locator('.summary-grid .metric').first();
      assert.deepEqual([await calls.locator('.metric-label').innerText(), await calls.locator('.metric-value').innerText()], ['Answered calls', '11']);
      assert.equal(await calls.locator('.metric-detail').innerText(), '12 calls in all · 1 failed · 0 cancelled');
      assert.equal(await page.locator('.summary-grid .metric').first().innerText().then((t) => t.includes('succeeded')), false);
      assert.equal(await page.locator('.chart-calls svg rect').count(), Object.keys(stats.cost.by_day).length);
      assert.equal(await page.locator('.chart-tiers .hbar').count(), 3);
      assert.ok((await page.locator('.fallback-card').innerText()).includes('timeout'));
      assert.equal(await page.locator('.records-table tbody tr').count(), 12);
      assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);

      // The what-if is asked for after the first paint; answer it.
      const whatIf = await waitPosted(page, 'request', 'whatIf');
      assert.deepEqual(whatIf.params, { thresholds: { simple: 0.3, medium: 0.5 } });
      const result = { thresholds: { simple: 0.3, medium: 0.5 }, calls: 11, rerouted: 8, kept: 3, changedTier: 2, tiers: { simple: 3, medium: 3, complex: 2 }, recordedTiers: { simple: 3, medium: 3, complex: 2 }, costUsd: 0.005, recordedCostUsd: 0.006, byModel: {}, unpriced: 0 };
      await hostSays(page, { type: 'response', requestId: String(whatIf.requestId), method: 'whatIf', ok: true, result: { result, histogram: { binWidth: 0.1, counts: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0] }, current: { simple: 0.3, medium: 0.5 } } });
      await page.waitForSelector('.what-if .split-bar');
      assert.equal(await page.locator('.what-if .split').count(), 2);
      assert.equal(await page.locator('.what-if svg.histogram rect').count(), 10);

      // Moving a threshold asks again with the new value.
      await page.locator('input.threshold-simple').fill('0.2');
      await page.waitForFunction(() => (window as unknown as { __posted: { method?: string; params?: { thresholds?: { simple: number } } }[] }).__posted.some((m) => m.method === 'whatIf' && m.params?.thresholds?.simple === 0.2));

      // A record's three layers, in full.
      await page.click('.records-table tbody tr:first-child');
      await page.waitForSelector('.record-detail:not([hidden]) .layer');
      assert.deepEqual(await page.locator('.record-detail .layer summary').allInnerTexts(), [STATS_STRINGS.layerRequest, STATS_STRINGS.layerRouting, STATS_STRINGS.layerLlm, STATS_STRINGS.layerOther]);
      assert.ok((await page.locator('.record-detail').innerText()).includes('"response_content": "answer 11"'));

      // Filters ask the host for a filtered first page.
      await page.selectOption('.filters select >> nth=0', 'medium');
      const pageRequest = await waitPosted(page, 'request', 'getPage');
      assert.deepEqual(pageRequest.params, { offset: 0, limit: 50, filter: { tier: 'medium', model: null, method: null, status: null, text: null } });
      await hostSays(page, { type: 'response', requestId: String(pageRequest.requestId), method: 'getPage', ok: true, result: { total: 4, offset: 0, limit: 50, records: newestFirst.filter((r) => (r.routing as { tier: string }).tier === 'medium') } });
      await page.waitForFunction(() => document.querySelectorAll('.records-table tbody tr').length === 4);

      // Live update: new stats re-render the summary.
      const before = (await posted(page)).length;
      await hostSays(page, { type: 'historyChanged', stats: { ...stats, total_calls: 999 }, filters: state.filters, updatedAt: Date.now() });
      await page.waitForFunction(() => document.querySelector('.summary-grid')?.textContent?.includes('999'));
      assert.ok((await posted(page)).length > before, 'no page/what-if refresh was asked for');

      await page.click('button[data-action="export-csv"]');
      const exportRequest = await waitPosted(page, 'request', 'export');
      assert.deepEqual(exportRequest.params, { format: 'csv', includeText: false });
    });

    it('shows what the cache saved, CNY apart from USD, and spend against budgets across workspaces', async () => {
      const accumulator = new StatsAccumulator({ dayKey: 'utc' });
      accumulator.add({ ...record(1), llm: { ...(record(1).llm as object), cached_tokens: 8_000, cache_saved: 0.00256 } });
      accumulator.add({ ...record(2), llm: { ...(record(2).llm as object), cost_usd: 0, cost_currency: 'CNY', cost: 3.5 } });
      const stats = accumulator.finish();
      page = await openStats({ stats, page: { total: 2, offset: 0, limit: 50, records: [] } });
      await page.waitForSelector('.summary-grid .metric');
      const summary = await page.locator('.summary-grid').innerText();
      assert.ok(summary.includes(STATS_STRINGS.cacheSaved) && summary.includes('$0.00256') && summary.includes('8,000'), summary);
      assert.ok(summary.includes('Cost in CNY (estimate)') && summary.includes('3.50 CNY'), summary);
      assert.equal(await page.locator('section.spend').isHidden(), true);

      const spend: SpendView = {
        currency: 'USD',
        scope: 'allWorkspaces',
        daily: 1,
        monthly: null,
        today: 0.25,
        month: 2,
        all: { calls: 7, cost: 2, byWorkspace: [{ name: 'alpha', calls: 5, cost: 1.5 }, { name: 'beta', calls: 2, cost: 0.5 }], byModel: [['qwen-plus', 2]], byDay: [['2026-12-01', 2]] },
      };
      await hostSays(page, { type: 'spend', spend });
      await page.waitForSelector('section.spend:not([hidden]) .spend-grid .metric');
      const text = await page.locator('section.spend').innerText();
      assert.ok(text.includes('$0.2500 of $1.00'), text);
      assert.ok(text.includes(STATS_STRINGS.budgetScopeAll), text);
      assert.ok(text.includes(STATS_STRINGS.budgetNoCap), text);
      assert.ok(text.includes('7 calls in 2 workspaces, in USD'), text);
      assert.equal(await page.locator('.chart-workspace-cost .hbar').count(), 2);
    });

    it('shows the classifier section from a `classifier` message: precision and why, the self-check against its bounds, every score', async () => {
      const result = { task_type_1: 'Open QA', task_type_2: 'NA', task_type_prob: 0.8, creativity_scope: 0.1, reasoning: 0.2, contextual_knowledge: 0.1, number_of_few_shots: 0, domain_knowledge: 0.3, no_label_reason: 0, constraint_ct: 0.1, prompt_complexity_score: 0.2 };
      const fp32 = Array.from({ length: 200 }, () => result);
      // Three prompts of 200 change tier: 98.5%, under the 99% bound.
      const int8 = fp32.map((r, i) => (i < 3 ? { ...r, prompt_complexity_score: 0.4 } : { ...r, reasoning: 0.21 }));
      const report: SelfCheckReport = {
        ...compareResults(fp32, int8, { simple: 0.3, medium: 0.5 }, 5_000_000, { now: new Date('2026-12-01T10:00:00Z') }),
        model: { dir: '/models/nvidia-classifier', fp32Bytes: 20_000_000 },
        weightFormat: 'int8-7bit',
        rejected: [{ weightFormat: 'int8', failures: ['int8 routes 4.0% of the check\'s prompts to another tier than fp32'], tierAgreement: 0.96, meanComplexityDelta: 0.03 }],
      };
      const classifier = classifierView({ state: { kind: 'ready', info: { precision: 'fp32', precisionReason: `int8 failed its self-check: ${report.failures.join('; ')}` } }, setting: 'auto', modelDir: '/models/nvidia-classifier', report, int8BytesOnDisk: 5_000_000 });
      page = await openStats({ stats: new StatsAccumulator({ dayKey: 'utc' }).finish(), page: { total: 0, offset: 0, limit: 50, records: [] } });
      await page.waitForSelector('.stats-header h1');
      assert.equal(await page.locator('section.classifier').isHidden(), true, 'hidden until the host says');
      await hostSays(page, { type: 'classifier', classifier });
      await page.waitForSelector('section.classifier:not([hidden]) .self-check-bounds');
      const section = page.locator('section.classifier');
      assert.equal(await section.getAttribute('data-check'), 'failed');
      const text = await section.innerText();
      for (const expected of ['fp32 (setting: auto)', 'int8 failed its self-check', '/models/nvidia-classifier', STATS_STRINGS.selfCheckFailed, '98.5%', '≥ 99%', '100%', '≥ 97%', '200 prompts', '5,000,000', '20,000,000', 'simple below 0.3, medium below 0.5']) {
        assert.ok(text.includes(expected), `${expected} in: ${text}`);
      }
      assert.deepEqual(await section.locator('.self-check-bounds tbody tr').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-bound'), row.getAttribute('data-met')])), [
        ['tierAgreement', 'false'], ['taskTypeAgreement', 'true'], ['meanComplexityDelta', 'true'],
      ]);
      assert.equal(await section.locator('.self-check-scores tbody tr').count(), 9);
      assert.deepEqual(await section.locator('.self-check-scores tr[data-score="reasoning"] td').allInnerTexts(), ['0.0099', '0.01']);
      assert.equal(await section.locator('.self-check-failure').count(), report.failures.length);
      assert.equal(await section.locator('.self-check-stale').count(), 0);
      assert.ok(text.includes(STATS_STRINGS.selfCheckWeightFormat) && text.includes(STATS_STRINGS.weightFormatInt8SevenBit), `the kept weight format in: ${text}`);
      assert.equal(
        await section.locator('.self-check-rejected[data-weight-format="int8"]').innerText(),
        `${STATS_STRINGS.weightFormatInt8} failed the check on this CPU first: int8 routes 4.0% of the check's prompts to another tier than fp32`,
      );

      // No model: the section says so, with no check.
      await hostSays(page, { type: 'classifier', classifier: classifierView({ state: { kind: 'missing' }, setting: 'auto', modelDir: undefined, report: undefined, int8BytesOnDisk: undefined }) });
      await page.waitForSelector('section.classifier[data-status="missing"]');
      assert.ok((await section.innerText()).includes(STATS_STRINGS.classifierMissing));
      assert.equal(await section.locator('.self-check-bounds').count(), 0);
    });

    it('shows the newest records while the host reads the history, then fills in the summary and charts', async () => {
      const records = Array.from({ length: 60 }, (_, i) => record(i));
      const accumulator = new StatsAccumulator({ dayKey: 'utc' });
      for (const r of records) accumulator.add(r);
      const stats = accumulator.finish();
      const newestFirst = [...records].reverse();
      const filters = { tiers: ['simple', 'medium', 'complex'], models: ['qwen-flash'], methods: ['fallback_token_length', 'nvidia_classifier', 'user_specified'] };
      const state: StatsState = {
        strings: localizeTable(STATS_STRINGS, (text) => text),
        stats: null,
        filters,
        page: { total: null, offset: 0, limit: 50, records: newestFirst.slice(0, 50) },
        thresholds: { simple: 0.3, medium: 0.5 },
        historyPath: '/tmp/call_history.jsonl',
        updatedAt: Date.now(),
        error: null,
      };
      page = await openView(browser as Browser, 'stats');
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state });
      await page.waitForSelector('.records-table tbody tr');
      assert.equal(await page.locator('.records-table tbody tr').count(), 50);
      assert.equal(await page.locator('.summary-grid .metric').count(), 0);
      assert.equal(await page.locator('.summary-grid').getAttribute('aria-busy'), 'true');
      assert.ok((await page.locator('.summary-grid').innerText()).includes(STATS_STRINGS.readingHistory));
      assert.equal(await page.locator('.charts-grid .card').count(), 0);
      assert.equal((await page.locator('.page-info').innerText()).trim(), '1–50');
      assert.equal(await page.locator('button[data-action="page-next"]').isDisabled(), false);
      assert.deepEqual(await page.locator('.filters select >> nth=1').locator('option').allInnerTexts(), ['Model: Any', 'qwen-flash']);
      // No what-if yet: its scan would compete with the host's reading of the history.
      await page.waitForTimeout(150);
      assert.equal((await posted(page)).some((m) => m.method === 'whatIf'), false);

      // The stats arrive: summary, charts and the pager's total; the what-if is asked for now.
      await hostSays(page, { type: 'stats', stats, filters: { ...filters, models: ['qwen-flash', 'qwen-max', 'qwen-plus'] }, updatedAt: Date.now(), error: null });
      await page.waitForSelector('.summary-grid .metric');
      assert.ok((await page.locator('.summary-grid').innerText()).includes(String(stats.total_calls)));
      assert.equal(await page.locator('.summary-grid').getAttribute('aria-busy'), null);
      assert.equal(await page.locator('.chart-tiers .hbar').count(), 3);
      assert.equal((await page.locator('.page-info').innerText()).trim(), '1–50 of 60');
      assert.equal(await page.locator('.records-table tbody tr').count(), 50);
      assert.deepEqual(await page.locator('.filters select >> nth=1').locator('option').allInnerTexts(), ['Model: Any', 'qwen-flash', 'qwen-max', 'qwen-plus']);
      const whatIf = await waitPosted(page, 'request', 'whatIf');
      assert.deepEqual(whatIf.params, { thresholds: { simple: 0.3, medium: 0.5 } });
    });

    it('calibrates from the what-if, shows the proposal with Apply, and the evaluation beside the current thresholds', async () => {
      const accumulator = new StatsAccumulator({ dayKey: 'utc' });
      accumulator.add(record(1));
      const empty = { filters: { tiers: [], models: [], methods: [] }, thresholds: { simple: 0.3, medium: 0.5 }, historyPath: '/tmp/call_history.jsonl' };
      const state: StatsState = { ...empty, strings: localizeTable(STATS_STRINGS, (text) => text), stats: accumulator.finish(), page: { total: 1, offset: 0, limit: 50, records: [] }, updatedAt: Date.now(), error: null };
      page = await openView(browser as Browser, 'stats');
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state });
      // Too few signals: the Evaluation says why, and Calibrate does not offer them.
      const first = await waitPosted(page, 'request', 'evaluate');
      assert.deepEqual(first.params, { ask: null });
      await hostSays(page, { type: 'response', requestId: String(first.requestId), method: 'evaluate', ok: true, result: { evaluation: null, reason: 'Not enough signals yet (3 of 10).', signals: 3, needed: 10 } });
      await page.waitForSelector('section.evaluation:not([hidden]) .evaluation-none');
      assert.equal(await page.locator('.evaluation-none').innerText(), 'Not enough signals yet (3 of 10).');
      const signalsOption = page.locator('select.calibrate-mode option[value="signals"]');
      assert.equal(await signalsOption.isDisabled(), true);
      assert.equal(await signalsOption.innerText(), 'your signals (3 of the 10 needed)');

      // Calibrate for a mix: the host's proposal fills the sliders, asks the what-if for it, and offers Apply.
      await page.locator('input.calibrate-value').fill('50,30,20');
      await page.click('button[data-action="calibrate"]');
      const asked = await waitPosted(page, 'request', 'calibrate');
      assert.deepEqual(asked.params, { ask: { mode: 'mix', value: '50,30,20' } });
      const records = [...history(100), ...[25, 26, 27].map((i) => signal(`c${i}`, 'thumbs_down'))];
      const result = calibrate(fold(records), { kind: 'mix', mix: [0.5, 0.3, 0.2] }, SCENARIO, MODELS);
      await hostSays(page, { type: 'response', requestId: String(asked.requestId), method: 'calibrate', ok: true, result: { ask: { mode: 'mix', value: '50,30,20' }, result } });
      await page.waitForSelector('.proposal tr.proposed');
      const proposed = await page.locator('.proposal tr.proposed').innerText();
      assert.ok(proposed.includes(`simple below ${result.thresholds.simple}, medium below ${result.thresholds.medium}`) && proposed.includes('50% / 30% / 20%'), proposed);
      assert.ok((await page.locator('.proposal tr.current').innerText()).includes('simple below 0.3, medium below 0.5'));
      await page.waitForFunction((t) => (window as unknown as { __posted: { method?: string; params?: { thresholds?: { simple: number } } }[] }).__posted.some((m) => m.method === 'whatIf' && m.params?.thresholds?.simple === t), result.thresholds.simple);
      assert.equal(await page.locator('input.threshold-simple').inputValue(), String(result.thresholds.simple));

      // The evaluation now compares with what was calibrated.
      const second = await waitPosted(page, 'request', 'evaluate');
      assert.deepEqual(second.params, { ask: { mode: 'mix', value: '50,30,20' } });
      const evaluation = evaluate(fold(records), { goal: { kind: 'mix', mix: [0.5, 0.3, 0.2] } }, SCENARIO, MODELS);
      await hostSays(page, { type: 'response', requestId: String(second.requestId), method: 'evaluate', ok: true, result: { evaluation, reason: null, signals: 3, needed: 10 } });
      await page.waitForSelector('.evaluation-table tr.alternative');
      assert.ok((await page.locator('.evaluation-table tr.current').innerText()).includes('3 / 0 / 0'));
      assert.ok((await page.locator('.evaluation-table tr.alternative').innerText()).startsWith('Alternative: a tier mix'));
      assert.equal(await page.locator('.evaluation-moved').innerText(), '3 thumbed-down or re-asked answers: the alternative sends 0 of them to a higher tier and 0 to a lower one.');

      // Apply asks the host to write the proposal's thresholds, then says where they went.
      await page.click('button[data-action="apply-thresholds"]');
      const apply = await waitPosted(page, 'request', 'applyThresholds');
      assert.deepEqual(apply.params, { thresholds: result.thresholds });
      await hostSays(page, { type: 'response', requestId: String(apply.requestId), method: 'applyThresholds', ok: true, result: { message: 'Saved to your user settings.', overridden: false, thresholds: result.thresholds } });
      await page.waitForSelector('.error-bar.info:not([hidden])');
      assert.equal(await page.locator('.error-bar').innerText(), 'Saved to your user settings.');
      assert.equal(await page.locator('.proposal').count(), 0);

      // A proposal from the command palette lands the same way.
      await hostSays(page, { type: 'proposal', proposal: { ask: { mode: 'mix', value: '50,30,20' }, result } });
      await page.waitForSelector('.proposal button[data-action="apply-thresholds"]');
    });

    it('says why when the stats that were being read could not be', async () => {
      const state: StatsState = {
        strings: localizeTable(STATS_STRINGS, (text) => text),
        stats: null,
        filters: { tiers: [], models: [], methods: [] },
        page: { total: null, offset: 0, limit: 50, records: [] },
        thresholds: { simple: 0.3, medium: 0.5 },
        historyPath: '/tmp/call_history.jsonl',
        updatedAt: Date.now(),
        error: null,
      };
      page = await openView(browser as Browser, 'stats');
      await waitPosted(page, 'ready');
      await hostSays(page, { type: 'state', state });
      await page.waitForSelector('.summary-grid[aria-busy="true"]');
      await hostSays(page, { type: 'stats', stats: new StatsAccumulator().finish(), filters: state.filters, updatedAt: Date.now(), error: 'EACCES: permission denied' });
      await page.waitForSelector('.error-bar:not([hidden])');
      assert.ok((await page.locator('.error-bar').innerText()).includes('EACCES: permission denied'));
      assert.equal(await page.locator('.summary-grid').getAttribute('aria-busy'), null);
    });
  });
});
