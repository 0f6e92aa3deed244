/**
 * VS Code's language-model messages as plain data, and their OpenAI chat shape both ways. The
 * vscode classes (LanguageModelTextPart, ...ToolCallPart, ...ToolResultPart, data parts) are turned
 * into these parts in src/vscode/languageModelProvider.ts; everything here is pure and unit-tested.
 */
import type { ChatMessage } from '../routing/tokens';

export type PlainPart =
  | { kind: 'text'; text: string }
  | { kind: 'toolCall'; callId: string; name: string; input: unknown }
  | { kind: 'toolResult'; callId: string; text: string }
  | { kind: 'image'; mimeType: string; data: Uint8Array };

export interface PlainMessage {
  role: 'system' | 'user' | 'assistant';
  parts: PlainPart[];
}

/** A tool offered to the model (VS Code's LanguageModelChatTool). */
export interface PlainTool {
  name: string;
  description: string;
  inputSchema?: object;
}

export type ToolMode = 'auto' | 'required';

/** The message's text parts as one string (VS Code may split one answer's text into many parts). */
export function textOf(message: PlainMessage): string {
  return message.parts.map((part) => (part.kind === 'text' ? part.text : '')).join('');
}

const hasToolResult = (message: PlainMessage) => message.parts.some((part) => part.kind === 'toolResult');

/**
 * OpenAI chat messages: an assistant's tool calls become `tool_calls` (arguments as JSON text), each
 * tool result its own `tool` message with its `tool_call_id`, placed before the rest of its user
 * message (OpenAI wants the results right after the calls). Images go as `image_url` data URLs only
 * when the model reads images; otherwise they are left out.
 */
export function toChatMessages(messages: readonly PlainMessage[], options: { images: boolean }): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const message of messages) {
    const text = textOf(message);
    if (message.role === 'system') {
      if (text) out.push({ role: 'system', content: text });
      continue;
    }
    if (message.role === 'assistant') {
      const calls = message.parts.flatMap((part) => (part.kind === 'toolCall' ? [{ id: part.callId, type: 'function', function: { name: part.name, arguments: JSON.stringify(part.input ?? {}) } }] : []));
      if (text || calls.length) out.push({ role: 'assistant', content: text, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    for (const part of message.parts) if (part.kind === 'toolResult') out.push({ role: 'tool', tool_call_id: part.callId, content: part.text });
    const images = options.images ? message.parts.filter((part): part is Extract<PlainPart, { kind: 'image' }> => part.kind === 'image') : [];
    if (!text && !images.length) continue;
    const contentParts = images.length
      ? [...(text ? [{ type: 'text', text }] : []), ...images.map((image) => ({ type: 'image_url', image_url: { url: `data:${image.mimeType};base64,${Buffer.from(image.data).toString('base64')}` } }))]
      : undefined;
    out.push({ role: 'user', content: text, ...(contentParts ? { contentParts } : {}) });
  }
  return out;
}

/**
 * OpenAI `tools` and `tool_choice`. DashScope's compatible mode has no "required": a required call
 * with one tool names that tool; with several it is sent as "auto" (the model still sees the tools).
 */
export function toOpenAiTools(tools: readonly PlainTool[] | undefined, mode: ToolMode): { tools?: unknown[]; toolChoice?: unknown } {
  if (!tools?.length) return {};
  const openAi = tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.inputSchema ?? { type: 'object', properties: {} } } }));
  const toolChoice = mode === 'required' && tools.length === 1 ? { type: 'function', function: { name: tools[0].name } } : 'auto';
  return { tools: openAi, toolChoice };
}

/** The last message is a tool result: the request continues a turn the model started by calling tools. */
export function isToolContinuation(messages: readonly PlainMessage[]): boolean {
  const last = messages.at(-1);
  return last?.role === 'user' && hasToolResult(last);
}

/**
 * The user's own words of the latest turn: the text of the last user message that is not a tool
 * result. The system prompt and tool output are never classified.
 */
export function latestUserWords(messages: readonly PlainMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message.role === 'user' && !hasToolResult(message)) {
      const text = textOf(message);
      if (text.trim()) return text;
    }
  }
  return '';
}
