/**
 * The stats panel's message protocol, shared by the host (src/vscode/statsPanel.ts) and the webview
 * (src/webview/stats/main.ts).
 *
 * Handshake: the webview posts `ready`; the host answers with `state` (stats, the first page of
 * records, the current thresholds, localized strings). On a history the host has not read yet (the
 * first scan of a large file takes seconds), `state` comes at once with `stats: null` and the newest
 * records (their total not known yet), and a `stats` message follows when the scan is done; the
 * webview shows the records meanwhile and fills in the summary and charts then. Pages, the what-if
 * and exports are requests with correlated responses. When a call completes the host posts
 * `historyChanged` with fresh stats, and the webview refreshes what it shows.
 */
import type { ClassifierView } from '../core/classifier/selfCheckView';
import type { Thresholds } from '../core/routing/policy';
import type { HistoryStats } from '../core/stats/accumulator';
import type { TierSignals } from '../core/stats/tierSignals';
import type { CalibrationResult } from '../core/stats/calibrate';
import type { Evaluation } from '../core/stats/evaluate';
import type { ScoreHistogram, WhatIfResult } from '../core/stats/whatIf';
import {
  arrayOf,
  boundedString,
  isBoolean,
  isFiniteNumber,
  isObject,
  isString,
  literal,
  nullable,
  requestGuard,
  responseGuard,
  shape,
  stringsGuard,
  trustedObject,
  unionGuard,
  type Check,
  type Localized,
  type RequestChecks,
  type RequestMessage,
  type ResponseMessage,
} from './common';

export type { Thresholds } from '../core/routing/policy';
export type { HistoryStats } from '../core/stats/accumulator';
export type { ScoreHistogram, WhatIfResult } from '../core/stats/whatIf';
export type { TierSignals, TierSignalRow } from '../core/stats/tierSignals';
export type { BoundRow, ClassifierView, SelfCheckView } from '../core/classifier/selfCheckView';
export type { WeightFormat } from '../core/classifier/quantize/quantizer';
export type { CalibrationResult } from '../core/stats/calibrate';
export type { Evaluation, PolicyEvaluation } from '../core/stats/evaluate';

export const MAX_PAGE_SIZE = 500;

export type RecordStatus = 'ok' | 'failed' | 'cancelled';

/** Filters on the raw records; null means "any". */
export interface RecordFilter {
  tier: string | null;
  model: string | null;
  method: string | null;
  status: RecordStatus | null;
  /** Case-insensitive substring of the prompt, the answer, the error or the task type. */
  text: string | null;
}

export const NO_FILTER: RecordFilter = { tier: null, model: null, method: null, status: null, text: null };

export interface RecordQuery {
  offset: number;
  limit: number;
  filter: RecordFilter;
}

/** A page of raw records, newest first, each exactly as stored. */
export interface RecordPage {
  /** Records matching the filter. */
  total: number;
  offset: number;
  limit: number;
  records: Record<string, unknown>[];
}

export interface WhatIfView {
  result: WhatIfResult;
  histogram: ScoreHistogram;
  /** The thresholds in the settings now, to compare with. */
  current: Thresholds;
}

/** The three ways to calibrate (core/stats/calibrate): a tier mix, a monthly budget, the user's signals. */
export type CalibrationMode = 'mix' | 'budget' | 'signals';

/** A calibration as the user asked for it: the mode and its parameter as typed ("60,30,10", "25"; empty for signals). */
export interface CalibrationAsk {
  mode: CalibrationMode;
  value: string;
}

/** A calibrated proposal for the what-if: the thresholds, their projection and the current ones' (what `calibrate --json` prints). */
export interface CalibrationView {
  ask: CalibrationAsk;
  result: CalibrationResult;
}

/** The Evaluation section: the current thresholds beside an alternative, or why there is none yet. */
export interface EvaluationView {
  evaluation: Evaluation | null;
  /** Why there is no evaluation (localized), or null. */
  reason: string | null;
  /** Thumbed-down or re-asked classifier-routed calls, and how many the signals objective needs. */
  signals: number;
  needed: number;
}

