import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { PRECISIONS, type Precision } from '../../core/classifier/modelDir';
import { DEFAULT_SOURCE, downloadModel, DownloadError, MODEL_LICENSE_NOTICE, type DownloadSource, type PinnedManifest } from '../../node/modelDownloader';
import { downloadTarget } from '../../node/modelLocator';
import type { ClassifierController } from '../classifierController';

const LICENSE_URL = 'https://developer.nvidia.com/open-model-license';

function readSource(): { source: DownloadSource; precision: Precision } {
  const config = vscode.workspace.getConfiguration('qwenRouter.classifier');
  const precision = config.get<string>('precision', 'fp32') as Precision;
  return {
    source: {
      endpoint: config.get<string>('downloadEndpoint')?.trim() || DEFAULT_SOURCE.endpoint,
      repo: config.get<string>('downloadRepository')?.trim() || DEFAULT_SOURCE.repo,
      revision: config.get<string>('downloadRevision')?.trim() || DEFAULT_SOURCE.revision,
    },
    precision: PRECISIONS.includes(precision) ? precision : 'fp32',
  };
}

function readManifest(extensionUri: vscode.Uri): PinnedManifest | undefined {
  const path = vscode.Uri.joinPath(extensionUri, 'models', 'manifest.json').fsPath;
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as PinnedManifest) : undefined;
}

const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** "Qwen Router: Download Classifier Model": license first, then bytes in a cancellable notification. */
export async function downloadClassifierModel(context: vscode.ExtensionContext, classifier: ClassifierController, options: { licenseAccepted?: boolean } = {}): Promise<boolean> {
  const { source, precision } = readSource();
  if (!options.licenseAccepted) {
    const accept = vscode.l10n.t('Accept and Download');
    const viewLicense = vscode.l10n.t('View License');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('Download the prompt classifier ({0}) from {1}/{2} at revision {3}?', precision, source.endpoint, source.repo, source.revision),
      { modal: true, detail: MODEL_LICENSE_NOTICE },
      accept,
      viewLicense,
    );
    if (choice === viewLicense) {
      await vscode.env.openExternal(vscode.Uri.parse(LICENSE_URL));
      return false;
    }
    if (choice !== accept) return false;
  }

  const targetDir = downloadTarget(context.globalStorageUri.fsPath);
  const started = performance.now();
  classifier.log.info(`Download: classifier model (${precision}) from ${source.endpoint}/${source.repo} at ${source.revision} into ${targetDir}`);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading the classifier model'), cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let reportedFraction = 0;
        await downloadModel({
          source,
          precision,
          targetDir,
          manifest: readManifest(context.extensionUri),
          signal: abort.signal,
          onProgress: ({ file, receivedBytes, totalBytes }) => {
            const fraction = totalBytes ? receivedBytes / totalBytes : 0;
            progress.report({ message: `${file}: ${megabytes(receivedBytes)} / ${megabytes(totalBytes)} MB`, increment: (fraction - reportedFraction) * 100 });
            reportedFraction = fraction;
          },
        });
      },
    );
  } catch (error) {
    const message = error instanceof DownloadError ? error.message : vscode.l10n.t('The download failed: {0}', String((error as Error).message ?? error));
    classifier.log.error(`Download failed after ${Math.round(performance.now() - started)} ms: ${error instanceof Error ? error.message : String(error)}`);
    const retry = vscode.l10n.t('Retry');
    const openSettings = vscode.l10n.t('Open Settings');
    const next = await vscode.window.showErrorMessage(message, retry, openSettings);
    if (next === retry) return downloadClassifierModel(context, classifier);
    if (next === openSettings) await vscode.commands.executeCommand('workbench.action.openSettings', 'qwenRouter.classifier');
    return false;
  }
  classifier.log.info(`Download: done in ${Math.round(performance.now() - started)} ms; the classifier restarts with ${targetDir}`);
  classifier.restart();
  void vscode.window.showInformationMessage(vscode.l10n.t('The classifier model is installed in {0} and is loading.', targetDir));
  return true;
}
