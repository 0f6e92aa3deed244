/**
 * The first run: while no classifier model is installed every question is routed by length. The
 * first such question brings one offer to download it (size, license; Download / Later / Don't Ask
 * Again); the answer is remembered ("Later" for this session, "Don't Ask Again" in globalState).
 * The chat's fallback badge opens the same offer on request. After a download, the int8 model is
 * made and self-checked in the background (Quantize Classifier Model).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RoutingDecision } from '../core/routing/route';
import type { ClassifierController } from './classifierController';
import { downloadClassifierModel } from './commands/downloadModel';
import { quantizeClassifierModel } from './commands/quantizeModel';
import { Disposable } from './disposable';

/** globalState: the user chose "Don't Ask Again". */
export const OFFER_DECLINED_KEY = 'qwenRouter.modelOffer.declined';
/** The default download's fp32 graph and tokenizer (DeBERTa-v3-base, ~184 M parameters). */
const DOWNLOAD_SIZE = '0.7 GB';

export type OfferAnswer = 'download' | 'later' | 'never' | 'dismissed';

export interface ModelOfferDeps {
  globalState: vscode.Memento;
  /** Shows the offer; resolves with the chosen item's text (VS Code's notification by default). */
  prompt?: (message: string, ...items: string[]) => Thenable<string | undefined>;
  /** Downloads the model, then makes and checks int8 in the background. */
  download: () => Promise<unknown>;
}

export class ModelOffer extends Disposable {
  private laterThisSession = false;
  private showing: Promise<OfferAnswer> | undefined;
  /** How many times the offer was shown in this session (for tests and the log). */
  shown = 0;

  constructor(private readonly deps: ModelOfferDeps) {
    super();
  }

  /** Listens to routing: a question routed by length for want of a model brings the offer (once). */
  watch(onDidRoute: vscode.Event<RoutingDecision>): this {
    this.register(onDidRoute((decision) => void this.routed(decision)));
    return this;
  }

  routed(decision: Pick<RoutingDecision, 'fallbackReason'>): Promise<OfferAnswer | undefined> {
    if (decision.fallbackReason !== 'model_missing') return Promise.resolve(undefined);
    if (this.laterThisSession || this.deps.globalState.get<boolean>(OFFER_DECLINED_KEY, false)) return Promise.resolve(undefined);
    return this.open();
  }

  /** Shows the offer now (the chat badge's button asks for it even after "Later" or "Don't Ask Again"). */
  open(): Promise<OfferAnswer> {
    this.showing ??= this.show().finally(() => (this.showing = undefined));
    return this.showing;
  }

  private async show(): Promise<OfferAnswer> {
    this.shown++;
    const download = vscode.l10n.t('Download');
    const later = vscode.l10n.t('Later');
    const never = vscode.l10n.t("Don't Ask Again");
    const prompt = this.deps.prompt ?? ((message: string, ...items: string[]) => vscode.window.showInformationMessage(message, ...items));
    const choice = await prompt(
      vscode.l10n.t(
        'Questions are routed by their length because no classifier model is installed. Download it ({0}, NVIDIA Open Model License, which permits commercial use) to route by what each question asks? It runs on this machine; afterwards a faster int8 copy is made and checked in the background.',
        DOWNLOAD_SIZE,
      ),
      download,
      later,
      never,
    );
    if (choice === download) {
      await this.deps.globalState.update(OFFER_DECLINED_KEY, undefined);
      void this.deps.download();
      return 'download';
    }
    if (choice === never) {
      await this.deps.globalState.update(OFFER_DECLINED_KEY, true);
      return 'never';
    }
    // "Later", or the notification closed: not again in this session.
    this.laterThisSession = true;
    return choice === later ? 'later' : 'dismissed';
  }
}

/** The offer's Download: the license was shown in the offer, so the download starts at once; then int8 and its self-check. */
export async function downloadThenQuantize(context: vscode.ExtensionContext, classifier: ClassifierController): Promise<void> {
  const installed = await downloadClassifierModel(context, classifier, { licenseAccepted: true });
  const dir = classifier.modelDir;
  if (installed && dir && existsSync(join(dir, 'onnx', 'model.onnx'))) await quantizeClassifierModel(context, classifier);
}
