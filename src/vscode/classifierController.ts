import * as vscode from 'vscode';
import { PRECISIONS, type Precision } from '../core/classifier/modelDir';
import type { PrecisionSetting } from '../core/classifier/selfCheck';
import type { ClassifyOutcome } from '../core/classifier/result';
import { cachedClassify, VerdictCache } from '../core/classifier/verdictCache';
import { DraftScheduler } from '../core/routing/draft';
import { availableParallelism } from 'node:os';
import { resolveIntraOpThreads } from '../core/classifier/restartPolicy';
import { ClassifierService, type ClassifierState } from '../node/classifierService';
import { locateModel, type ModelLocation } from '../node/modelLocator';
import type { Logger } from '../core/log';
import { Disposable } from './disposable';

export interface ClassifierSettings {
  modelPath: string | undefined;
  precision: PrecisionSetting;
  /** 0: the default for this machine's cores (see defaultIntraOpThreads). */
  threads: number;
  timeBudgetMs: number;
}

export function readClassifierSettings(): ClassifierSettings {
  const config = vscode.workspace.getConfiguration('qwenRouter.classifier');
  const precision = config.get<string>('precision', 'auto');
  return {
    modelPath: config.get<string>('modelPath')?.trim() || undefined,
    precision: PRECISIONS.includes(precision as Precision) ? (precision as Precision) : 'auto',
    threads: Math.max(0, Math.floor(config.get<number>('threads', 0))),
    timeBudgetMs: Math.max(50, config.get<number>('timeBudgetMs', 1500)),
  };
}

/** Verdicts kept in memory (by exact text) for prompts classified while typed. */
const VERDICT_CACHE_SIZE = 64;
/** The chat page already waited 150 ms after the last keystroke: the host classifies its draft at once. */
const DRAFT_DELAY_MS = 0;

/**
 * Keeps one classifier running for the current settings: started in the background after
 * activation, restarted when its settings change or a model is downloaded.
 */
