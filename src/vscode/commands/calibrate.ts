/**
 * Calibrate Thresholds in the editor (issue 12): the command, and what the stats view's Calibrate,
 * Evaluation and Apply ask the host. The fitting is the core's `calibrate` (the CLI runs the same),
 * on the workspace's history with the settings' tier models, task rules and prices; this file only
 * asks, words refusals in the display language, and writes the result to the user settings.
 */
import * as vscode from 'vscode';
import type { RouterConfig } from '../../core/config';
import type { HistoryStore } from '../../core/history/store';
import type { Thresholds } from '../../core/routing/policy';
import { badSignalCount, calibrate, CalibrationRefusal, MIN_SIGNALS, NOTES, parseMix, readCalibrationHistory, scenarioOf, type CalibrationGoal, type CalibrationHistory } from '../../core/stats/calibrate';
import { evaluate } from '../../core/stats/evaluate';
import type { ApplyOutcome, CalibrationAsk, CalibrationMode, CalibrationView, EvaluationView } from '../../protocol/stats';

export const CALIBRATE_COMMAND = 'qwenRouter.calibrateThresholds';
const THRESHOLDS_SETTING = 'routing.complexityThresholds';

type Config = Pick<RouterConfig, 'models' | 'policy'>;

/** The history with its signal lines, folded as calibration reads it. */
export function readHistory(history: Pick<HistoryStore, 'records'>): Promise<CalibrationHistory> {
  return readCalibrationHistory(history.records(undefined, { signals: true }));
}

