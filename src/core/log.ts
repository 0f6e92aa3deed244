/**
 * The one log's vocabulary, without an editor: a tiny Logger any front end adapts (the extension
 * hands in its "Qwen Router" LogOutputChannel), and the lines a user or a bug report needs for a
 * call. No line carries prompt or answer text or a key: a prompt is described by its length.
 */
import type { AskResult, RoutedEvent } from './ask';
import type { ChatFailure } from './llm/errors';
import type { ChatMessage } from './routing/tokens';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A Logger that drops everything (tests, dry runs). */
export const SILENT_LOGGER: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const ms = (value: number) => `${Math.round(value)} ms`;

/** Where a question went and why, with the prompt's size (never its text). */
export function routingLine(event: RoutedEvent, messages: readonly ChatMessage[]): string {
  const { decision, target } = event;
  const last = messages.length ? messages[messages.length - 1].content : '';
  const parts = [
    `Routing: ${target.key} (${target.model}) via ${decision.method}`,
    decision.tier ? `tier ${decision.tier}` : undefined,
    decision.classifier ? `complexity ${decision.classifier.prompt_complexity_score}, task ${decision.classifier.task_type_1}` : undefined,
    decision.fallbackReason ? `fallback: ${decision.fallbackReason}` : undefined,
    typeof decision.routing.pooled === 'string' ? decision.routing.pooled : undefined,
    decision.thinking.enabled ? `thinking${decision.thinking.budget ? ` (budget ${decision.thinking.budget})` : ''}` : undefined,
    `prompt ${last.length} chars, ${messages.length} message${messages.length === 1 ? '' : 's'}`,
  ];
  return parts.filter(Boolean).join('; ');
}

/** A retry of the same model, or an escalation to the next tier's model, and what it waited for. */
export function retryLine(info: { model: string; attempt: number; waitedMs: number; reason: ChatFailure; escalated: boolean }): string {
  const what = info.escalated ? `Escalating to ${info.model}` : `Retrying ${info.model}`;
  return `${what} (attempt ${info.attempt}) after waiting ${ms(info.waitedMs)}: ${failureText(info.reason)}`;
}

/** How a call ended: model, time, tokens; a failure's kind, message and DashScope request id. */
export function resultLine(result: AskResult): { level: 'info' | 'warn' | 'error'; line: string } {
  const { llm, error, attempts } = result.record;
  const tried = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  const escalated = result.record.escalated_from?.length ? `, escalated from ${result.record.escalated_from.join(', ')}` : '';
  if (result.status === 'ok') {
    return { level: 'info', line: `Answered by ${llm.model} in ${ms(llm.llm_latency_ms)} (${tried}${escalated}); ${llm.input_tokens} input + ${llm.output_tokens} output tokens (${llm.usage_source})` };
  }
  if (result.status === 'cancelled') return { level: 'info', line: `Cancelled on ${llm.model} after ${tried}` };
  const requestId = error?.request_id ? `, request_id ${error.request_id}` : '';
  return { level: 'error', line: `Call to ${llm.model} failed (${error?.kind ?? 'error'}${error?.status !== undefined ? ` ${error.status}` : ''}${requestId}, ${tried}${escalated}): ${error?.message ?? 'unknown error'}` };
}

function failureText(failure: ChatFailure): string {
  const status = failure.status !== undefined ? ` ${failure.status}` : '';
  const requestId = failure.requestId && !failure.message.includes(failure.requestId) ? ` (request_id ${failure.requestId})` : '';
  return `${failure.kind}${status}: ${failure.message}${requestId}`;
}
