import * as vscode from 'vscode';
import { PRECISIONS, type Precision } from '../core/classifier/modelDir';
import type { PrecisionSetting } from '../core/classifier/selfCheck';
import type { ClassifyOutcome } from '../core/classifier/result';
import { ClassifierService, type ClassifierState } from '../node/classifierService';
import { locateModel, type ModelLocation } from '../node/modelLocator';
import { Disposable } from './disposable';

export interface ClassifierSettings {
  modelPath: string | undefined;
  precision: PrecisionSetting;
  threads: number;
  timeBudgetMs: number;
}

export function readClassifierSettings(): ClassifierSettings {
  const config = vscode.workspace.getConfiguration('qwenRouter.classifier');
  const precision = config.get<string>('precision', 'auto');
  return {
    modelPath: config.get<string>('modelPath')?.trim() || undefined,
    precision: PRECISIONS.includes(precision as Precision) ? (precision as Precision) : 'auto',
    threads: Math.max(1, Math.floor(config.get<number>('threads', 1))),
    timeBudgetMs: Math.max(50, config.get<number>('timeBudgetMs', 1500)),
  };
}

/**
 * Keeps one classifier running for the current settings: started in the background after
 * activation, restarted when its settings change or a model is downloaded.
 */
export class ClassifierController extends Disposable {
  private service: ClassifierService | undefined;
  private location: ModelLocation = { dir: undefined, searched: [] };
  private readonly stateEmitter = this.register(new vscode.EventEmitter<ClassifierState>());
  readonly onStateChange = this.stateEmitter.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('qwenRouter.classifier')) this.restart();
      }),
    );
    this.register({ dispose: () => void this.service?.dispose() });
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

  readonly classify = (prompt: string): Promise<ClassifyOutcome> => {
    if (this.service) return this.service.classify(prompt);
    return Promise.resolve({ ok: false, reason: 'model_missing', message: 'The classifier has not started yet.', elapsedMs: 0 });
  };

  /** (Re)creates the service. The worker and its ONNX session start on another thread. */
  restart(): void {
    void this.service?.dispose();
    const settings = readClassifierSettings();
    this.location = locateModel({
      configuredPath: settings.modelPath,
      extensionModelsDir: vscode.Uri.joinPath(this.context.extensionUri, 'models').fsPath,
      globalStorageDir: this.context.globalStorageUri.fsPath,
    });
    const service = new ClassifierService({
      modelDir: this.location.dir,
      precision: settings.precision,
      intraOpThreads: settings.threads,
      timeBudgetMs: settings.timeBudgetMs,
      workerPath: vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'classifierWorker.js').fsPath,
    });
    this.service = service;
    service.onStateChange((state) => {
      if (this.service === service) this.stateEmitter.fire(state);
    });
    this.stateEmitter.fire(service.state);
    service.start();
  }

  whenSettled(): Promise<ClassifierState> {
    return this.service?.whenSettled() ?? Promise.resolve({ kind: 'missing' });
  }
}
