/**
 * The stats panel (webview side): summary, charts drawn as plain SVG and CSS bars, percentiles,
 * fallback reasons, the what-if, and the raw records with paging, filters and a record's three
 * layers. Data comes from the host (`state`, `historyChanged`, and correlated request replies).
 */
import { dispatch, formatString, PendingRequests, type Handlers } from '../../protocol/common';
import {
  isStatsToWebview,
  NO_FILTER,
  recordStatus,
  type FilterOptions,
  type FirstPage,
  type HistoryStats,
  type RecordFilter,
  type RecordPage,
  type StatsRequests,
  type StatsState,
  type StatsStrings,
  type StatsToHost,
  type StatsToWebview,
  type Thresholds,
  type TierSignals,
  type WhatIfView,
  type CalibrationAsk,
  type CalibrationView,
  type EvaluationView,
} from '../../protocol/stats';
import { actionTarget, button, clear, h, handleActionClicks, icon } from '../shared/dom';
import { formatInteger, formatMs, formatNumber, formatTime, formatUsd } from '../shared/format';
import { channel } from '../shared/vscodeApi';
import { renderSpend, spendMetrics } from './spend';
import { calibrateControls, currentAsk, proposalCard, renderEvaluation } from './calibration';

const SVG = 'http://www.w3.org/2000/svg';
const PAGE_SIZE = 50;

const host = channel<StatsToHost, StatsToWebview>(isStatsToWebview);
const requests = new PendingRequests<StatsRequests>((message) => host.post(message), 'stats-', 120_000);
const app = document.getElementById('app') as HTMLElement;

let s: StatsStrings;
/** Null until the host has read the history (a `stats` message brings them). */
let stats: HistoryStats | null = null;
let filters: FilterOptions;
let filter: RecordFilter = { ...NO_FILTER };
/** The page shown; its total is null while the host is still counting (the first page of a cold history). */
let page: RecordPage | FirstPage = { total: 0, offset: 0, limit: PAGE_SIZE, records: [] };
let thresholds: Thresholds = { simple: 0.3, medium: 0.5 };
let settingsThresholds: Thresholds = { simple: 0.3, medium: 0.5 };
let whatIf: WhatIfView | undefined;
let selected: Record<string, unknown> | undefined;
let historyPath = '';
let updatedAt = 0;
let exportText = false;
let initialized = false;
/** The calibration shown in the what-if (from Calibrate here or Calibrate Thresholds… in the palette), until applied or dismissed. */
let proposal: CalibrationView | undefined;
/** What the Calibrate row asks for, and the alternative the Evaluation compares with (null: the signals objective). */
let calibrateAsk: CalibrationAsk = { mode: 'mix', value: '60,30,10' };
let evaluationAsk: CalibrationAsk | null = null;
let signalCounts: { signals: number; needed: number } | undefined;

// Sections, built once on the first state.
const sections = {
  header: h('header', { className: 'stats-header' }),
  summary: h('section', { className: 'summary-grid', attrs: { 'aria-label': 'summary' } }),
  charts: h('section', { className: 'charts-grid' }),
  details: h('section', { className: 'details-grid' }),
  whatIf: h('section', { className: 'card what-if' }),
  tiers: h('section', { className: 'card tier-signals', attrs: { hidden: '' } }),
  evaluation: h('section', { className: 'card evaluation', attrs: { hidden: '' } }),
  spend: h('section', { className: 'spend', attrs: { hidden: '' } }),
  records: h('section', { className: 'card records' }),
  footer: h('footer', { className: 'stats-footer' }),
};

// --- Small builders ---------------------------------------------------------------------------

const obj = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));

function tierLabel(tier: string): string {
  if (tier === 'simple') return s.tierSimple;
  if (tier === 'medium') return s.tierMedium;
  if (tier === 'complex') return s.tierComplex;
  return tier;
}

function card(title: string, body: Node[], className = ''): HTMLElement {
  return h('div', { className: `card ${className}`.trim() }, [h('h3', { text: title }), ...body]);
}

function metric(label: string, value: string, detail?: string, title?: string): HTMLElement {
  return h('div', { className: 'card metric', title }, [h('div', { className: 'metric-label', text: label }), h('div', { className: 'metric-value', text: value }), detail ? h('div', { className: 'metric-detail', text: detail }) : null]);
}

