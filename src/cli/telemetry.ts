import { version } from '../../package.json';
import type { PrivacyMode } from '../core/history/record';
import { otlpTargetFromEnvironment } from '../core/telemetry/genai';
import { CallExporter } from '../node/telemetry';
import type { CliIo } from './runner';

/**
 * The CLI's OpenTelemetry export, from the standard OTEL_* variables (docs/telemetry.md), or
 * undefined when none is set. A variable that cannot be used is one warning line; the call goes on.
 * Text is never exported from a history kept with privacy "metadata".
 */
export function cliTelemetry(io: CliIo, options: { privacy: PrivacyMode; allowInsecureHttp: boolean }): CallExporter | undefined {
  const { target, problem } = otlpTargetFromEnvironment(io.env, { allowInsecureHttp: options.allowInsecureHttp });
  if (problem) io.stderr.write(`warning: ${problem}; no telemetry is sent\n`);
  if (!target) return undefined;
  const log = { info: () => undefined, warn: (m: string) => io.stderr.write(`warning: ${m}\n`), error: (m: string) => io.stderr.write(`warning: ${m}\n`) };
  return new CallExporter({ ...target, includeText: target.includeText && options.privacy !== 'metadata' }, { version, surface: 'cli', log });
}
