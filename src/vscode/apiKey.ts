import * as vscode from 'vscode';
import { apiKeyFromEnvironment, DEFAULT_API_KEY_ID } from '../core/models/endpoints';

const SECRET_PREFIX = 'qwenRouter.apiKey.';

/**
 * API keys live in VS Code's SecretStorage (the OS keychain), never in settings, logs or records.
 * The environment (DASHSCOPE_API_KEY) is the fallback, for scripted setups.
 */
export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(apiKeyId: string): Promise<string | undefined> {
    const stored = await this.secrets.get(SECRET_PREFIX + apiKeyId);
    return stored || apiKeyFromEnvironment(apiKeyId, process.env);
  }

  async set(apiKeyId: string, value: string): Promise<void> {
    await this.secrets.store(SECRET_PREFIX + apiKeyId, value);
  }

  async delete(apiKeyId: string): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + apiKeyId);
  }
}

/** "Qwen Router: Set API Key": a password box; an empty answer removes the stored key. */
export async function promptForApiKey(keys: ApiKeys, apiKeyId = DEFAULT_API_KEY_ID): Promise<boolean> {
  const value = await vscode.window.showInputBox({
    title: vscode.l10n.t('Qwen Router: Set API Key'),
    prompt: vscode.l10n.t('Your DashScope (Alibaba Cloud Model Studio) API key. It is kept in VS Code\'s secret storage. Leave empty to remove the stored key.'),
    password: true,
    ignoreFocusOut: true,
    placeHolder: 'sk-...',
    validateInput: (text) => (/\s/.test(text.trim()) ? vscode.l10n.t('An API key has no spaces.') : undefined),
  });
  if (value === undefined) return false;
  if (value.trim()) {
    await keys.set(apiKeyId, value.trim());
    void vscode.window.showInformationMessage(vscode.l10n.t('API key saved. Keys belong to one region: if calls fail with "invalid API key", run "Qwen Router: Choose Region".'));
  } else {
    await keys.delete(apiKeyId);
    void vscode.window.showInformationMessage(vscode.l10n.t('The stored API key was removed.'));
  }
  return true;
}
