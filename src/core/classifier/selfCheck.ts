// The int8 self-check: the same shipped prompts classified with fp32 and with the int8 model made
// from it, compared. int8 becomes the precision "auto" picks only when every bound below holds.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tierForValue, type Thresholds } from '../routing/policy';
import { ONNX_FILES, type Precision } from './modelDir';
import { WEIGHT_FORMAT_LABELS, type WeightFormat } from './quantize/quantizer';
import { SCORE_FIELDS, type ClassifierResult, type ScoreField } from './result';

/** The bounds an int8 model must meet (stated in the README and docs/classifier.md). */
export const SELF_CHECK_BOUNDS = {
  /** Share of prompts routed to the same tier under the current complexity thresholds. */
  minTierAgreement: 0.99,
  /** Share of prompts with the same task_type_1. */
  minTaskTypeAgreement: 0.97,
  /** Mean |Δ prompt_complexity_score|. */
  maxMeanComplexityDelta: 0.01,
} as const;

export type SelfCheckBounds = { readonly [K in keyof typeof SELF_CHECK_BOUNDS]: number };

/** Where the check's figures are kept, in the model directory, beside the int8 graph. */
export const SELF_CHECK_FILE = 'onnx/model_quantized.check.json';


export interface SelfCheckReport {
  passed: boolean;
  /** Why it failed, one sentence per bound missed; empty when it passed. */
  failures: string[];
  prompts: number;
  taskTypeAgreement: number;
  tierAgreement: number;
  thresholds: Thresholds;
  /** Largest and mean |int8 − fp32| of every score. */
  scores: Record<ScoreField, { max: number; mean: number }>;
  bounds: SelfCheckBounds;
  /** Size of the int8 graph checked: a different file on disk is not trusted. */
  int8Bytes: number;
  /** Its modification time (every weight format gives the same size; absent in reports of earlier versions). */
  int8MtimeMs?: number;
  checkedAt: string;
  /** The model it ran on (written by runSelfCheck; absent in reports of earlier versions). */
  model?: { dir: string; fp32Bytes: number };
  /** How the checked graph stores its MatMul weights (absent in reports of earlier versions, which were uint8). */
  weightFormat?: WeightFormat;
  /** Faster weight formats checked before this one on this machine, each of which failed, in order. */
  rejected?: RejectedFormat[];
}

export interface RejectedFormat {
  weightFormat: WeightFormat;
  failures: string[];
  tierAgreement: number;
  meanComplexityDelta: number;
}

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;
const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Compares the two precisions' results, prompt by prompt (same order), against the bounds. */
export function compareResults(
  fp32: readonly ClassifierResult[],
  int8: readonly ClassifierResult[],
  thresholds: Thresholds,
  int8Bytes: number,
  { now = new Date(), bounds = SELF_CHECK_BOUNDS }: { now?: Date; bounds?: SelfCheckBounds } = {},
): SelfCheckReport {
  if (fp32.length !== int8.length || fp32.length === 0) throw new Error(`self-check: ${fp32.length} fp32 results against ${int8.length} int8 results`);
  const n = fp32.length;
  let sameTask = 0;
  let sameTier = 0;
  const scores = Object.fromEntries(SCORE_FIELDS.map((f) => [f, { max: 0, mean: 0 }])) as SelfCheckReport['scores'];
  for (let i = 0; i < n; i++) {
    const a = fp32[i];
    const b = int8[i];
    if (a.task_type_1 === b.task_type_1) sameTask++;
    if (tierForValue(a.prompt_complexity_score, thresholds) === tierForValue(b.prompt_complexity_score, thresholds)) sameTier++;
    for (const field of SCORE_FIELDS) {
      const delta = Math.abs(a[field] - b[field]);
      scores[field].max = Math.max(scores[field].max, delta);
      scores[field].mean += delta / n;
    }
  }
  for (const field of SCORE_FIELDS) scores[field] = { max: round(scores[field].max), mean: round(scores[field].mean) };
  const taskTypeAgreement = round(sameTask / n, 4);
  const tierAgreement = round(sameTier / n, 4);
  const b = bounds;
  const failures: string[] = [];
  if (tierAgreement < b.minTierAgreement) failures.push(`int8 routes ${percent(1 - tierAgreement)} of the check's prompts to another tier than fp32 (at most ${percent(1 - b.minTierAgreement)} allowed)`);
  if (taskTypeAgreement < b.minTaskTypeAgreement) failures.push(`int8 names another task type than fp32 for ${percent(1 - taskTypeAgreement)} of the check's prompts (at most ${percent(1 - b.minTaskTypeAgreement)} allowed)`);
  if (scores.prompt_complexity_score.mean > b.maxMeanComplexityDelta) failures.push(`int8's complexity scores differ from fp32's by ${scores.prompt_complexity_score.mean.toFixed(4)} on average (at most ${b.maxMeanComplexityDelta} allowed)`);
  return { passed: failures.length === 0, failures, prompts: n, taskTypeAgreement, tierAgreement, thresholds, scores, bounds: { ...bounds }, int8Bytes, checkedAt: now.toISOString() };
}

