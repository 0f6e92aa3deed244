/** The stats view's classifier section (issue 10): precision in use and why, and the int8 self-check. */
import { formatString } from '../../protocol/common';
import type { BoundRow, ClassifierView, SelfCheckView, StatsStrings, WeightFormat } from '../../protocol/stats';
import { h } from '../shared/dom';
import { formatInteger, formatNumber, formatTime } from '../shared/format';

type Metric = (label: string, value: string, detail?: string, title?: string) => HTMLElement;

const percent = (x: number) => `${formatNumber(x * 100, 1)}%`;

function boundLabel(row: BoundRow, s: StatsStrings): string {
  if (row.key === 'tierAgreement') return s.boundTierAgreement;
  if (row.key === 'taskTypeAgreement') return s.boundTaskTypeAgreement;
  return s.boundMeanComplexityDelta;
}

function formatLabel(format: WeightFormat, s: StatsStrings): string {
  if (format === 'int8-7bit') return s.weightFormatInt8SevenBit;
  return format === 'uint8' ? s.weightFormatUint8 : s.weightFormatInt8;
}

/** Agreements as percentages, a mean |Δ| with four decimals. */
const boundValue = (row: BoundRow) => (row.key === 'meanComplexityDelta' ? formatNumber(row.measured, 4) : percent(row.measured));
const boundRequired = (row: BoundRow, s: StatsStrings) => formatString(row.kind === 'min' ? s.atLeast : s.atMost, row.key === 'meanComplexityDelta' ? formatNumber(row.bound, 4) : percent(row.bound));

function checkBlock(check: SelfCheckView, s: StatsStrings, metric: Metric): HTMLElement[] {
  const checkedAt = Date.parse(check.checkedAt);
  const verdict = check.passed ? s.selfCheckPassed : s.selfCheckFailed;
  const bounds = h('table', { className: 'self-check-bounds' }, [
    h('thead', {}, [h('tr', {}, [s.boundColumn, s.measuredColumn, s.requiredColumn].map((text) => h('th', { text, attrs: { scope: 'col' } })))]),
    h(
      'tbody',
      {},
      check.bounds.map((row) =>
        h('tr', { data: { bound: row.key, met: String(row.met) } }, [h('th', { text: boundLabel(row, s) }), h('td', { className: 'num', text: boundValue(row) }), h('td', { className: 'num', text: boundRequired(row, s) })]),
      ),
    ),
  ]);
  const scores = h('table', { className: 'self-check-scores' }, [
    h('thead', {}, [h('tr', {}, [s.scoreColumn, s.meanDeltaColumn, s.maxDeltaColumn].map((text) => h('th', { text, attrs: { scope: 'col' } })))]),
    h(
      'tbody',
      {},
      check.scores.map((row) => h('tr', { data: { score: row.field } }, [h('th', { text: row.field }), h('td', { className: 'num', text: formatNumber(row.mean, 4) }), h('td', { className: 'num', text: formatNumber(row.max, 4) })])),
    ),
  ]);
  const ran = formatString(s.selfCheckRan, Number.isFinite(checkedAt) ? formatTime(checkedAt) : check.checkedAt, formatInteger(check.prompts), check.modelDir);
  const sizes = formatString(s.selfCheckSizes, formatInteger(check.int8Bytes), check.fp32Bytes === null ? '—' : formatInteger(check.fp32Bytes));
  const stale = check.current ? [] : [h('p', { className: 'self-check-stale', text: s.selfCheckStale })];
  const rejected = check.rejected.map((r) => h('p', { className: 'muted self-check-rejected', data: { weightFormat: r.weightFormat }, text: formatString(s.selfCheckRejected, formatLabel(r.weightFormat, s), r.failures.join('; ')) }));
  return [
    h('div', { className: 'classifier-grid' }, [
      metric(s.selfCheck, verdict, ran),
      ...(check.weightFormat ? [metric(s.selfCheckWeightFormat, formatLabel(check.weightFormat, s))] : []),
      ...check.bounds.filter((row) => row.key !== 'meanComplexityDelta').map((row) => metric(boundLabel(row, s), boundValue(row), boundRequired(row, s))),
    ]),
    ...stale,
    ...rejected,
    ...check.failures.map((failure) => h('p', { className: 'self-check-failure', text: failure })),
    h('div', { className: 'self-check-tables' }, [bounds, scores]),
    h('p', { className: 'muted', text: sizes }),
    h('p', { className: 'muted', text: formatString(s.selfCheckThresholds, formatNumber(check.thresholds.simple, 2), formatNumber(check.thresholds.medium, 2)) }),
  ];
}

/** Fills the classifier section from the host's `classifier` message. */
export function renderClassifier(section: HTMLElement, view: ClassifierView, s: StatsStrings, metric: Metric): void {
  section.dataset.status = view.status;
  section.dataset.check = view.check ? (view.check.passed ? 'passed' : 'failed') : 'none';
  section.append(h('h3', { text: s.classifier }));
  if (view.status === 'missing') section.append(h('p', { className: 'muted', text: s.classifierMissing }));
  if (view.status === 'loading') section.append(h('p', { className: 'muted', text: s.classifierLoading }));
  if (view.status === 'failed') section.append(h('p', { className: 'self-check-failure', text: formatString(s.classifierFailed, view.reason ?? '') }));
  if (view.status === 'restarting') section.append(h('p', { className: 'muted', text: formatString(s.classifierRestarting, view.reason ?? '') }));
  if (view.status === 'ready' && view.precision) {
    section.append(
      h('div', { className: 'classifier-grid' }, [
        metric(s.classifierPrecision, formatString(s.classifierPrecisionValue, view.precision, view.setting), view.reason ?? undefined),
        metric(s.classifierModel, view.modelDir ?? '—'),
      ]),
    );
  }
  if (view.check) section.append(...checkBlock(view.check, s, metric));
  else if (view.modelDir) section.append(h('p', { className: 'muted self-check-none', text: s.selfCheckNone }));
}
