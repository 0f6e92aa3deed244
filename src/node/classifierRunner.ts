import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { HostToWorker, WorkerInit, WorkerToHost } from '../worker/protocol';

/** Where the classifier's session lives: a worker thread of this process, or a child process of its own. */
export type Isolation = 'thread' | 'process';

export interface RunnerExit {
  /** How it ended, for messages: "exit code 1", "signal SIGKILL". */
  how: string;
  /** The last line it wrote to stderr (a native abort's message), when it is a process. */
  detail?: string;
}

/** One spawned classifier (thread or process), as the service drives it: the same messages either way. */
export interface ClassifierRunner {
  readonly isolation: Isolation;
  /** The process the session lives in: this one for a thread. */
  readonly pid: number | undefined;
  post(message: HostToWorker): void;
  /** The last resort for one that does not stop: terminate the thread, SIGKILL the process. */
  kill(): void;
  /** Settles once when the thread or process has ended, however it ended. */
  readonly exited: Promise<RunnerExit>;
}

/** How much of the child's stderr is kept, for the message when it crashes. */
const STDERR_TAIL_CHARS = 2000;

export function spawnClassifier(isolation: Isolation, script: string, init: WorkerInit, onMessage: (message: WorkerToHost) => void): ClassifierRunner {
  return isolation === 'process' ? spawnProcess(script, init, onMessage) : spawnThread(script, init, onMessage);
}

function spawnThread(script: string, init: WorkerInit, onMessage: (message: WorkerToHost) => void): ClassifierRunner {
  const worker = new Worker(script, { workerData: init });
  let error: string | undefined;
  worker.on('message', onMessage);
  worker.on('error', (e) => (error = e.message));
  return {
    isolation: 'thread',
    pid: process.pid,
    post: (message) => worker.postMessage(message),
    kill: () => void worker.terminate(),
    exited: new Promise((resolve) => worker.once('exit', (code) => resolve({ how: `exit code ${code}`, ...(error ? { detail: error } : {}) }))),
  };
}

/**
 * A child process on the same Node as the extension host: `process.execPath` is Node in code-server
 * and the CLI, and Electron in desktop VS Code, where ELECTRON_RUN_AS_NODE makes it a plain Node (as
 * vscode-languageclient forks its servers). The host's execArgv (an inspector port, heap flags) is
 * not passed on: a second process on the same inspector port would fail to start.
 */
function spawnProcess(script: string, init: WorkerInit, onMessage: (message: WorkerToHost) => void): ClassifierRunner {
  const child = fork(script, [JSON.stringify(init)], {
    execPath: process.execPath,
    execArgv: [],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS)));
  child.on('message', (message) => onMessage(message as WorkerToHost));
  const exited = new Promise<RunnerExit>((resolve) => {
    const lastLine = () => stderr.trim().split('\n').pop()?.slice(0, 300);
    const done = (how: string) => {
      const detail = lastLine();
      resolve({ how, ...(detail ? { detail } : {}) });
    };
    // 'close' comes after 'exit' and after stderr has been read to its end; an 'error' alone means it never started.
    child.once('close', (code, signal) => done(signal ? `signal ${signal}` : `exit code ${code}`));
    child.once('error', (error) => {
      if (child.pid === undefined) done(`could not start: ${error.message}`);
    });
  });
  return {
    isolation: 'process',
    pid: child.pid,
    // The channel may already be closed by a crash not yet reported: the exit handler settles the request.
    post: (message) => void (child.connected && child.send(message, (error) => void error)),
    kill: () => void child.kill('SIGKILL'),
    exited,
  };
}
