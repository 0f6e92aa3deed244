/**
 * The tool calls of an answer, checked before they are handed to the editor: the client assembles
 * them from streamed argument deltas (src/core/llm/client.ts), and a stream cut short or a model
 * that writes bad JSON leaves arguments no tool can take. Such an answer fails with a clear
 * sentence instead of a tool call with half its input.
 */
import type { ToolCall } from './client';

export interface CheckedToolCall {
  callId: string;
  name: string;
  input: Record<string, unknown>;
}

export type ToolCallCheck = { ok: true; calls: CheckedToolCall[] } | { ok: false; message: string };

/** Validates every call: a name, and arguments that are one complete JSON object ("" counts as {}). Calls without an id get `newId()`. */
export function checkToolCalls(calls: readonly (ToolCall | undefined)[] | undefined, newId: () => string): ToolCallCheck {
  const checked: CheckedToolCall[] = [];
  // The client's merge indexes calls by their stream index: a gap leaves a hole in the array.
  for (const call of (calls ?? []).filter((c): c is ToolCall => Boolean(c))) {
    const name = call.function.name;
    if (!name) return { ok: false, message: 'The model asked for a tool call without naming the tool. Try again.' };
    const text = call.function.arguments.trim();
    let input: unknown;
    try {
      input = text ? JSON.parse(text) : {};
    } catch {
      const tail = text.length > 40 ? `…${text.slice(-40)}` : text;
      return { ok: false, message: `The model's call of the tool "${name}" has arguments that are not complete JSON (${text.length} characters, ending "${tail}"): the answer was probably cut off. Try again.` };
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      return { ok: false, message: `The model's call of the tool "${name}" has arguments that are not a JSON object. Try again.` };
    }
    checked.push({ callId: call.id || newId(), name, input: input as Record<string, unknown> });
  }
  return { ok: true, calls: checked };
}