/** What Apply did: where it wrote the thresholds, in a sentence, and whether a workspace value overrides them. */
export interface ApplyOutcome {
  message: string;
  overridden: boolean;
  /** The thresholds the router uses now. */
  thresholds: Thresholds;
}

export type ExportFormat = 'csv' | 'json';

export interface ExportOutcome {
  /** Where the file was saved; null when the user cancelled the dialog. */
  path: string | null;
  records: number;
}

export interface FilterOptions {
  tiers: string[];
  models: string[];
  methods: string[];
}

/** Every string the stats webview shows, in English. The host sends them localized in `state`. */
export const STATS_STRINGS = {
  title: 'Qwen Router Stats',
  refresh: 'Refresh',
  summary: 'Summary',
  /** Counts what the average latency and the cost are over: the successful calls (the old service's "total_calls"). */
  answeredCalls: 'Answered calls',
  answeredCallsDetail: '{0} calls in all · {1} failed · {2} cancelled',
  cost: 'Cost (estimate)',
  costNote: 'Estimated from a dated list-price table, not a bill.',
  avgLatency: 'Average latency',
  avgRouting: 'Average routing time',
  topTier: 'On the top tier ({0})',
  topTierDetail: 'the same calls would have cost {0}; routing saved {1}',
  topTierNone: 'No top-tier price to compare with.',
  tokens: 'Tokens',
  tokensDetail: '{0} in · {1} out',
  charts: 'Charts',
  callsPerDay: 'Calls per day',
  costPerDay: 'Cost per day',
  tiers: 'Tiers',
  taskTypes: 'Task types',
  models: 'Models',
  costByModel: 'Cost by model',
  percentiles: 'Percentiles',
  latency: 'Latency',
  routingTime: 'Routing time',
  firstToken: 'Time to first token',
  p50: 'p50',
  p95: 'p95',
  fallbackReasons: 'Fallback reasons',
  routingMethods: 'Routing methods',
  errorKinds: 'Errors',
  noData: 'No data yet.',
  readingHistory: 'Reading the history for the summary and charts…',
  pageRange: '{0}–{1}',
  records: 'Records',
  recordsCount: '{0} records',
  skippedLines: '{0} unreadable lines skipped',
  filterTier: 'Tier',
  filterModel: 'Model',
  filterMethod: 'Method',
  filterStatus: 'Status',
  filterText: 'Search text',
  any: 'Any',
  statusOk: 'succeeded',
  statusFailed: 'failed',
  statusCancelled: 'cancelled',
  clearFilters: 'Clear',
  columnTime: 'Time',
  columnTier: 'Tier',
  columnModel: 'Model',
  columnTask: 'Task type',
  columnMethod: 'Method',
  columnLatency: 'Latency',
  columnTokens: 'Tokens',
  columnCost: 'Cost',
  columnPrompt: 'Prompt',
  previous: 'Previous',
  next: 'Next',
  pageOf: '{0}–{1} of {2}',
  noRecords: 'No records match.',
  loading: 'Loading…',
  layerRequest: 'Request',
  layerRouting: 'Routing',
  layerLlm: 'LLM',
  layerOther: 'Outcome',
  copyJson: 'Copy JSON',
  close: 'Close',
  textLeftOut: '(text not stored)',
  exportCsv: 'Export CSV',
  exportJson: 'Export JSON Lines',
  exportNote: 'Exports the whole history, not only the filtered records; text is left out unless included.',
  includeText: 'Include prompt and answer text',
  exported: 'Saved {0} records to {1}',
  whatIf: 'What if',
  whatIfHint: 'Move the thresholds: the recorded calls routed by the classifier are routed again from their recorded scores and priced on the new tier model with the same tokens.',
  thresholdSimple: 'simple below',
  thresholdMedium: 'medium below',
  reset: 'Reset to settings',
  whatIfRecorded: 'Recorded',
  whatIfScenario: 'With these thresholds',
  whatIfCost: 'Cost: {0} (recorded {1})',
  whatIfChanged: '{0} of {1} classifier-routed calls change tier; {2} other calls keep theirs.',
  whatIfUnpriced: '{0} calls go to a model without prices (counted at $0).',
  whatIfEmpty: 'No calls routed by the classifier yet.',
  tierSignals: 'Signals per tier',
  tierSignalsHint: 'Your 👍/👎 on answers, the answers you re-asked on the next tier, and the calls where you picked the model yourself.',
  tierColumn: 'Tier',
  callsColumn: 'Calls',
  thumbsUpColumn: '👍 Good',
  thumbsDownColumn: '👎 Bad',
  escalationsColumn: 'Escalations',
  overridesColumn: 'Overrides',
  tierOther: 'other models',
  // Calibration and evaluation (issue 12).
  calibrate: 'Calibrate',
  calibrateHint: 'Or let your history choose the thresholds: for a tier mix, a monthly budget, or your 👍/👎 and re-asked answers.',
  calibrateMode: 'Calibrate for',
  calibrateMix: 'a tier mix (simple,medium,complex in %)',
  calibrateBudget: 'a monthly budget (USD)',
  calibrateSignals: 'your signals',
  calibrateSignalsFew: 'your signals ({0} of the {1} needed)',
  calibrateValue: 'Mix or budget',
  proposal: 'Calibrated for {0}',
  objectiveMix: 'a tier mix',
  objectiveBudget: 'a monthly budget',
  objectiveSignals: 'your signals',
  proposed: 'Proposed',
  currentThresholds: 'Current',
  thresholdsLine: 'simple below {0}, medium below {1}',
  perMonth: '{0} a month',
  proposalSignals: 'Rests on {0} thumbed-down or re-asked answers: {1} of them would go a tier higher, {2} were already on the top tier.',
  apply: 'Apply',
  applyTitle: 'Write these thresholds to your user settings',
  dismiss: 'Dismiss',
  evaluation: 'Evaluation',
  evaluationHint: 'The current thresholds beside a calibrated alternative (your signals, or what you calibrated above): the tier mix and monthly cost projected on your history, and where your 👍/👎 and re-asked answers fall, per tier (simple / medium / complex).',
  thresholdsColumn: 'Thresholds',
  mixColumn: 'Mix',
  monthlyColumn: 'Per month',
  thumbsDownTiers: '👎 per tier',
  thumbsUpTiers: '👍 per tier',
  escalatedTiers: 'Re-asked per tier',
  alternative: 'Alternative: {0}',
  evaluationMoved: '{0} thumbed-down or re-asked answers: the alternative sends {1} of them to a higher tier and {2} to a lower one.',
  live: 'Updated {0}',
  error: 'Something went wrong: {0}',
  tierSimple: 'simple',
  tierMedium: 'medium',
  tierComplex: 'complex',
  // Spend (issue 11): the cache, other currencies, budgets.
  cacheSaved: 'Saved by the cache',
  cacheSavedDetail: '{0} input tokens served from the context cache',
  costInCurrency: 'Cost in {0} (estimate)',
  costInCurrencyDetail: '{0} calls priced in {1}, kept apart from USD',
  spend: 'Spend and budgets',
  budgetToday: 'Today, against the daily budget',
  budgetMonth: 'This month, against the monthly budget',
  budgetOf: '{0} of {1}',
  budgetNoCap: 'no budget set',
  budgetScopeWorkspace: 'Budgets count this workspace’s calls.',
  budgetScopeAll: 'Budgets count every workspace’s calls.',
  allWorkspaces: 'All workspaces',
  allWorkspacesDetail: '{0} calls in {1} workspaces, in {2}',
  costByWorkspace: 'Cost by workspace (all workspaces)',
  costByModelAll: 'Cost by model (all workspaces)',
  costPerDayAll: 'Cost per day (all workspaces)',
  // The classifier and its int8 self-check (issue 10).
  classifier: 'Classifier',
  classifierMissing: 'No model installed: prompts are routed by their length. Run "Qwen Router: Download Classifier Model".',
  classifierLoading: 'Loading the model…',
  classifierFailed: 'The model could not be loaded: {0}',
  classifierRestarting: 'The classifier process stopped and is being restarted: {0}',
  classifierPrecision: 'Precision in use',
  classifierPrecisionValue: '{0} (setting: {1})',
  classifierWhy: 'Why',
  classifierModel: 'Model',
  selfCheck: 'int8 self-check',
  selfCheckNone: 'No self-check yet: run "Qwen Router: Quantize Classifier Model" to make int8 and check it.',
  selfCheckPassed: 'Passed',
  selfCheckFailed: 'Failed',
  selfCheckRan: 'Ran {0} on {1} prompts, on {2}',
  selfCheckSizes: 'int8 file {0} bytes; fp32 {1} bytes',
  selfCheckStale: 'The int8 file changed since this check: its figures no longer apply.',
  selfCheckWeightFormat: 'Weights',
  selfCheckRejected: '{0} failed the check on this CPU first: {1}',
  weightFormatInt8: '8-bit int8 weights',
  weightFormatInt8SevenBit: '7-bit int8 weights',
  weightFormatUint8: 'uint8 weights',
  selfCheckThresholds: 'Tiers under the thresholds of the check: simple below {0}, medium below {1}.',
  boundColumn: 'Bound',
  measuredColumn: 'Measured',
  requiredColumn: 'Required',
  boundTierAgreement: 'Same tier',
  boundTaskTypeAgreement: 'Same task type',
  boundMeanComplexityDelta: 'Mean |Δ complexity|',
  atLeast: '≥ {0}',
  atMost: '≤ {0}',
  scoreColumn: 'Score',
  meanDeltaColumn: 'Mean |Δ|',
  maxDeltaColumn: 'Max |Δ|',
} as const;

