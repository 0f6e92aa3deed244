/**
 * Evaluation on the user's own traffic (issue 12): the current thresholds beside a calibrated
 * alternative, each with its tier mix, its projected monthly cost, and how the user's signals fall
 * under it. Pure (no `vscode`, no I/O).
 *
 * The projections are calibration's (`calibrate` and `project`: the what-if's re-pricing, scaled to
 * 30 days by the span of the history), so an evaluation and a `calibrate` of the same history and
 * goal print the same thresholds, mix and cost. A signalled call sits, under each policy, on the tier
 * the what-if would route it to (score cut by the thresholds, then task rules and the context window).
 */
import type { ModelTable } from '../models/table';
import { TIERS, type Thresholds, type Tier } from '../routing/policy';
import { badSignalCount, calibrate, isBadSignal, MIN_SIGNALS, signalledCalls, tooFewSignals, type CalibrationGoal, type CalibrationHistory, type CalibrationResult, type Projection, type SignalledCall } from './calibrate';
import { tierUnder, type WhatIfScenario } from './whatIf';

/** The signalled calls on one tier under a policy. */
export interface TierSignalCounts {
  thumbs_down: number;
  thumbs_up: number;
  /** Re-asked on the next tier ("Ask the next tier instead"). */
  escalated: number;
}

export interface PolicyEvaluation {
  thresholds: Thresholds;
  projected: Projection;
  signals: Record<Tier, TierSignalCounts>;
}

export interface AlternativeEvaluation extends PolicyEvaluation {
  objective: CalibrationResult['objective'];
  /** Thumbed-down or re-asked calls the alternative puts on a higher tier than the current thresholds do... */
  bad_sent_higher: number;
  /** ...and on a lower one. */
  bad_sent_lower: number;
  notes: string[];
}

export interface Evaluation {
  current: PolicyEvaluation;
  alternative: AlternativeEvaluation;
  /** Thumbed-down or re-asked calls routed by the classifier: what the signals objective rests on. */
  signals: number;
}

/**
 * Which alternative: `goal` when given; else the signals objective when the history has enough
 * signals; else `fallback`; else a refusal saying how many signals there are.
 */
export interface AlternativeChoice {
  goal?: CalibrationGoal;
  fallback?: CalibrationGoal;
}

/** The goal `evaluate` would use for this choice, and the signal count it decided on. */
export function alternativeGoal(history: CalibrationHistory, choice: AlternativeChoice, scenario: WhatIfScenario, models: ModelTable): { goal: CalibrationGoal; signals: number } {
  const signals = badSignalCount(history, scenario, models);
  const goal = choice.goal ?? (signals >= MIN_SIGNALS ? { kind: 'signals' as const } : choice.fallback);
  if (!goal) throw tooFewSignals(signals);
  return { goal, signals };
}

function signalsUnder(calls: readonly SignalledCall[], thresholds: Thresholds): Record<Tier, TierSignalCounts> {
  const rows = Object.fromEntries(TIERS.map((tier) => [tier, { thumbs_down: 0, thumbs_up: 0, escalated: 0 }])) as Record<Tier, TierSignalCounts>;
  for (const { call, kinds } of calls) {
    const row = rows[tierUnder(call, thresholds)];
    if (kinds.has('thumbs_down')) row.thumbs_down += 1;
    if (kinds.has('thumbs_up')) row.thumbs_up += 1;
    if (kinds.has('next_tier')) row.escalated += 1;
  }
  return rows;
}

/** The current thresholds (`scenario.thresholds`) and a calibrated alternative, side by side. */
export function evaluate(history: CalibrationHistory, choice: AlternativeChoice, scenario: WhatIfScenario, models: ModelTable): Evaluation {
  const { goal, signals } = alternativeGoal(history, choice, scenario, models);
  const calibrated = calibrate(history, goal, scenario, models);
  const base = { taskRules: scenario.taskRules, tierModels: scenario.tierModels };
  const signalled = signalledCalls(history, history.points.scoredCalls(base, models).calls);
  const rank = (tier: Tier) => TIERS.indexOf(tier);
  let higher = 0;
  let lower = 0;
  for (const { call, kinds } of signalled) {
    if (!isBadSignal(kinds)) continue;
    const move = rank(tierUnder(call, calibrated.thresholds)) - rank(tierUnder(call, scenario.thresholds));
    if (move > 0) higher += 1;
    if (move < 0) lower += 1;
  }
  return {
    current: { thresholds: calibrated.current.thresholds, projected: calibrated.current.projected, signals: signalsUnder(signalled, scenario.thresholds) },
    alternative: {
      objective: calibrated.objective,
      thresholds: calibrated.thresholds,
      projected: calibrated.projected,
      signals: signalsUnder(signalled, calibrated.thresholds),
      bad_sent_higher: higher,
      bad_sent_lower: lower,
      notes: calibrated.notes,
    },
    signals,
  };
}
