// The int8 self-check's figures in the stats view, in a real VS Code: Quantize Classifier Model on
// a copy of the tiny model writes the check beside it; the extension's own stats panel posts them
// (precision in use and why, bounds, every score) in its `classifier` message.
import * as assert from 'assert';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { SELF_CHECK_FILE, type SelfCheckReport } from '../../src/core/classifier/selfCheck';
import type { ClassifierView } from '../../src/protocol/stats';
import type { QwenRouterApi } from '../../src/extension';
import { answering, until } from './prompts';
import { spyWebview, type WebviewSpy } from './webviewSpy';

const TINY_MODEL = resolve(__dirname, '../../../test/fixtures/tiny-model-json');

describe('the self-check in the stats view (host)', function () {
  this.timeout(120_000);
  let api: QwenRouterApi;
  let spy: WebviewSpy | undefined;
  let dir: string;
  const classifierSettings = () => vscode.workspace.getConfiguration('qwenRouter.classifier');

  before(async () => {
    api = await vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
    dir = mkdtempSync(join(tmpdir(), 'qwen-router-check-host-'));
    cpSync(TINY_MODEL, dir, { recursive: true });
  });
  after(async () => {
    spy?.dispose();
    await classifierSettings().update('modelPath', undefined, vscode.ConfigurationTarget.Global);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows no check before one exists, then the figures Quantize Classifier Model kept with the model', async () => {
    await classifierSettings().update('modelPath', dir, vscode.ConfigurationTarget.Global);
    await until(() => api.classifier.state.kind === 'ready' && api.classifier.modelDir === dir, 'the copied tiny model to load');

    // The extension's own stats panel, on a recording webview.
    api.stats.panel?.dispose();
    spy = spyWebview('qwenRouterTest.classifierStats', 'Classifier stats under test');
    await api.stats.deserializeWebviewPanel(spy.asPanel());
    await spy.waitReceived((m) => m.type === 'ready');
    const before = (await spy.waitPosted((m) => m.type === 'classifier')).classifier as ClassifierView;
    assert.deepEqual([before.status, before.modelDir, before.precision, before.check], ['ready', dir, 'fp32', null]);
    assert.match(before.reason ?? '', /int8 not made yet/);

    // The command a user runs: int8 made, checked on the shipped prompts, the classifier restarted.
    await answering('showInformationMessage', undefined, () => answering('showWarningMessage', undefined, () => vscode.commands.executeCommand('qwenRouter.quantizeModel')));
    const report = JSON.parse(readFileSync(join(dir, SELF_CHECK_FILE), 'utf8')) as SelfCheckReport;
    const posted = await spy.waitPosted((m) => m.type === 'classifier' && (m.classifier as ClassifierView).status === 'ready' && (m.classifier as ClassifierView).check !== null, 60_000);
    const view = posted.classifier as ClassifierView;
    const check = view.check;
    assert.ok(check);
    assert.equal(check.passed, report.passed);
    assert.equal(check.prompts, report.prompts);
    assert.ok(check.prompts > 200, `the shipped prompt set (${check.prompts})`);
    assert.equal(check.modelDir, dir, 'which model it ran on');
    assert.equal(check.checkedAt, report.checkedAt);
    assert.equal(check.current, true);
    assert.ok(report.weightFormat, 'the weight format kept');
    assert.equal(check.weightFormat, report.weightFormat);
    assert.deepEqual(check.rejected.map((r) => r.weightFormat), (report.rejected ?? []).map((r) => r.weightFormat));
    assert.deepEqual(check.bounds.map((b) => [b.key, b.measured]), [
      ['tierAgreement', report.tierAgreement],
      ['taskTypeAgreement', report.taskTypeAgreement],
      ['meanComplexityDelta', report.scores.prompt_complexity_score.mean],
    ]);
    assert.deepEqual(Object.fromEntries(check.scores.map((s) => [s.field, { max: s.max, mean: s.mean }])), report.scores);
    // Precision "auto" follows the verdict, and says why.
    assert.equal(view.setting, 'auto');
    assert.equal(view.precision, report.passed ? 'int8' : 'fp32');
    assert.match(view.reason ?? '', report.passed ? /passed its self-check/ : /failed its self-check/);
  });
});