export type StatsStrings = Localized<typeof STATS_STRINGS>;

/** The first page of `state`: like a RecordPage, but `total` is null while the history is still being read. */
export interface FirstPage extends Omit<RecordPage, 'total'> {
  total: number | null;
}

export interface StatsState {
  strings: StatsStrings;
  /** Null while the host reads the history for the first time: a `stats` message follows. */
  stats: HistoryStats | null;
  /** The filters' choices (from the settings alone until the stats are known). */
  filters: FilterOptions;
  page: FirstPage;
  thresholds: Thresholds;
  /** Where the history lives, for the footer. */
  historyPath: string;
  /** Epoch milliseconds of the stats. */
  updatedAt: number;
  /** Why the history could not be read (the stats are then empty), or null. */
  error: string | null;
}

/** Spend against the budgets and every workspace's totals (from the ledger), in the budget's currency. */
export interface SpendView {
  currency: string;
  scope: 'workspace' | 'allWorkspaces';
  daily: number | null;
  monthly: number | null;
  /** Spend in the budget's scope. */
  today: number;
  month: number;
  all: { calls: number; cost: number; byWorkspace: Array<{ name: string; calls: number; cost: number }>; byModel: Array<[string, number]>; byDay: Array<[string, number]> };
}

// --- Webview -> host --------------------------------------------------------------------------

