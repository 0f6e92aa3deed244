import * as vscode from 'vscode';
import { REGION_BASE_URLS, REGION_LABELS, REGIONS, type Region } from '../../core/models/table';

/** "Choose Region": keys are bound to a region, so this is the fix for most "invalid API key" errors. */
export async function chooseRegion(): Promise<Region | undefined> {
  const settings = vscode.workspace.getConfiguration('qwenRouter');
  const current = settings.get<string>('region', 'international');
  const picked = await vscode.window.showQuickPick(
    REGIONS.map((region) => ({ label: REGION_LABELS[region], description: region === current ? vscode.l10n.t('current') : undefined, detail: REGION_BASE_URLS[region], region })),
    { title: vscode.l10n.t('Qwen Router: Choose Region'), placeHolder: vscode.l10n.t('The region your DashScope API key belongs to') },
  );
  if (!picked) return undefined;
  await settings.update('region', picked.region, vscode.ConfigurationTarget.Global);
  if (settings.get<string>('baseUrl')) {
    void vscode.window.showWarningMessage(vscode.l10n.t('qwenRouter.baseUrl is set and takes precedence over the region. Clear it to use {0}.', REGION_BASE_URLS[picked.region]));
  }
  return picked.region;
}