/** The precision setting: a graph precision, or "auto" (int8 after a passing self-check, else fp32). */
export type PrecisionSetting = Precision | 'auto';

export interface PrecisionChoice {
  precision: Precision;
  /** Why "auto" chose this precision (shown in the status and Explain Routing). */
  reason?: string;
  check?: SelfCheckReport;
}

export function readSelfCheck(dir: string): SelfCheckReport | undefined {
  try {
    const report = JSON.parse(readFileSync(join(dir, SELF_CHECK_FILE), 'utf8')) as SelfCheckReport;
    return typeof report.passed === 'boolean' && Array.isArray(report.failures) ? report : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the int8 file on disk is the one the check saw: the same size, and the same modification time when the report has it. */
export function isCheckedFile(report: Pick<SelfCheckReport, 'int8Bytes' | 'int8MtimeMs'>, onDisk: { bytes: number | undefined; mtimeMs?: number }): boolean {
  if (onDisk.bytes !== report.int8Bytes) return false;
  return report.int8MtimeMs === undefined || onDisk.mtimeMs === report.int8MtimeMs;
}

/** "; 7-bit int8 weights, after 8-bit int8 weights failed" when the check kept a slower format than the first. */
function formatNote(check: SelfCheckReport): string {
  if (!check.weightFormat || !check.rejected?.length) return '';
  return `; ${WEIGHT_FORMAT_LABELS[check.weightFormat]}, after ${check.rejected.map((r) => WEIGHT_FORMAT_LABELS[r.weightFormat]).join(' and ')} failed`;
}

/** Resolves "auto": int8 only when its self-check passed for the int8 file now on disk. */
export function choosePrecision(dir: string, setting: PrecisionSetting): PrecisionChoice {
  if (setting !== 'auto') return { precision: setting };
  const int8Path = join(dir, ONNX_FILES.int8);
  const check = readSelfCheck(dir);
  if (!existsSync(int8Path)) return { precision: 'fp32', reason: 'int8 not made yet: run "Qwen Router: Quantize Classifier Model"' };
  if (!check) return { precision: 'fp32', reason: 'int8 has not passed its self-check yet: run "Qwen Router: Quantize Classifier Model"' };
  const onDisk = statSync(int8Path);
  if (!isCheckedFile(check, { bytes: onDisk.size, mtimeMs: onDisk.mtimeMs })) return { precision: 'fp32', reason: 'the int8 file changed since its self-check: run "Qwen Router: Quantize Classifier Model" again' };
  if (!check.passed) return { precision: 'fp32', reason: `int8 failed its self-check: ${check.failures.join('; ')}`, check };
  return { precision: 'int8', reason: `int8 passed its self-check (${percent(check.tierAgreement)} same tier on ${check.prompts} prompts${formatNote(check)})`, check };
}