export type StatsRequests = {
  getPage: { params: RecordQuery; result: RecordPage };
  whatIf: { params: { thresholds: Thresholds }; result: WhatIfView };
  /** Per tier: calls, 👍, 👎, escalations, overrides (core/stats/tierSignals). */
  tierSignals: { params: Record<string, never>; result: TierSignals };
  export: { params: { format: ExportFormat; includeText: boolean }; result: ExportOutcome };
  /** Runs the core calibration (the CLI's) on the history; the reply is the proposal. */
  calibrate: { params: { ask: CalibrationAsk }; result: CalibrationView };
  /** The current thresholds beside an alternative: `ask`'s, else the signals objective when there are enough. */
  evaluate: { params: { ask: CalibrationAsk | null }; result: EvaluationView };
  /** Writes the thresholds to the user settings (qwenRouter.routing.complexityThresholds). */
  applyThresholds: { params: { thresholds: Thresholds }; result: ApplyOutcome };
};

export type StatsToHost =
  | { type: 'ready' }
  | RequestMessage<StatsRequests>
  | { type: 'refresh' }
  | { type: 'copy'; text: string };

const FILTER_VALUE = nullable(boundedString(500));

export const isRecordFilter: Check<RecordFilter> = shape({
  tier: FILTER_VALUE,
  model: FILTER_VALUE,
  method: FILTER_VALUE,
  status: nullable(literal('ok', 'failed', 'cancelled')),
  text: FILTER_VALUE,
});

