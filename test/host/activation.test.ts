// Runs inside a real VS Code extension host: the extension under development is found under its
// manifest id, activates, and registers every command its manifest contributes.
import * as assert from 'assert';
import * as vscode from 'vscode';
import manifest from '../../package.json';

const extensionId = `${manifest.publisher}.${manifest.name}`;

interface ContributedCommand {
  command: string;
}

describe('extension activation', () => {
  let extension: vscode.Extension<unknown> | undefined;

  before(() => {
    extension = vscode.extensions.getExtension(extensionId);
  });

  it(`is loaded as ${extensionId}`, () => {
    assert.ok(extension, `extension ${extensionId} is not loaded in VS Code ${vscode.version} (an engines.vscode range `
      + `above it makes VS Code skip the extension); loaded: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
  });

  it('activates without throwing', async () => {
    assert.ok(extension, `extension ${extensionId} is not loaded`);
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  it('registers every command it contributes', async () => {
    assert.ok(extension, `extension ${extensionId} is not loaded`);
    await extension.activate();
    const contributed = ((extension.packageJSON.contributes?.commands ?? []) as ContributedCommand[]).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((command) => !registered.has(command));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
