/**
 * End-to-end scenarios: the packaged extension installed in code-server, driven in headless Chromium
 * as a person would use it, against the local DashScope stand-in. scripts/e2e.mjs builds this file,
 * starts everything, and runs the scenarios in order (later ones may rely on records earlier ones
 * made, and make their own when run alone).
 *
 * Hooks the UI offers and these rely on (chat webview, src/webview/chat/main.ts): `textarea.input`,
 * the send/stop button `button.send[data-action=send|stop]`, turns `article.turn[data-status=...]`
 * with `.route-badge[data-state=routed][data-tier][data-model]`, `.answer`, `.turn-note` (stopped).
 * Stats webview (src/webview/stats/main.ts): `.summary-grid .metric`, `svg.day-chart rect.bar`,
 * `.hbars`, `table.records-table tr.record-row`.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { DashScopeStandIn, RecordedRequest, Scenario as StandInScenario } from '../support/dashscopeStandIn';
import type { BrowserDocument, PayloadWindow } from './browser';
import { participantScenarios } from './participant';
import {
  E2EError, NATIVE_CHAT, activityLabels, answerInputBox, closeNativeChat, framesText, nativeChatInputText, nativeChatModels, openActivity, plain, runCommand, sampleUntil,
  typeInNativeChat, typeIntoInputBox, waitForFrame, waitUntil,
} from './workbench';

declare const document: BrowserDocument;
declare const window: PayloadWindow;

export interface E2EContext {
  page: Page;
  standIn: DashScopeStandIn;
  /** The DASHSCOPE_API_KEY the extension host was given (the stand-in insists on it). */
  apiKey: string;
  /** Saves a screenshot of the whole window under test-results/screenshots/<name>.png; returns its path. */
  screenshot(name: string): Promise<string>;
  /** Messages of every alert/confirm/prompt any frame opened (each is dismissed). */
  dialogs: string[];
  /** The workbench's console so far (extension host lines included). */
  consoleLines: string[];
  /** code-server's folder for this run: user-data (settings, logs, workspace storage), XDG dirs, server.log. */
  serverDir: string;
  /** The extensions folder the VSIX was installed into (inside serverDir). */
  extensionsDir: string;
  log(line: string): void;
}

export interface E2EScenario {
  name: string;
  title: string;
  run(ctx: E2EContext): Promise<void>;
}

/** What the extension contributes, as a person sees it. */
export const UI = {
  activity: 'Qwen Router',
  askCommand: 'Qwen Router: Ask…',
  /** The title of Ask…'s input box. */
  askTitle: 'Qwen Router: Ask',
  openStatsCommand: 'Qwen Router: Open Stats',
};

const CHAT_INPUT = 'textarea.input';
const LAST_TURN = 'article.turn:last-of-type';

function standing(ctx: E2EContext, scenario: StandInScenario): void {
  ctx.standIn.reset();
  ctx.standIn.setScenario('*', scenario);
}

async function lastRequest(ctx: E2EContext, what: string): Promise<RecordedRequest> {
  return waitUntil(what, () => ctx.standIn.requests[ctx.standIn.requests.length - 1], 15_000);
}

function checkAuthorization(ctx: E2EContext, request: RecordedRequest): void {
  assert.equal(request.headers.authorization, `Bearer ${ctx.apiKey}`, 'the request carries the DASHSCOPE_API_KEY given to the extension host');
}

/** The chat webview's frame, opening the sidebar entry first. */
async function openChat(ctx: E2EContext): Promise<Frame> {
  try {
    await openActivity(ctx.page, UI.activity);
  } catch (error) {
    const labels = await activityLabels(ctx.page).catch(() => []);
    throw new E2EError(`${(error as Error).message}; the activity bar has: ${labels.join(' | ') || 'nothing'}`);
  }
  const frame = await waitForFrame(ctx.page, CHAT_INPUT, 'the chat webview (textarea.input)', 30_000);
  // Idle: no answer still running from an earlier scenario.
  await waitUntil('the chat to be idle (send button)', () => frame.$('button.send[data-action="send"]'), 20_000);
  return frame;
}

async function turnCount(frame: Frame): Promise<number> {
  return frame.locator('article.turn').count();
}

