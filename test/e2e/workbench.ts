/**
 * Driving code-server's workbench (VS Code 1.117 in a browser) with playwright-core, the way a person
 * would: the command palette, the activity bar, webviews. Used by the scenarios in scenarios.ts, which
 * scripts/e2e.mjs runs under plain Node.
 *
 * Webviews are nested iframes (an outer `webview/.../index.html`, an inner `#active-frame`); a
 * webview's content is found by polling page.frames() for the frame holding a known element.
 */
import type { Frame, Locator, Page } from 'playwright-core';
import type { BrowserDocument } from './browser';

declare const document: BrowserDocument;

export class E2EError extends Error {
  override name = 'E2EError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; throws `what` (with the last error) after `timeoutMs`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new E2EError(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}${cause}`);
    }
    await sleep(intervalMs);
  }
}

/** Visible text with VS Code's non-breaking spaces (editor lines) made plain. */
export function plain(text: string): string {
  return text.replace(/\u00a0/g, ' ');
}

/** The first frame (of the page's, nested webview frames included) holding `selector`. */
export async function frameWith(page: Page, selector: string): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    if (frame.isDetached()) continue;
    try {
      if (await frame.$(selector)) return frame;
    } catch {
      // navigating or detached meanwhile
    }
  }
  return undefined;
}

export function waitForFrame(page: Page, selector: string, what: string, timeoutMs = 30_000): Promise<Frame> {
  return waitUntil(what, () => frameWith(page, selector), timeoutMs, 200);
}

/** The visible text of every frame (main page and webviews), with the frame it came from. */
export async function framesText(page: Page): Promise<{ frame: Frame; text: string }[]> {
  const out: { frame: Frame; text: string }[] = [];
  for (const frame of page.frames()) {
    if (frame.isDetached()) continue;
    try {
      const text = await frame.evaluate(() => (document.body ? document.body.innerText : ''));
      out.push({ frame, text: plain(text) });
    } catch {
      // detached meanwhile
    }
  }
  return out;
}

/** Waits for the workbench to be up and idle enough to drive. */
export async function waitForWorkbench(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
  await page.waitForSelector('.activitybar', { timeout: timeoutMs });
  await page.waitForSelector('.statusbar', { timeout: timeoutMs });
}

/** Waits until the workbench knows the extension: its activity-bar entry is there. */
export async function waitForActivity(page: Page, titleStart: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(`the activity-bar entry "${titleStart}" (is the extension installed and compatible?)`, async () => {
    const labels = await activityLabels(page);
    return labels.some((label) => label.startsWith(titleStart));
  }, timeoutMs, 250);
}

/** Closes notification toasts that could cover what we look at (the offline gallery's complaints...). */
export async function dismissNotifications(page: Page): Promise<void> {
  const toasts = await page.$$('.notifications-toasts .notification-toast');
  if (toasts.length === 0) return;
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
}

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';

async function quickInputVisible(page: Page): Promise<boolean> {
  return page.locator(QUICK_INPUT).isVisible().catch(() => false);
}

/** Opens the command palette (F1), from wherever the focus is. */
export async function openCommandPalette(page: Page): Promise<void> {
  if (await quickInputVisible(page)) await page.keyboard.press('Escape');
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('F1');
    const shown = await waitUntil('the command palette', () => quickInputVisible(page), 3000).catch(() => false);
    if (shown) return;
    // The focus may be somewhere F1 does not reach: put it back on the workbench.
    await page.locator('.part.statusbar').click({ position: { x: 2, y: 2 } }).catch(() => undefined);
  }
  throw new E2EError('F1 did not open the command palette');
}

