import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('qwenRouter.downloadModel', () => undefined),
    vscode.commands.registerCommand('qwenRouter.explainRouting', () => undefined),
  );
}

export function deactivate(): void {}
