import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PrecisionSetting } from '../core/classifier/selfCheck';
import type { ClassifyOutcome, FallbackReason } from '../core/classifier/result';
import type { HostToWorker, ModelInfo, WorkerInit, WorkerToHost } from '../worker/protocol';

export interface ClassifierOptions {
  /** The model directory to load, or undefined when none was found. */
  modelDir: string | undefined;
  precision: PrecisionSetting;
  intraOpThreads: number;
  /** The most a classification may take, queue wait included, before routing falls back. */
  timeBudgetMs: number;
  /** The bundled worker script; by default next to this bundle (dist/). */
  workerPath?: string;
}

export type ClassifierState =
  | { kind: 'missing' }
  | { kind: 'loading' }
  | { kind: 'ready'; info: ModelInfo }
  | { kind: 'failed'; message: string };

/** How long a worker may take to finish its running request on shutdown before it is terminated. */
const SHUTDOWN_GRACE_MS = 30_000;

interface Pending {
  resolve(outcome: ClassifyOutcome): void;
  started: number;
  timer: NodeJS.Timeout;
}

/**
 * The classifier as the rest of the extension sees it: a ClassifyFn that never throws and always
 * answers within its budget, backed by a worker thread that owns the ONNX session.
 */
export class ClassifierService {
  private worker: Worker | undefined;
  private current: ClassifierState;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(state: ClassifierState) => void>();
  private nextId = 1;
  private alive = false;
  /** The spawned worker (kept after a load failure, which ends the thread on its own) and its exit. */
  private thread: { worker: Worker; exited: Promise<unknown> } | undefined;

  constructor(private readonly options: ClassifierOptions) {
    this.current = options.modelDir ? { kind: 'loading' } : { kind: 'missing' };
  }

  get state(): ClassifierState {
    return this.current;
  }

  /** Whether the worker thread has been spawned and has not exited yet. */
  get workerAlive(): boolean {
    return this.alive;
  }

  /** Whether a question would run at once: the model is ready and nothing is queued or running. */
  get idle(): boolean {
    return this.current.kind === 'ready' && this.pending.size === 0;
  }

  onStateChange(listener: (state: ClassifierState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Spawns the worker; returns at once. The session is created on the worker's thread. */
  start(): void {
    const { modelDir, precision, intraOpThreads } = this.options;
    if (!modelDir || this.worker) return;
    const init: WorkerInit = { modelDir, precision, intraOpThreads };
    const worker = new Worker(this.options.workerPath ?? join(__dirname, 'classifierWorker.js'), { workerData: init });
    this.worker = worker;
    this.alive = true;
    this.thread = { worker, exited: new Promise((resolve) => worker.once('exit', resolve)) };
    worker.on('message', (message: WorkerToHost) => this.receive(message));
    worker.on('error', (error) => this.fail(`The classifier worker stopped: ${error.message}`));
    worker.on('exit', (code) => {
      this.alive = false;
      if (this.worker === worker) this.fail(`The classifier worker exited (code ${code}).`);
    });
  }

  /** Resolves once the model is ready or has failed (or at once when there is no model). */
  whenSettled(): Promise<ClassifierState> {
    if (this.current.kind !== 'loading') return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const subscription = this.onStateChange((state) => {
        if (state.kind === 'loading') return;
        subscription.dispose();
        resolve(state);
      });
    });
  }

  readonly classify = (prompt: string, signal?: AbortSignal): Promise<ClassifyOutcome> => {
    const started = performance.now();
    const fallback = (reason: FallbackReason, message: string): Promise<ClassifyOutcome> =>
      Promise.resolve({ ok: false, reason, message, elapsedMs: performance.now() - started });

    if (!prompt.trim()) return fallback('empty_prompt', 'The prompt is empty: there is nothing to classify.');
    const state = this.current;
    if (state.kind === 'missing') return fallback('model_missing', 'No classifier model is installed. Run "Qwen Router: Download Classifier Model".');
    if (state.kind === 'loading') return fallback('model_loading', 'The classifier model is still loading.');
    if (state.kind === 'failed' || !this.worker) return fallback('model_failed', state.kind === 'failed' ? state.message : 'The classifier is not running.');
    if (signal?.aborted) return fallback('classifier_error', 'The request was cancelled.');

    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        worker.postMessage({ type: 'cancel', id } satisfies HostToWorker);
        resolve({ ok: false, reason: 'timeout', message: `The classifier took longer than its ${this.options.timeBudgetMs} ms budget.`, elapsedMs: performance.now() - started });
      }, this.options.timeBudgetMs);
      this.pending.set(id, { resolve, started, timer });
      worker.postMessage({ type: 'classify', id, text: prompt } satisfies HostToWorker);
      // A dropped request (a stale draft) leaves the queue: the worker skips it if it has not started.
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.has(id)) return;
          worker.postMessage({ type: 'cancel', id } satisfies HostToWorker);
          this.settle(id, (elapsedMs) => ({ ok: false, reason: 'classifier_error', message: 'The request was cancelled.', elapsedMs }));
        },
        { once: true },
      );
    });
  };

  /**
   * Asks the worker to finish its running request and exit. Terminating a worker while it is inside
   * onnxruntime aborts the whole process, so terminate() is only the last resort for a hung worker.
   */
  async dispose(): Promise<void> {
    const running = this.worker;
    this.worker = undefined;
    this.settleAll('model_failed', 'The classifier was shut down.');
    this.listeners.clear();
    const thread = this.thread;
    if (!thread || !this.alive) return;
    // A worker whose model failed to load is already on its way out; a running one is asked to stop.
    if (running) running.postMessage({ type: 'shutdown' } satisfies HostToWorker);
    const lastResort = setTimeout(() => void thread.worker.terminate(), SHUTDOWN_GRACE_MS);
    await thread.exited;
    clearTimeout(lastResort);
  }

  private receive(message: WorkerToHost): void {
    switch (message.type) {
      case 'loaded':
        return this.setState({ kind: 'ready', info: message.info });
      case 'loadFailed':
        this.worker = undefined; // it exits by itself
        this.setState({ kind: 'failed', message: message.message });
        return;
      case 'classified':
        return this.settle(message.id, (elapsedMs) => ({ ok: true, result: message.result, tokens: message.tokens, elapsedMs }));
      case 'classifyFailed':
        return this.settle(message.id, (elapsedMs) => ({ ok: false, reason: 'classifier_error', message: message.message, elapsedMs }));
      case 'skipped':
        return; // already answered with a timeout
    }
  }

  private settle(id: number, outcome: (elapsedMs: number) => ClassifyOutcome): void {
    const entry = this.pending.get(id);
    if (!entry) return; // answered already (time budget ran out)
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(outcome(performance.now() - entry.started));
  }

  private fail(message: string): void {
    this.worker = undefined;
    this.setState({ kind: 'failed', message });
    this.settleAll('classifier_error', message);
  }

  private settleAll(reason: FallbackReason, message: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, (elapsedMs) => ({ ok: false, reason, message, elapsedMs }));
  }

  private setState(state: ClassifierState): void {
    this.current = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}