/** Horizontal bars (CSS widths set through the CSSOM, which the CSP allows). */
function hbars(entries: [string, number][], format: (value: number) => string = formatInteger, label: (key: string) => string = (k) => k, dataKey?: string): HTMLElement {
  if (entries.length === 0) return h('p', { className: 'muted', text: s.noData });
  const max = Math.max(...entries.map(([, v]) => v), 0) || 1;
  const total = entries.reduce((sum, [, v]) => sum + v, 0) || 1;
  const list = h('div', { className: 'hbars' });
  for (const [key, value] of entries) {
    const fill = h('div', { className: 'hbar-fill', data: dataKey ? { [dataKey]: key } : undefined });
    fill.style.width = `${Math.max(0.5, (value / max) * 100)}%`;
    list.append(
      h('div', { className: 'hbar', title: `${label(key)}: ${format(value)} (${formatNumber((value / total) * 100, 1)}%)` }, [
        h('div', { className: 'hbar-label', text: label(key) }),
        h('div', { className: 'hbar-track' }, [fill]),
        h('div', { className: 'hbar-value', text: format(value) }),
      ]),
    );
  }
  return list;
}

const sortedEntries = (map: Record<string, number> | undefined): [string, number][] => Object.entries(map ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  return element;
}

/** Vertical bars per day, as SVG; each bar has a <title> tooltip. */
function dayChart(days: [string, number][], format: (value: number) => string, kind: string): HTMLElement {
  if (days.length === 0) return h('p', { className: 'muted', text: s.noData });
  const width = 100;
  const height = 40;
  const max = Math.max(...days.map(([, v]) => v)) || 1;
  const slot = width / days.length;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', class: `day-chart ${kind}`, role: 'img' });
  days.forEach(([day, value], i) => {
    const barHeight = (value / max) * (height - 1);
    const rect = svg('rect', { x: i * slot + slot * 0.1, y: height - barHeight, width: slot * 0.8, height: Math.max(barHeight, value > 0 ? 0.4 : 0), class: 'bar' });
    const tip = svg('title', {});
    tip.textContent = `${day}: ${format(value)}`;
    rect.append(tip);
    chart.append(rect);
  });
  const axis = h('div', { className: 'day-axis' }, [h('span', { text: days[0][0] }), h('span', { text: `max ${format(max)}` }), h('span', { text: days[days.length - 1][0] })]);
  return h('div', { className: 'day-chart-wrap' }, [chart, axis]);
}

function select(options: [string, string][], value: string | null, onChange: (value: string | null) => void, label: string): HTMLSelectElement {
  const element = h('select', { attrs: { 'aria-label': label }, title: label });
  element.append(h('option', { text: `${label}: ${s.any}`, attrs: { value: '' } }));
  for (const [optionValue, text] of options) element.append(h('option', { text, attrs: { value: optionValue } }));
  element.value = value ?? '';
  element.addEventListener('change', () => onChange(element.value || null));
  return element;
}

// --- Sections ---------------------------------------------------------------------------------

function renderHeader(): void {
  clear(sections.header);
  const includeText = h('input', { attrs: { type: 'checkbox', id: 'include-text' } });
  includeText.checked = exportText;
  includeText.addEventListener('change', () => {
    exportText = includeText.checked;
  });
  sections.header.append(
    h('h1', { text: s.title }),
    h('span', { className: 'live muted', text: updatedAt ? formatString(s.live, formatTime(updatedAt)) : '' }),
    h('span', { className: 'spacer' }),
    h('label', { className: 'include-text', title: s.exportNote, attrs: { for: 'include-text' } }, [includeText, h('span', { text: s.includeText })]),
    button({ action: 'export-csv', iconName: 'export', label: s.exportCsv, title: s.exportNote }),
    button({ action: 'export-json', iconName: 'json', label: s.exportJson, title: s.exportNote }),
    button({ action: 'refresh', iconName: 'refresh', title: s.refresh }),
  );
}

/** The summary, charts and details wait for the stats: say so, and mark them busy. */
function pending(section: HTMLElement, message?: string): boolean {
  if (stats) {
    section.removeAttribute('aria-busy');
    return false;
  }
  section.setAttribute('aria-busy', 'true');
  if (message) section.append(h('p', { className: 'muted stats-pending', text: message }));
  return true;
}

