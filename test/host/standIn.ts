// The activated extension pointed at a DashScope stand-in, as several host suites need it: the user's
// settings send calls to the stand-in (no escalation), and the key is in SecretStorage.
import * as vscode from 'vscode';
import manifest from '../../package.json';
import type { QwenRouterApi } from '../../src/extension';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { answering } from './prompts';

const settings = () => vscode.workspace.getConfiguration('qwenRouter');

export async function extensionOnStandIn(key: string): Promise<{ api: QwenRouterApi; standIn: DashScopeStandIn }> {
  const api = await vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
  const standIn = await DashScopeStandIn.start({ apiKey: key });
  await settings().update('baseUrl', standIn.baseUrl, vscode.ConfigurationTarget.Global);
  await settings().update('escalateOnFailure', false, vscode.ConfigurationTarget.Global);
  await answering('showInputBox', key, () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
  return { api, standIn };
}

/** Undoes extensionOnStandIn: the settings back to their defaults, no key left behind, the stand-in closed. */
export async function leaveStandIn(standIn: DashScopeStandIn | undefined): Promise<void> {
  for (const key of ['baseUrl', 'escalateOnFailure']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
  await answering('showInputBox', '', () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
  await standIn?.close();
}
