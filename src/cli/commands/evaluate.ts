import { TIERS } from '../../core/routing/policy';
import { evaluate, type Evaluation, type PolicyEvaluation } from '../../core/stats/evaluate';
import type { CliCommand } from '../runner';
import { goalOf, goalOptions, line, runOnHistory } from './calibrate';
import { historyOption, historyPath, openStore } from './historyOptions';

const USAGE =
  'evaluate [--history FILE] [--mix S,M,C | --monthly-budget USD | --objective signals | --cost-quality 0-10] [--json]   (the current thresholds beside a calibrated alternative: mix, monthly cost, and where your 👍/👎 and re-asked calls fall; the alternative defaults to --objective signals)';

/** "👎 2 / 1 / 0": one kind of signal, per tier (simple / medium / complex). */
function perTier(policy: PolicyEvaluation, kind: 'thumbs_down' | 'thumbs_up' | 'escalated'): string {
  return TIERS.map((tier) => policy.signals[tier][kind]).join(' / ');
}

function text(evaluation: Evaluation): string {
  const { current, alternative } = evaluation;
  const signalLines = (label: string, policy: PolicyEvaluation) =>
    `${label}thumbs down ${perTier(policy, 'thumbs_down')}, thumbs up ${perTier(policy, 'thumbs_up')}, re-asked ${perTier(policy, 'escalated')}   (simple / medium / complex)`;
  const lines = [
    line('current      ', current.thresholds, current.projected),
    line(`alternative  `, alternative.thresholds, alternative.projected) + `   (${alternative.objective})`,
    signalLines('current      ', current),
    signalLines('alternative  ', alternative),
    `${evaluation.signals} thumbed-down or re-asked calls; the alternative sends ${alternative.bad_sent_higher} of them to a higher tier and ${alternative.bad_sent_lower} to a lower one`,
    `over ${current.projected.classifier_calls} classifier-routed calls (${current.projected.kept_calls} others kept as recorded) spanning ${current.projected.span_days} days`,
  ];
  return `${[...lines, ...alternative.notes].join('\n')}\n`;
}

export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  usage: USAGE,
  options: { ...historyOption, ...goalOptions, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const goal = await goalOf(values, () => openStore(historyPath(values, io.env)).complexityScores(), true);
    // With no goal named, a refusal is about the default alternative: say which one that is.
    const prefix = goal ? '' : 'With no --mix, --monthly-budget, --objective or --cost-quality, the alternative is --objective signals. ';
    return runOnHistory('evaluate', values, io, (history, scenario, models) => evaluate(history, { goal }, scenario, models), text, prefix);
  },
};