/** Runs a command from the palette by its full title ("Category: Title"), choosing the exact row. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator(QUICK_INPUT_BOX);
  for (let attempt = 1; ; attempt++) {
    await openCommandPalette(page);
    try {
      // Filter by the title less a trailing ellipsis (the palette's fuzzy filter may not match "…").
      await input.fill(`>${title.replace(/(…|\.\.\.)$/, '')}`, { timeout: 5_000 });
      break;
    } catch (error) {
      // A view that takes the focus as it opens (a webview the previous command opened) closes the palette: open it again.
      if (attempt === 3) throw error;
    }
  }
  let seen: string[] = [];
  let refilterAt = Date.now() + 2000;
  const row = await waitUntil(`"${title}" in the command palette`, async () => {
    if (Date.now() > refilterAt) {
      // Commands registered after the palette opened only show up when the filter changes.
      refilterAt = Date.now() + 2000;
      const text = await input.inputValue();
      await input.fill(text.slice(0, -1));
      await input.fill(text);
    }
    const rows = page.locator('.quick-input-list .monaco-list-row');
    const count = await rows.count();
    seen = [];
    for (let i = 0; i < count; i++) {
      const label = plain((await rows.nth(i).locator('.label-name').first().textContent().catch(() => '')) ?? '').trim();
      seen.push(label);
      if (label === title) return rows.nth(i);
    }
    return undefined;
  }, 10_000).catch((error: Error) => {
    throw new E2EError(`${error.message}; the palette lists: ${seen.join(' | ') || 'nothing'}`);
  });
  await row.click();
}

/** Answers an input box (showInputBox) that is open in the quick-input widget. */
export async function answerInputBox(page: Page, text: string): Promise<void> {
  // The first command activates the extension, which takes a while on a loaded machine.
  await waitUntil('an input box', () => quickInputVisible(page), 30_000);
  const input = page.locator(QUICK_INPUT_BOX);
  await input.fill(text);
  await input.press('Enter');
}

/**
 * Types into the input box titled `title` (createInputBox) key by key, `delayMs` apart, as a person
 * does (each key is an input event, so the extension sees every change); then `beforeEnter`, then Enter.
 */
export async function typeIntoInputBox(page: Page, options: { title: string; text: string; delayMs: number; beforeEnter?: () => Promise<unknown> }): Promise<void> {
  await waitUntil(`the input box "${options.title}"`, async () => (await quickInputVisible(page)) && ((await page.locator('.quick-input-title').textContent().catch(() => '')) ?? '').includes(options.title), 10_000);
  const input = page.locator(QUICK_INPUT_BOX);
  await input.pressSequentially(options.text, { delay: options.delayMs });
  await options.beforeEnter?.();
  await input.press('Enter');
}

/** Clicks an activity-bar entry by the start of its title (its aria-label). */
export async function openActivity(page: Page, titleStart: string): Promise<void> {
  const entry = await waitUntil(`the activity-bar entry "${titleStart}"`, async () => {
    const candidates = page.locator('.activitybar .action-item a.action-label, .activitybar .action-item .action-label');
    const count = await candidates.count();
    for (let i = 0; i < count; i++) {
      const label = (await candidates.nth(i).getAttribute('aria-label')) ?? '';
      if (label.startsWith(titleStart)) return candidates.nth(i);
    }
    return undefined;
  }, 30_000);
  // A second click on the entry of the visible container hides the sidebar: only click when not checked.
  const item = entry.locator('xpath=ancestor::li[contains(@class,"action-item")][1]');
  const checked = await item.getAttribute('aria-checked').catch(() => null) ?? await item.getAttribute('aria-selected').catch(() => null);
  if (checked !== 'true') await entry.click();
}

/** The labels of the activity-bar entries, for messages when one is missing. */
export async function activityLabels(page: Page): Promise<string[]> {
  return page.locator('.activitybar .action-item .action-label').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? '').filter(Boolean));
}

/**
 * Samples `read` every `intervalMs` until `done(value)`: the samples show whether something grew
 * in steps (streamed) rather than appearing at once.
 */
