// Quantizing a model directory's fp32 graph into onnx/model_quantized.onnx, on a worker thread, with
// progress and cancel; then the self-check (src/node/selfCheck.ts) decides whether "auto" uses it.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelFormatError } from '../core/classifier/errors';
import { ONNX_FILES } from '../core/classifier/modelDir';
import { QuantizeCancelled, type QuantizeProgress, type QuantizeSummary, type WeightFormat } from '../core/classifier/quantize/quantizer';
import { existsSync, rmSync } from 'node:fs';
import { SELF_CHECK_FILE } from '../core/classifier/selfCheck';

export interface QuantizeWorkerInit {
  input: string;
  output: string;
  chunkBytes?: number;
  weightFormat?: WeightFormat;
}

export type QuantizeWorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; summary: QuantizeSummary; peakRss: number }
  | { type: 'failed'; cancelled: boolean; message: string };

export interface QuantizeRun {
  output: string;
  summary: QuantizeSummary;
  /** The process's peak resident memory when the worker finished (bytes; the whole process's). */
  peakRss: number;
}

export interface QuantizeRunOptions {
  onProgress?(progress: QuantizeProgress): void;
  signal?: AbortSignal;
  /** The bundled worker script; by default next to this bundle (dist/). */
  workerPath?: string;
  chunkBytes?: number;
  /** How the weights are stored (the quantizer's default when absent). */
  weightFormat?: WeightFormat;
}

/** DIR/onnx/model.onnx, or a ModelFormatError that says to download the model. */
export function fp32GraphToQuantize(modelDir: string): string {
  const input = join(modelDir, ONNX_FILES.fp32);
  if (!existsSync(input)) throw new ModelFormatError(`${modelDir} has no fp32 graph (${ONNX_FILES.fp32}) to quantize. Download the model first.`);
  return input;
}

/** Quantizes DIR/onnx/model.onnx into DIR/onnx/model_quantized.onnx on a worker thread. */
export async function quantizeModelDir(modelDir: string, options: QuantizeRunOptions = {}): Promise<QuantizeRun> {
  const input = fp32GraphToQuantize(modelDir);
  const output = join(modelDir, ONNX_FILES.int8);
  if (options.signal?.aborted) throw new QuantizeCancelled();
  // A check made on an earlier int8 file says nothing about the new one.
  rmSync(join(modelDir, SELF_CHECK_FILE), { force: true });
  const init: QuantizeWorkerInit = { input, output, chunkBytes: options.chunkBytes, weightFormat: options.weightFormat };
  const worker = new Worker(options.workerPath ?? join(__dirname, 'quantizeWorker.js'), { workerData: init });
  const onAbort = () => worker.postMessage({ type: 'cancel' });
  options.signal?.addEventListener('abort', onAbort);
  return new Promise<QuantizeRun>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    worker.on('message', (message: QuantizeWorkerMessage) => {
      if (message.type === 'progress') options.onProgress?.(message);
      else if (message.type === 'done') settle(() => resolve({ output, summary: message.summary, peakRss: message.peakRss }));
      else settle(() => reject(message.cancelled ? new QuantizeCancelled() : new ModelFormatError(message.message)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`The quantizer's worker exited (code ${code}) before it finished.`))));
  });
}
