import * as vscode from 'vscode';

/** The model picker's "manage" entry for Qwen Router's models: the key, the region, the settings. */
export async function manageLanguageModels(): Promise<void> {
  const items = [
    { label: vscode.l10n.t('Set API Key'), command: 'qwenRouter.setApiKey', args: [] as unknown[] },
    { label: vscode.l10n.t('Choose Region'), command: 'qwenRouter.chooseRegion', args: [] },
    { label: vscode.l10n.t('Open Settings'), detail: vscode.l10n.t('Tier models, thresholds and the model table'), command: 'workbench.action.openSettings', args: ['qwenRouter'] },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Qwen Router: Manage Models') });
  if (picked) await vscode.commands.executeCommand(picked.command, ...picked.args);
}
