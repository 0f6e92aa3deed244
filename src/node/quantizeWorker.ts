// The quantizer's own thread (dist/quantizeWorker.js): reading and quantizing ~700 MB takes tens of
// seconds of CPU, which must not run on the extension host's thread.
import { parentPort, workerData } from 'node:worker_threads';
import { QuantizeCancelled } from '../core/classifier/quantize/quantizer';
import { quantizeFile } from './quantizeFile';
import type { QuantizeWorkerInit, QuantizeWorkerMessage } from './quantizer';

const port = parentPort;
if (!port) throw new Error('quantizeWorker must run in a worker thread');
const post = (message: QuantizeWorkerMessage) => port.postMessage(message);
let cancelled = false;
port.on('message', (message: { type: 'cancel' }) => {
  if (message.type === 'cancel') cancelled = true;
});

const { input, output, chunkBytes, weightFormat } = workerData as QuantizeWorkerInit;
let lastPosted = -1;
quantizeFile(input, output, {
  chunkBytes,
  weightFormat,
  isCancelled: () => cancelled,
  pause: () => new Promise<void>((resolve) => setImmediate(resolve)),
  onProgress: ({ done, total }) => {
    const percent = Math.floor((done / total) * 100);
    if (percent === lastPosted) return;
    lastPosted = percent;
    post({ type: 'progress', done, total });
  },
}).then(
  (summary) => post({ type: 'done', summary, peakRss: process.resourceUsage().maxRSS * 1024 }),
  (error: unknown) => post({ type: 'failed', cancelled: error instanceof QuantizeCancelled, message: error instanceof Error ? error.message : String(error) }),
).finally(() => port.close());