function renderSummary(): void {
  clear(sections.summary);
  if (pending(sections.summary, s.readingHistory) || !stats) return;
  const top = stats.top_tier;
  sections.summary.append(
    metric(s.answeredCalls, formatInteger(stats.total_calls), formatString(s.answeredCallsDetail, formatInteger(stats.records), formatInteger(stats.failed_calls), formatInteger(stats.cancelled_calls))),
    metric(s.cost, formatUsd(stats.total_cost_usd), s.costNote, stats.cost?.note),
    metric(s.avgLatency, formatMs(stats.avg_latency_ms)),
    metric(s.avgRouting, formatMs(stats.avg_routing_ms)),
    top
      ? metric(formatString(s.topTier, top.model), formatUsd(top.cost_usd), formatString(s.topTierDetail, formatUsd(top.cost_usd), formatUsd(top.saved_usd)))
      : metric(formatString(s.topTier, '—'), '—', s.topTierNone),
    metric(s.tokens, formatInteger(stats.tokens?.total ?? 0), formatString(s.tokensDetail, formatInteger(stats.tokens?.input ?? 0), formatInteger(stats.tokens?.output ?? 0))),
    ...spendMetrics(stats, s, metric),
  );
}

function renderCharts(): void {
  clear(sections.charts);
  if (pending(sections.charts) || !stats) return;
  const byDay = Object.entries(stats.cost?.by_day ?? {}).sort((a, b) => a[0].localeCompare(b[0]));
  const tierEntries = sortedEntries(stats.tier_distribution).sort((a, b) => {
    const order = ['simple', 'medium', 'complex'];
    const ia = order.indexOf(a[0]);
    const ib = order.indexOf(b[0]);
    return (ia === -1 ? 9 : ia) - (ib === -1 ? 9 : ib);
  });
  sections.charts.append(
    card(s.callsPerDay, [dayChart(byDay.map(([day, v]) => [day, v.calls]), formatInteger, 'calls')], 'chart chart-calls'),
    card(s.costPerDay, [dayChart(byDay.map(([day, v]) => [day, v.cost_usd]), formatUsd, 'cost')], 'chart chart-cost'),
    card(s.tiers, [hbars(tierEntries, formatInteger, tierLabel, 'tier')], 'chart chart-tiers'),
    card(s.taskTypes, [hbars(sortedEntries(stats.task_type_distribution))], 'chart chart-tasks'),
    card(s.models, [hbars(sortedEntries(stats.model_distribution))], 'chart chart-models'),
    card(s.costByModel, [hbars(sortedEntries(stats.cost?.by_model), formatUsd)], 'chart chart-model-cost'),
  );
}

function renderDetails(): void {
  clear(sections.details);
  if (pending(sections.details) || !stats) return;
  const p = (value: number | null | undefined) => (value === null || value === undefined ? '—' : formatMs(value));
  const table = h('table', { className: 'percentiles' }, [
    h('thead', {}, [h('tr', {}, [h('th', { text: '' }), h('th', { text: s.p50 }), h('th', { text: s.p95 })])]),
    h('tbody', {}, [
      h('tr', {}, [h('th', { text: s.latency }), h('td', { text: p(stats.latency_ms?.p50) }), h('td', { text: p(stats.latency_ms?.p95) })]),
      h('tr', {}, [h('th', { text: s.routingTime }), h('td', { text: p(stats.routing_ms?.p50) }), h('td', { text: p(stats.routing_ms?.p95) })]),
      h('tr', {}, [h('th', { text: s.firstToken }), h('td', { text: p(stats.ttft_ms?.p50) }), h('td', { text: p(stats.ttft_ms?.p95) })]),
    ]),
  ]);
  sections.details.append(
    card(s.percentiles, [table], 'percentiles-card'),
    card(s.fallbackReasons, [hbars(sortedEntries(stats.fallback_reasons))], 'fallback-card'),
    card(s.routingMethods, [hbars(sortedEntries(stats.routing_methods))]),
    card(s.errorKinds, [hbars(sortedEntries(stats.error_kinds))]),
  );
}

// --- What-if ----------------------------------------------------------------------------------

let whatIfTimer: ReturnType<typeof setTimeout> | undefined;
let whatIfSeq = 0;

function requestWhatIf(delay = 60): void {
  clearTimeout(whatIfTimer);
  whatIfTimer = setTimeout(() => {
    const seq = ++whatIfSeq;
    requestTierSignals();
    requests.request('whatIf', { thresholds: { ...thresholds } }).then(
      (view) => {
        if (seq !== whatIfSeq) return; // a newer slider position is on its way
        whatIf = view;
        settingsThresholds = view.current;
        renderWhatIfResult();
      },
      (error: unknown) => showError(error),
    );
  }, delay);
}