/** Types a message in the chat and sends it with Enter; resolves once its turn is on screen. */
async function sendChat(frame: Frame, text: string): Promise<void> {
  const before = await turnCount(frame);
  const input = frame.locator(CHAT_INPUT);
  await input.click();
  await input.fill(text);
  await input.press('Enter');
  await waitUntil('the new turn in the chat', async () => (await turnCount(frame)) > before, 10_000);
}

interface TurnSnapshot {
  status: string | null;
  badgeState: string | null;
  /** The routing method, from the badge's method-<name> class. */
  method: string | null;
  tier: string | null;
  model: string | null;
  badgeText: string;
  answer: string;
  note: string;
}

async function lastTurn(frame: Frame): Promise<TurnSnapshot> {
  return frame.evaluate((selector) => {
    const turn = document.querySelector(selector);
    const badge = turn?.querySelector('.route-badge');
    return {
      status: turn?.dataset.status ?? null,
      badgeState: badge && !badge.hidden ? (badge.dataset.state ?? null) : null,
      method: /(?:^|\s)method-([\w-]+)/.exec(badge?.getAttribute('class') ?? '')?.[1] ?? null,
      tier: badge?.dataset.tier ?? null,
      model: badge?.dataset.model ?? null,
      badgeText: (badge?.innerText ?? '').trim(),
      answer: (turn?.querySelector('.answer')?.innerText ?? '').trim(),
      note: (turn?.querySelector('.turn-note, .turn-error')?.innerText ?? '').trim(),
    };
  }, LAST_TURN);
}

async function waitForTurnStatus(frame: Frame, statuses: string[], timeoutMs = 30_000): Promise<TurnSnapshot> {
  return waitUntil(`the last turn to be ${statuses.join(' or ')}`, async () => {
    const turn = await lastTurn(frame);
    if (turn.status === 'error' && !statuses.includes('error')) throw new E2EError(`the answer failed: ${turn.note}`);
    return statuses.includes(turn.status ?? '') ? turn : undefined;
  }, timeoutMs);
}

// --- (1) Ask from the command palette ----------------------------------------------------------

const PALETTE_REPLY = 'PALETTE-START Paris is the capital of France, on the Seine, and has been for most of the '
  + 'last thousand years; this sentence arrives in small pieces so the stream can be watched. PALETTE-END';

const palette: E2EScenario = {
  name: 'palette',
  title: 'ask from the command palette and see the routing decision, then the answer stream',
  async run(ctx) {
    // The first token waits 1.2 s, so the routing line has time to show on its own.
    standing(ctx, { reply: PALETTE_REPLY, chunkSize: 6, chunkDelayMs: 60, firstTokenDelayMs: 1200 });
    await runCommand(ctx.page, UI.askCommand);
    await answerInputBox(ctx.page, 'What is the capital of France? One sentence, please.');
    // The answer document (markdown, beside the editor) starts with "# <question>", then the routing
    // decision ("> qwen-plus (medium): ..."), then the answer as it streams.
    const samples = await sampleUntil('the palette answer to finish streaming', async () => {
      const texts = await framesText(ctx.page);
      const withAnswer = texts.map((t) => t.text).filter((text) => text.includes('What is the capital of France'));
      return withAnswer.sort((a, b) => b.length - a.length)[0] ?? '';
    }, (text) => text.includes('PALETTE-END'), 45_000, 40);
    const decided = (text: string) => DECISION.test(text);
    assert.ok(samples.some((text) => decided(text) && !text.includes('PALETTE-START')), 'the routing decision was on screen before the first token of the answer');
    assert.ok(samples.some((text) => text.includes('PALETTE-START') && !text.includes('PALETTE-END')), 'the answer appeared in pieces (part of it was on screen before the whole)');
    const full = samples[samples.length - 1];
    assert.match(full, /Paris is the capital of France/);
    assert.ok(full.search(DECISION) < full.indexOf('PALETTE-START'), 'the decision comes before the answer');
    const request = await lastRequest(ctx, 'the palette question at the stand-in');
    checkAuthorization(ctx, request);
    assert.match(JSON.stringify(request.body?.messages ?? []), /capital of France/);
    ctx.log(`    ${DECISION.exec(full)?.[0] ?? '?'}; ${samples.filter((t) => t.includes('PALETTE-START')).length} samples while streaming`);
    await ctx.screenshot('palette-answer');
  },
};

