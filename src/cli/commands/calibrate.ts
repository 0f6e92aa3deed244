import { DEFAULT_CONFIG } from '../../core/config';
import type { ModelTable } from '../../core/models/table';
import { calibrate, CalibrationRefusal, parseMix, readCalibrationHistory, scenarioOf, type CalibrationGoal, type CalibrationHistory, type CalibrationResult } from '../../core/stats/calibrate';
import type { WhatIfScenario } from '../../core/stats/whatIf';
import { UsageError, type CliCommand, type CliIo } from '../runner';
import { historyOption, historyPath, openStore } from './historyOptions';
import { dialFlag } from './routerFlags';
import type { ScoreDistribution } from '../../core/routing/dial';

const USAGE =
  'calibrate --history FILE (--mix S,M,C | --monthly-budget USD | --objective signals | --cost-quality 0-10) [--json]   (thresholds fitted to the history, or the dial\'s on it, with their projected mix and monthly cost)';

/** The flags that name a calibration goal (calibrate and evaluate share them). */
export const goalOptions = { mix: { type: 'string' }, 'monthly-budget': { type: 'string' }, objective: { type: 'string' }, 'cost-quality': { type: 'string' } } as const;

/**
 * The goal the flags name; undefined when none is given and `optional` (evaluate's default). Bad
 * values are usage errors. `scores` reads the history's complexity scores, only for the dial.
 */
export async function goalOf(values: Record<string, string | boolean | undefined>, scores: () => Promise<ScoreDistribution>, optional = false): Promise<CalibrationGoal | undefined> {
  try {
    return await parseGoal(values, scores, optional);
  } catch (error) {
    if (error instanceof CalibrationRefusal) throw new UsageError(error.message);
    throw error;
  }
}

async function parseGoal(values: Record<string, string | boolean | undefined>, scores: () => Promise<ScoreDistribution>, optional: boolean): Promise<CalibrationGoal | undefined> {
  const given = [values.mix, values['monthly-budget'], values.objective, values['cost-quality']].filter((v) => v !== undefined).length;
  if (given === 0 && optional) return undefined;
  if (given !== 1) throw new UsageError(`give ${optional ? 'at most' : 'exactly'} one of --mix, --monthly-budget, --objective signals, --cost-quality`);
  const dial = dialFlag(values['cost-quality']);
  if (dial !== undefined) return { kind: 'cost_quality', dial, scores: await scores() };
  if (typeof values.mix === 'string') return { kind: 'mix', mix: parseMix(values.mix) };
  if (typeof values['monthly-budget'] === 'string') {
    const usd = Number(values['monthly-budget']);
    if (!values['monthly-budget'].trim() || !Number.isFinite(usd) || usd < 0) throw new UsageError(`--monthly-budget must be a non-negative number of USD; got "${values['monthly-budget']}"`);
    return { kind: 'budget', monthlyUsd: usd };
  }
  if (values.objective !== 'signals') throw new UsageError(`--objective takes "signals"; got "${String(values.objective)}"`);
  return { kind: 'signals' };
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

/** One policy on one line: its thresholds, its projected mix and monthly cost. */
export const line = (label: string, t: CalibrationResult['thresholds'], p: CalibrationResult['projected']) =>
  `${label}simple < ${t.simple}, medium < ${t.medium}: ${pct(p.mix.simple)} / ${pct(p.mix.medium)} / ${pct(p.mix.complex)}, $${p.monthly_cost_usd} a month`;

function text(result: CalibrationResult): string {
  const lines = [
    line(result.objective === 'cost_quality' ? 'dial        ' : 'calibrated  ', result.thresholds, result.projected),
    line('current     ', result.current.thresholds, result.current.projected),
    `over ${result.projected.classifier_calls} classifier-routed calls (${result.projected.kept_calls} others kept as recorded) spanning ${result.projected.span_days} days`,
  ];
  if (result.signals) lines.push(`rests on ${result.signals.used} signals (${result.signals.thumbs_down} thumbs down, ${result.signals.next_tier} asked the next tier); ${result.signals.sent_higher} would go higher, ${result.signals.already_top} were already on the top tier`);
  return `${[...lines, ...result.notes].join('\n')}\n`;
}

/**
 * Reads the history (signal lines included) and runs `compute` on it with the defaults the CLI has
 * (no settings file); a refusal is one line on stderr and exit 1. Shared by calibrate and evaluate.
 */
export async function runOnHistory<T>(
  name: string,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  compute: (history: CalibrationHistory, scenario: WhatIfScenario, models: ModelTable) => T,
  format: (result: T) => string,
  refusalPrefix = '',
): Promise<number> {
  const history = await readCalibrationHistory(openStore(historyPath(values, io.env)).records(undefined, { signals: true }));
  let result: T;
  try {
    result = compute(history, scenarioOf(DEFAULT_CONFIG.policy), DEFAULT_CONFIG.models);
  } catch (error) {
    if (!(error instanceof CalibrationRefusal)) throw error;
    io.stderr.write(`qwen-router ${name}: ${refusalPrefix}${error.message}\n`);
    return 1;
  }
  io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : format(result));
  return 0;
}

export const calibrateCommand: CliCommand = {
  name: 'calibrate',
  usage: USAGE,
  options: { ...historyOption, ...goalOptions, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const goal = (await goalOf(values, () => openStore(historyPath(values, io.env)).complexityScores()))!;
    return runOnHistory('calibrate', values, io, (history, scenario, models) => calibrate(history, goal, scenario, models), text);
  },
};
