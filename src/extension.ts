// Wires the extension together; the logic lives in src/core (pure), src/node and src/vscode.
import * as vscode from 'vscode';
import { warmUpTokenCounter } from './core/routing/tokens';
import { registerAnswerDocuments } from './vscode/answerDocument';
import { ApiKeys, promptForApiKey } from './vscode/apiKey';
import { ClassifierController } from './vscode/classifierController';
import { currentClassifierView } from './vscode/classifierView';
import { askFromPalette } from './vscode/commands/ask';
import { downloadClassifierModel } from './vscode/commands/downloadModel';
import { quantizeClassifierModel } from './vscode/commands/quantizeModel';
import { explainRouting } from './vscode/commands/explainRouting';
import { clearHistoryCommand, exportHistoryCommand, importHistoryCommand } from './vscode/commands/history';
import { chooseRegion } from './vscode/commands/region';
import { applyThresholds, CALIBRATE_COMMAND, calibrateThresholdsCommand } from './vscode/commands/calibrate';
import { registerChatView } from './vscode/chatViewProvider';
import { registerChatParticipant, type QwenParticipant } from './vscode/chatParticipant';
import { LocalEndpoint } from './vscode/localEndpoint';
import { registerLanguageModelProvider, type QwenLanguageModelProvider } from './vscode/languageModelProvider';
import { manageLanguageModels } from './vscode/commands/manageModels';
import { RouterService } from './vscode/routerService';
import { registerStatsPanel, type StatsPanelManager } from './vscode/statsPanel';
import { RouterStatusBar } from './vscode/statusBar';
import { createLog } from './vscode/log';
import { downloadThenQuantize, ModelOffer } from './vscode/modelOffer';
import { promptForOtelHeaders } from './vscode/telemetry';

/** How long after activation the token counter is built (~0.3 s, once) and the history's stats are read. */
const TOKEN_COUNTER_WARM_UP_DELAY_MS = 1000;
const HISTORY_WARM_UP_DELAY_MS = 2000;

/** What activate returns: the services, for the extension-host tests. */
export interface QwenRouterApi {
  activationMs: number;
  classifier: ClassifierController;
  router: RouterService;
  stats: StatsPanelManager;
  /** Where the "Qwen Router" log channel writes (its file is `Qwen Router.log` in this folder). */
  logUri: vscode.Uri;
  endpoint: LocalEndpoint;
  /** The first-run download offer. */
  modelOffer: ModelOffer;
  /** @qwen in VS Code's chat view. */
  participant: QwenParticipant;
  /** Qwen Router's models in VS Code's chat (vendor "qwen-router"). */
  languageModels: QwenLanguageModelProvider;
}

let running: { classifier: ClassifierController; router: RouterService } | undefined;

export function activate(context: vscode.ExtensionContext): QwenRouterApi {
  const started = performance.now();
  const log = createLog();
  const keys = new ApiKeys(context.secrets);
  const classifier = new ClassifierController(context, log);
  const router = new RouterService(context, classifier, keys, log);
  // The log goes last: VS Code disposes subscriptions in order, and the others may still log.
  context.subscriptions.push(classifier, router, new RouterStatusBar(classifier, router), registerAnswerDocuments(), log);
  running = { classifier, router };

  const modelOffer = new ModelOffer({ globalState: context.globalState, download: () => downloadThenQuantize(context, classifier) }).watch(router.onDidRoute);
  context.subscriptions.push(modelOffer);
  registerChatView(context, {
    backend: router,
    getConfig: () => router.config,
    onDidChangeConfig: router.onDidChangeConfig,
    log,
    drafts: classifier.drafts,
    offerModel: () => modelOffer.open(),
  });
  const stats = registerStatsPanel(context, {
    getHistory: () => router.history,
    getConfig: () => router.config,
    onDidChangeHistory: router.onDidChangeHistory,
    onDidChangeConfig: router.onDidChangeConfig,
    log,
    getSpend: () => router.spend.view(),
    onDidChangeSpend: router.spend.onDidChange,
    getClassifier: () => currentClassifierView(classifier),
    onDidChangeClassifier: classifier.onStateChange,
    applyThresholds: (thresholds) =>
      applyThresholds(thresholds, () => {
        router.reloadSettings();
        return { ...router.config.policy.complexity };
      }),
  });

  const command = (id: string, run: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, run));
  const precisionNote = () => (classifier.state.kind === 'ready' ? classifier.state.info.precisionReason : undefined);
  const participant = registerChatParticipant(context, { router, precisionNote });

  command('qwenRouter.ask', () => askFromPalette(router, { requireSelection: false, drafts: classifier.paletteDrafts }));
  command('qwenRouter.askAboutSelection', () => askFromPalette(router, { requireSelection: true, drafts: classifier.paletteDrafts }));
  command('qwenRouter.explainRouting', () => explainRouting(router, precisionNote));
  command('qwenRouter.setApiKey', () => promptForApiKey(keys));
  command('qwenRouter.setOtelHeaders', () => promptForOtelHeaders(context.secrets));
  command('qwenRouter.chooseRegion', () => chooseRegion());
  command('qwenRouter.downloadModel', () => downloadClassifierModel(context, classifier));
  command('qwenRouter.quantizeModel', () => quantizeClassifierModel(context, classifier));
  command(CALIBRATE_COMMAND, () => calibrateThresholdsCommand({ history: () => router.history, config: () => router.config, show: (view) => stats.showProposal(view) }));
  command('qwenRouter.importHistory', () => importHistoryCommand(router));
  command('qwenRouter.exportHistory', () => exportHistoryCommand(router));
  command('qwenRouter.clearHistory', () => clearHistoryCommand(router));
  const endpoint = new LocalEndpoint(context, router, classifier, keys);
  context.subscriptions.push(endpoint);
  command('qwenRouter.startEndpoint', () => endpoint.start());
  command('qwenRouter.stopEndpoint', () => endpoint.stop());
  const languageModels = registerLanguageModelProvider(router);
  context.subscriptions.push(languageModels.disposable);
  command('qwenRouter.manageModels', () => manageLanguageModels());

  if (router.problems.length) {
    log.warn(`Invalid settings, defaults used: ${router.problems.join('; ')}`);
    void vscode.window.showWarningMessage(vscode.l10n.t('Some Qwen Router settings are invalid and their defaults are used: {0}', router.problems.join('; ')));
  }
  // The classifier loads on its own thread after activation; until it is ready, routing falls back to token length.
  setTimeout(() => classifier.restart(), 0);
  // The history's stats are read in the background a little later, so Open Stats finds them ready.
  router.scheduleHistoryWarmUp(HISTORY_WARM_UP_DELAY_MS);
  // The token-length fallback's encoder takes ~0.3 s to build: pay it while idle, not on a question.
  const tokenCounterTimer = setTimeout(warmUpTokenCounter, TOKEN_COUNTER_WARM_UP_DELAY_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(tokenCounterTimer) });
  const activationMs = performance.now() - started;
  log.info(`Qwen Router ${context.extension.packageJSON.version} activated in ${Math.round(activationMs)} ms; history: ${router.history.path}`);
  return { activationMs, classifier, router, stats, logUri: context.logUri, endpoint, modelOffer, participant, languageModels: languageModels.provider };
}

/** Waits for the classifier's worker thread to finish its request, release the model and exit; sends pending telemetry (bounded). */
export async function deactivate(): Promise<void> {
  await Promise.all([running?.classifier.shutdown(), running?.router.telemetry.shutdown()]);
}