/** The routing line of a palette answer: "<model key> (<tier>): <why>". */
const DECISION = /qwen-[\w.-]+ \((simple|medium|complex)\)/;

// --- (2) Sidebar chat: badge, then answer ------------------------------------------------------

const CHAT_REPLY = [
  'CHAT-START Here is a function that reverses a string:',
  '',
  '```python',
  'def reverse(text: str) -> str:',
  '    return text[::-1]',
  '```',
  '',
  'It uses **slicing** with a step of -1. CHAT-END',
].join('\n');

const chat: E2EScenario = {
  name: 'chat',
  title: 'send a message in the sidebar chat, see the routing badge, then the answer',
  async run(ctx) {
    const frame = await openChat(ctx);
    // The first token waits 1.5 s: the badge must be up before any of the answer.
    standing(ctx, { reply: CHAT_REPLY, firstTokenDelayMs: 1500, chunkSize: 10, chunkDelayMs: 25 });
    await sendChat(frame, 'Write a Python function that reverses a string.');
    const routed = await waitUntil('the routing badge', async () => {
      const turn = await lastTurn(frame);
      if (turn.status === 'error') throw new E2EError(`the answer failed: ${turn.note}`);
      return turn.badgeState === 'routed' ? turn : undefined;
    }, 15_000, 25);
    assert.equal(routed.answer.includes('CHAT-START'), false, `the badge came before the answer (answer so far: ${JSON.stringify(routed.answer.slice(0, 80))})`);
    assert.ok(routed.model, 'the badge names the model');
    assert.ok(routed.badgeText.includes(routed.model ?? ''), `the badge shows the model (${routed.badgeText})`);
    ctx.log(`    badge: ${routed.badgeText.replace(/\s+/g, ' ')} (${routed.method})`);
    // The tiny test model (qwenRouter.classifier.modelPath) routes through onnxruntime-node and
    // tokenizers as packaged in the VSIX: a classifier route shows their binaries load in VS Code.
    assert.equal(routed.method, 'nvidia_classifier', `routed by the classifier, not by a fallback (badge: ${routed.badgeText.replace(/\s+/g, ' ')})`);
    const done = await waitForTurnStatus(frame, ['done'], 30_000);
    assert.match(done.answer, /CHAT-START[\s\S]*CHAT-END/);
    const codeBlocks = await frame.locator(`${LAST_TURN} .answer pre code`).count();
    assert.ok(codeBlocks >= 1, 'the code block is rendered as code');
    const request = await lastRequest(ctx, 'the chat message at the stand-in');
    checkAuthorization(ctx, request);
    await ctx.screenshot('chat');
  },
};

// --- (2b) The palette routes while the question is typed -----------------------------------------

/** Every file named `name` in code-server's folder (the extension's log, the workspace's history). */
const filesNamed = (ctx: E2EContext, name: string) => filesUnder(ctx.serverDir, ctx.extensionsDir).filter((path) => path.endsWith(name));

/** The log's "Draft classified while typed (N chars): verdict kept for Enter." lines for N = `chars`. */
function draftsKept(ctx: E2EContext, chars: number): number {
  const line = `Draft classified while typed (${chars} chars): verdict kept for Enter.`;
  return filesNamed(ctx, 'Qwen Router.log').reduce((n, path) => n + readFileSync(path, 'utf8').split(line).length - 1, 0);
}

