import { join } from 'node:path';
import type { PrecisionSetting } from '../core/classifier/selfCheck';
import type { ClassifyOutcome, FallbackReason } from '../core/classifier/result';
import { DEFAULT_RESTART_POLICY, restartDelayMs, type RestartPolicy } from '../core/classifier/restartPolicy';
import type { HostToWorker, ModelInfo, WorkerInit, WorkerToHost } from '../worker/protocol';
import { spawnClassifier, type ClassifierRunner, type Isolation, type RunnerExit } from './classifierRunner';

/** The clock the restart back-off runs on; tests pass their own to decide when a restart happens. */
export interface RestartClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: RestartClock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ClassifierOptions {
  /** The model directory to load, or undefined when none was found. */
  modelDir: string | undefined;
  precision: PrecisionSetting;
  intraOpThreads: number;
  /** The most a classification may take, queue wait included, before routing falls back. */
  timeBudgetMs: number;
  /** The bundled worker script; by default next to this bundle (dist/). */
  workerPath?: string;
  /** A worker thread (the CLI: it is its own process already) or a child process (the extension host). Default: thread. */
  isolation?: Isolation;
  /** When a crashed classifier is started again. */
  restart?: Partial<RestartPolicy>;
  clock?: RestartClock;
}

export type ClassifierState =
  | { kind: 'missing' }
  /** `afterCrash`: it is being started again after a crash (requests fall back with "classifier_crashed"). */
  | { kind: 'loading'; afterCrash?: string }
  | { kind: 'ready'; info: ModelInfo }
  /** Down after a crash; started again in `delayMs` (the `crashes`-th crash in a row). */
  | { kind: 'restarting'; message: string; crashes: number; delayMs: number }
  | { kind: 'failed'; message: string };

/** How long a classifier may take to finish its running request on shutdown before it is killed. */
const SHUTDOWN_GRACE_MS = 30_000;

interface Pending {
  resolve(outcome: ClassifyOutcome): void;
  started: number;
  timer: NodeJS.Timeout;
}

/**
 * The classifier as the rest of the extension sees it: a ClassifyFn that never throws and always
 * answers within its budget, backed by a worker thread or a child process that owns the ONNX session.
 * A thread or process that ends unexpectedly is started again with an exponential back-off; meanwhile,
 * and for the requests it was holding, routing falls back with the reason "classifier_crashed".
 */
export class ClassifierService {
  /** The runner requests go to: set while it is loading or ready, cleared when it fails, stops or crashes. */
  private runner: ClassifierRunner | undefined;
  /** Every runner that has not exited yet (one that failed to load or was asked to stop is on its way out). */
  private readonly live = new Set<ClassifierRunner>();
  private current: ClassifierState;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(state: ClassifierState) => void>();
  private nextId = 1;
  private disposed = false;
  private readonly policy: RestartPolicy;
  private readonly clock: RestartClock;
  private crashesInARow = 0;
  private readyAt: number | undefined;
  private restartTimer: { handle: unknown } | undefined;

  constructor(private readonly options: ClassifierOptions) {
    this.current = options.modelDir ? { kind: 'loading' } : { kind: 'missing' };
    this.policy = { ...DEFAULT_RESTART_POLICY, ...options.restart };
    this.clock = options.clock ?? realClock;
  }

  get state(): ClassifierState {
    return this.current;
  }

  /** Whether a classifier thread or process has been spawned and has not exited yet. */
  get workerAlive(): boolean {
    return this.live.size > 0;
  }

  /** The process the session lives in (this one for a thread), while one is running. */
  get pid(): number | undefined {
    return this.runner?.pid;
  }

  /** Whether a question would run at once: the model is ready and nothing is queued or running. */
  get idle(): boolean {
    return this.current.kind === 'ready' && this.pending.size === 0;
  }