export async function sampleUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 50): Promise<T[]> {
  const samples: T[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    try {
      value = await read();
      samples.push(value);
      if (done(value)) return samples;
    } catch {
      // frame busy or detached: sample again
    }
    if (Date.now() > deadline) throw new E2EError(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}; last seen: ${JSON.stringify(samples[samples.length - 1] ?? null).slice(0, 300)}`);
    await sleep(intervalMs);
  }
}

// --- VS Code's own chat view (not our sidebar webview) -----------------------------------------
// Selectors of VS Code 1.117 (code-server 4.117.0); 1.139 names the model picker `.model-picker-split`.
// Without Copilot, a message with no @participant goes to Copilot's setup agent (a sign-in dialog,
// NATIVE_CHAT.dialog): send `@participant …` messages, or use vscode.lm from the extension host.

export const NATIVE_CHAT = {
  /** The chat input: a Monaco editor, so type into it (fill() does not reach it). */
  input: '.interactive-input-part .interactive-input-editor',
  /** The conversation: requests and answers. */
  list: '.interactive-session .interactive-list',
  /**
   * The model picker's button in the input toolbar ("Auto" until a model is picked), and the menu
   * it opens. Its neighbours, also `.chat-input-picker-item`s: the mode picker (Agent, Ask...; agent
   * mode lists only models with tool calling), the session target and the approvals.
   */
  modelPicker: '.interactive-input-part .chat-input-picker-item a.action-label[aria-label^="Pick Model"]',
  modePicker: '.interactive-input-part .chat-mode-picker-item a.action-label',
  menu: '.action-widget',
  /** A modal dialog (Copilot's sign-in, when a message reaches no participant). */
  dialog: '.monaco-dialog-box',
  openCommand: 'Chat: Open Chat',
};

/** Opens VS Code's chat view (F1 → "Chat: Open Chat") and waits for its input; returns the input. */
export async function openNativeChat(page: Page): Promise<Locator> {
  await runCommand(page, NATIVE_CHAT.openCommand);
  const input = page.locator(NATIVE_CHAT.input).first();
  await waitUntil('the chat view\'s input', () => input.isVisible(), 20_000);
  return input;
}

/** The text in the chat view's input (its editor's visible lines). */
export async function nativeChatInputText(page: Page): Promise<string> {
  return plain(await page.locator(`${NATIVE_CHAT.input} .view-lines`).first().innerText()).trim();
}

/**
 * Opens the chat view and types `text` into its input (replacing what was there); sends it with
 * Enter unless `send` is false. Answers appear in `NATIVE_CHAT.list` (see nativeChatTranscript).
 */
export async function typeInNativeChat(page: Page, text: string, { send = true } = {}): Promise<void> {
  const input = await openNativeChat(page);
  await input.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  await waitUntil(`"${text}" in the chat input`, async () => (await nativeChatInputText(page)) === text, 10_000);
  if (send) await page.keyboard.press('Enter');
}

/** The visible text of the chat view's conversation ('' while it is empty). */
export async function nativeChatTranscript(page: Page): Promise<string> {
  const list = page.locator(NATIVE_CHAT.list).first();
  if (!(await list.isVisible().catch(() => false))) return '';
  return plain(await list.innerText());
}

/** Opens the model picker and returns the labels of its menu's entries (Escape closes it). */
export async function nativeChatModels(page: Page): Promise<string[]> {
  await page.locator(NATIVE_CHAT.modelPicker).first().click();
  const menu = page.locator(NATIVE_CHAT.menu).first();
  await waitUntil('the model picker\'s menu', () => menu.isVisible(), 10_000);
  // A row's text is its label, then its keybinding on the next line.
  const labels = await menu.locator('.monaco-list-row').allInnerTexts();
  return labels.map((label) => plain(label).split('\n')[0].trim()).filter(Boolean);
}

/**
 * Picks the model labelled `label` in the chat's model picker, so the chat sends to it (a scenario
 * run after others finds whatever an earlier one left selected, e.g. VS Code's own "Auto", which
 * without Copilot answers "Language model unavailable"). 1.117 folds the models beyond its own
 * defaults under "Other Models"; provider models load lazily, so this polls.
 */
export async function pickNativeChatModel(page: Page, label: string, timeoutMs = 60_000): Promise<void> {
  const menu = page.locator(NATIVE_CHAT.menu).first();
  const button = page.locator(NATIVE_CHAT.modelPicker).first();
  await waitUntil(`"${label}" picked in the chat's model picker`, async () => {
    if ((await button.innerText().catch(() => '')).includes(label)) return true;
    if (!(await menu.isVisible())) await button.click();
    await waitUntil('the model picker\'s menu', () => menu.isVisible(), 10_000);
    if (!plain(await menu.innerText()).includes(label) && plain(await menu.innerText()).includes('Other Models')) {
      await menu.getByText('Other Models').first().click({ timeout: 5_000, force: true }).catch(() => undefined);
    }
    const entry = menu.getByText(label, { exact: true }).first();
    if (await entry.isVisible().catch(() => false)) await entry.click({ timeout: 5_000 }).catch(() => undefined);
    else await page.keyboard.press('Escape');
    return false;
  }, timeoutMs, 500);
}

/** Hides the secondary sidebar (where the chat view opens) and waits until the chat input is gone. */
export async function closeNativeChat(page: Page): Promise<void> {
  await runCommand(page, 'View: Hide Secondary Side Bar');
  await waitUntil('the secondary sidebar to close', async () => !(await page.locator(NATIVE_CHAT.input).first().isVisible()), 10_000);
}
