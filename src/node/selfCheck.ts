// The self-check on the user's machine: the shipped prompts classified with fp32, then with int8
// (one session at a time, so memory never holds both), compared, and the figures kept with the model.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ONNX_FILES, type Precision } from '../core/classifier/modelDir';
import type { ClassifierResult } from '../core/classifier/result';
import { QuantizeCancelled, WEIGHT_FORMATS, type WeightFormat } from '../core/classifier/quantize/quantizer';
import { compareResults, SELF_CHECK_FILE, type RejectedFormat, type SelfCheckBounds, type SelfCheckReport } from '../core/classifier/selfCheck';
import { DEFAULT_POLICY, type Thresholds } from '../core/routing/policy';
import type { Isolation } from './classifierRunner';
import { ClassifierService } from './classifierService';
import { fp32GraphToQuantize, quantizeModelDir, type QuantizeRun } from './quantizer';

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
  /** The bounds to hold the int8 answers to (SELF_CHECK_BOUNDS unless a test needs tighter ones). */
  bounds?: SelfCheckBounds;
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
      // The same error as a cancel while writing: Quantize Classifier Model's cancel, at any step.
      if (options.signal?.aborted) throw new QuantizeCancelled();
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

const sizeOf = (modelDir: string, precision: Precision) => statSync(join(modelDir, ONNX_FILES[precision])).size;

function keepReport(modelDir: string, compared: SelfCheckReport, extra: Partial<SelfCheckReport> = {}): SelfCheckReport {
  // Which model it ran on, for the stats view ("on which model").
  const report: SelfCheckReport = { ...compared, int8MtimeMs: statSync(join(modelDir, ONNX_FILES.int8)).mtimeMs, model: { dir: modelDir, fp32Bytes: sizeOf(modelDir, 'fp32') }, ...extra };
  writeFileSync(join(modelDir, SELF_CHECK_FILE), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** Checks the int8 graph on disk against fp32 and writes its report to DIR/onnx/model_quantized.check.json. */
export async function runSelfCheck(modelDir: string, options: SelfCheckOptions = {}): Promise<SelfCheckReport> {
  const prompts = options.prompts ?? loadSelfCheckPrompts();
  const fp32 = await classifyAll(modelDir, 'fp32', prompts, options);
  const int8 = await classifyAll(modelDir, 'int8', prompts, options);
  return keepReport(modelDir, compareResults(fp32, int8, options.thresholds ?? DEFAULT_POLICY.complexity, sizeOf(modelDir, 'int8'), { bounds: options.bounds }));
}

export type MakeInt8Progress =
  | { phase: 'fp32'; done: number; total: number }
  | { phase: 'quantize'; weightFormat: WeightFormat; done: number; total: number }
  | { phase: 'int8'; weightFormat: WeightFormat; done: number; total: number };

export interface MakeInt8Options extends Omit<SelfCheckOptions, 'onProgress'> {
  /** Weight formats to try, in order; the first to pass its check is kept (default: all, fastest first). */
  weightFormats?: readonly WeightFormat[];
  /** The quantizer's worker script (dist/quantizeWorker.js). */
  quantizeWorkerPath?: string;
  onProgress?(progress: MakeInt8Progress): void;
  /** Called when a format failed its check and the next one is tried. */
  onRejected?(rejected: RejectedFormat, next: WeightFormat): void;
}

export interface MakeInt8Result {
  report: SelfCheckReport;
  /** The last quantizer run (the graph on disk). */
  run: QuantizeRun;
}

/**
 * Makes the int8 graph that passes the self-check on this machine: fp32 is classified once, then each
 * weight format in turn is written and checked, the first to pass kept. The fastest format (int8)
 * can lose accuracy on x86 CPUs without VNNI, where the kernel saturates; the next ones cannot.
 * When none passes, the last one stays on disk with its failing report, so "auto" keeps fp32.
 */
export async function makeCheckedInt8(modelDir: string, options: MakeInt8Options = {}): Promise<MakeInt8Result> {
  const formats = options.weightFormats ?? WEIGHT_FORMATS;
  if (formats.length === 0) throw new Error('makeCheckedInt8: no weight format to try');
  fp32GraphToQuantize(modelDir);
  const prompts = options.prompts ?? loadSelfCheckPrompts();
  const thresholds = options.thresholds ?? DEFAULT_POLICY.complexity;
  // The fp32 answers first: the quantizer removes any earlier check before it writes a new graph.
  const fp32 = await classifyAll(modelDir, 'fp32', prompts, { ...options, onProgress: ({ done, total }) => options.onProgress?.({ phase: 'fp32', done, total }) });
  const rejected: RejectedFormat[] = [];
  for (const [index, weightFormat] of formats.entries()) {
    const run = await quantizeModelDir(modelDir, {
      workerPath: options.quantizeWorkerPath,
      signal: options.signal,
      weightFormat,
      onProgress: ({ done, total }) => options.onProgress?.({ phase: 'quantize', weightFormat, done, total }),
    });
    const int8 = await classifyAll(modelDir, 'int8', prompts, { ...options, onProgress: ({ done, total }) => options.onProgress?.({ phase: 'int8', weightFormat, done, total }) });
    const compared = compareResults(fp32, int8, thresholds, sizeOf(modelDir, 'int8'), { bounds: options.bounds });
    const last = index === formats.length - 1;
    if (compared.passed || last) return { report: keepReport(modelDir, compared, { weightFormat, rejected: [...rejected] }), run };
    const failed: RejectedFormat = { weightFormat, failures: compared.failures, tierAgreement: compared.tierAgreement, meanComplexityDelta: compared.scores.prompt_complexity_score.mean };
    rejected.push(failed);
    options.onRejected?.(failed, formats[index + 1]);
  }
  throw new Error('unreachable: the last format always returns');
}