const paletteDraft: E2EScenario = {
  name: 'palette-draft',
  title: 'type a question in Ask…: it is classified while typed, and Enter routes it from the cache',
  async run(ctx) {
    standing(ctx, { reply: 'DRAFT-ANSWER Walk both arrays with two indices.', chunkSize: 8 });
    const question = 'Write a function that merges two sorted arrays in TypeScript.';
    const kept = draftsKept(ctx, question.length);
    await runCommand(ctx.page, UI.askCommand);
    // 8 keys a second; Enter once the log says the typed text has its verdict.
    await typeIntoInputBox(ctx.page, {
      title: UI.askTitle,
      text: question,
      delayMs: 125,
      beforeEnter: () => waitUntil('the typed question to be classified before Enter', () => draftsKept(ctx, question.length) > kept || undefined, 20_000),
    });
    const record = await waitUntil('the palette question\'s record', () => {
      for (const path of filesNamed(ctx, 'call_history.jsonl')) {
        const found = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { request?: { messages?: { content?: string }[] }; routing?: { method?: string; cached?: boolean; routing_latency_ms?: number } })
          .find((r) => r.request?.messages?.some((m) => m.content === question));
        if (found) return found;
      }
      return undefined;
    }, 30_000);
    assert.equal(record.routing?.method, 'nvidia_classifier', 'routed by the classifier');
    assert.equal(record.routing?.cached, true, `routed from the verdict made while typing (routing: ${JSON.stringify(record.routing)})`);
    ctx.log(`    routing at Enter: ${record.routing?.routing_latency_ms} ms, cached`);
  },
};

// --- (3) Stop a slow answer --------------------------------------------------------------------

const stop: E2EScenario = {
  name: 'stop',
  title: 'stop a slow answer with the Stop button',
  async run(ctx) {
    const frame = await openChat(ctx);
    standing(ctx, { reply: 'STOP-NEVER-SHOWN this text must not arrive.', firstTokenDelayMs: 60_000 });
    await sendChat(frame, 'Tell me a long story about a lighthouse keeper.');
    const stopButton = await waitUntil('the Stop button', () => frame.$('button.send[data-action="stop"]'), 10_000);
    const request = await lastRequest(ctx, 'the slow request at the stand-in');
    // A moment so the request is surely waiting for its first token.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const clicked = Date.now();
    await stopButton.click();
    const stopped = await waitForTurnStatus(frame, ['cancelled'], 10_000);
    const stopMs = Date.now() - clicked;
    assert.equal(stopped.answer.includes('STOP-NEVER-SHOWN'), false);
    await waitUntil('the HTTP request to be closed', async () => {
      await Promise.race([request.closed, new Promise((resolve) => setTimeout(resolve, 200))]);
      return request.closedEarly;
    }, 5_000);
    await waitUntil('the send button to come back', () => frame.$('button.send[data-action="send"]'), 5_000);
    ctx.log(`    stopped ${stopMs} ms after the click; the stand-in saw the connection close early`);
  },
};

// --- (4) Stats: charts and the table -----------------------------------------------------------

const stats: E2EScenario = {
  name: 'stats',
  title: 'open the stats and see the charts and the table',
  async run(ctx) {
    // Run alone, there is no history yet: make one call first.
    if (!ctx.standIn.requests.some((r) => r.finished) && !(await hasTurns(ctx))) {
      const frame = await openChat(ctx);
      standing(ctx, { reply: 'A record for the stats.' });
      await sendChat(frame, 'Say something short.');
      await waitForTurnStatus(frame, ['done']);
    }
    await runCommand(ctx.page, UI.openStatsCommand);
    const frame = await waitForFrame(ctx.page, '.summary-grid', 'the stats webview (.summary-grid)', 30_000);
    await waitUntil('the summary metrics', async () => (await frame.locator('.summary-grid .metric').count()) > 0, 15_000);
    await waitUntil('a per-day chart with bars', async () => (await frame.locator('svg.day-chart rect.bar').count()) > 0, 15_000);
    await waitUntil('the tier/task/model bar charts', async () => (await frame.locator('.hbars .hbar').count()) > 0, 15_000);
    const rows = await waitUntil('rows in the records table', async () => {
      const n = await frame.locator('table.records-table tr.record-row').count();
      return n > 0 ? n : undefined;
    }, 15_000);
    ctx.log(`    ${await frame.locator('.summary-grid .metric').count()} metrics, ${await frame.locator('svg.day-chart').count()} day charts, ${rows} record rows`);
    await ctx.screenshot('stats');
    // The records table sits below the charts: a second picture with it scrolled into view.
    await frame.locator('table.records-table').scrollIntoViewIfNeeded();
    await ctx.screenshot('stats-table');
  },
};

async function hasTurns(ctx: E2EContext): Promise<boolean> {
  for (const frame of ctx.page.frames()) {
    try {
      if (await frame.$('article.turn[data-status="done"]')) return true;
    } catch {
      // detached
    }
  }
  return false;
}

