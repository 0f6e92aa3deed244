/**
 * Reading call_history.jsonl line by line, forwards or backwards, without holding the file in
 * memory, and deciding what a line is exactly as the old service's loader did: strip it (Python's
 * str.strip whitespace), skip it if blank, skip it if it is not valid JSON. We also skip lines that
 * are valid JSON but not an object: the old service would have loaded them and then crashed in /stats.
 */
import { open, type FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;
/** Bytes read (and their lines handed on) at a time: ~270 records, 5-10 ms of parsing between two turns of the event loop. */
const CHUNK = 512 << 10;
const BACKWARD_CHUNK = 64 << 10;

// The characters Python's str.strip() removes (str.isspace), which differ from JS's trim().
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

const PY_SPACE_CHARS = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]);
const isPySpace = (code: number) => PY_SPACE_CHARS.has(code) || (code >= 0x2000 && code <= 0x200a);

export function pyStrip(text: string): string {
  // Fast path: the usual line has no whitespace at either end.
  if (text.length === 0 || (!isPySpace(text.charCodeAt(0)) && !isPySpace(text.charCodeAt(text.length - 1)))) return text;
  return text.replace(PY_STRIP, '');
}

export type ParsedLine =
  | { kind: 'record'; value: Record<string, unknown>; text: string }
  /** A linked line about a call (`{"type": "signal", "of": id, ...}`): not a call, not a skipped line (docs/history.md#signals). */
  | { kind: 'signal'; value: Record<string, unknown>; text: string }
  | { kind: 'blank' }
  | { kind: 'invalid' };

const decoder = new TextDecoder('utf-8');

/** Classifies one line (without its newline). `text` is the stripped JSON text, as stored. */
export function parseLineText(line: string): ParsedLine {
  const text = pyStrip(line);
  if (!text) return { kind: 'blank' };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'invalid' };
    if ((value as { type?: unknown }).type === 'signal') return { kind: 'signal', value: value as Record<string, unknown>, text };
    return { kind: 'record', value: value as Record<string, unknown>, text };
  } catch {
    return { kind: 'invalid' };
  }
}

export function parseLine(bytes: Uint8Array): ParsedLine {
  return parseLineText(decoder.decode(bytes));
}

export interface LineCounts {
  records: number;
  blank: number;
  invalid: number;
  /** Signal lines (linked to a call, not calls themselves). */
  signals?: number;
}

export interface ForwardScan {
  /** The offset just past the last newline read: everything before it has been seen. */
  consumedTo: number;
  /** Bytes after the last newline (a line still without its newline), if any. */
  tail?: Buffer;
}

/**
 * Calls `onLine` for each newline-terminated line in [start, end) with its text (newline
 * excluded), in order, and `onBlock` after each block of whole lines with the offset just past
 * them. Bytes after the last newline are returned as the tail, not passed on. Reads in 512 KiB
 * blocks and decodes each block once (a newline byte never occurs inside a UTF-8 sequence).
 */
export async function scanForward(path: string, start: number, end: number, onLine: (text: string) => void, onBlock?: (consumedTo: number) => void): Promise<ForwardScan> {
  if (end <= start) return { consumedTo: start };
  const handle = await open(path, 'r');
  try {
    return await scanHandleForward(handle, start, end, onLine, onBlock);
  } finally {
    await handle.close();
  }
}

async function scanHandleForward(handle: FileHandle, start: number, end: number, onLine: (text: string) => void, onBlock?: (consumedTo: number) => void): Promise<ForwardScan> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = start;
  // The blocks of a line that began in an earlier block, joined once when its newline arrives:
  // joining them block by block would copy a long line again for every block (quadratic).
  let carry: Buffer[] = [];
  let consumedTo = start;
  while (position < end) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, end - position), position);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      carry.push(Buffer.from(chunk)); // a copy: `buffer` is reused for the next block
    } else {
      const whole = carry.length ? Buffer.concat([...carry, chunk.subarray(0, lastNewline)]) : chunk.subarray(0, lastNewline);
      const lines = whole.toString('utf8').split('\n');
      for (const line of lines) onLine(line);
      consumedTo = position + lastNewline + 1;
      onBlock?.(consumedTo);
      carry = lastNewline + 1 < bytesRead ? [Buffer.from(chunk.subarray(lastNewline + 1))] : [];
    }
    position += bytesRead;
  }
  return carry.length ? { consumedTo, tail: Buffer.concat(carry) } : { consumedTo };
}

/**
 * Yields the lines that end before `end` (a newline offset) from the last to the first, each with
 * its start offset. Reads the file backwards in chunks: a page of the newest records costs a read
 * of their bytes only.
 */
export async function* scanBackward(path: string, end: number): AsyncGenerator<{ bytes: Buffer; offset: number }> {
  if (end <= 0) return;
  const handle = await open(path, 'r');
  try {
    let position = end; // bytes before this are unread
    let pending: Buffer[] = []; // the pieces (in file order) of a line whose start is not read yet
    // `end` is just past a newline: drop it so the last line does not look like an empty one.
    let skipFinalNewline = true;
    while (position > 0) {
      const size = Math.min(BACKWARD_CHUNK, position);
      const chunk = Buffer.allocUnsafe(size); // a fresh buffer: the pieces kept in `pending` point into it
      const { bytesRead } = await handle.read(chunk, 0, size, position - size);
      if (bytesRead < size) throw new Error(`${path} shrank while it was being read`);
      position -= size;
      let data = chunk;
      if (skipFinalNewline) {
        if (data[data.length - 1] === NEWLINE) data = data.subarray(0, data.length - 1);
        skipFinalNewline = false;
      }
      let lineEnd = data.length;
      let newline = lineEnd > 0 ? data.lastIndexOf(NEWLINE, lineEnd - 1) : -1;
      while (newline !== -1) {
        const piece = data.subarray(newline + 1, lineEnd);
        const bytes = pending.length ? Buffer.concat([piece, ...pending]) : piece;
        pending = [];
        yield { bytes, offset: position + newline + 1 };
        lineEnd = newline;
        newline = lineEnd > 0 ? data.lastIndexOf(NEWLINE, lineEnd - 1) : -1;
      }
      if (lineEnd > 0) pending.unshift(data.subarray(0, lineEnd));
    }
    yield { bytes: pending.length ? Buffer.concat(pending) : Buffer.alloc(0), offset: 0 };
  } finally {
    await handle.close();
  }
}
