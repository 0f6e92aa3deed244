import * as vscode from 'vscode';
import { DEFAULT_ENDPOINT_HOST, DEFAULT_ENDPOINT_PORT, EndpointStartError, generateEndpointToken, startRouterServer, type RouterServer } from '../node/routerServer';
import type { ApiKeys } from './apiKey';
import type { ClassifierController } from './classifierController';
import { Disposable } from './disposable';
import type { RouterService } from './routerService';

const TOKEN_SECRET = 'qwenRouter.endpoint.token';
const RUNNING_CONTEXT = 'qwenRouter.endpointRunning';

/**
 * "Start / Stop Local Endpoint": the CLI's `serve` inside the editor, off until asked for. It shares
 * the extension's settings, key, classifier and history (so its calls show in the stats), and its
 * token lives in SecretStorage: generated on the first start and shown once, with a Copy action.
 */
export class LocalEndpoint extends Disposable {
  private server: RouterServer | undefined;
  private pending: Promise<RouterServer | undefined> | undefined;
  private readonly item = this.register(vscode.window.createStatusBarItem('qwenRouter.endpoint', vscode.StatusBarAlignment.Right, 99));

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly router: RouterService,
    private readonly classifier: ClassifierController,
    private readonly keys: ApiKeys,
  ) {
    super();
    this.item.name = vscode.l10n.t('Qwen Router Local Endpoint');
    this.item.command = 'qwenRouter.stopEndpoint';
    this.register({ dispose: () => void this.server?.close(0) });
  }

  /** Where it listens while it runs. */
  get url(): string | undefined {
    return this.server?.url;
  }

  /** The stored token, made and stored on first use. */
  async token(): Promise<{ token: string; created: boolean }> {
    const stored = await this.context.secrets.get(TOKEN_SECRET);
    if (stored) return { token: stored, created: false };
    const token = generateEndpointToken();
    await this.context.secrets.store(TOKEN_SECRET, token);
    return { token, created: true };
  }

  start(): Promise<RouterServer | undefined> {
    if (this.server) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The local endpoint is already running at {0}.', this.server.url));
      return Promise.resolve(this.server);
    }
    this.pending ??= this.doStart().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async doStart(): Promise<RouterServer | undefined> {
    const settings = vscode.workspace.getConfiguration('qwenRouter.endpoint');
    const { token, created } = await this.token();
    try {
      this.server = await startRouterServer(
        {
          config: () => this.router.config,
          classify: this.classifier.classify,
          store: this.router.history,
          getApiKey: (keyId) => this.keys.get(keyId),
          missingKeyHint: vscode.l10n.t('Run "Qwen Router: Set API Key".'),
          onResult: (result) => this.router.recorded(result),
          // Another program is calling: there is nobody to ask, so a call past the budget is refused.
          budget: () => this.router.spend.gate(this.router.config, { canAsk: false }),
        },
        {
          host: settings.get<string>('host', DEFAULT_ENDPOINT_HOST),
          port: settings.get<number>('port', DEFAULT_ENDPOINT_PORT),
          token,
          allowedOrigins: settings.get<string[]>('allowedOrigins', []),
          version: String(this.context.extension.packageJSON.version ?? ''),
        },
      );
    } catch (error) {
      const message = error instanceof EndpointStartError || error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not start the local endpoint: {0}', message));
      return undefined;
    }
    const url = this.server.url;
    this.item.text = `$(radio-tower) Qwen ${url.replace(/^http:\/\//, '')}`;
    this.item.tooltip = vscode.l10n.t('Qwen Router local endpoint at {0} (OpenAI-compatible, token required). Click to stop it.', url);
    this.item.show();
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, true);
    const copy = vscode.l10n.t('Copy Token');
    const shown = created
      ? vscode.window.showInformationMessage(vscode.l10n.t('The local endpoint is running at {0}. Its token, shown only this once: {1}', url, token), copy)
      : vscode.window.showInformationMessage(vscode.l10n.t('The local endpoint is running at {0}. Send the stored token as "Authorization: Bearer <token>".', url), copy);
    void shown.then(async (choice) => {
      if (choice !== copy) return;
      await vscode.env.clipboard.writeText((await this.token()).token);
      void vscode.window.showInformationMessage(vscode.l10n.t('The endpoint token was copied to the clipboard.'));
    });
    return this.server;
  }

  /** Stops listening; calls still running get a few seconds, then are cancelled (and recorded so). */
  async stop(): Promise<boolean> {
    await this.pending;
    const server = this.server;
    if (!server) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The local endpoint is not running.'));
      return false;
    }
    this.server = undefined;
    this.item.hide();
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
    await server.close(3_000);
    void vscode.window.showInformationMessage(vscode.l10n.t('The local endpoint at {0} was stopped.', server.url));
    return true;
  }
}
