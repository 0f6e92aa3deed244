import * as vscode from 'vscode';
import { QuantizeCancelled, WEIGHT_FORMAT_LABELS, type WeightFormat } from '../../core/classifier/quantize/quantizer';
import { makeCheckedInt8 } from '../../node/selfCheck';
import type { ClassifierController } from '../classifierController';
import { readRouterConfig } from '../routerSettings';

/** The core's label, localized (the zh-CN bundle has each: the stats view shows the same words). */
const formatLabel = (format: WeightFormat): string => vscode.l10n.t(WEIGHT_FORMAT_LABELS[format]);

/**
 * "Quantize Classifier Model": int8 made from the installed fp32 graph on a worker thread and checked
 * against fp32, in the fastest weight format that passes on this CPU; the classifier restarts so
 * that precision "auto" takes the verdict.
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
        // The bar follows the first attempt (fp32 answers, writing int8, its answers); a retry with a
        // slower weight format says so in the message.
        let reported = 0;
        const advance = (percent: number, message: string) => {
          progress.report({ increment: Math.max(0, percent - reported), message });
          reported = Math.max(reported, percent);
        };
        const made = await makeCheckedInt8(modelDir, {
          quantizeWorkerPath: vscode.Uri.joinPath(dist, 'quantizeWorker.js').fsPath,
          workerPath: vscode.Uri.joinPath(dist, 'classifierWorker.js').fsPath,
          isolation: 'process',
          thresholds: readRouterConfig().config.policy.complexity,
          signal: controller.signal,
          onProgress: (step) => {
            const share = step.done / step.total;
            if (step.phase === 'fp32') advance(Math.floor(share * 30), vscode.l10n.t('self-check: {0} prompts with fp32', step.total));
            else if (step.phase === 'quantize') advance(30 + Math.floor(share * 30), vscode.l10n.t('writing int8 weights ({0})', formatLabel(step.weightFormat)));
            else advance(60 + Math.floor(share * 40), vscode.l10n.t('self-check: {0} prompts with int8 ({1})', step.total, formatLabel(step.weightFormat)));
          },
          onRejected: (rejected, next) => advance(reported, vscode.l10n.t('{0} failed the self-check on this CPU; trying {1}', formatLabel(rejected.weightFormat), formatLabel(next))),
        });
        return made.report;
      },
    );
    classifier.restart();
    if (report.passed) {
      const passed = vscode.l10n.t('int8 passed its self-check ({0} of {1} prompts on the same tier); the classifier now runs int8.', Math.round(report.tierAgreement * report.prompts), report.prompts);
      // Say so when this CPU needed a slower weight format than the first.
      const fallback = report.weightFormat && report.rejected?.length
        ? ` ${vscode.l10n.t('{0} failed on this CPU, so it uses {1}.', report.rejected.map((r) => formatLabel(r.weightFormat)).join(', '), formatLabel(report.weightFormat))}`
        : '';
      void vscode.window.showInformationMessage(passed + fallback);
    } else {
      void vscode.window.showWarningMessage(vscode.l10n.t('int8 failed its self-check, so the classifier stays on fp32: {0}', report.failures.join('; ')));
    }
  } catch (error) {
    if (error instanceof QuantizeCancelled) return;
    void vscode.window.showErrorMessage(vscode.l10n.t('Quantizing the classifier failed: {0}', error instanceof Error ? error.message : String(error)));
  }
}
