import * as vscode from 'vscode';
import type { CallRecord, PrivacyMode } from '../core/history/record';
import type { Logger } from '../core/log';
import { otlpEndpointProblem, parseOtlpHeaders, signalUrl } from '../core/telemetry/genai';
import { CallExporter } from '../node/telemetry';
import { Disposable } from './disposable';

const HEADERS_SECRET = 'qwenRouter.telemetry.otlp.headers';

/** A machine-scoped setting as the user set it (a workspace cannot say where telemetry goes). */
function machineSetting<T>(key: string, fallback: T): T {
  const inspected = vscode.workspace.getConfiguration('qwenRouter').inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

/**
 * OpenTelemetry export for the extension (docs/telemetry.md): off until
 * qwenRouter.telemetry.otlp.endpoint is set; headers from SecretStorage. Rebuilt when the settings
 * or the headers change; `recorded` never throws or waits.
 */
export class OtelExport extends Disposable {
  private exporter: CallExporter | undefined;
  private generation = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Logger,
  ) {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('qwenRouter.telemetry') || event.affectsConfiguration('qwenRouter.allowInsecureHttp')) void this.configure();
      }),
    );
    this.register(context.secrets.onDidChange((event) => (event.key === HEADERS_SECRET ? void this.configure() : undefined)));
    this.register({ dispose: () => void this.shutdown() });
    void this.configure();
  }

  /** Resolves once the exporter for the current settings is in place. */
  async configure(): Promise<void> {
    const generation = ++this.generation;
    const endpoint = machineSetting('telemetry.otlp.endpoint', '').trim();
    const includeText = machineSetting<boolean>('telemetry.otlp.includeText', false) === true;
    const allowInsecureHttp = machineSetting<boolean>('allowInsecureHttp', false) === true;
    let next: CallExporter | undefined;
    if (endpoint) {
      const problem = otlpEndpointProblem(endpoint, { allowInsecureHttp });
      const parsed = parseOtlpHeaders((await this.context.secrets.get(HEADERS_SECRET)) ?? '');
      if (generation !== this.generation) return;
      if (problem || parsed.problem) {
        this.log.warn(`${problem ?? parsed.problem}; no telemetry is sent`);
        void vscode.window.showWarningMessage(vscode.l10n.t('Qwen Router sends no OpenTelemetry data: {0}', (problem ?? parsed.problem) as string));
      } else {
        const version = String(this.context.extension.packageJSON.version ?? '');
        next = new CallExporter(
          { tracesUrl: signalUrl(endpoint, 'traces'), metricsUrl: signalUrl(endpoint, 'metrics'), headers: parsed.headers, serviceName: 'qwen-router', includeText, timeoutMs: 5_000 },
          { version, surface: 'vscode', log: this.log, spanDelayMs: 1_000 },
        );
        this.log.info(`OpenTelemetry: exporting each call to ${endpoint}${includeText ? ' (with prompt and answer text)' : ''}`);
      }
    }
    const previous = this.exporter;
    this.exporter = next;
    await previous?.shutdown();
  }

  /** Exports a recorded call; text only when the setting asks for it and the history keeps text. */
  recorded(record: CallRecord, privacy: PrivacyMode): void {
    this.exporter?.recorded(record, privacy);
  }

  /** Sends what is pending; bounded (deactivation waits for it). */
  async shutdown(): Promise<void> {
    const exporter = this.exporter;
    this.exporter = undefined;
    this.generation++;
    await exporter?.shutdown();
  }
}

/** "Qwen Router: Set OpenTelemetry Headers": `key=value,key2=value2` in SecretStorage; empty removes them. */
export async function promptForOtelHeaders(secrets: vscode.SecretStorage): Promise<boolean> {
  const value = await vscode.window.showInputBox({
    title: vscode.l10n.t('Qwen Router: Set OpenTelemetry Headers'),
    prompt: vscode.l10n.t('Headers for your OpenTelemetry collector, as key=value,key2=value2 (like OTEL_EXPORTER_OTLP_HEADERS). They are kept in VS Code\'s secret storage. Leave empty to remove them.'),
    password: true,
    ignoreFocusOut: true,
    placeHolder: 'authorization=Bearer%20...',
    validateInput: (text) => (parseOtlpHeaders(text).problem ? vscode.l10n.t('Write the headers as key=value pairs separated by commas.') : undefined),
  });
  if (value === undefined) return false;
  if (value.trim()) await secrets.store(HEADERS_SECRET, value.trim());
  else await secrets.delete(HEADERS_SECRET);
  void vscode.window.showInformationMessage(value.trim() ? vscode.l10n.t('OpenTelemetry headers saved.') : vscode.l10n.t('The OpenTelemetry headers were removed.'));
  return true;
}
