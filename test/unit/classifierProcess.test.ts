import * as assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultIntraOpThreads, resolveIntraOpThreads, restartDelayMs, DEFAULT_RESTART_POLICY } from '../../src/core/classifier/restartPolicy';
import type { ClassifierResult, ClassifyOutcome } from '../../src/core/classifier/result';
import { ClassifierService, type ClassifierOptions, type ClassifierState, type RestartClock } from '../../src/node/classifierService';
import { fixture, REPO_ROOT, WORKER_PATH } from '../support/fixtures';
import { processGone } from '../support/processes';
import { until } from '../support/until';

const goldens: { prompt: string; result: ClassifierResult }[] = JSON.parse(readFileSync(fixture('golden-outputs.json'), 'utf8'));
const POLICY = { initialDelayMs: 1000, maxDelayMs: 8000, healthyAfterMs: 60_000, maxCrashes: 5 };

/** The back-off's clock, moved by the test: a restart happens when the test fires it, never on a real timer. */
class ManualClock implements RestartClock {
  time = 0;
  readonly scheduled: { run(): void; ms: number; cancelled: boolean }[] = [];
  now = () => this.time;
  setTimeout = (run: () => void, ms: number) => {
    const timer = { run, ms, cancelled: false };
    this.scheduled.push(timer);
    return timer;
  };
  clearTimeout = (handle: unknown) => void ((handle as { cancelled: boolean }).cancelled = true);
  /** Runs the restart the service is waiting for, and says after how long it would have come. */
  fire(): number {
    const timer = this.scheduled.shift();
    if (!timer) throw new Error('no restart is scheduled');
    timer.run();
    return timer.ms;
  }
}

function processService(overrides: Partial<ClassifierOptions> = {}): ClassifierService {
  return new ClassifierService({ modelDir: fixture('tiny-model-json'), precision: 'fp32', intraOpThreads: 1, timeBudgetMs: 30_000, workerPath: WORKER_PATH, isolation: 'process', ...overrides });
}

function reached(service: ClassifierService, kind: ClassifierState['kind']): Promise<ClassifierState> {
  if (service.state.kind === kind) return Promise.resolve(service.state);
  return new Promise((resolve) => {
    const subscription = service.onStateChange((state) => {
      if (state.kind !== kind) return;
      subscription.dispose();
      resolve(state);
    });
  });
}

const reason = (outcome: ClassifyOutcome) => (outcome.ok ? 'ok' : outcome.reason);