let evaluationSeq = 0;

/** The Evaluation section: the current thresholds beside the alternative (host: core/stats/evaluate). */
function requestEvaluation(): void {
  const seq = ++evaluationSeq;
  requests.request('evaluate', { ask: evaluationAsk }).then(
    (view) => {
      if (seq !== evaluationSeq) return;
      showEvaluation(view);
    },
    (error: unknown) => showError(error),
  );
}

function showEvaluation(view: EvaluationView): void {
  const changed = signalCounts?.signals !== view.signals;
  signalCounts = { signals: view.signals, needed: view.needed };
  clear(sections.evaluation);
  sections.evaluation.hidden = false;
  renderEvaluation(sections.evaluation, view, s);
  // The Calibrate row offers the signals objective once there are enough of them.
  if (changed) renderCalibrate();
}

const calibrateRow = h('div', { className: 'calibrate-row' });
const proposalBox = h('div', { className: 'proposal-box' });

/** (Re)draws the Calibrate row; by default keeping what the user typed in it. */
function renderCalibrate(keepTyped = true): void {
  if (keepTyped) calibrateAsk = currentAsk(calibrateRow) ?? calibrateAsk;
  clear(calibrateRow);
  calibrateRow.append(calibrateControls(s, calibrateAsk, signalCounts));
}

function renderProposal(): void {
  clear(proposalBox);
  if (proposal) proposalBox.append(proposalCard(s, proposal));
}

/** A calibration to show: its thresholds go into the sliders, the what-if follows, Apply is offered. */
function showProposal(view: CalibrationView): void {
  proposal = view;
  calibrateAsk = { ...view.ask };
  evaluationAsk = { ...view.ask };
  thresholds = { ...view.result.thresholds };
  renderCalibrate(false);
  renderProposal();
  syncSliders();
  requestWhatIf(0);
  requestEvaluation();
  proposalBox.scrollIntoView({ block: 'nearest' });
}

function runCalibrate(): void {
  const ask = currentAsk(calibrateRow);
  if (!ask) return;
  calibrateAsk = ask;
  requests.request('calibrate', { ask }).then(showProposal, (error: unknown) => showError(error));
}

function applyProposal(): void {
  if (!proposal) return;
  requests.request('applyThresholds', { thresholds: { ...proposal.result.thresholds } }).then(
    (outcome) => {
      settingsThresholds = { ...outcome.thresholds };
      proposal = undefined;
      renderProposal();
      showInfo(outcome.message);
      requestWhatIf(0);
      requestEvaluation();
    },
    (error: unknown) => showError(error),
  );
}

let tierSeq = 0;

function requestTierSignals(): void {
  const seq = ++tierSeq;
  requests.request('tierSignals', {}).then(
    (view) => {
      if (seq === tierSeq) renderTierSignals(view);
    },
    (error: unknown) => showError(error),
  );
}

/** Per tier: calls, 👍, 👎, escalations (re-asked on the next tier), overrides (model picked by the user). */
function renderTierSignals(view: TierSignals): void {
  clear(sections.tiers);
  sections.tiers.hidden = false;
  const tierName: Record<string, string> = { simple: s.tierSimple, medium: s.tierMedium, complex: s.tierComplex, other: s.tierOther };
  const rows = view.rows.map((row) =>
    h('tr', { data: { tier: row.tier } }, [
      h('th', { text: tierName[row.tier] ?? row.tier }),
      ...[row.calls, row.thumbs_up, row.thumbs_down, row.escalations, row.overrides].map((n) => h('td', { text: formatInteger(n) })),
    ]),
  );
  const head = [s.tierColumn, s.callsColumn, s.thumbsUpColumn, s.thumbsDownColumn, s.escalationsColumn, s.overridesColumn].map((text) => h('th', { text }));
  sections.tiers.append(h('h3', { text: s.tierSignals }), h('p', { className: 'muted', text: s.tierSignalsHint }), h('table', { className: 'tier-signals-table' }, [h('thead', {}, [h('tr', {}, head)]), h('tbody', {}, rows)]));
}

