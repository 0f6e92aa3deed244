/**
 * The tier policy: pure functions from a classifier verdict (or a token count) to a tier, and from
 * a tier to a configured model. All numbers are settings; the defaults are reasoned in docs/routing.md.
 */
import type { ClassifierResult } from '../classifier/result';
import type { ModelTable } from '../models/table';
import { DEFAULT_THINKING_MODE, type ThinkingMode } from './thinking';

export type Tier = 'simple' | 'medium' | 'complex';
export const TIERS: readonly Tier[] = ['simple', 'medium', 'complex'];

/**
 * Two cut points, named as the old service's ROUTING_THRESHOLDS: a value below `simple` is the
 * simple tier, below `medium` the medium tier, anything else complex.
 */
export interface Thresholds {
  simple: number;
  medium: number;
}

/** "Prompts of this task type are at least / at most this tier." */
export interface TaskRule {
  taskType: string;
  minTier?: Tier;
  maxTier?: Tier;
}

export interface RoutingPolicy {
  /** Cut points on NVIDIA's prompt_complexity_score (0..1.2 in theory, 0..~0.8 in practice). */
  complexity: Thresholds;
  /** Cut points on the estimated prompt tokens, used when the classifier cannot answer. */
  tokens: Thresholds;
  /** Optional task-type rules, applied after the thresholds, first matching rule wins. */
  taskRules: TaskRule[];
  /** Model key per tier; the keys must exist in the model table. */
  tierModels: Record<Tier, string>;
  /** A backstop on top of the classifier's own budget: past it routing falls back with reason "timeout". */
  classifierBudgetMs: number;
  /** Whether calls think (core/routing/thinking.ts); absent = the model's default. */
  thinking?: ThinkingMode;
  /** Per tier, why `tierModels` differs from the configured model (the model pool, core/routing/pool.ts). */
  pooled?: Partial<Record<Tier, string>>;
}

/**
 * Defaults, checked against the model card's own examples (see docs/routing.md, "Defaults and why"):
 * - "Antibiotics ... Explain the above in one sentence." (Summarization) scores 0.133 -> simple.
 * - "Write a Python script that uses a for loop." (Code Generation) scores 0.278 -> simple: most of
 *   that score is domain knowledge (0.98 x 0.15) and constraints (0.56 x 0.15), not difficulty.
 * - A creative mystery story prompt (Text Generation) scores 0.472 -> medium.
 * - complex needs >= 0.50: high creativity (0.35 weight) and real reasoning (0.25 weight) together,
 *   or reasoning plus constraints plus domain knowledge near their maxima.
 */
export const DEFAULT_POLICY: RoutingPolicy = {
  complexity: { simple: 0.3, medium: 0.5 },
  tokens: { simple: 1000, medium: 8000 },
  taskRules: [],
  tierModels: { simple: 'qwen-flash', medium: 'qwen-plus', complex: 'qwen-max' },
  classifierBudgetMs: 3000,
  thinking: DEFAULT_THINKING_MODE,
};

export function tierForValue(value: number, thresholds: Thresholds): Tier {
  if (value < thresholds.simple) return 'simple';
  if (value < thresholds.medium) return 'medium';
  return 'complex';
}

const rank = (tier: Tier): number => TIERS.indexOf(tier);

/** Applies the first rule for this task type; says which rule moved the tier, if one did. */
export function applyTaskRules(tier: Tier, taskType: string | undefined, rules: readonly TaskRule[]): { tier: Tier; rule?: string } {
  if (!taskType) return { tier };
  const rule = rules.find((r) => r.taskType.toLowerCase() === taskType.toLowerCase());
  if (!rule) return { tier };
  let next = tier;
  if (rule.minTier && rank(next) < rank(rule.minTier)) next = rule.minTier;
  if (rule.maxTier && rank(next) > rank(rule.maxTier)) next = rule.maxTier;
  if (next === tier) return { tier };
  return { tier: next, rule: `${rule.taskType}: ${rule.minTier ? `at least ${rule.minTier}` : ''}${rule.minTier && rule.maxTier ? ', ' : ''}${rule.maxTier ? `at most ${rule.maxTier}` : ''}` };
}

/** The tier a classifier verdict gets: thresholds on the complexity score, then the task-type rules. */
export function tierForClassification(result: Pick<ClassifierResult, 'prompt_complexity_score' | 'task_type_1'>, policy: RoutingPolicy): { tier: Tier; rule?: string } {
  return applyTaskRules(tierForValue(result.prompt_complexity_score, policy.complexity), result.task_type_1, policy.taskRules);
}

/**
 * The model for a tier, moved to another tier's model when the prompt cannot fit the chosen
 * model's context window (first upwards, then downwards). `promptTokens` is an upper bound or an
 * estimate; undefined skips the check.
 */
export function modelForTier(tier: Tier, policy: RoutingPolicy, models: ModelTable, promptTokens?: number): { tier: Tier; modelKey: string; adjusted?: string } {
  const modelKey = policy.tierModels[tier];
  const fits = (key: string) => {
    const window = models[key]?.contextWindow;
    return promptTokens === undefined || window === undefined || promptTokens < window;
  };
  if (fits(modelKey)) return { tier, modelKey };
  const order = [...TIERS.slice(rank(tier) + 1), ...TIERS.slice(0, rank(tier)).reverse()];
  for (const other of order) {
    const key = policy.tierModels[other];
    if (fits(key)) return { tier: other, modelKey: key, adjusted: `prompt (~${promptTokens} tokens) exceeds ${modelKey}'s context window (${models[modelKey]?.contextWindow}); using ${key}` };
  }
  return { tier, modelKey };
}

/** Checks a policy from settings; returns problems in words. */
export function validatePolicy(policy: RoutingPolicy, models: ModelTable): string[] {
  const problems: string[] = [];
  for (const [name, t] of [['complexity', policy.complexity], ['tokens', policy.tokens]] as const) {
    if (!(Number.isFinite(t.simple) && Number.isFinite(t.medium))) problems.push(`${name} thresholds must be numbers`);
    else if (t.simple > t.medium) problems.push(`${name} thresholds: "simple" (${t.simple}) must not exceed "medium" (${t.medium})`);
  }
  for (const tier of TIERS) {
    const key = policy.tierModels[tier];
    if (!key || !models[key]) problems.push(`tier "${tier}" names model "${key}", which is not in the model table`);
  }
  for (const rule of policy.taskRules) {
    if (!rule.taskType) problems.push('a task rule needs a taskType');
    if (rule.minTier && !TIERS.includes(rule.minTier)) problems.push(`task rule "${rule.taskType}": minTier must be one of ${TIERS.join(', ')}`);
    if (rule.maxTier && !TIERS.includes(rule.maxTier)) problems.push(`task rule "${rule.taskType}": maxTier must be one of ${TIERS.join(', ')}`);
  }
  return problems;
}
