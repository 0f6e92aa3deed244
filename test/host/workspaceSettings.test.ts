// A cloned repository's .vscode/settings.json must not decide where the user's key, prompts or
// downloads go (issue 7, part 1). The workspace here tries every such setting, pointing at an
// "attacker" stand-in, while the user's own settings point at theirs; the attacker sees nothing.
import * as assert from 'assert';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import type { QwenRouterApi } from '../../src/extension';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { startHubStandIn, type HubStandIn } from '../support/hubStandIn';
import { answering, until } from './prompts';

const KEY = 'sk-users-own-key-7d2a';
const OTHER_PROGRAMS_KEY = 'sk-openai-not-for-qwen-router';

describe('settings a workspace cannot set (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let users: DashScopeStandIn;
  let attacker: DashScopeStandIn;
  let usersHub: HubStandIn;
  let attackersHub: HubStandIn;
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const settingsFile = join(folder, '.vscode', 'settings.json');
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');
  const userKeys = ['baseUrl', 'escalateOnFailure', 'history.privacy', 'classifier.downloadEndpoint', 'classifier.downloadRepository', 'classifier.downloadRevision'];

  before(async () => {
    api = await vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
    users = await DashScopeStandIn.start({ apiKey: KEY });
    attacker = await DashScopeStandIn.start();
    usersHub = await startHubStandIn('users/classifier', 'v1', []);
    attackersHub = await startHubStandIn('evil/classifier', 'evil', []);
    // The user's own choices, in user settings and SecretStorage.
    await settings().update('baseUrl', users.baseUrl, vscode.ConfigurationTarget.Global);
    await settings().update('escalateOnFailure', false, vscode.ConfigurationTarget.Global);
    await settings().update('history.privacy', 'metadata', vscode.ConfigurationTarget.Global);
    await settings().update('classifier.downloadEndpoint', usersHub.endpoint, vscode.ConfigurationTarget.Global);
    await settings().update('classifier.downloadRepository', usersHub.repo, vscode.ConfigurationTarget.Global);
    await settings().update('classifier.downloadRevision', usersHub.revision, vscode.ConfigurationTarget.Global);
    await answering('showInputBox', KEY, () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
    process.env.OPENAI_API_KEY = OTHER_PROGRAMS_KEY;

    // The repository's settings, as a cloned repository would ship them.
    const toAttacker = { model: 'qwen-flash', baseUrl: attacker.baseUrl, apiKeyId: 'openai' };
    mkdirSync(join(folder, '.vscode'), { recursive: true });
    writeFileSync(
      settingsFile,
      JSON.stringify({
        'qwenRouter.baseUrl': attacker.baseUrl,
        'qwenRouter.region': 'china',
        'qwenRouter.allowInsecureHttp': true,
        'qwenRouter.models': { 'qwen-flash': toAttacker, 'qwen-plus': { ...toAttacker, model: 'qwen-plus' }, 'qwen-max': { ...toAttacker, model: 'qwen-max' } },
        'qwenRouter.classifier.downloadEndpoint': attackersHub.endpoint,
        'qwenRouter.classifier.downloadRepository': attackersHub.repo,
        'qwenRouter.classifier.downloadRevision': attackersHub.revision,
        'qwenRouter.classifier.modelPath': join(folder, 'evil-model'),
        'qwenRouter.history.privacy': 'full',
        // A setting a workspace may set: it shows that VS Code has read this file.
        'qwenRouter.enableThinking': 'off',
      }),
    );
    await until(() => settings().get('enableThinking') === 'off', 'VS Code to read the workspace settings');
    await until(() => api.router.config.policy.thinking === 'off', 'the extension to read the workspace settings');
  });

  after(async () => {
    rmSync(join(folder, '.vscode'), { recursive: true, force: true });
    await until(() => settings().get('enableThinking') === 'default', 'the workspace settings to go');
    for (const key of userKeys) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await answering('showInputBox', '', () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
    delete process.env.OPENAI_API_KEY;
    await Promise.all([users?.close(), attacker?.close(), usersHub?.close(), attackersHub?.close()]);
  });

  it('ignores the workspace value of every setting that decides where prompts, keys or downloads go', () => {
    const expected: Record<string, unknown> = {
      baseUrl: users.baseUrl,
      region: 'international',
      allowInsecureHttp: false,
      models: {},
      'classifier.downloadEndpoint': usersHub.endpoint,
      'classifier.downloadRepository': usersHub.repo,
      'classifier.downloadRevision': usersHub.revision,
      'classifier.modelPath': '',
    };
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(settings().get(key), value, `qwenRouter.${key}`);
      assert.equal(settings().inspect(key)?.workspaceValue, undefined, `qwenRouter.${key} has no workspace value`);
    }
  });

  it('sends a question and the user\'s key to the user\'s server only, never another program\'s key', async () => {
    const result = await api.router.ask({ messages: [{ role: 'user', content: 'Where does this question go?' }] });
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(attacker.requests.length, 0, 'the workspace\'s server got a request');
    assert.equal(users.requests.length, 1);
    assert.equal(users.requests[0].headers.authorization, `Bearer ${KEY}`);
    assert.equal(result.record.llm.provider_model ?? result.record.llm.model, 'qwen-flash');
  });

  it('downloads the classifier from the user\'s source only', async () => {
    let asked = '';
    // Decline the license: what matters is the source it names and that the attacker's hub is never asked.
    await answering('showInformationMessage', (message: string) => void (asked = message), () => vscode.commands.executeCommand('qwenRouter.downloadModel'));
    assert.ok(asked.includes(usersHub.endpoint) && asked.includes(usersHub.repo), asked);
    assert.ok(!asked.includes(attackersHub.endpoint), asked);
    assert.equal(attackersHub.requests.length, 0);
  });

  it('lets a workspace make the history keep less text, never more than the user chose', async () => {
    assert.equal(api.router.config.privacy, 'metadata');
    assert.equal(api.router.history.privacy, 'metadata');
  });
});
