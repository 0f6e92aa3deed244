import { pyRound } from '../pyround';
import type { ClassifierResult } from './result';
import type { HeadConfig, HeadName } from './heads';

export type HeadLogits = Record<HeadName, ArrayLike<number>>;

/**
 * Softmax as the reference computes it: in float32 (torch's dtype for these logits), so the
 * probabilities that get rounded are the same binary values.
 */
export function softmax32(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const exps = Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i] - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => Math.fround(value / sum));
}

/** Indices of the two largest logits; on equal logits the lower index comes first. */
function topTwo(logits: ArrayLike<number>): [number, number] {
  let first = 0;
  let second = -1;
  for (let i = 1; i < logits.length; i++) {
    if (logits[i] > logits[first]) {
      second = first;
      first = i;
    } else if (second === -1 || logits[i] > logits[second]) {
      second = i;
    }
  }
  return [first, second];
}

/** A weighted head: round4(sum(p_i * w_i) / divisor), as the model card computes it. */
function weightedScore(logits: ArrayLike<number>, weights: number[], divisor: number): number {
  const probabilities = softmax32(logits);
  const weighted = probabilities.reduce((total, p, i) => total + p * weights[i], 0);
  return pyRound(weighted / divisor, 4);
}

/** The model card's post-processing (NeMo Curator compute_results) for one prompt's logits. */
export function postprocess(logits: HeadLogits, config: HeadConfig): ClassifierResult {
  const taskLogits = logits.task_type;
  const [firstIndex, secondIndex] = topTwo(taskLogits);
  const taskProbabilities = softmax32(taskLogits);
  const firstProbability = pyRound(taskProbabilities[firstIndex], 3);
  const secondProbability = pyRound(taskProbabilities[secondIndex], 3);

  const score = (head: Exclude<HeadName, 'task_type'>) => weightedScore(logits[head], config.weights[head], config.divisors[head]);
  const creativity_scope = score('creativity_scope');
  const reasoning = score('reasoning');
  const contextual_knowledge = score('contextual_knowledge');
  const fewShotsScore = score('number_of_few_shots');
  const number_of_few_shots = fewShotsScore < 0.05 ? 0 : fewShotsScore;
  const domain_knowledge = score('domain_knowledge');
  const no_label_reason = score('no_label_reason');
  const constraint_ct = score('constraint_ct');

  const prompt_complexity_score = pyRound(
    0.35 * creativity_scope +
      0.25 * reasoning +
      0.15 * constraint_ct +
      0.15 * domain_knowledge +
      0.05 * contextual_knowledge +
      0.05 * number_of_few_shots,
    5,
  );

  return {
    task_type_1: config.taskTypeLabels[firstIndex],
    task_type_2: secondProbability < 0.1 ? 'NA' : config.taskTypeLabels[secondIndex],
    task_type_prob: firstProbability,
    creativity_scope,
    reasoning,
    contextual_knowledge,
    number_of_few_shots,
    domain_knowledge,
    no_label_reason,
    constraint_ct,
    prompt_complexity_score,
  };
}
