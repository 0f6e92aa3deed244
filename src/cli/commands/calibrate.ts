import { DEFAULT_CONFIG } from '../../core/config';
import { calibrate, CalibrationHistory, CalibrationRefusal, parseMix, scenarioOf, type CalibrationGoal, type CalibrationResult } from '../../core/stats/calibrate';
import { UsageError, type CliCommand } from '../runner';
import { historyOption, historyPath, openStore } from './historyOptions';
import { dialFlag } from './routerFlags';
import type { ScoreDistribution } from '../../core/routing/dial';

const USAGE =
  'calibrate --history FILE (--mix S,M,C | --monthly-budget USD | --objective signals | --cost-quality 0-10) [--json]   (thresholds fitted to the history, or the dial\'s on it, with their projected mix and monthly cost)';

function goalOf(values: Record<string, string | boolean | undefined>, scores: () => Promise<ScoreDistribution>): CalibrationGoal | Promise<CalibrationGoal> {
  const given = [values.mix, values['monthly-budget'], values.objective, values['cost-quality']].filter((v) => v !== undefined).length;
  if (given !== 1) throw new UsageError('give exactly one of --mix, --monthly-budget, --objective signals, --cost-quality');
  const dial = dialFlag(values['cost-quality']);
  if (dial !== undefined) return scores().then((s) => ({ kind: 'cost_quality', dial, scores: s }));
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

function text(result: CalibrationResult): string {
  const line = (label: string, t: CalibrationResult['thresholds'], p: CalibrationResult['projected']) =>
    `${label}simple < ${t.simple}, medium < ${t.medium}: ${pct(p.mix.simple)} / ${pct(p.mix.medium)} / ${pct(p.mix.complex)}, $${p.monthly_cost_usd} a month`;
  const lines = [
    line(result.objective === 'cost_quality' ? 'dial        ' : 'calibrated  ', result.thresholds, result.projected),
    line('current     ', result.current.thresholds, result.current.projected),
    `over ${result.projected.classifier_calls} classifier-routed calls (${result.projected.kept_calls} others kept as recorded) spanning ${result.projected.span_days} days`,
  ];
  if (result.signals) lines.push(`rests on ${result.signals.used} signals (${result.signals.thumbs_down} thumbs down, ${result.signals.next_tier} asked the next tier); ${result.signals.sent_higher} would go higher, ${result.signals.already_top} were already on the top tier`);
  return `${[...lines, ...result.notes].join('\n')}\n`;
}

export const calibrateCommand: CliCommand = {
  name: 'calibrate',
  usage: USAGE,
  options: { ...historyOption, mix: { type: 'string' }, 'cost-quality': { type: 'string' }, 'monthly-budget': { type: 'string' }, objective: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    let goal: CalibrationGoal;
    const path = historyPath(values, io.env);
    try {
      goal = await goalOf(values, () => openStore(path).complexityScores());
    } catch (error) {
      if (error instanceof CalibrationRefusal) throw new UsageError(error.message);
      throw error;
    }
    const history = new CalibrationHistory();
    for await (const { value } of openStore(path).records(undefined, { signals: true })) history.add(value);
    let result: CalibrationResult;
    try {
      result = calibrate(history, goal, scenarioOf(DEFAULT_CONFIG.policy), DEFAULT_CONFIG.models);
    } catch (error) {
      if (!(error instanceof CalibrationRefusal)) throw error;
      io.stderr.write(`qwen-router calibrate: ${error.message}\n`);
      return 1;
    }
    io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : text(result));
    return 0;
  },
};
