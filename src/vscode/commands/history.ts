import * as vscode from 'vscode';
import type { HistoryStore } from '../../core/history/store';
import { exportHistoryToFile, HistoryExportError, importHistory, type ExportOptions } from '../../core/history/transfer';
import type { RouterService } from '../routerService';

/** "Import History": another history file (the old service's call_history.jsonl, or an export of ours). */
export async function importHistoryCommand(router: RouterService): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('Import a call history (JSONL)'),
    canSelectMany: false,
    filters: { [vscode.l10n.t('Call history')]: ['jsonl', 'json'], [vscode.l10n.t('All files')]: ['*'] },
  });
  if (!picked?.[0]) return;
  try {
    const report = await importHistory(router.history, picked[0].fsPath);
    router.log.info(`History import from ${picked[0].fsPath}: ${report.imported} imported, ${report.duplicates} already there, ${report.invalid} unreadable lines skipped`);
    router.historyReplaced();
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Imported {0} records ({1} already there, {2} unreadable lines skipped).', report.imported, report.duplicates, report.invalid),
    );
  } catch (error) {
    router.log.error(`History import from ${picked[0].fsPath} failed: ${(error as Error).message}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not import {0}: {1}', picked[0].fsPath, (error as Error).message));
  }
}

/** "Export History": JSONL or CSV; prompt and answer text only when the user says so. */
export async function exportHistoryCommand(router: RouterService): Promise<void> {
  const withoutText = vscode.l10n.t('Without prompt and answer text');
  const withText = vscode.l10n.t('With prompt and answer text');
  const content = await vscode.window.showQuickPick([withoutText, withText], { title: vscode.l10n.t('Export the call history'), placeHolder: vscode.l10n.t('What to include') });
  if (!content) return;
  const target = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Export the call history'),
    filters: { 'JSON Lines': ['jsonl'], CSV: ['csv'] },
    defaultUri: vscode.Uri.file(`qwen-router-history-${new Date().toISOString().slice(0, 10)}.jsonl`),
  });
  if (!target) return;
  try {
    const includeText = content === withText;
    const count = await exportHistoryToPath(router.history, target.fsPath, { includeText, format: target.fsPath.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl' });
    router.log.info(`History export to ${target.fsPath}: ${count} records, ${includeText ? 'with' : 'without'} prompt and answer text`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} records to {1}.', count, target.fsPath));
  } catch (error) {
    router.log.error(`History export failed: ${(error as Error).message}`);
    void vscode.window.showErrorMessage((error as Error).message);
  }
}

/**
 * Both export commands (this one and the stats view's) write through the core's one file export;
 * a failure comes back as one sentence in the display language, with the core's detail.
 */
export async function exportHistoryToPath(history: HistoryStore, target: string, options: ExportOptions): Promise<number> {
  try {
    return await exportHistoryToFile(history, target, options);
  } catch (error) {
    const detail = error instanceof HistoryExportError ? error.detail : (error as Error).message;
    throw new Error(vscode.l10n.t('Could not export to {0}: {1}', target, detail));
  }
}

/** "Clear History": asks first, and offers an export before anything is deleted. */
export async function clearHistoryCommand(router: RouterService): Promise<boolean> {
  const clear = vscode.l10n.t('Clear History');
  const exportFirst = vscode.l10n.t('Export First');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Delete every recorded call of this workspace?'),
    { modal: true, detail: vscode.l10n.t('The history file {0} is deleted; this cannot be undone.', router.history.path) },
    clear,
    exportFirst,
  );
  if (choice === exportFirst) {
    await exportHistoryCommand(router);
    return false;
  }
  if (choice !== clear) return false;
  await router.clearHistory();
  router.log.info(`History cleared: ${router.history.path}`);
  void vscode.window.showInformationMessage(vscode.l10n.t('The call history was cleared.'));
  return true;
}