describe('classifier in a child process (real onnxruntime, tiny model)', function () {
  this.timeout(120_000);
  const running: ClassifierService[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.dispose()));
  });
  const started = async (overrides: Partial<ClassifierOptions> = {}) => {
    const service = processService(overrides);
    running.push(service);
    service.start();
    await service.whenSettled();
    return service;
  };

  it('classifies like the worker thread, in a process of its own', async () => {
    const child = await started();
    const thread = await started({ isolation: 'thread' });
    assert.equal(child.state.kind, 'ready', JSON.stringify(child.state));
    assert.ok(child.pid && child.pid !== process.pid, `the session lives in another process (${child.pid})`);
    assert.equal(thread.pid, process.pid);
    for (const golden of goldens) {
      const [a, b] = await Promise.all([child.classify(golden.prompt), thread.classify(golden.prompt)]);
      assert.ok(a.ok && b.ok, JSON.stringify([a, b]));
      assert.deepEqual(a.result, b.result);
      assert.deepEqual(a.result, golden.result, golden.prompt);
    }
  });

  it('after kill -9: requests in flight and while it is down fall back with the reason; it restarts after the back-off and classifies again', async () => {
    const clock = new ManualClock();
    const s = await started({ clock, restart: POLICY });
    const firstPid = s.pid!;
    const prompt = goldens[0].prompt;

    process.kill(firstPid, 'SIGKILL');
    // Sent before the host has seen the exit: it is in flight when the process dies.
    const inFlight = await Promise.all(Array.from({ length: 5 }, () => s.classify(prompt)));
    assert.deepEqual(inFlight.map(reason), Array(5).fill('classifier_crashed'), JSON.stringify(inFlight));
    assert.match(!inFlight[0].ok ? inFlight[0].message : '', /classifier process stopped \(signal SIGKILL\)/);

    const down = await reached(s, 'restarting');
    assert.deepEqual(down.kind === 'restarting' && [down.crashes, down.delayMs], [1, 1000]);
    const whileDown = await s.classify(prompt);
    assert.equal(reason(whileDown), 'classifier_crashed');
    assert.match(!whileDown.ok ? whileDown.message : '', /restarts in 1 s/);
    await until(() => processGone(firstPid), 'the killed process to be gone');

    assert.equal(clock.fire(), 1000);
    assert.equal(reason(await s.classify(prompt)), 'classifier_crashed', 'still falling back while the new process loads');
    assert.equal((await s.whenSettled()).kind, 'ready');
    assert.ok(s.pid && s.pid !== firstPid, 'a new process');
    const again = await s.classify(prompt);
    assert.ok(again.ok, JSON.stringify(again));
    assert.deepEqual(again.result, goldens[0].result);
  });

  it('backs off further with each crash in a row, starts over after a healthy period, and gives up after too many', async () => {
    const clock = new ManualClock();
    const s = await started({ clock, restart: { ...POLICY, maxCrashes: 5 } });
    const crash = async () => {
      process.kill(s.pid!, 'SIGKILL');
      return reached(s, 'restarting');
    };
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const state = await crash();
      if (state.kind === 'restarting') delays.push(state.delayMs);
      clock.fire();
      assert.equal((await s.whenSettled()).kind, 'ready');
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000], 'doubling, capped at maxDelayMs');

    clock.time += POLICY.healthyAfterMs; // up and healthy this long since it loaded
    const afterHealthy = await crash();
    assert.deepEqual(afterHealthy.kind === 'restarting' && [afterHealthy.crashes, afterHealthy.delayMs], [1, 1000]);
    for (let i = 0; i < 5; i++) {
      clock.fire();
      await s.whenSettled();
      if (i < 4) await crash(); // the 2nd to 5th crash in a row
    }
    process.kill(s.pid!, 'SIGKILL');
    const failed = await reached(s, 'failed');
    assert.match(failed.kind === 'failed' ? failed.message : '', /stopped 6 times in a row/);
    assert.equal(reason(await s.classify('hello')), 'model_failed');
    assert.equal(clock.scheduled.length, 0, 'no further restart is scheduled');
  });

  it('dispose: the process finishes, exits and leaves no pid behind; a restart that was due does not happen', async () => {
    const s = await started();
    const pid = s.pid!;
    const long = 'the quick brown fox jumps over the lazy dog '.repeat(20_000);
    const outcomes = Array.from({ length: 10 }, () => s.classify(long));
    await s.dispose();
    for (const outcome of await Promise.all(outcomes)) assert.ok(outcome.ok || outcome.reason === 'model_failed', JSON.stringify(outcome));
    assert.ok(processGone(pid), `process ${pid} is gone once dispose resolves`);
    assert.equal(s.workerAlive, false);

    const clock = new ManualClock();
    const crashed = await started({ clock, restart: POLICY });
    const crashedPid = crashed.pid!;
    process.kill(crashedPid, 'SIGKILL');
    await reached(crashed, 'restarting');
    await crashed.dispose();
    clock.scheduled[0]?.run(); // the timer firing late must not start a process
    assert.equal(crashed.workerAlive, false);
    assert.equal(crashed.pid, undefined);
  });

  it('exits by itself when its parent dies (no orphan holding the model)', async () => {
    const parent = fork(join(REPO_ROOT, 'out', 'test', 'support', 'classifierParent.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const report = await new Promise<{ state: string; ok: boolean; parent: number; classifier: number }>((resolve, reject) => {
      parent.once('message', (message) => resolve(message as never));
      parent.once('exit', (code) => reject(new Error(`the parent exited early (${code})`)));
    });
    assert.deepEqual([report.state, report.ok], ['ready', true]);
    assert.notEqual(report.classifier, report.parent);
    assert.equal(processGone(report.classifier), false);
    parent.kill('SIGKILL');
    await until(() => processGone(report.classifier), `classifier process ${report.classifier} to exit after its parent was killed`, 30_000);
  });
});

describe('restart back-off and default thread count (pure)', () => {
  it('doubles from the initial delay up to the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 40].map((n) => restartDelayMs(DEFAULT_RESTART_POLICY, n)), [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });
  it('leaves a core for the editor, at least 1 and at most 4 threads; a setting of 1 or more wins', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 64].map(defaultIntraOpThreads), [1, 1, 2, 3, 4, 4]);
    assert.deepEqual([resolveIntraOpThreads(0, 8), resolveIntraOpThreads(-1, 8), resolveIntraOpThreads(2, 2), resolveIntraOpThreads(6, 8)], [4, 4, 2, 6]);
  });
});
