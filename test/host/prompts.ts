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

/**
 * Answers the next input box made with vscode.window.createInputBox, in the real workbench: the box
 * is shown, its text set and accepted with the workbench's own accept command, as Enter does;
 * `undefined` closes the box instead (Escape). A value set through the API does not come back as
 * onDidChangeValue, so typing itself (the palette's draft routing) is driven in the browser by the
 * e2e scenario `palette-draft`.
 */
export async function typing<T>(text: string | undefined, run: () => Thenable<T> | Promise<T>): Promise<T> {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = vscode.window.createInputBox;
  let driving: Promise<unknown> | undefined;
  window.createInputBox = () => {
    window.createInputBox = original;
    const box = original();
    const show = box.show.bind(box);
    box.show = () => {
      show();
      // A failed drive closes the box (so `run` settles) and fails the test below.
      driving = drive(box).catch(async (error: unknown) => {
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        return error instanceof Error ? error : new Error(String(error));
      });
    };
    return box;
  };
  async function drive(box: vscode.InputBox): Promise<void> {
    if (text === undefined) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return;
    }
    box.value = text;
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  try {
    const result = await run();
    const failure = await driving;
    if (failure instanceof Error) throw failure;
    if (!driving) throw new Error('no input box was shown');
    return result;
  } finally {
    window.createInputBox = original;
  }
}
