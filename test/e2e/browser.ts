/**
 * Just enough of the DOM's types for the functions the scenarios run inside the page with
 * frame.evaluate(): the project's tsconfig has no DOM library (its code runs under Node), and those
 * functions are sent to the browser as source text, so they may only name browser globals.
 * Files that evaluate in the page declare, at module scope:
 *   declare const document: BrowserDocument;
 */
export interface BrowserElement {
  readonly dataset: Record<string, string | undefined>;
  readonly hidden: boolean;
  readonly innerText: string;
  readonly textContent: string | null;
  readonly attributes: ArrayLike<{ readonly name: string; readonly value: string }>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): ArrayLike<BrowserElement>;
}

export interface BrowserDocument {
  readonly body: BrowserElement | null;
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): ArrayLike<BrowserElement>;
  getElementById(id: string): BrowserElement | null;
}

/** What the XSS scenario's payload would set on the window if it ever ran. */
export interface PayloadWindow {
  __qwenXss?: string;
}
