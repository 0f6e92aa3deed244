/**
 * The stats view's calibration (issue 12): the Calibrate control and the proposal with Apply in the
 * what-if, and the Evaluation section. The numbers all come from the host (the core's `calibrate`
 * and `evaluate`, the CLI's); this file only lays them out.
 */
import { formatString } from '../../protocol/common';
import type { CalibrationAsk, CalibrationMode, CalibrationResult, CalibrationView, EvaluationView, PolicyEvaluation, StatsStrings } from '../../protocol/stats';
import { button, h } from '../shared/dom';
import { formatInteger, formatNumber, formatUsd } from '../shared/format';

type Projection = CalibrationResult['projected'];
type ThresholdPair = CalibrationResult['thresholds'];
const TIERS = ['simple', 'medium', 'complex'] as const;

const percent = (share: number) => `${formatNumber(share * 100, 1)}%`;
const mixText = (p: Projection) => TIERS.map((tier) => percent(p.mix[tier])).join(' / ');
const thresholdsText = (s: StatsStrings, t: ThresholdPair) => formatString(s.thresholdsLine, String(t.simple), String(t.medium));

export function objectiveLabel(s: StatsStrings, objective: CalibrationResult['objective']): string {
  return objective === 'mix' ? s.objectiveMix : objective === 'monthly_budget' ? s.objectiveBudget : s.objectiveSignals;
}

/** The Calibrate row: a mode, its parameter, and the button. Signals are offered only when there are enough. */
export function calibrateControls(s: StatsStrings, ask: CalibrationAsk, signals: { signals: number; needed: number } | undefined): HTMLElement {
  const mode = h('select', { className: 'calibrate-mode', attrs: { 'aria-label': s.calibrateMode }, title: s.calibrateMode });
  const options: [CalibrationMode, string][] = [
    ['mix', s.calibrateMix],
    ['budget', s.calibrateBudget],
  ];
  const enough = signals !== undefined && signals.signals >= signals.needed;
  options.push(['signals', enough || !signals ? s.calibrateSignals : formatString(s.calibrateSignalsFew, formatInteger(signals.signals), formatInteger(signals.needed))]);
  for (const [value, text] of options) {
    const option = h('option', { text, attrs: { value } });
    if (value === 'signals' && !enough) option.disabled = true;
    mode.append(option);
  }
  mode.value = ask.mode === 'signals' && !enough ? 'mix' : ask.mode;
  const value = h('input', { className: 'calibrate-value', attrs: { type: 'text', 'aria-label': s.calibrateValue, placeholder: ask.mode === 'budget' ? '25' : '60,30,10' } });
  value.value = ask.value;
  const sync = () => {
    value.hidden = mode.value === 'signals';
    value.placeholder = mode.value === 'budget' ? '25' : '60,30,10';
  };
  mode.addEventListener('change', sync);
  sync();
  return h('div', { className: 'calibrate' }, [h('span', { className: 'muted', text: s.calibrateHint }), mode, value, button({ action: 'calibrate', iconName: 'wand', label: s.calibrate })]);
}

/** What the Calibrate row asks for now. */
export function currentAsk(root: HTMLElement): CalibrationAsk | undefined {
  const mode = root.querySelector<HTMLSelectElement>('select.calibrate-mode')?.value;
  const value = root.querySelector<HTMLInputElement>('input.calibrate-value')?.value ?? '';
  if (mode !== 'mix' && mode !== 'budget' && mode !== 'signals') return undefined;
  return { mode, value: mode === 'signals' ? '' : value.trim() };
}

function policyRow(label: string, t: ThresholdPair, p: Projection, s: StatsStrings, className: string): HTMLElement {
  return h('tr', { className }, [h('th', { text: label }), h('td', { text: thresholdsText(s, t) }), h('td', { className: 'num', text: mixText(p) }), h('td', { className: 'num', text: formatString(s.perMonth, formatUsd(p.monthly_cost_usd)) })]);
}

/** The proposal: proposed and current thresholds with their projected mix and monthly cost, then Apply. */
export function proposalCard(s: StatsStrings, view: CalibrationView): HTMLElement {
  const r = view.result;
  const table = h('table', { className: 'proposal-table' }, [
    h('thead', {}, [h('tr', {}, [h('th', { text: '' }), h('th', { text: s.thresholdsColumn }), h('th', { text: s.mixColumn }), h('th', { text: s.monthlyColumn })])]),
    h('tbody', {}, [policyRow(s.proposed, r.thresholds, r.projected, s, 'proposed'), policyRow(s.currentThresholds, r.current.thresholds, r.current.projected, s, 'current')]),
  ]);
  const notes = [...(r.signals ? [formatString(s.proposalSignals, formatInteger(r.signals.used), formatInteger(r.signals.sent_higher), formatInteger(r.signals.already_top))] : []), ...r.notes];
  return h('div', { className: 'proposal', data: { objective: r.objective } }, [
    h('h4', { text: formatString(s.proposal, objectiveLabel(s, r.objective)) }),
    table,
    ...notes.map((note) => h('p', { className: 'muted', text: note })),
    h('div', { className: 'proposal-actions' }, [button({ action: 'apply-thresholds', iconName: 'check', label: s.apply, title: s.applyTitle }), button({ action: 'dismiss-proposal', iconName: 'close', label: s.dismiss })]),
  ]);
}

const perTier = (policy: PolicyEvaluation, kind: 'thumbs_down' | 'thumbs_up' | 'escalated') => TIERS.map((tier) => formatInteger(policy.signals[tier][kind])).join(' / ');

/** The Evaluation section: one row per policy (mix, monthly cost, signals per tier), and how the bad calls move. */
export function renderEvaluation(section: HTMLElement, view: EvaluationView, s: StatsStrings): void {
  section.append(h('h3', { text: s.evaluation }), h('p', { className: 'muted', text: s.evaluationHint }));
  const evaluation = view.evaluation;
  if (!evaluation) {
    section.append(h('p', { className: 'muted evaluation-none', text: view.reason ?? '' }));
    return;
  }
  const row = (label: string, policy: PolicyEvaluation, className: string) =>
    h('tr', { className }, [
      h('th', { text: label }),
      h('td', { text: thresholdsText(s, policy.thresholds) }),
      h('td', { className: 'num', text: mixText(policy.projected) }),
      h('td', { className: 'num', text: formatUsd(policy.projected.monthly_cost_usd) }),
      h('td', { className: 'num', text: perTier(policy, 'thumbs_down') }),
      h('td', { className: 'num', text: perTier(policy, 'thumbs_up') }),
      h('td', { className: 'num', text: perTier(policy, 'escalated') }),
    ]);
  const head = [' ', s.thresholdsColumn, s.mixColumn, s.monthlyColumn, s.thumbsDownTiers, s.thumbsUpTiers, s.escalatedTiers].map((text) => h('th', { text }));
  const alternative = evaluation.alternative;
  section.append(
    h('div', { className: 'table-wrap' }, [
      h('table', { className: 'evaluation-table' }, [
        h('thead', {}, [h('tr', {}, head)]),
        h('tbody', {}, [row(s.currentThresholds, evaluation.current, 'current'), row(formatString(s.alternative, objectiveLabel(s, alternative.objective)), alternative, 'alternative')]),
      ]),
    ]),
    h('p', { className: 'evaluation-moved', text: formatString(s.evaluationMoved, formatInteger(evaluation.signals), formatInteger(alternative.bad_sent_higher), formatInteger(alternative.bad_sent_lower)) }),
    ...alternative.notes.map((note) => h('p', { className: 'muted', text: note })),
  );
}
