// The local endpoint started and stopped from the command palette inside a real extension host: it
// answers with the extension's settings, key and history, with the token kept in SecretStorage.
import * as assert from 'assert';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import type { QwenRouterApi } from '../../src/extension';
import type { HistoryChange } from '../../src/vscode/statsPanel';
import { DashScopeStandIn } from '../support/dashscopeStandIn';

describe('the local endpoint, from the command palette (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let standIn: DashScopeStandIn;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');
  const hadKey = process.env.DASHSCOPE_API_KEY;

  before(async () => {
    const extension = vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(extension);
    api = await extension.activate();
    standIn = await DashScopeStandIn.start(); // accepts any key: a key stored by another suite works too
    process.env.DASHSCOPE_API_KEY ??= 'sk-endpoint-host-test';
    await settings().update('baseUrl', standIn.baseUrl, vscode.ConfigurationTarget.Global);
    await settings().update('endpoint.port', 0, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    if (api?.endpoint.url) await vscode.commands.executeCommand('qwenRouter.stopEndpoint');
    for (const key of ['baseUrl', 'endpoint.port']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    if (hadKey === undefined) delete process.env.DASHSCOPE_API_KEY;
    await standIn?.close();
  });

  it('starts, answers one routed request with the stored token (recorded in the workspace history), refuses one without it, and stops', async () => {
    await vscode.commands.executeCommand('qwenRouter.startEndpoint');
    const url = api.endpoint.url;
    assert.ok(url, 'the endpoint runs');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const { token, created } = await api.endpoint.token();
    assert.equal(created, false, 'the token was stored when the endpoint started');

    const appended = new Promise<HistoryChange>((resolve) => {
      const listener = api.router.onDidChangeHistory((change) => {
        listener.dispose();
        resolve(change);
      });
    });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hello through the editor endpoint' }] }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, any>;
    assert.equal(body.choices[0].message.content, 'Hello from the stand-in.');
    assert.ok(body.routing.method);
    const change = await appended;
    assert.equal(change.kind, 'appended');
    const page = await api.router.history.page(1, 0);
    assert.equal(page.records[0].id, body.record_id);

    const anonymous = await fetch(`${url}/stats`);
    assert.equal(anonymous.status, 401);

    assert.equal(await vscode.commands.executeCommand('qwenRouter.stopEndpoint'), true);
    assert.equal(api.endpoint.url, undefined);
    await assert.rejects(fetch(`${url}/health`));
  });
});
