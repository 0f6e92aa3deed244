import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

export interface ChatMessage {
  role: string;
  content: string;
  /** Sent to the provider as they are (OpenAI tool calling): an assistant's calls, a tool result's call id, a name. Routing reads only role and content. */
  tool_calls?: unknown[];
  tool_call_id?: string;
  name?: string;
  /** OpenAI content parts (text and image_url) sent instead of `content` when set; `content` keeps the text that routing, counts and the record read. */
  contentParts?: unknown[];
}

let encoder: Tiktoken | undefined;

/** cl100k_base (what the old service's `tiktoken.encoding_for_model("gpt-4")` gives), built once on first use. */
function cl100k(): Tiktoken {
  encoder ??= new Tiktoken(cl100kBase);
  return encoder;
}

/**
 * Tokens in a text under cl100k_base. Special-token text such as "<|endoftext|>" is counted as
 * ordinary text (Python tiktoken's default would raise on it, which made the old service fail).
 */
export function countTokens(text: string): number {
  return cl100k().encode(text, [], []).length;
}

/**
 * The old service's `estimate_tokens`: per message 4 + tokens(content) + tokens(role), then 2 for
 * the reply primer. An estimate of the prompt's size, not the provider's own count.
 */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const message of messages) {
    total += 4;
    total += countTokens(message.content);
    total += countTokens(message.role);
  }
  return total + 2;
}

/**
 * Builds the cl100k_base encoder now (about 0.2-0.3 s on first use) so that the first fallback
 * routing does not pay for it; call it when the host is idle.
 */
export function warmUpTokenCounter(): void {
  cl100k();
}
