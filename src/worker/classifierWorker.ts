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

port.on('message', (message: HostToWorker) => {
  if (message.type === 'classify') {
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
  }
}

const init = workerData as WorkerInit;
ClassifierEngine.load(init.modelDir, init.precision, init.intraOpThreads).then(
  (loaded) => {
    engine = loaded;
    post({ type: 'loaded', info: loaded.info });
    void drain();
  },
  (error: unknown) => post({ type: 'loadFailed', message: firstLine(error) }),
);