function slider(which: keyof Thresholds, label: string): HTMLElement {
  const range = h('input', { className: `threshold-${which}`, attrs: { type: 'range', min: '0', max: '1', step: '0.01', 'aria-label': label } });
  range.value = String(thresholds[which]);
  const value = h('output', { className: 'threshold-value', text: formatNumber(thresholds[which], 2) });
  range.addEventListener('input', () => {
    const next = Number(range.value);
    thresholds = { ...thresholds, [which]: next };
    // Keep them in order: dragging one past the other pushes it along.
    if (thresholds.simple > thresholds.medium) thresholds = { simple: next, medium: next };
    syncSliders();
    requestWhatIf();
  });
  return h('label', { className: 'threshold' }, [h('span', { text: label }), range, value]);
}

function syncSliders(): void {
  for (const which of ['simple', 'medium'] as const) {
    const range = sections.whatIf.querySelector<HTMLInputElement>(`input.threshold-${which}`);
    const output = range?.parentElement?.querySelector('output');
    if (range && Number(range.value) !== thresholds[which]) range.value = String(thresholds[which]);
    if (output) output.textContent = formatNumber(thresholds[which], 2);
  }
}

const whatIfResult = h('div', { className: 'what-if-result' });

function renderWhatIf(): void {
  clear(sections.whatIf);
  sections.whatIf.append(
    h('h3', { text: s.whatIf }),
    h('p', { className: 'muted', text: s.whatIfHint }),
    h('div', { className: 'thresholds' }, [slider('simple', s.thresholdSimple), slider('medium', s.thresholdMedium), button({ action: 'reset-thresholds', iconName: 'discard', label: s.reset })]),
    calibrateRow,
    proposalBox,
    whatIfResult,
  );
  renderCalibrate();
  renderProposal();
  renderWhatIfResult();
}

function histogramChart(view: WhatIfView): SVGSVGElement {
  const { counts, binWidth } = view.histogram;
  const top = counts.length * binWidth;
  const width = 100;
  const height = 30;
  const max = Math.max(...counts, 1);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', class: 'histogram', role: 'img' });
  counts.forEach((count, i) => {
    const x0 = i * binWidth;
    const tier = x0 < thresholds.simple ? 'simple' : x0 < thresholds.medium ? 'medium' : 'complex';
    const barHeight = (count / max) * (height - 1);
    const rect = svg('rect', { x: (x0 / top) * width, y: height - barHeight, width: (binWidth / top) * width * 0.9, height: barHeight, class: `bar tier-${tier}` });
    const tip = svg('title', {});
    tip.textContent = `${formatNumber(x0, 2)}–${formatNumber(x0 + binWidth, 2)}: ${formatInteger(count)}`;
    rect.append(tip);
    chart.append(rect);
  });
  for (const [which, value] of Object.entries(thresholds)) {
    chart.append(svg('line', { x1: (value / top) * width, x2: (value / top) * width, y1: 0, y2: height, class: `threshold-line ${which}` }));
  }
  return chart;
}

function tierSplit(counts: Record<string, number>, label: string): HTMLElement {
  const total = Object.values(counts).reduce((a, b) => a + b, 0) || 1;
  const bar = h('div', { className: 'split-bar' });
  for (const tier of ['simple', 'medium', 'complex']) {
    const value = counts[tier] ?? 0;
    const part = h('div', { className: 'split-part', data: { tier }, title: `${tierLabel(tier)}: ${formatInteger(value)} (${formatNumber((value / total) * 100, 1)}%)` });
    part.style.width = `${(value / total) * 100}%`;
    if (value / total > 0.08) part.textContent = `${tierLabel(tier)} ${formatNumber((value / total) * 100, 0)}%`;
    bar.append(part);
  }
  return h('div', { className: 'split' }, [h('div', { className: 'split-label', text: label }), bar]);
}

function renderWhatIfResult(): void {
  clear(whatIfResult);
  if (!whatIf) {
    whatIfResult.append(h('p', { className: 'muted', text: s.loading }));
    return;
  }
  const r = whatIf.result;
  if (r.rerouted === 0) {
    whatIfResult.append(h('p', { className: 'muted', text: s.whatIfEmpty }));
    return;
  }
  whatIfResult.append(
    histogramChart(whatIf),
    tierSplit(r.recordedTiers, s.whatIfRecorded),
    tierSplit(r.tiers, s.whatIfScenario),
    h('p', { className: 'what-if-cost', text: formatString(s.whatIfCost, formatUsd(r.costUsd), formatUsd(r.recordedCostUsd)) }),
    h('p', { className: 'muted', text: formatString(s.whatIfChanged, formatInteger(r.changedTier), formatInteger(r.rerouted), formatInteger(r.kept)) }),
    r.unpriced ? h('p', { className: 'muted', text: formatString(s.whatIfUnpriced, formatInteger(r.unpriced)) }) : '',
  );
}

