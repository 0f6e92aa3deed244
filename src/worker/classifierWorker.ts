// The classifier's own thread: onnxruntime's create and run block the calling thread, so they live here.
import { parentPort, workerData } from 'node:worker_threads';
import { ClassifierEngine, firstLine } from './engine';
import type { HostToWorker, WorkerInit, WorkerToHost } from './protocol';

const port = parentPort;
if (!port) throw new Error('classifierWorker must run in a worker thread');
const post = (message: WorkerToHost) => port.postMessage(message);

const queue: { id: number; text: string }[] = [];
let engine: ClassifierEngine | undefined;
let draining = false;
let shuttingDown = false;

/** Releases the session and ends this thread; only ever between requests, never inside onnxruntime. */
async function close(): Promise<void> {
  await engine?.dispose().catch(() => undefined);
  process.exit(0);
}

port.on('message', (message: HostToWorker) => {
  if (message.type === 'shutdown') {
    shuttingDown = true;
    for (const item of queue.splice(0)) post({ type: 'skipped', id: item.id });
    if (!draining) void close();
    return;
  }
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

const init = workerData as WorkerInit;
ClassifierEngine.load(init.modelDir, init.precision, init.intraOpThreads).then(
  (loaded) => {
    engine = loaded;
    if (shuttingDown) return void close();
    post({ type: 'loaded', info: loaded.info });
    void drain();
  },
  (error: unknown) => {
    post({ type: 'loadFailed', message: firstLine(error) });
    void close();
  },
);