const isNonNegativeInteger: Check<number> = (value): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isPageSize: Check<number> = (value): value is number => isNonNegativeInteger(value) && value >= 1 && value <= MAX_PAGE_SIZE;

export const isThresholds: Check<Thresholds> = shape({ simple: isFiniteNumber, medium: isFiniteNumber });

const isRecordPage: Check<RecordPage> = shape({ total: isFiniteNumber, offset: isFiniteNumber, limit: isFiniteNumber, records: arrayOf(isObject) });
const isScoreHistogram: Check<ScoreHistogram> = shape({ binWidth: isFiniteNumber, counts: arrayOf(isFiniteNumber) });

export const isCalibrationAsk: Check<CalibrationAsk> = shape({ mode: literal('mix', 'budget', 'signals'), value: boundedString(200) });
const isCalibrationView: Check<CalibrationView> = shape({ ask: isCalibrationAsk, result: trustedObject<CalibrationResult>() });

const statsRequestChecks: RequestChecks<StatsRequests> = {
  getPage: {
    params: shape({ offset: isNonNegativeInteger, limit: isPageSize, filter: isRecordFilter }),
    result: isRecordPage,
  },
  whatIf: {
    params: shape({ thresholds: isThresholds }),
    result: shape({ result: trustedObject<WhatIfResult>(), histogram: isScoreHistogram, current: isThresholds }),
  },
  tierSignals: {
    params: shape({}),
    result: shape({ rows: arrayOf(trustedObject<TierSignals['rows'][number]>()), signals: isFiniteNumber }),
  },
  export: {
    params: shape({ format: literal('csv', 'json'), includeText: isBoolean }),
    result: shape({ path: nullable(isString), records: isFiniteNumber }),
  },
  calibrate: { params: shape({ ask: isCalibrationAsk }), result: isCalibrationView },
  evaluate: {
    params: shape({ ask: nullable(isCalibrationAsk) }),
    result: shape({ evaluation: nullable(trustedObject<Evaluation>()), reason: nullable(isString), signals: isFiniteNumber, needed: isFiniteNumber }),
  },
  applyThresholds: {
    params: shape({ thresholds: isThresholds }),
    result: shape({ message: isString, overridden: isBoolean, thresholds: isThresholds }),
  },
};

export const isStatsToHost: Check<StatsToHost> = unionGuard<StatsToHost>({
  ready: shape({ type: literal('ready') }),
  request: requestGuard(statsRequestChecks),
  refresh: shape({ type: literal('refresh') }),
  copy: shape({ type: literal('copy'), text: boundedString(10_000_000) }),
});

// --- Host -> webview --------------------------------------------------------------------------