// --- (5) An answer carrying HTML stays inert -----------------------------------------------------

const XSS_REPLY = [
  'XSS-START Here is some HTML:',
  '',
  '<img src=x onerror="window.__qwenXss=\'img\';alert(\'xss-img\')">',
  '',
  '<script>window.__qwenXss=\'script\';alert(\'xss-script\')</script>',
  '',
  '<iframe src="javascript:alert(\'xss-iframe\')"></iframe>',
  '',
  'A [link](javascript:alert(\'xss-link\')) and <a href="javascript:alert(1)">another</a>. XSS-END',
].join('\n');

const xss: E2EScenario = {
  name: 'xss',
  title: 'an answer holding <img onerror> and <script> stays inert text',
  async run(ctx) {
    const frame = await openChat(ctx);
    const dialogsBefore = ctx.dialogs.length;
    standing(ctx, { reply: XSS_REPLY, chunkSize: 40 });
    await sendChat(frame, 'Show me some HTML.');
    const done = await waitForTurnStatus(frame, ['done'], 30_000);
    assert.match(done.answer, /XSS-START[\s\S]*XSS-END/);
    // Give an onerror or a script every chance to run.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const found = await frame.evaluate((selector) => {
      const answer = document.querySelector(`${selector} .answer`);
      const app = document.getElementById('app');
      return {
        text: answer?.textContent ?? '',
        imgs: answer ? answer.querySelectorAll('img').length : -1,
        handlers: app ? Array.from(app.querySelectorAll('*')).filter((el) => Array.from(el.attributes).some((a) => /^on/i.test(a.name))).length : -1,
        scripts: app ? app.querySelectorAll('script').length : -1,
        iframes: app ? app.querySelectorAll('iframe, object, embed').length : -1,
        scriptLinks: app ? Array.from(app.querySelectorAll('a[href]')).filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length : -1,
        flag: window.__qwenXss ?? null,
      };
    }, LAST_TURN);
    assert.ok(found.text.includes('<img src=x onerror='), 'the <img> tag is shown as text');
    assert.ok(found.text.includes('<script>'), 'the <script> tag is shown as text');
    assert.equal(found.imgs, 0, 'no <img> element in the answer');
    assert.equal(found.handlers, 0, 'no element with an on* attribute in the chat');
    assert.equal(found.scripts, 0, 'no <script> element in the chat');
    assert.equal(found.iframes, 0, 'no <iframe>/<object>/<embed> in the chat');
    assert.equal(found.scriptLinks, 0, 'no javascript: link in the chat');
    assert.equal(found.flag, null, 'no payload ran in the webview');
    for (const f of ctx.page.frames()) {
      const flag = await f.evaluate(() => window.__qwenXss ?? null).catch(() => null);
      assert.equal(flag, null, `no payload ran in frame ${f.url().slice(0, 80)}`);
    }
    assert.deepEqual(ctx.dialogs.slice(dialogsBefore), [], 'no dialog opened');
    await ctx.screenshot('xss-inert');
  },
};

// --- (6) "Qwen Router: Auto" in VS Code's own chat --------------------------------------------

