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
 * js-tiktoken's byte-pair merge is quadratic in the length of one pre-tokenizer piece: 2,000 letters
 * or punctuation marks in a row took over a second, so a pasted base64 blob, minified line or
 * separator could freeze the extension host. Runs of one character class longer than this are
 * counted in slices of RUN_SLICE characters instead: exact for ordinary text (words are shorter),
 * within about one token per slice for such runs, and linear.
 */
const RUN_SLICE = 64;
const LONG_RUN = new RegExp(`\\p{L}{${RUN_SLICE + 1},}|[^\\s\\p{L}\\p{N}]{${RUN_SLICE + 1},}|\\s{${RUN_SLICE + 1},}`, 'gu');

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * Tokens in a text under cl100k_base. Special-token text such as "<|endoftext|>" is counted as
 * ordinary text (Python tiktoken's default would raise on it, which made the old service fail).
 * Long runs of one character class are counted slice by slice (above).
 */
export function countTokens(text: string): number {
  let total = 0;
  let from = 0;
  for (const run of text.matchAll(LONG_RUN)) {
    total += exactCount(text.slice(from, run.index));
    const piece = run[0];
    for (let at = 0; at < piece.length; ) {
      let to = Math.min(at + RUN_SLICE, piece.length);
      if (to < piece.length && isLowSurrogate(piece.charCodeAt(to))) to--; // never split a surrogate pair
      total += exactCount(piece.slice(at, to));
      at = to;
    }
    from = run.index + piece.length;
  }
  return total + exactCount(text.slice(from));
}

function exactCount(text: string): number {
  return text ? cl100k().encode(text, [], []).length : 0;
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
