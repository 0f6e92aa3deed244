/**
 * Thinking as a routing decision (qwenRouter.routing.thinking, CLI --thinking): whether a call is
 * sent with DashScope's `enable_thinking`, and with what `thinking_budget`. Pure; the reasons for
 * the numbers are in docs/routing.md.
 */
import type { ClassifierResult } from '../classifier/result';
import type { ModelSpec } from '../models/table';

/**
 * auto: decided per call from the classifier's scores; on / off: always (on models that take the
 * switch); model-default: nothing is sent, the provider's default applies (the behaviour before
 * this setting).
 */
export type ThinkingMode = 'auto' | 'on' | 'off' | 'model-default';
export const THINKING_MODES: readonly ThinkingMode[] = ['auto', 'on', 'off', 'model-default'];
export const DEFAULT_THINKING_MODE: ThinkingMode = 'auto';

/** The classifier's reasoning score (0..1, the reasoning head's probability) from which any prompt is thought through. */
export const THINKING_REASONING_MIN = 0.6;
/** Task types where a step-by-step plan pays off, thought through from a lower reasoning score. */
export const THINKING_TASKS: readonly string[] = ['Code Generation', 'Closed QA', 'Open QA'];
/** The reasoning score from which prompts of THINKING_TASKS are thought through. */
export const THINKING_TASK_REASONING_MIN = 0.3;
/** thinking_budget (tokens) at complexity THINKING_BUDGET_LOW_SCORE and below... */
export const THINKING_BUDGET_MIN = 1024;
/** ...rising linearly to this at THINKING_BUDGET_HIGH_SCORE and above (rounded to 256 tokens). */
export const THINKING_BUDGET_MAX = 8192;
export const THINKING_BUDGET_LOW_SCORE = 0.3;
export const THINKING_BUDGET_HIGH_SCORE = 0.7;

/** What was decided. `enabled` undefined: nothing is sent (model-default, or a model without the switch). */
export interface ThinkingDecision {
  enabled?: boolean;
  /** thinking_budget in tokens, sent only with enabled: true. */
  budget?: number;
  reason: string;
}

export function isThinkingMode(value: unknown): value is ThinkingMode {
  return typeof value === 'string' && (THINKING_MODES as readonly string[]).includes(value);
}

/** The thinking budget for a complexity score: more room to think for harder prompts. */
export function thinkingBudgetFor(complexity: number): number {
  const span = THINKING_BUDGET_HIGH_SCORE - THINKING_BUDGET_LOW_SCORE;
  const t = Math.min(1, Math.max(0, (complexity - THINKING_BUDGET_LOW_SCORE) / span));
  return Math.round((THINKING_BUDGET_MIN + t * (THINKING_BUDGET_MAX - THINKING_BUDGET_MIN)) / 256) * 256;
}

/**
 * The decision for one call on `spec`. `scores` is the classifier's verdict, undefined when routing
 * had none (fallback by length, a model the user named, a kept route): auto then turns thinking off.
 */
export function decideThinking(mode: ThinkingMode, spec: ModelSpec | undefined, scores?: Pick<ClassifierResult, 'reasoning' | 'task_type_1' | 'prompt_complexity_score'>): ThinkingDecision {
  if (mode === 'model-default') return { reason: "the model's default (nothing sent)" };
  // A model marked without the switch never gets it; an unmarked one (a custom endpoint) gets what
  // the user asked for explicitly, never an automatic "on".
  if (spec?.supportsThinking === false) return { reason: 'the model does not support thinking' };
  if (mode === 'on') return { enabled: true, reason: 'thinking setting: on' };
  if (mode === 'off') return { enabled: false, reason: 'thinking setting: off' };
  if (spec?.supportsThinking !== true) return { reason: 'the model is not marked as supporting thinking' };
  if (!scores) return { enabled: false, reason: 'auto: no classifier scores for this call' };
  const { reasoning, task_type_1: task, prompt_complexity_score: complexity } = scores;
  if (reasoning >= THINKING_REASONING_MIN) return { enabled: true, budget: thinkingBudgetFor(complexity), reason: `auto: reasoning ${reasoning} >= ${THINKING_REASONING_MIN}` };
  if (THINKING_TASKS.includes(task) && reasoning >= THINKING_TASK_REASONING_MIN) return { enabled: true, budget: thinkingBudgetFor(complexity), reason: `auto: ${task} with reasoning ${reasoning} >= ${THINKING_TASK_REASONING_MIN}` };
  return { enabled: false, reason: `auto: reasoning ${reasoning} is below ${THINKING_TASKS.includes(task) ? THINKING_TASK_REASONING_MIN : THINKING_REASONING_MIN}` };
}

/** The record's form: routing.thinking. */
export function thinkingField(decision: ThinkingDecision): { enabled: boolean | null; budget?: number; reason: string } {
  return { enabled: decision.enabled ?? null, ...(decision.budget !== undefined ? { budget: decision.budget } : {}), reason: decision.reason };
}
