import { version } from '../../package.json';
import { otlpTargetFromEnvironment } from '../core/telemetry/genai';
import { CallExporter } from '../node/telemetry';
import type { CliIo } from './runner';

/**
 * The CLI's OpenTelemetry export, from the standard OTEL_* variables (docs/telemetry.md), or
 * undefined when none is set. A variable that cannot be used is one warning line; the call goes on.
 */
export function cliTelemetry(io: CliIo, options: { allowInsecureHttp: boolean }): CallExporter | undefined {
  const { target, problem } = otlpTargetFromEnvironment(io.env, { allowInsecureHttp: options.allowInsecureHttp });
  if (problem) io.stderr.write(`warning: ${problem}; no telemetry is sent\n`);
  if (!target) return undefined;
  const log = { info: () => undefined, warn: (m: string) => io.stderr.write(`warning: ${m}\n`), error: (m: string) => io.stderr.write(`warning: ${m}\n`) };
  return new CallExporter(target, { version, surface: 'cli', log });
}