const nativeModelPicker: E2EScenario = {
  name: 'native-model-picker',
  title: 'VS Code\'s chat lists "Qwen Router: Auto" and the tier models in its model picker',
  async run(ctx) {
    // The extension activates with its view (as for anyone who has used it; on its own the picker
    // does not activate a vendor it has never resolved), then resolves its models in the background.
    await openChat(ctx);
    await runCommand(ctx.page, 'Chat: Open Chat');
    await waitUntil('the native chat input', () => ctx.page.locator(NATIVE_CHAT.input).first().isVisible(), 30_000);
    // The provider's models load lazily; the extension resolves them after activation, so poll.
    let text = '';
    await waitUntil('the model picker to list "Qwen Router: Auto"', async () => {
      const menu = ctx.page.locator(NATIVE_CHAT.menu).first();
      if (!(await menu.isVisible())) await ctx.page.locator(NATIVE_CHAT.modelPicker).first().click();
      await waitUntil('the model picker\'s menu', () => menu.isVisible(), 10_000);
      text = plain(await menu.innerText());
      // 1.117 folds the models beyond its own defaults (and beyond the one picked) under "Other Models": open that section.
      const listsAll = ['Qwen Router: Auto', 'qwen-flash', 'qwen-plus', 'qwen-max'].every((label) => text.includes(label));
      if (!listsAll && text.includes('Other Models')) {
        await menu.getByText('Other Models').first().click({ timeout: 5_000, force: true }).catch(() => undefined);
        text = plain(await menu.innerText());
      }
      if (text.includes('Qwen Router: Auto')) return true;
      await ctx.page.keyboard.press('Escape');
      return false;
    }, 60_000).catch(async (error: Error) => {
      await ctx.page.locator(NATIVE_CHAT.modelPicker).first().click().catch(() => undefined);
      await ctx.screenshot('native-model-picker-missing');
      throw new E2EError(`${error.message}; the picker shows: ${text.replace(/\s+/g, ' ') || 'nothing'}`);
    });
    const labels = text.split('\n').map((line) => line.trim());
    for (const model of ['qwen-flash', 'qwen-plus', 'qwen-max']) assert.ok(labels.includes(model), `the picker lacks ${model}: ${labels.join(' | ')}`);
    await ctx.screenshot('native-model-picker');
    await ctx.page.keyboard.press('Escape');
  },
};

// --- (7) The key stays secret -----------------------------------------------------------------

/** Files under `dir` (skipping `skip`), as paths. */
function filesUnder(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (path === skip) continue;
      let info;
      try {
        info = statSync(path);
      } catch {
        continue; // removed meanwhile (sockets, temp files)
      }
      if (info.isDirectory()) walk(path);
      else if (info.isFile()) out.push(path);
    }
  };
  walk(dir);
  return out;
}

const secret: E2EScenario = {
  name: 'secret',
  title: 'the API key appears in no setting, log, record or console line',
  async run(ctx) {
    // The extension got the key from DASHSCOPE_API_KEY and used it (earlier scenarios' requests).
    const files = filesUnder(ctx.serverDir, ctx.extensionsDir);
    const leaks = files.filter((path) => readFileSync(path).includes(ctx.apiKey));
    assert.deepEqual(leaks.map((path) => relative(ctx.serverDir, path)), [], 'files of the profile holding the API key');
    assert.deepEqual(ctx.consoleLines.filter((line) => line.includes(ctx.apiKey)), [], 'console lines holding the API key');
    const history = files.filter((path) => path.endsWith('.jsonl'));
    ctx.log(`    checked ${files.length} files (${history.length} history file${history.length === 1 ? '' : 's'}) and ${ctx.consoleLines.length} console lines`);
  },
};

// --- (7) VS Code's own chat view opens and takes text ---------------------------------------------

const nativeChat: E2EScenario = {
  name: 'native',
  title: "VS Code's own chat view opens and its input takes a message (the helpers the @qwen tests build on)",
  async run(ctx) {
    const text = '@qwen hello from the e2e run';
    // Typed, not sent: without Copilot nothing here answers a participant we do not register yet.
    await typeInNativeChat(ctx.page, text, { send: false });
    assert.equal(await nativeChatInputText(ctx.page), text);
    await ctx.screenshot('native-chat-open');
    // The model picker opens its menu (no provider of ours yet: VS Code's own entries).
    const models = await nativeChatModels(ctx.page);
    assert.ok(models.length > 0, 'the model picker lists something');
    ctx.log(`    model picker: ${models.join(' | ')}`);
    await ctx.page.keyboard.press('Escape');
    await ctx.page.locator(NATIVE_CHAT.input).first().click();
    // Leave the window as the other scenarios expect it: input empty, secondary sidebar closed.
    await ctx.page.keyboard.press('ControlOrMeta+A');
    await ctx.page.keyboard.press('Backspace');
    await closeNativeChat(ctx.page);
  },
};

// @qwen's scenarios come before the picker's: once the picker's menu has been opened, a fresh chat
// keeps VS Code's own "Auto" selected, which without Copilot answers "Language model unavailable".
// The key check comes last, after everything that could have written it somewhere.
export const scenarios: E2EScenario[] = [palette, chat, paletteDraft, stop, stats, xss, ...participantScenarios, nativeModelPicker, nativeChat, secret];