  onStateChange(listener: (state: ClassifierState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Spawns the classifier; returns at once. The session is created on its own thread or process. */
  start(): void {
    const { modelDir, precision, intraOpThreads } = this.options;
    if (!modelDir || this.runner || this.disposed) return;
    const init: WorkerInit = { modelDir, precision, intraOpThreads };
    const runner = spawnClassifier(this.options.isolation ?? 'thread', this.options.workerPath ?? join(__dirname, 'classifierWorker.js'), init, (message) => {
      if (this.runner === runner) this.receive(message);
    });
    this.runner = runner;
    this.live.add(runner);
    void runner.exited.then((exit) => this.exited(runner, exit));
  }

  /** Resolves once the model is ready or has failed (or at once when there is no model); a restart is not settled. */
  whenSettled(): Promise<ClassifierState> {
    const settled = (state: ClassifierState) => state.kind !== 'loading' && state.kind !== 'restarting';
    if (settled(this.current)) return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const subscription = this.onStateChange((state) => {
        if (!settled(state)) return;
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
    if (state.kind === 'restarting') return fallback('classifier_crashed', state.message);
    if (state.kind === 'loading') return state.afterCrash ? fallback('classifier_crashed', state.afterCrash) : fallback('model_loading', 'The classifier model is still loading.');
    if (state.kind === 'failed' || !this.runner) return fallback('model_failed', state.kind === 'failed' ? state.message : 'The classifier is not running.');
    if (signal?.aborted) return fallback('classifier_error', 'The request was cancelled.');

    const id = this.nextId++;
    const runner = this.runner;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        runner.post({ type: 'cancel', id } satisfies HostToWorker);
        resolve({ ok: false, reason: 'timeout', message: `The classifier took longer than its ${this.options.timeBudgetMs} ms budget.`, elapsedMs: performance.now() - started });
      }, this.options.timeBudgetMs);
      this.pending.set(id, { resolve, started, timer });
      runner.post({ type: 'classify', id, text: prompt } satisfies HostToWorker);
      // A dropped request (a stale draft) leaves the queue: the worker skips it if it has not started.
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.has(id)) return;
          runner.post({ type: 'cancel', id } satisfies HostToWorker);
          this.settle(id, (elapsedMs) => ({ ok: false, reason: 'classifier_error', message: 'The request was cancelled.', elapsedMs }));
        },
        { once: true },
      );
    });
  };

  /**
   * Asks the classifier to finish its running request and exit. Terminating a worker thread while it
   * is inside onnxruntime aborts the whole process, and a process killed mid-run loses its answer, so
   * killing is only the last resort for one that hangs. Resolves once every thread or process has exited.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.restartTimer) this.clock.clearTimeout(this.restartTimer.handle);
    this.restartTimer = undefined;
    const running = this.runner;
    this.runner = undefined;
    this.settleAll('model_failed', 'The classifier was shut down.');
    this.listeners.clear();
    // One that failed to load is already on its way out; a running one is asked to stop.
    running?.post({ type: 'shutdown' } satisfies HostToWorker);
    await Promise.all(
      [...this.live].map(async (runner) => {
        const lastResort = setTimeout(() => runner.kill(), SHUTDOWN_GRACE_MS);
        await runner.exited;
        clearTimeout(lastResort);
      }),
    );
  }

  private receive(message: WorkerToHost): void {
    switch (message.type) {
      case 'loaded':
        this.readyAt = this.clock.now();
        return this.setState({ kind: 'ready', info: message.info });
      case 'loadFailed':
        this.runner = undefined; // it exits by itself
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

  /** A runner ended. Expected when it was stopped or failed to load; otherwise it crashed and is started again. */
  private exited(runner: ClassifierRunner, exit: RunnerExit): void {
    this.live.delete(runner);
    if (this.runner !== runner) return;
    this.runner = undefined;
    const what = runner.isolation === 'process' ? 'classifier process' : 'classifier worker';
    const how = `${exit.how}${exit.detail ? `: ${exit.detail}` : ''}`;
    this.settleAll('classifier_crashed', `The ${what} stopped (${how}) before answering.`);
    // Up for a healthy while since it loaded: this crash starts the back-off over.
    if (this.readyAt !== undefined && this.clock.now() - this.readyAt >= this.policy.healthyAfterMs) this.crashesInARow = 0;
    this.readyAt = undefined;
    this.crashesInARow++;
    if (this.crashesInARow > this.policy.maxCrashes) {
      this.setState({ kind: 'failed', message: `The ${what} stopped ${this.crashesInARow} times in a row (last: ${how}); it is not started again until a classifier setting changes or the window reloads.` });
      return;
    }
    const delayMs = restartDelayMs(this.policy, this.crashesInARow);
    const message = `The ${what} stopped (${how}); it restarts in ${formatSeconds(delayMs)}.`;
    this.setState({ kind: 'restarting', message, crashes: this.crashesInARow, delayMs });
    const timer = {
      handle: this.clock.setTimeout(() => {
        if (this.restartTimer !== timer || this.disposed) return;
        this.restartTimer = undefined;
        this.setState({ kind: 'loading', afterCrash: `The ${what} is restarting after it stopped (${how}).` });
        this.start();
      }, delayMs),
    };
    this.restartTimer = timer;
  }

  private settle(id: number, outcome: (elapsedMs: number) => ClassifyOutcome): void {
    const entry = this.pending.get(id);
    if (!entry) return; // answered already (time budget ran out)
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(outcome(performance.now() - entry.started));
  }

  private settleAll(reason: FallbackReason, message: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, (elapsedMs) => ({ ok: false, reason, message, elapsedMs }));
  }

  private setState(state: ClassifierState): void {
    this.current = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}
