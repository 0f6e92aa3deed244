import { ModelFormatError } from './errors';

/** The eight heads in the order NVIDIA's model emits them (the model card's target_sizes order). */
export const CANONICAL_HEADS = [
  'task_type',
  'creativity_scope',
  'reasoning',
  'contextual_knowledge',
  'number_of_few_shots',
  'domain_knowledge',
  'no_label_reason',
  'constraint_ct',
] as const;

export type HeadName = (typeof CANONICAL_HEADS)[number];

/** What post-processing needs from config.json, validated. */
export interface HeadConfig {
  sizes: Record<HeadName, number>;
  taskTypeLabels: string[];
  /** Per-class weights of every scored head (all but task_type). */
  weights: Record<Exclude<HeadName, 'task_type'>, number[]>;
  divisors: Record<Exclude<HeadName, 'task_type'>, number>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads the heads from a parsed config.json; throws ModelFormatError naming the first problem. */
export function parseHeadConfig(config: unknown): HeadConfig {
  const fail = (what: string): never => {
    throw new ModelFormatError(`config.json ${what}. Use the config.json that ships with the classifier model (it holds target_sizes, task_type_map, weights_map and divisor_map).`);
  };
  if (!isRecord(config)) return fail('is not a JSON object');
  const { target_sizes, task_type_map, weights_map, divisor_map } = config;
  if (!isRecord(target_sizes)) return fail('has no target_sizes (the classifier heads)');
  if (!isRecord(task_type_map)) return fail('has no task_type_map');
  if (!isRecord(weights_map)) return fail('has no weights_map');
  if (!isRecord(divisor_map)) return fail('has no divisor_map');

  const sizes = {} as Record<HeadName, number>;
  for (const head of CANONICAL_HEADS) {
    const size = target_sizes[head];
    if (!Number.isInteger(size) || (size as number) < 1) fail(`target_sizes.${head} is missing or not a positive integer`);
    sizes[head] = size as number;
  }
  const taskTypeLabels = Array.from({ length: sizes.task_type }, (_, index) => {
    const label = task_type_map[String(index)];
    return typeof label === 'string' ? label : fail(`task_type_map has no label for class ${index}`);
  });
  if (sizes.task_type < 2) fail('target_sizes.task_type must be at least 2 (two task types are reported)');

  const weights = {} as HeadConfig['weights'];
  const divisors = {} as HeadConfig['divisors'];
  for (const head of CANONICAL_HEADS) {
    if (head === 'task_type') continue;
    const headWeights = weights_map[head];
    if (!Array.isArray(headWeights) || headWeights.length !== sizes[head] || !headWeights.every((w) => typeof w === 'number')) {
      fail(`weights_map.${head} must be ${sizes[head]} numbers`);
    }
    const divisor = divisor_map[head];
    if (typeof divisor !== 'number' || divisor === 0) fail(`divisor_map.${head} must be a non-zero number`);
    weights[head] = headWeights as number[];
    divisors[head] = divisor as number;
  }
  return { sizes, taskTypeLabels, weights, divisors };
}

/**
 * Maps the graph's outputs to heads. Outputs named after the heads are matched by name (a re-saved
 * config.json may re-sort its keys, and two heads have two classes each, so a swap would be silent);
 * eight unnamed outputs are taken in canonical order.
 */
export function headOrderFromOutputs(outputNames: readonly string[]): HeadName[] {
  const known = new Set<string>(CANONICAL_HEADS);
  if (outputNames.length === CANONICAL_HEADS.length && outputNames.every((name) => known.has(name)) && new Set(outputNames).size === outputNames.length) {
    return outputNames as HeadName[];
  }
  if (outputNames.length !== CANONICAL_HEADS.length) {
    throw new ModelFormatError(
      `The model graph has ${outputNames.length} outputs but the classifier has ${CANONICAL_HEADS.length} heads. This is not NVIDIA's prompt-task-and-complexity classifier export: download the model again with "Qwen Router: Download Classifier Model".`,
    );
  }
  return [...CANONICAL_HEADS];
}
