// The self-check on the user's machine: the shipped prompts classified with fp32, then with int8
// (one session at a time, so memory never holds both), compared, and the figures kept with the model.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ONNX_FILES, type Precision } from '../core/classifier/modelDir';
import type { ClassifierResult } from '../core/classifier/result';
import { compareResults, SELF_CHECK_FILE, type SelfCheckReport } from '../core/classifier/selfCheck';
import { DEFAULT_POLICY, type Thresholds } from '../core/routing/policy';
import type { Isolation } from './classifierRunner';
import { ClassifierService } from './classifierService';

/** The shipped prompt set: models/self-check-prompts.json, beside dist/ in the extension and the repository. */
export const SELF_CHECK_PROMPTS = join(__dirname, '..', 'models', 'self-check-prompts.json');

export function loadSelfCheckPrompts(path = SELF_CHECK_PROMPTS): string[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { prompts?: unknown };
  if (!Array.isArray(parsed.prompts) || !parsed.prompts.every((p) => typeof p === 'string')) throw new Error(`${path} has no "prompts" array of strings`);
  return parsed.prompts as string[];
}

export interface SelfCheckOptions {
  prompts?: string[];
  thresholds?: Thresholds;
  intraOpThreads?: number;
  workerPath?: string;
  /** The extension runs it in a child process, as its classifier: two full-size sessions in turn are not the editor's memory. */
  isolation?: Isolation;
  /** Called after each prompt, per precision (fp32 first). */
  onProgress?(progress: { precision: Precision; done: number; total: number }): void;
  signal?: AbortSignal;
}

async function classifyAll(modelDir: string, precision: Precision, prompts: string[], options: SelfCheckOptions): Promise<ClassifierResult[]> {
  const service = new ClassifierService({ modelDir, precision, intraOpThreads: options.intraOpThreads ?? 1, timeBudgetMs: 600_000, workerPath: options.workerPath, isolation: options.isolation });
  service.start();
  try {
    const state = await service.whenSettled();
    if (state.kind !== 'ready') throw new Error(`the ${precision} model could not be loaded: ${state.kind === 'failed' ? state.message : state.kind}`);
    if (state.info.precision !== precision) throw new Error(`${modelDir} has no ${ONNX_FILES[precision]}`);
    const results: ClassifierResult[] = [];
    for (const prompt of prompts) {
      if (options.signal?.aborted) throw new Error('The self-check was cancelled.');
      const outcome = await service.classify(prompt);
      if (!outcome.ok) throw new Error(`the ${precision} model failed on a check prompt: ${outcome.message}`);
      results.push(outcome.result);
      options.onProgress?.({ precision, done: results.length, total: prompts.length });
    }
    return results;
  } finally {
    await service.dispose();
  }
}

/** Runs the check and writes its report to DIR/onnx/model_quantized.check.json. */
export async function runSelfCheck(modelDir: string, options: SelfCheckOptions = {}): Promise<SelfCheckReport> {
  const prompts = options.prompts ?? loadSelfCheckPrompts();
  const fp32 = await classifyAll(modelDir, 'fp32', prompts, options);
  const int8 = await classifyAll(modelDir, 'int8', prompts, options);
  const report = compareResults(fp32, int8, options.thresholds ?? DEFAULT_POLICY.complexity, statSync(join(modelDir, ONNX_FILES.int8)).size);
  writeFileSync(join(modelDir, SELF_CHECK_FILE), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