// --- Records ------------------------------------------------------------------------------------

const recordsBody = h('div', { className: 'records-body' });
const recordDetail = h('div', { className: 'record-detail' });
let pageSeq = 0;

function loadPage(offset: number): void {
  const seq = ++pageSeq;
  recordsBody.setAttribute('aria-busy', 'true');
  requests.request('getPage', { offset, limit: PAGE_SIZE, filter: { ...filter } }).then(
    (result) => {
      if (seq !== pageSeq) return;
      page = result;
      selected = undefined;
      renderRecordsBody();
    },
    (error: unknown) => showError(error),
  );
}

function setFilter(change: Partial<RecordFilter>): void {
  filter = { ...filter, ...change };
  loadPage(0);
}

let textTimer: ReturnType<typeof setTimeout> | undefined;
/** The tier, model and method choices shown now (they grow when the stats arrive). */
const filterSelects = h('span', { className: 'filter-selects' });
let shownFilters = '';

function renderFilterSelects(): void {
  shownFilters = JSON.stringify(filters);
  clear(filterSelects);
  filterSelects.append(
    select(filters.tiers.map((t) => [t, tierLabel(t)]), filter.tier, (tier) => setFilter({ tier }), s.filterTier),
    select(filters.models.map((m) => [m, m]), filter.model, (model) => setFilter({ model }), s.filterModel),
    select(filters.methods.map((m) => [m, m]), filter.method, (method) => setFilter({ method }), s.filterMethod),
  );
}

/** New choices (from fresh stats) replace the selects; the search box and the reader's place stay. */
function updateFilterSelects(): void {
  if (JSON.stringify(filters) !== shownFilters) renderFilterSelects();
}

function renderRecords(): void {
  clear(sections.records);
  const text = h('input', { className: 'filter-text', attrs: { type: 'search', placeholder: s.filterText, 'aria-label': s.filterText } });
  text.value = filter.text ?? '';
  text.addEventListener('input', () => {
    clearTimeout(textTimer);
    textTimer = setTimeout(() => setFilter({ text: text.value.trim() || null }), 250);
  });
  renderFilterSelects();
  const filtersRow = h('div', { className: 'filters' }, [
    icon('filter'),
    filterSelects,
    select([['ok', s.statusOk], ['failed', s.statusFailed], ['cancelled', s.statusCancelled]], filter.status, (status) => setFilter({ status: status === 'ok' || status === 'failed' || status === 'cancelled' ? status : null }), s.filterStatus),
    text,
    button({ action: 'clear-filters', iconName: 'clear-all', label: s.clearFilters }),
  ]);
  sections.records.append(h('h3', { text: s.records }), filtersRow, recordsBody, recordDetail);
  renderRecordsBody();
}

function promptOf(record: Record<string, unknown>): string {
  const routing = obj(record.routing);
  if (typeof routing.query === 'string') return routing.query;
  const messages = obj(record.request).messages;
  if (Array.isArray(messages) && messages.length) {
    const last = obj(messages[messages.length - 1]);
    if (typeof last.content === 'string') return last.content;
  }
  return s.textLeftOut;
}

