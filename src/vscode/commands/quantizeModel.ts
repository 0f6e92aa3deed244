import * as vscode from 'vscode';
import { QuantizeCancelled } from '../../core/classifier/quantize/quantizer';
import { quantizeModelDir } from '../../node/quantizer';
import { runSelfCheck } from '../../node/selfCheck';
import type { ClassifierController } from '../classifierController';
import { readRouterConfig } from '../routerSettings';

/**
 * "Quantize Classifier Model": int8 made from the installed fp32 graph on a worker thread, then the
 * self-check against fp32; the classifier restarts so that precision "auto" takes the verdict.
 */
export async function quantizeClassifierModel(context: vscode.ExtensionContext, classifier: ClassifierController): Promise<void> {
  const modelDir = classifier.modelDir;
  if (!modelDir) {
    void vscode.window.showWarningMessage(vscode.l10n.t('No classifier model is installed. Run "Qwen Router: Download Classifier Model" first.'));
    return;
  }
  const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Qwen Router: quantizing the classifier'), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        await quantizeModelDir(modelDir, {
          workerPath: vscode.Uri.joinPath(dist, 'quantizeWorker.js').fsPath,
          signal: controller.signal,
          onProgress: ({ done, total }) => {
            const percent = Math.floor((done / total) * 50);
            progress.report({ increment: percent - reported, message: vscode.l10n.t('writing int8 weights') });
            reported = percent;
          },
        });
        return runSelfCheck(modelDir, {
          workerPath: vscode.Uri.joinPath(dist, 'classifierWorker.js').fsPath,
          isolation: 'process',
          thresholds: readRouterConfig().config.policy.complexity,
          signal: controller.signal,
          onProgress: ({ precision, done, total }) => {
            const percent = 50 + Math.floor(((precision === 'fp32' ? 0 : total) + done) / (2 * total) * 50);
            progress.report({ increment: percent - reported, message: vscode.l10n.t('self-check: {0} prompts with {1}', total, precision) });
            reported = percent;
          },
        });
      },
    );
    classifier.restart();
    if (report.passed) {
      void vscode.window.showInformationMessage(vscode.l10n.t('int8 passed its self-check ({0} of {1} prompts on the same tier); the classifier now runs int8.', Math.round(report.tierAgreement * report.prompts), report.prompts));
    } else {
      void vscode.window.showWarningMessage(vscode.l10n.t('int8 failed its self-check, so the classifier stays on fp32: {0}', report.failures.join('; ')));
    }
  } catch (error) {
    if (error instanceof QuantizeCancelled) return;
    void vscode.window.showErrorMessage(vscode.l10n.t('Quantizing the classifier failed: {0}', error instanceof Error ? error.message : String(error)));
  }
}
