// What the stats view's classifier section shows: the precision in use and why, and the int8
// self-check's figures as kept with the model (onnx/model_quantized.check.json), shaped for display.
// Pure: the caller reads the state, the check file and the int8 file's size.
import type { Precision } from './modelDir';
import type { WeightFormat } from './quantize/quantizer';
import { SCORE_FIELDS, type ScoreField } from './result';
import { isCheckedFile, type PrecisionSetting, type SelfCheckReport } from './selfCheck';

export type BoundKey = 'tierAgreement' | 'taskTypeAgreement' | 'meanComplexityDelta';

export interface BoundRow {
  key: BoundKey;
  /** "min": the measured value must be at least the bound; "max": at most. */
  kind: 'min' | 'max';
  bound: number;
  measured: number;
  met: boolean;
}

export interface SelfCheckView {
  passed: boolean;
  /** One sentence per bound missed (the check's own words). */
  failures: string[];
  prompts: number;
  /** ISO time the check ran. */
  checkedAt: string;
  /** The model folder the check ran on. */
  modelDir: string;
  /** Size of the int8 graph checked, and of its fp32 source when the check recorded it. */
  int8Bytes: number;
  fp32Bytes: number | null;
  /** False when the int8 file on disk is not the one checked (re-made, or removed): the figures are not trusted. */
  current: boolean;
  thresholds: { simple: number; medium: number };
  bounds: BoundRow[];
  /** Mean and largest |int8 − fp32| of every score, in NVIDIA's field order. */
  scores: { field: ScoreField; mean: number; max: number }[];
  /** How the checked graph stores its weights; null in reports of earlier versions. */
  weightFormat: WeightFormat | null;
  /** Faster formats that failed on this machine before it, with why. */
  rejected: { weightFormat: WeightFormat; failures: string[] }[];
}

export type ClassifierStatus = 'missing' | 'loading' | 'ready' | 'failed' | 'restarting';

export interface ClassifierView {
  status: ClassifierStatus;
  modelDir: string | null;
  /** The precision setting (qwenRouter.classifier.precision). */
  setting: PrecisionSetting;
  /** The precision the loaded session runs, once ready. */
  precision: Precision | null;
  /** Why that precision (the "auto" choice, a substitution), why the model failed to load, or why its process is restarting. */
  reason: string | null;
  check: SelfCheckView | null;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The check's figures for display; undefined when the file is not a check report this version can read. */
export function selfCheckView(report: SelfCheckReport, where: { modelDir: string; int8BytesOnDisk: number | undefined; int8MtimeMsOnDisk?: number }): SelfCheckView | undefined {
  const complete = [report.taskTypeAgreement, report.tierAgreement, report.prompts, report.int8Bytes, report.thresholds?.simple, report.thresholds?.medium].every(isNumber);
  if (!complete || typeof report.checkedAt !== 'string' || !report.bounds || !report.scores) return undefined;
  const b = report.bounds;
  const meanComplexity = report.scores.prompt_complexity_score?.mean;
  const bounds: BoundRow[] = [
    { key: 'tierAgreement', kind: 'min', bound: b.minTierAgreement, measured: report.tierAgreement, met: report.tierAgreement >= b.minTierAgreement },
    { key: 'taskTypeAgreement', kind: 'min', bound: b.minTaskTypeAgreement, measured: report.taskTypeAgreement, met: report.taskTypeAgreement >= b.minTaskTypeAgreement },
    ...(isNumber(meanComplexity) ? [{ key: 'meanComplexityDelta' as const, kind: 'max' as const, bound: b.maxMeanComplexityDelta, measured: meanComplexity, met: meanComplexity <= b.maxMeanComplexityDelta }] : []),
  ];
  return {
    passed: report.passed,
    failures: [...report.failures],
    prompts: report.prompts,
    checkedAt: report.checkedAt,
    modelDir: report.model?.dir ?? where.modelDir,
    int8Bytes: report.int8Bytes,
    fp32Bytes: report.model?.fp32Bytes ?? null,
    current: isCheckedFile(report, { bytes: where.int8BytesOnDisk, mtimeMs: where.int8MtimeMsOnDisk }),
    thresholds: { simple: report.thresholds.simple, medium: report.thresholds.medium },
    bounds,
    scores: SCORE_FIELDS.filter((field) => report.scores[field]).map((field) => ({ field, mean: report.scores[field].mean, max: report.scores[field].max })),
    weightFormat: report.weightFormat ?? null,
    rejected: (report.rejected ?? []).map((r) => ({ weightFormat: r.weightFormat, failures: [...r.failures] })),
  };
}

export interface ClassifierFacts {
  state:
    | { kind: 'missing' }
    | { kind: 'loading' }
    | { kind: 'ready'; info: { precision: Precision; precisionReason?: string; substitutedFor?: Precision } }
    | { kind: 'failed'; message: string }
    /** Its process stopped; it is started again after a back-off. */
    | { kind: 'restarting'; message: string };
  setting: PrecisionSetting;
  modelDir: string | undefined;
  /** The check file's report, when the model folder has one. */
  report: SelfCheckReport | undefined;
  int8BytesOnDisk: number | undefined;
  /** The int8 file's modification time, compared when the report recorded one. */
  int8MtimeMsOnDisk?: number;
}

/** The classifier section: state, precision and why, and the self-check when there is one. */
export function classifierView(facts: ClassifierFacts): ClassifierView {
  const { state } = facts;
  let reason: string | null = null;
  if (state.kind === 'ready') {
    const substituted = state.info.substitutedFor ? `${state.info.substitutedFor} is not in the model folder; ${state.info.precision} is used instead` : undefined;
    reason = [state.info.precisionReason, substituted].filter(Boolean).join('; ') || null;
  } else if (state.kind === 'failed' || state.kind === 'restarting') {
    reason = state.message;
  }
  const check = facts.report && facts.modelDir ? selfCheckView(facts.report, { modelDir: facts.modelDir, int8BytesOnDisk: facts.int8BytesOnDisk, int8MtimeMsOnDisk: facts.int8MtimeMsOnDisk }) : undefined;
  return {
    status: state.kind,
    modelDir: facts.modelDir ?? null,
    setting: facts.setting,
    precision: state.kind === 'ready' ? state.info.precision : null,
    reason,
    check: check ?? null,
  };
}