function renderRecordsBody(): void {
  clear(recordsBody);
  recordsBody.removeAttribute('aria-busy');
  if (page.records.length === 0) {
    recordsBody.append(h('p', { className: 'muted', text: s.noRecords }));
    renderDetail();
    return;
  }
  const head = h('tr', {}, [s.columnTime, s.columnTier, s.columnModel, s.columnTask, s.columnMethod, s.columnLatency, s.columnTokens, s.columnCost, s.columnPrompt].map((title) => h('th', { text: title, attrs: { scope: 'col' } })));
  const body = h('tbody');
  page.records.forEach((record, index) => {
    const routing = obj(record.routing);
    const llm = obj(record.llm);
    const timestamp = num(record.timestamp);
    const status = recordStatus(record);
    const row = h('tr', { className: `record-row status-${status}`, data: { action: 'select-record', index: String(index) }, attrs: { tabindex: '0' } }, [
      h('td', { text: timestamp !== undefined ? formatTime(timestamp * 1000) : '' }),
      h('td', {}, [routing.tier ? h('span', { className: 'tier-pill', text: tierLabel(str(routing.tier)), data: { tier: str(routing.tier) } }) : '']),
      h('td', { text: str(llm.model) }),
      h('td', { text: str(routing.task_type) }),
      h('td', { text: str(routing.method) }),
      h('td', { className: 'num', text: num(llm.llm_latency_ms) !== undefined ? formatMs(num(llm.llm_latency_ms) ?? 0) : '' }),
      h('td', { className: 'num', text: `${formatInteger(num(llm.input_tokens) ?? 0)} / ${formatInteger(num(llm.output_tokens) ?? 0)}` }),
      h('td', { className: 'num', text: formatUsd(num(llm.cost_usd) ?? 0) }),
      h('td', { className: 'prompt-cell', text: promptOf(record).slice(0, 160) }),
    ]);
    if (status !== 'ok') row.title = status === 'failed' ? `${s.statusFailed}: ${str(obj(record.error).message)}` : s.statusCancelled;
    if (record === selected) row.classList.add('selected');
    body.append(row);
  });
  const first = page.offset + 1;
  const last = page.offset + page.records.length;
  // Until the host has counted the records, the range alone (and Next while the page is full).
  const info = page.total === null ? formatString(s.pageRange, formatInteger(first), formatInteger(last)) : formatString(s.pageOf, formatInteger(first), formatInteger(last), formatInteger(page.total));
  const pager = h('div', { className: 'pager' }, [
    button({ action: 'page-prev', iconName: 'chevron-left', label: s.previous }),
    h('span', { className: 'page-info', text: info }),
    button({ action: 'page-next', iconName: 'chevron-right', label: s.next }),
  ]);
  const prev = pager.querySelector<HTMLButtonElement>('[data-action="page-prev"]');
  const next = pager.querySelector<HTMLButtonElement>('[data-action="page-next"]');
  if (prev) prev.disabled = page.offset === 0;
  if (next) next.disabled = page.total === null ? page.records.length < page.limit : last >= page.total;
  recordsBody.append(h('div', { className: 'table-wrap' }, [h('table', { className: 'records-table' }, [h('thead', {}, [head]), body])]), pager);
  renderDetail();
}

function layer(title: string, value: unknown): HTMLElement {
  return h('details', { className: 'layer', attrs: { open: '' } }, [h('summary', { text: title }), h('pre', { className: 'json', text: JSON.stringify(value, null, 2) ?? 'null' })]);
}

function renderDetail(): void {
  clear(recordDetail);
  recordDetail.hidden = !selected;
  if (!selected) return;
  const { request, routing, llm, ...rest } = selected;
  recordDetail.append(
    h('div', { className: 'detail-header' }, [
      h('h4', { text: formatTime((num(selected.timestamp) ?? 0) * 1000) }),
      h('span', { className: 'spacer' }),
      button({ action: 'copy-record', iconName: 'copy', label: s.copyJson }),
      button({ action: 'close-record', iconName: 'close', title: s.close }),
    ]),
    layer(s.layerRequest, request),
    layer(s.layerRouting, routing),
    layer(s.layerLlm, llm),
    layer(s.layerOther, rest),
  );
}

// --- Errors, actions, messages -----------------------------------------------------------------

const errorBar = h('div', { className: 'error-bar', attrs: { role: 'alert' } });

function showError(error: unknown): void {
  errorBar.hidden = false;
  errorBar.classList.remove('info');
  errorBar.textContent = formatString(s.error, error instanceof Error ? error.message : String(error));
}

function showInfo(text: string): void {
  errorBar.hidden = false;
  errorBar.classList.add('info');
  errorBar.textContent = text;
}

function renderFooter(): void {
  clear(sections.footer);
  sections.footer.append(
    h('span', { className: 'muted', text: historyPath }),
    stats?.skipped_lines ? h('span', { className: 'muted', text: ` · ${formatString(s.skippedLines, formatInteger(stats.skipped_lines))}` }) : '',
  );
}

function exportAs(format: 'csv' | 'json'): void {
  requests.request('export', { format, includeText: exportText }).then(
    (outcome) => {
      if (outcome.path) showInfo(formatString(s.exported, formatInteger(outcome.records), outcome.path));
    },
    (error: unknown) => showError(error),
  );
}