/** What is wrong with a typed parameter, in a sentence (for the input box and the view), or undefined. */
export function askProblem(ask: CalibrationAsk): string | undefined {
  try {
    goalOf(ask);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The core's goal for what the user typed; throws a localized sentence when it does not parse. */
function goalOf(ask: CalibrationAsk): CalibrationGoal {
  if (ask.mode === 'signals') return { kind: 'signals' };
  if (ask.mode === 'mix') {
    try {
      return { kind: 'mix', mix: parseMix(ask.value) };
    } catch {
      throw new Error(vscode.l10n.t('Give three non-negative numbers for simple, medium and complex that add up to 100 (percent) or 1, for example 60,30,10.'));
    }
  }
  const usd = Number(ask.value);
  if (!ask.value.trim() || !Number.isFinite(usd) || usd < 0) throw new Error(vscode.l10n.t('Give the monthly budget as a non-negative number of US dollars, for example 25.'));
  return { kind: 'budget', monthlyUsd: usd };
}

/** A core refusal in the display language (its figures kept). */
function refusalText(error: CalibrationRefusal): string {
  const detail = error.detail;
  if (detail?.kind === 'too_few_calls') {
    return vscode.l10n.t(
      'Calibration needs at least {0} successful calls routed by the classifier; this history has {1}. Keep using the router with the classifier model installed (calls routed by prompt length or by a model you named do not count), then try again.',
      detail.need,
      detail.have,
    );
  }
  if (detail?.kind === 'too_few_signals') {
    return vscode.l10n.t('Calibrating on your signals needs at least {0} thumbed-down or re-asked answers routed by the classifier; this history has {1}. Rate more answers in the chat, or calibrate for a tier mix or a budget meanwhile.', detail.need, detail.have);
  }
  if (detail?.kind === 'budget_too_low') {
    return vscode.l10n.t(
      'No thresholds fit a monthly budget of ${0}: with every classifier-routed call on the simple tier the projected monthly cost is ${1}. Raise the budget, or choose a cheaper model for the simple tier.',
      detail.monthlyUsd,
      detail.cheapestMonthlyUsd,
    );
  }
  return error.message;
}

/** The core's notes in the display language. */
function localizeNotes(notes: string[]): string[] {
  const unpricedTail = NOTES.unpriced.slice('{0}'.length);
  return notes.map((note) => {
    if (note === NOTES.ties) return vscode.l10n.t('Calls with equal scores cannot be split between tiers: this is the nearest mix the recorded scores allow.');
    if (note === NOTES.taskRules) return vscode.l10n.t('Task rules and context windows apply after the cut points, so the projected mix can differ from the one asked for.');
    const count = note.endsWith(unpricedTail) ? Number(note.slice(0, -unpricedTail.length)) : NaN;
    return Number.isInteger(count) ? vscode.l10n.t('{0} calls would go to a model without prices; they are counted at 0.', count) : note;
  });
}

/** Runs the core calibration; a refusal or a bad parameter throws one localized sentence. */
export function calibrateOn(history: CalibrationHistory, ask: CalibrationAsk, config: Config): CalibrationView {
  const goal = goalOf(ask);
  try {
    const result = calibrate(history, goal, scenarioOf(config.policy), config.models);
    return { ask, result: { ...result, notes: localizeNotes(result.notes) } };
  } catch (error) {
    throw error instanceof CalibrationRefusal ? new Error(refusalText(error)) : error;
  }
}

/** The Evaluation section: against `ask`'s alternative, else the signals objective when there are enough signals. */
export function evaluateOn(history: CalibrationHistory, ask: CalibrationAsk | null, config: Config): EvaluationView {
  const scenario = scenarioOf(config.policy);
  const signals = badSignalCount(history, scenario, config.models);
  const none = (reason: string): EvaluationView => ({ evaluation: null, reason, signals, needed: MIN_SIGNALS });
  if (!ask && signals < MIN_SIGNALS) {
    return none(vscode.l10n.t('The evaluation compares your thresholds with your signals once you have {0} thumbed-down or re-asked answers (you have {1}), or with thresholds you calibrate in the what-if.', MIN_SIGNALS, signals));
  }
  try {
    const evaluation = evaluate(history, { goal: ask ? goalOf(ask) : undefined }, scenario, config.models);
    evaluation.alternative.notes = localizeNotes(evaluation.alternative.notes);
    return { evaluation, reason: null, signals, needed: MIN_SIGNALS };
  } catch (error) {
    if (error instanceof CalibrationRefusal) return none(refusalText(error));
    throw error;
  }
}

/**
 * Apply: writes the thresholds to the user (global) settings and has the router read them at once.
 * A workspace or folder value of the same setting would still win: the outcome says so.
 */
export async function applyThresholds(thresholds: Thresholds, reload: () => Thresholds): Promise<ApplyOutcome> {
  const settings = vscode.workspace.getConfiguration('qwenRouter');
  await settings.update(THRESHOLDS_SETTING, { simple: thresholds.simple, medium: thresholds.medium }, vscode.ConfigurationTarget.Global);
  const levels = vscode.workspace.getConfiguration('qwenRouter').inspect(THRESHOLDS_SETTING);
  const overridden = levels?.workspaceValue !== undefined || levels?.workspaceFolderValue !== undefined;
  const inUse = reload();
  const message = overridden
    ? vscode.l10n.t(
        'Saved simple below {0}, medium below {1} to your user settings (qwenRouter.routing.complexityThresholds), but this workspace sets that setting too and its value wins here: remove it from the workspace settings for these thresholds to take effect.',
        thresholds.simple,
        thresholds.medium,
      )
    : vscode.l10n.t('Saved simple below {0}, medium below {1} to your user settings (qwenRouter.routing.complexityThresholds); the router uses them from the next prompt.', thresholds.simple, thresholds.medium);
  return { message, overridden, thresholds: inUse };
}

export interface CalibrateCommandDeps {
  history(): HistoryStore;
  config(): Config;
  /** Opens the stats view's what-if with the proposal. */
  show(view: CalibrationView): void;
}

/** "Calibrate Thresholds…": asks the mode and its parameter, calibrates, opens the proposal in the stats view. */
export async function calibrateThresholdsCommand(deps: CalibrateCommandDeps): Promise<CalibrationView | undefined> {
  const title = vscode.l10n.t('Calibrate Thresholds');
  const history = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Reading the call history…') }, () => readHistory(deps.history()));
  const config = deps.config();
  const signals = badSignalCount(history, scenarioOf(config.policy), config.models);
  type Item = vscode.QuickPickItem & { mode: CalibrationMode };
  const items: Item[] = [
    { mode: 'mix', label: vscode.l10n.t('Tier mix'), detail: vscode.l10n.t('The cut points that give a share of simple, medium and complex calls, for example 60,30,10.') },
    { mode: 'budget', label: vscode.l10n.t('Monthly budget'), detail: vscode.l10n.t('The cut points that send the most calls up while the projected monthly cost stays within a budget in USD.') },
  ];
  const enough = signals >= MIN_SIGNALS;
  if (enough) items.push({ mode: 'signals', label: vscode.l10n.t('Your signals'), detail: vscode.l10n.t('Lower the thresholds just enough that your {0} thumbed-down or re-asked answers would have gone a tier higher.', signals) });
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: enough
      ? vscode.l10n.t('Fit the thresholds to your history for…')
      : vscode.l10n.t('Fit the thresholds to your history for… (calibrating on your signals needs {0} thumbed-down or re-asked answers; you have {1})', MIN_SIGNALS, signals),
  });
  if (!picked) return undefined;
  let value = '';
  if (picked.mode !== 'signals') {
    const typed = await vscode.window.showInputBox({
      title,
      prompt: picked.mode === 'mix' ? vscode.l10n.t('The share of simple, medium and complex calls, in percent') : vscode.l10n.t('The monthly budget, in USD'),
      value: picked.mode === 'mix' ? '60,30,10' : '',
      validateInput: (text) => askProblem({ mode: picked.mode, value: text }),
    });
    if (typed === undefined) return undefined;
    value = typed;
  }
  let view: CalibrationView;
  try {
    view = calibrateOn(history, { mode: picked.mode, value }, config);
  } catch (error) {
    void vscode.window.showWarningMessage((error as Error).message);
    return undefined;
  }
  deps.show(view);
  return view;
}
