import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { resolveIntraOpThreads } from '../core/classifier/restartPolicy';
import { PRECISIONS } from '../core/classifier/modelDir';
import type { PrecisionSetting } from '../core/classifier/selfCheck';
import { ClassifierService } from '../node/classifierService';
import { UsageError } from './runner';

export const classifierOptions = {
  'model-dir': { type: 'string' },
  precision: { type: 'string' },
  threads: { type: 'string' },
  isolation: { type: 'string' },
} as const;

/**
 * Starts the same worker-backed classifier the extension uses and waits for its model to load.
 * `mustLoad: false` returns a failed classifier instead of throwing, so routing falls back and says why.
 */
export async function startClassifier(values: Record<string, string | boolean | undefined>, timeBudgetMs: number, mustLoad = true): Promise<ClassifierService> {
  const modelDir = values['model-dir'];
  if (typeof modelDir !== 'string') throw new UsageError('--model-dir is required');
  const precision = (values.precision ?? 'fp32') as PrecisionSetting;
  if (precision !== 'auto' && !PRECISIONS.includes(precision)) throw new UsageError(`--precision must be one of ${PRECISIONS.join(', ')}, auto`);
  // The CLI is its own process: 1 thread by default (figures comparable run to run); 0 or "auto" as the extension picks.
  const threads = values.threads === 'auto' ? 0 : Number(values.threads ?? 1);
  if (!Number.isInteger(threads) || threads < 0) throw new UsageError('--threads must be a whole number (0 or auto: one fewer than the cores, 1 to 4)');
  const isolation = values.isolation ?? 'thread';
  if (isolation !== 'thread' && isolation !== 'process') throw new UsageError('--isolation must be thread or process');
  const service = new ClassifierService({ isolation, modelDir, precision, intraOpThreads: resolveIntraOpThreads(threads, availableParallelism()), timeBudgetMs, workerPath: join(__dirname, 'classifierWorker.js') });
  service.start();
  const state = await service.whenSettled();
  if (state.kind !== 'ready' && mustLoad) {
    await service.dispose();
    throw new Error(state.kind === 'failed' ? state.message : `no model in ${modelDir}`);
  }
  return service;
}