const clickActions: Record<string, (target: HTMLElement) => void> = {
  refresh: () => host.post({ type: 'refresh' }),
  'export-csv': () => exportAs('csv'),
  'export-json': () => exportAs('json'),
  'reset-thresholds': () => {
    thresholds = { ...settingsThresholds };
    syncSliders();
    requestWhatIf(0);
  },
  calibrate: () => runCalibrate(),
  'apply-thresholds': () => applyProposal(),
  'dismiss-proposal': () => {
    proposal = undefined;
    renderProposal();
  },
  'clear-filters': () => {
    filter = { ...NO_FILTER };
    renderRecords();
    loadPage(0);
  },
  'page-prev': () => loadPage(Math.max(0, page.offset - PAGE_SIZE)),
  'page-next': () => loadPage(page.offset + PAGE_SIZE),
  'select-record': (target) => {
    const index = Number(target.dataset.index);
    selected = page.records[index];
    for (const row of Array.from(recordsBody.querySelectorAll('tr.selected'))) row.classList.remove('selected');
    target.classList.add('selected');
    renderDetail();
    recordDetail.scrollIntoView({ block: 'nearest' });
  },
  'copy-record': () => {
    if (selected) host.post({ type: 'copy', text: JSON.stringify(selected, null, 2) });
  },
  'close-record': () => {
    selected = undefined;
    renderRecordsBody();
  },
};

handleActionClicks(app, clickActions);

app.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  const target = actionTarget(event, app);
  if (target?.dataset.action === 'select-record') {
    event.preventDefault();
    clickActions['select-record'](target);
  }
});

function applyState(state: StatsState): void {
  const first = !initialized;
  initialized = true;
  s = state.strings;
  stats = state.stats;
  filters = state.filters;
  page = state.page;
  historyPath = state.historyPath;
  updatedAt = state.updatedAt;
  if (first) {
    thresholds = { ...state.thresholds };
    document.title = s.title;
    clear(app);
    errorBar.hidden = true;
    app.append(sections.header, errorBar, sections.summary, sections.spend, sections.charts, sections.details, sections.tiers, sections.whatIf, sections.evaluation, sections.records, sections.footer);
    app.removeAttribute('aria-busy');
  } else {
    filter = { ...NO_FILTER };
  }
  settingsThresholds = { ...state.thresholds };
  selected = undefined;
  renderHeader();
  renderSummary();
  renderCharts();
  renderDetails();
  renderWhatIf();
  renderRecords();
  renderFooter();
  if (state.error) showError(state.error);
  else if (!errorBar.classList.contains('info')) errorBar.hidden = true;
  // The what-if needs a scan of the history: ask for it after the first paint, and once the host
  // has read the history (so the two scans do not compete).
  if (stats) {
    requestWhatIf(first ? 0 : 60);
    requestEvaluation();
  }
}

/** Takes new stats and redraws everything that shows them. */
function showStats(next: HistoryStats, nextFilters: FilterOptions, at: number): void {
  stats = next;
  filters = nextFilters;
  updatedAt = at;
  renderHeader();
  renderSummary();
  renderCharts();
  renderDetails();
  renderFooter();
  updateFilterSelects();
}

function applyStats(next: HistoryStats, nextFilters: FilterOptions, at: number, error: string | null): void {
  showStats(next, nextFilters, at);
  // The first page's total was not known: it is every record (the state's page is unfiltered).
  if (page.total === null) {
    page = { ...page, total: next.records };
    renderRecordsBody();
  }
  if (error) showError(error);
  requestWhatIf(0);
  requestEvaluation();
}

const handlers: Handlers<StatsToWebview> = {
  state: (message) => applyState(message.state),
  stats: (message) => {
    if (initialized) applyStats(message.stats, message.filters, message.updatedAt, message.error);
  },
  response: (message) => {
    requests.settle(message);
  },
  spend: (message) => {
    if (!initialized) return;
    clear(sections.spend);
    sections.spend.hidden = false;
    renderSpend(sections.spend, message.spend, s, { metric, card, hbars, dayChart });
  },
  historyChanged: (message) => {
    if (!initialized) return;
    const hadStats = stats !== null;
    showStats(message.stats, message.filters, message.updatedAt);
    // New records arrive at the top: refresh the first page; keep the reader's place otherwise.
    if (page.offset === 0 && !selected) loadPage(0);
    if (whatIf || !hadStats) requestWhatIf();
    requestEvaluation();
  },
  proposal: (message) => {
    if (initialized) showProposal(message.proposal);
  },
};

host.listen((message) => dispatch(handlers, message));
window.addEventListener('unload', () => requests.dispose());
host.post({ type: 'ready' });
