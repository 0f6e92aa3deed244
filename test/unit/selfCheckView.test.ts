// The stats view's classifier section, shaped from real self-check reports (compareResults on
// results that agree or not) and the classifier's states.
import * as assert from 'assert';
import { SCORE_FIELDS, type ClassifierResult } from '../../src/core/classifier/result';
import { compareResults, SELF_CHECK_BOUNDS, type SelfCheckReport } from '../../src/core/classifier/selfCheck';
import { classifierView, selfCheckView } from '../../src/core/classifier/selfCheckView';
import { isStatsToWebview } from '../../src/protocol/stats';

const result = (complexity: number, task = 'Open QA'): ClassifierResult => ({
  task_type_1: task, task_type_2: 'NA', task_type_prob: 0.8, creativity_scope: 0.1, reasoning: 0.2, contextual_knowledge: 0.1, number_of_few_shots: 0,
  domain_knowledge: 0.3, no_label_reason: 0, constraint_ct: 0.1, prompt_complexity_score: complexity,
});

const thresholds = { simple: 0.3, medium: 0.5 };
const fp32 = Array.from({ length: 100 }, (_, i) => result(i / 100));
const DIR = '/models/classifier';

describe('the classifier section of the stats view', () => {
  it('shows a passing check: each bound with its measure, every score’s mean and max |Δ|, when and on which model', () => {
    const int8 = fp32.map((r, i) => ({ ...r, prompt_complexity_score: r.prompt_complexity_score + (i % 2 ? 0.002 : 0.001), reasoning: r.reasoning + 0.01 }));
    const report: SelfCheckReport = { ...compareResults(fp32, int8, thresholds, 5000, { now: new Date('2026-12-01T10:00:00Z') }), model: { dir: DIR, fp32Bytes: 20_000 } };
    const view = selfCheckView(report, { modelDir: '/elsewhere', int8BytesOnDisk: 5000 });
    assert.ok(view);
    assert.equal(view.passed, true);
    assert.deepEqual(view.failures, []);
    assert.equal(view.current, true);
    assert.deepEqual([view.modelDir, view.fp32Bytes, view.int8Bytes, view.prompts, view.checkedAt], [DIR, 20_000, 5000, 100, '2026-12-01T10:00:00.000Z']);
    assert.deepEqual(view.bounds.map((b) => [b.key, b.kind, b.bound, b.met]), [
      ['tierAgreement', 'min', SELF_CHECK_BOUNDS.minTierAgreement, true],
      ['taskTypeAgreement', 'min', SELF_CHECK_BOUNDS.minTaskTypeAgreement, true],
      ['meanComplexityDelta', 'max', SELF_CHECK_BOUNDS.maxMeanComplexityDelta, true],
    ]);
    assert.equal(view.bounds[2].measured, report.scores.prompt_complexity_score.mean);
    assert.equal(view.weightFormat, null, 'a report of an earlier version names no weight format');
    assert.deepEqual(view.rejected, []);
    const fallback = selfCheckView({ ...report, weightFormat: 'uint8', rejected: [{ weightFormat: 'int8', failures: ['off'], tierAgreement: 0.9, meanComplexityDelta: 0.05 }] }, { modelDir: DIR, int8BytesOnDisk: 5000 });
    assert.equal(fallback?.weightFormat, 'uint8');
    assert.deepEqual(fallback?.rejected, [{ weightFormat: 'int8', failures: ['off'] }]);
    assert.deepEqual(view.scores.map((s) => s.field), [...SCORE_FIELDS]);
    const reasoning = view.scores.find((s) => s.field === 'reasoning');
    assert.ok(reasoning && Math.abs(reasoning.mean - 0.01) < 1e-6 && Math.abs(reasoning.max - 0.01) < 1e-6, JSON.stringify(reasoning));
  });

  it('marks the bounds a failing check missed, keeps its reasons, and distrusts figures for another int8 file', () => {
    const int8 = fp32.map((r, i) => (i < 10 ? result(r.prompt_complexity_score + 0.45, 'Code Generation') : r));
    const report = compareResults(fp32, int8, thresholds, 5000);
    const view = selfCheckView(report, { modelDir: DIR, int8BytesOnDisk: 4999 });
    assert.equal(selfCheckView({ ...report, int8MtimeMs: 1000 }, { modelDir: DIR, int8BytesOnDisk: 5000, int8MtimeMsOnDisk: 2000 })?.current, false, 'same size, written later');
    assert.equal(selfCheckView({ ...report, int8MtimeMs: 1000 }, { modelDir: DIR, int8BytesOnDisk: 5000, int8MtimeMsOnDisk: 1000 })?.current, true);
    assert.ok(view);
    assert.equal(view.passed, false);
    assert.equal(view.current, false, 'the int8 file on disk is not the one checked');
    assert.equal(view.modelDir, DIR, 'a report without its model says where it was read');
    assert.equal(view.fp32Bytes, null);
    assert.deepEqual(view.bounds.map((b) => b.met), [false, false, false]);
    assert.equal(view.failures.length, 3);
    assert.deepEqual(view.failures, report.failures);
  });

  it('says what precision runs and why, for each state of the classifier; a file it cannot read is no check', () => {
    const report = compareResults(fp32, fp32, thresholds, 5000);
    const ready = classifierView({ state: { kind: 'ready', info: { precision: 'int8', precisionReason: 'int8 passed its self-check (100.0% same tier on 100 prompts)' } }, setting: 'auto', modelDir: DIR, report, int8BytesOnDisk: 5000 });
    assert.deepEqual([ready.status, ready.precision, ready.setting, ready.modelDir], ['ready', 'int8', 'auto', DIR]);
    assert.match(ready.reason ?? '', /passed its self-check/);
    assert.equal(ready.check?.passed, true);

    const substituted = classifierView({ state: { kind: 'ready', info: { precision: 'fp32', substitutedFor: 'int8' } }, setting: 'int8', modelDir: DIR, report: undefined, int8BytesOnDisk: undefined });
    assert.match(substituted.reason ?? '', /int8 is not in the model folder; fp32 is used instead/);
    assert.equal(substituted.check, null);

    const failed = classifierView({ state: { kind: 'failed', message: 'config.json has no heads' }, setting: 'auto', modelDir: DIR, report, int8BytesOnDisk: 5000 });
    assert.deepEqual([failed.status, failed.precision, failed.reason], ['failed', null, 'config.json has no heads']);
    const restarting = classifierView({ state: { kind: 'restarting', message: 'The classifier process stopped (signal SIGKILL).' }, setting: 'auto', modelDir: DIR, report, int8BytesOnDisk: 5000 });
    assert.deepEqual([restarting.status, restarting.precision, restarting.reason], ['restarting', null, 'The classifier process stopped (signal SIGKILL).']);
    assert.equal(restarting.check?.passed, true, 'the check is the model\'s, whatever its process does');
    const missing = classifierView({ state: { kind: 'missing' }, setting: 'auto', modelDir: undefined, report: undefined, int8BytesOnDisk: undefined });
    assert.deepEqual(missing, { status: 'missing', modelDir: null, setting: 'auto', precision: null, reason: null, check: null });

    const garbled = classifierView({ state: { kind: 'loading' }, setting: 'auto', modelDir: DIR, report: { passed: true, failures: [] } as unknown as SelfCheckReport, int8BytesOnDisk: 1 });
    assert.equal(garbled.check, null);
    const { thresholds: _dropped, ...noThresholds } = compareResults(fp32, fp32, thresholds, 1);
    assert.equal(selfCheckView(noThresholds as SelfCheckReport, { modelDir: DIR, int8BytesOnDisk: 1 }), undefined, 'a report without its thresholds is not shown half');
  });

  it('travels in the stats protocol, which refuses a malformed one', () => {
    const view = classifierView({ state: { kind: 'ready', info: { precision: 'int8' } }, setting: 'auto', modelDir: DIR, report: compareResults(fp32, fp32, thresholds, 1), int8BytesOnDisk: 1 });
    assert.ok(isStatsToWebview(JSON.parse(JSON.stringify({ type: 'classifier', classifier: view }))));
    assert.ok(!isStatsToWebview({ type: 'classifier', classifier: { ...view, status: 'exploded' } }));
    assert.ok(!isStatsToWebview({ type: 'classifier', classifier: { ...view, precision: 'int4' } }));
  });
});