export class ClassifierController extends Disposable {
  private service: ClassifierService | undefined;
  /** Services being shut down (a restart replaces one while it may still be finishing a request). */
  private readonly stopping = new Set<Promise<void>>();
  private location: ModelLocation = { dir: undefined, searched: [] };
  private readonly stateEmitter = this.register(new vscode.EventEmitter<ClassifierState>());
  readonly onStateChange = this.stateEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: Logger,
  ) {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('qwenRouter.classifier')) this.restart();
      }),
    );
    this.register({ dispose: () => void this.shutdown() });
    this.register({ dispose: () => (this.drafts.dispose(), this.paletteDrafts.dispose()) });
  }

  /** Whether a classifier process is still alive (running, or finishing before it exits). */
  get workerRunning(): boolean {
    return Boolean(this.service?.workerAlive) || this.stopping.size > 0;
  }

  /** The classifier's own process, while it runs (not the extension host's). */
  get pid(): number | undefined {
    return this.service?.pid;
  }

  /**
   * Stops the classifier: its process finishes its running request, releases the ONNX session and
   * exits. Resolves once every process this controller started has exited (deactivate waits for it).
   */
  async shutdown(): Promise<void> {
    this.stop();
    await Promise.all([...this.stopping]);
  }

  private stop(): void {
    const service = this.service;
    this.service = undefined;
    if (!service) return;
    const wasRunning = service.workerAlive;
    const stopped = service.dispose().then(
      () => {
        if (wasRunning) this.log.info('Classifier process stopped.');
      },
      (error: unknown) => this.log.error(`Classifier process did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`),
    );
    const entry = stopped.finally(() => this.stopping.delete(entry));
    this.stopping.add(entry);
  }

  get state(): ClassifierState {
    return this.service?.state ?? { kind: 'missing' };
  }

  /** The model directory in use, if one was found. */
  get modelDir(): string | undefined {
    return this.location.dir;
  }

  /** Where the model was looked for, for messages when none was found. */
  get searched(): string[] {
    return this.location.searched;
  }

  private readonly uncached = (prompt: string, signal?: AbortSignal): Promise<ClassifyOutcome> => {
    if (this.service) return this.service.classify(prompt, signal);
    return Promise.resolve({ ok: false, reason: 'model_missing', message: 'The classifier has not started yet.', elapsedMs: 0 });
  };

  /** Recent verdicts in memory only; emptied whenever the classifier restarts (another model or precision). */
  readonly verdicts = new VerdictCache(VERDICT_CACHE_SIZE);

  /** The one ClassifyFn every surface routes with (chat, palette, Explain Routing, the local endpoint): cache first. */
  readonly classify = cachedClassify(this.uncached, this.verdicts);

  /** Whether the classifier has its model and nothing queued. */
  get idle(): boolean {
    return Boolean(this.service?.idle);
  }

  /** Classifies the sidebar chat's draft while it is typed (see DraftScheduler). */
  readonly drafts = this.draftScheduler();
  /** The palette's Ask… box has its own, so that typing in one never drops the other's draft. */
  readonly paletteDrafts = this.draftScheduler();

  private draftScheduler(): DraftScheduler {
    return new DraftScheduler({
      delayMs: DRAFT_DELAY_MS,
      classify: this.classify,
      isIdle: () => this.idle,
      isCached: (text) => this.verdicts.has(text),
      maxChars: 200_000,
      // One line per draft classified (its length and whether Enter will find a verdict), never its text.
      onEvent: (event, text) => {
        if (event === 'finished') this.log.info(`Draft classified while typed (${text.length} chars): ${this.verdicts.has(text) ? 'verdict kept for Enter' : 'no verdict kept'}.`);
      },
    });
  }

  /** (Re)creates the service. Its ONNX session starts in a child process (its memory and crashes are not the editor's). */
  restart(): void {
    this.stop();
    this.drafts.dispose();
    this.paletteDrafts.dispose();
    this.verdicts.clear();
    const settings = readClassifierSettings();
    this.location = locateModel({
      configuredPath: settings.modelPath,
      extensionModelsDir: vscode.Uri.joinPath(this.context.extensionUri, 'models').fsPath,
      globalStorageDir: this.context.globalStorageUri.fsPath,
    });
    const threads = resolveIntraOpThreads(settings.threads, availableParallelism());
    const service = new ClassifierService({
      modelDir: this.location.dir,
      precision: settings.precision,
      intraOpThreads: threads,
      timeBudgetMs: settings.timeBudgetMs,
      workerPath: vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'classifierWorker.js').fsPath,
      isolation: 'process',
    });
    this.service = service;
    const started = performance.now();
    service.onStateChange((state) => {
      if (this.service !== service) return;
      this.logState(state, performance.now() - started);
      this.stateEmitter.fire(state);
    });
    this.stateEmitter.fire(service.state);
    const threadsNote = `${threads} thread${threads === 1 ? '' : 's'}${settings.threads ? '' : ` (auto, ${availableParallelism()} cores)`}`;
    if (this.location.dir) this.log.info(`Classifier: loading ${this.location.dir} in a child process (${settings.precision}, ${threadsNote}, budget ${settings.timeBudgetMs} ms)`);
    else this.log.warn(`Classifier: no model found (searched ${this.location.searched.join(', ') || 'nowhere'}); routing falls back to the prompt's length. Run "Qwen Router: Download Classifier Model".`);
    service.start();
  }

  private logState(state: ClassifierState, elapsedMs: number): void {
    if (state.kind === 'ready') {
      const { info } = state;
      const substituted = info.substitutedFor ? ` instead of ${info.substitutedFor}` : '';
      this.log.info(`Classifier ready in ${Math.round(elapsedMs)} ms (ONNX session ${Math.round(info.sessionCreateMs)} ms) in process ${this.pid}: ${info.onnxPath}, ${info.precision}${substituted}, ${info.tokenizerFormat}`);
    } else if (state.kind === 'restarting') {
      this.log.warn(`Classifier: ${state.message} Routing falls back to the prompt's length meanwhile.`);
    } else if (state.kind === 'failed') {
      this.log.error(`Classifier failed after ${Math.round(elapsedMs)} ms: ${state.message} Routing falls back to the prompt's length.`);
    }
  }

  whenSettled(): Promise<ClassifierState> {
    return this.service?.whenSettled() ?? Promise.resolve({ kind: 'missing' });
  }
}
