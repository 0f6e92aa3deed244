// "Download Classifier Model" in the activated extension, against a local stand-in for the Hugging
// Face hub serving the tiny test model: license prompt, download, verification, then the classifier loads.
import * as assert from 'assert';
import { readFileSync, rmSync } from 'fs';
import { dirname, join, resolve } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import type { QwenRouterApi } from '../../src/extension';
import { startHubStandIn, type HubStandIn } from '../support/hubStandIn';
import { answering } from './prompts';

const MODEL = resolve(__dirname, '../../../test/fixtures/tiny-model-json');
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/model.onnx'];

describe('Download Classifier Model (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let hub: HubStandIn | undefined;
  /** Where the download put the model, to remove it afterwards. */
  let installedDir: string | undefined;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter.classifier');

  async function serve(options: { wrongDigestFor?: string } = {}) {
    await hub?.close();
    hub = await startHubStandIn('acme/tiny-classifier-onnx', 'v1', FILES.map((path) => ({ path, content: readFileSync(join(MODEL, path)), lfs: path.endsWith('.onnx') })), options);
    for (const [key, value] of [['downloadEndpoint', hub.endpoint], ['downloadRepository', hub.repo], ['downloadRevision', hub.revision]]) {
      await settings().update(key, value, vscode.ConfigurationTarget.Global);
    }
  }

  before(async () => {
    api = await vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
  });
  after(async () => {
    await hub?.close();
    for (const key of ['downloadEndpoint', 'downloadRepository', 'downloadRevision']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    // Leave no model behind for the suites that expect none.
    if (installedDir) rmSync(installedDir, { recursive: true, force: true });
    api.classifier.restart();
    await api.classifier.whenSettled();
  });

  it('asks first, and downloads nothing when the license is not accepted', async () => {
    await serve();
    const done = await answering('showInformationMessage', undefined, () => vscode.commands.executeCommand<boolean>('qwenRouter.downloadModel'));
    assert.equal(done, false);
    assert.equal(hub!.requests.length, 0);
  });

  it('reports a file that fails its check, with what to do, and installs nothing', async () => {
    await serve({ wrongDigestFor: 'onnx/model.onnx' });
    let shown = '';
    const done = await answering('showInformationMessage', vscode.l10n.t('Accept and Download'), () =>
      answering('showErrorMessage', (message: string) => void (shown = message), () => vscode.commands.executeCommand<boolean>('qwenRouter.downloadModel')),
    );
    assert.equal(done, false);
    assert.match(shown, /onnx\/model\.onnx failed its check: its sha256 is .*run the command again/);
    assert.notEqual(api.classifier.state.kind, 'ready');
  });

  it('downloads, verifies and installs the model into global storage, and the classifier loads it', async () => {
    await serve();
    const done = await answering('showInformationMessage', vscode.l10n.t('Accept and Download'), () => vscode.commands.executeCommand<boolean>('qwenRouter.downloadModel'));
    assert.equal(done, true);
    const state = await api.classifier.whenSettled();
    assert.equal(state.kind, 'ready', JSON.stringify(state));
    if (state.kind !== 'ready') return;
    installedDir = dirname(dirname(state.info.onnxPath));
    assert.ok(state.info.onnxPath.includes('globalStorage'), state.info.onnxPath);
    assert.deepEqual(readFileSync(state.info.onnxPath), readFileSync(join(MODEL, 'onnx', 'model.onnx')));
    const outcome = await api.classifier.classify('Write a Python script that uses a for loop.');
    assert.ok(outcome.ok, JSON.stringify(outcome));
  });
});
