// The classifier's own thread or process (dist/classifierWorker.js): onnxruntime's create and run block
// the calling thread, so they live here. The same script serves both: a worker thread of the caller
// (the CLI) or a child process of the extension host (so a native crash or the model's memory is not
// the editor's). Only the channel differs; the queue, the protocol and the shutdown are one code.
import { parentPort, workerData } from 'node:worker_threads';
import { ClassifierEngine, firstLine } from './engine';
import type { HostToWorker, WorkerInit, WorkerToHost } from './protocol';

interface Channel {
  init: WorkerInit;
  post(message: WorkerToHost): void;
  onMessage(listener: (message: HostToWorker) => void): void;
  /** The host went away without asking (a child process whose parent died): stop as on a shutdown. */
  onHostGone(listener: () => void): void;
}

function threadChannel(): Channel | undefined {
  const port = parentPort;
  if (!port) return undefined;
  return {
    init: workerData as WorkerInit,
    post: (message) => port.postMessage(message),
    onMessage: (listener) => port.on('message', listener),
    onHostGone: () => undefined, // a thread dies with its process
  };
}

function processChannel(): Channel | undefined {
  const send = process.send?.bind(process);
  if (!send) return undefined;
  return {
    init: JSON.parse(process.argv[2] ?? '{}') as WorkerInit,
    // A parent that is gone cannot be told anything: drop the message rather than throw.
    post: (message) => void (process.connected && send(message)),
    onMessage: (listener) => process.on('message', (message) => listener(message as HostToWorker)),
    // The IPC channel closes when the extension host exits or is killed: no orphan keeps the model in memory.
    onHostGone: (listener) => process.on('disconnect', listener),
  };
}

const channel = threadChannel() ?? processChannel();
if (!channel) throw new Error('classifierWorker must run in a worker thread or a forked child process');
const { post } = channel;

const queue: { id: number; text: string }[] = [];
let engine: ClassifierEngine | undefined;
let loading = true;
let draining = false;
let shuttingDown = false;

/** Releases the session and ends this thread or process; only ever between requests, never inside onnxruntime. */
async function close(): Promise<void> {
  await engine?.dispose().catch(() => undefined);
  process.exit(0);
}

function shutdown(): void {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const item of queue.splice(0)) post({ type: 'skipped', id: item.id });
  // A session still being created is released as soon as it exists (see the load below).
  if (!draining && !loading) void close();
}

channel.onHostGone(shutdown);
channel.onMessage((message) => {
  if (message.type === 'shutdown') return shutdown();
  if (message.type === 'classify') {
    if (shuttingDown) return post({ type: 'skipped', id: message.id });
    queue.push(message);
    void drain();
    return;
  }
  // A request over its time budget: drop it if it has not started (a running one cannot be interrupted).
  const index = queue.findIndex((item) => item.id === message.id);
  if (index >= 0) {
    queue.splice(index, 1);
    post({ type: 'skipped', id: message.id });
  }
});

async function drain(): Promise<void> {
  if (draining || !engine) return;
  draining = true;
  try {
    while (queue.length > 0) {
      // Yield first, so cancel messages for queued work arrive before it starts.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = queue.shift();
      if (!next) break;
      try {
        const { result, tokens, tokenizeMs, inferMs } = await engine.classify(next.text);
        post({ type: 'classified', id: next.id, result, tokens, tokenizeMs, inferMs });
      } catch (error) {
        post({ type: 'classifyFailed', id: next.id, message: firstLine(error) });
      }
    }
  } finally {
    draining = false;
    if (shuttingDown) void close();
  }
}

const { init } = channel;
ClassifierEngine.load(init.modelDir, init.precision, init.intraOpThreads).then(
  (loaded) => {
    engine = loaded;
    loading = false;
    if (shuttingDown) return void close();
    post({ type: 'loaded', info: loaded.info });
    void drain();
  },
  (error: unknown) => {
    loading = false;
    post({ type: 'loadFailed', message: firstLine(error) });
    void close();
  },
);