export type StatsToWebview =
  | { type: 'state'; state: StatsState }
  /** The stats a `state` without them was waiting for (or why they could not be read). */
  | { type: 'stats'; stats: HistoryStats; filters: FilterOptions; updatedAt: number; error: string | null }
  | ResponseMessage<StatsRequests>
  | { type: 'historyChanged'; stats: HistoryStats; filters: FilterOptions; updatedAt: number }
  /** Spend against the budgets and all workspaces' totals (issue 11). */
  | { type: 'spend'; spend: SpendView }
  /** The classifier: precision in use and why, and the int8 self-check's figures (issue 10). */
  | { type: 'classifier'; classifier: ClassifierView }
  /** A calibration run from the command palette (Calibrate Thresholds…), for the what-if to show with Apply. */
  | { type: 'proposal'; proposal: CalibrationView };

const isClassifierView: Check<ClassifierView> = shape({
  status: literal('missing', 'loading', 'ready', 'failed', 'restarting'),
  modelDir: nullable(isString),
  setting: literal('auto', 'fp32', 'fp16', 'int8'),
  precision: nullable(literal('fp32', 'fp16', 'int8')),
  reason: nullable(isString),
  check: nullable(trustedObject<NonNullable<ClassifierView['check']>>()),
});

const isFilterOptions: Check<FilterOptions> = shape({ tiers: arrayOf(isString), models: arrayOf(isString), methods: arrayOf(isString) });
const isHistoryStats = trustedObject<HistoryStats>();

const isFirstPage: Check<FirstPage> = shape({ total: nullable(isFiniteNumber), offset: isFiniteNumber, limit: isFiniteNumber, records: arrayOf(isObject) });

export const isStatsState: Check<StatsState> = shape({
  strings: stringsGuard(STATS_STRINGS),
  stats: nullable(isHistoryStats),
  filters: isFilterOptions,
  page: isFirstPage,
  thresholds: isThresholds,
  historyPath: isString,
  updatedAt: isFiniteNumber,
  error: nullable(isString),
});

export const isStatsToWebview: Check<StatsToWebview> = unionGuard<StatsToWebview>({
  state: shape({ type: literal('state'), state: isStatsState }),
  stats: shape({ type: literal('stats'), stats: isHistoryStats, filters: isFilterOptions, updatedAt: isFiniteNumber, error: nullable(isString) }),
  response: responseGuard(statsRequestChecks),
  historyChanged: shape({ type: literal('historyChanged'), stats: isHistoryStats, filters: isFilterOptions, updatedAt: isFiniteNumber }),
  spend: shape({ type: literal('spend'), spend: trustedObject<SpendView>() }),
  classifier: shape({ type: literal('classifier'), classifier: isClassifierView }),
  proposal: shape({ type: literal('proposal'), proposal: isCalibrationView }),
});

// --- Shared by host and webview: how a record is classified for filters and tables ----------

const asObject = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});

/** A record's status, as /stats counts it: the old service's records are all successes. */
export function recordStatus(record: Record<string, unknown>): RecordStatus {
  if (record.cancelled === true) return 'cancelled';
  return record.error ? 'failed' : 'ok';
}

/** Whether a record passes a filter (the host pages with it; the webview never needs the whole file). */
export function matchesFilter(record: Record<string, unknown>, filter: RecordFilter): boolean {
  const routing = asObject(record.routing);
  const llm = asObject(record.llm);
  if (filter.tier !== null && routing.tier !== filter.tier) return false;
  if (filter.model !== null && llm.model !== filter.model) return false;
  if (filter.method !== null && routing.method !== filter.method) return false;
  if (filter.status !== null && recordStatus(record) !== filter.status) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    const request = asObject(record.request);
    const messages = Array.isArray(request.messages) ? request.messages : [];
    const haystack = [
      ...messages.map((m) => asObject(m).content),
      routing.query,
      routing.task_type,
      llm.response_content,
      llm.model,
      asObject(record.error).message,
    ];
    if (!haystack.some((value) => typeof value === 'string' && value.toLowerCase().includes(needle))) return false;
  }
  return true;
}

export function isEmptyFilter(filter: RecordFilter): boolean {
  return filter.tier === null && filter.model === null && filter.method === null && filter.status === null && !filter.text;
}
