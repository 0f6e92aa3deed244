import * as vscode from 'vscode';

type Window = typeof vscode.window;
/**
 * Answers one of VS Code's prompts for the duration of a call, then puts the real one back. A
 * function answer is called with the prompt's arguments (to see what was shown).
 */
export async function answering<K extends keyof Window, T>(name: K, answer: unknown, run: () => Thenable<T> | Promise<T>): Promise<T> {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = window[name];
  window[name] = async (...args: unknown[]) => (typeof answer === 'function' ? answer(...args) : answer);
  try {
    return await run();
  } finally {
    window[name] = original;
  }
}

export { until } from '../support/until';
