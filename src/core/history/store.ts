/**
 * The call history file: appends that are serialized and whole-line, a reader that never rewrites,
 * stats kept up to date incrementally (only bytes appended since the last look are read), and
 * /stats/raw pages read from the end of the file.
 */
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StatsAccumulator, type HistoryStats, type StatsOptions } from '../stats/accumulator';
import { parseLine, parseLineText, scanBackward, scanForward, type LineCounts } from './lines';
import { signalLine, type SignalKind, type SignalLine } from './signal';
import { withoutText, type CallRecord, type PrivacyMode } from './record';
import type { ScoreDistribution } from '../routing/dial';

export const HISTORY_FILE_NAME = 'call_history.jsonl';

export interface HistoryStoreOptions extends StatsOptions {
  /** "metadata" leaves prompt and answer text out of every record appended from now on. */
  privacy?: PrivacyMode;
}

export interface RawPage {
  total: number;
  limit: number;
  offset: number;
  /** Newest first, each exactly as stored (parsed). */
  records: Record<string, unknown>[];
  /** The same records as their stored JSON text, for callers that must reproduce them byte for byte. */
  lines: string[];
}

interface Checkpoint {
  /** Records in the lines before `offset`. */
  records: number;
  /** A line start. */
  offset: number;
}

interface Cache {
  accumulator: StatsAccumulator;
  /** Every ~1 MiB: how many records come before that offset, for pages deep in the history. */
  checkpoints: Checkpoint[];
  /** Offset just past the last newline folded in. */
  consumedTo: number;
  dev: number;
  ino: number;
  /** The first bytes of the file when the cache was built, to notice a file replaced in place. */
  head: Buffer;
}

interface Snapshot {
  accumulator: StatsAccumulator;
  consumedTo: number;
  /** A complete record after the last newline (a file whose last line has no newline), if any. */
  tailRecord?: { value: Record<string, unknown>; text: string };
}

const HEAD_BYTES = 256;
/** records() hands over this much at a time: its consumer runs that long without the event loop turning. */
const SLICE = 512 << 10;
const CHECKPOINT_BYTES = 1 << 20;
/** Pages starting within this many records of the newest are read backwards from the end. */
const SHALLOW_PAGE = 500;
const NEWLINE = 0x0a;

export class HistoryStore {
  private appendQueue: Promise<unknown> = Promise.resolve();
  private readQueue: Promise<unknown> = Promise.resolve();
  private cache: Cache | undefined;
  private options: HistoryStoreOptions;

  constructor(readonly path: string, options: HistoryStoreOptions = {}) {
    this.options = { ...options };
  }

  get privacy(): PrivacyMode {
    return this.options.privacy ?? 'full';
  }

  /**
   * Changes privacy or the stats options (top tier prices, day key). Stats are rebuilt on next use
   * when an option they depend on changed, or when `options` is empty (start again from the file).
   * Returns whether the stats were dropped (and so will be read again from the start).
   */
  configure(options: Partial<HistoryStoreOptions>): boolean {
    const before = statsOptionsKey(this.options);
    this.options = { ...this.options, ...options };
    if (Object.keys(options).length > 0 && statsOptionsKey(this.options) === before) return false;
    this.cache = undefined;
    return true;
  }

  /**
   * Appends one record as one line. Appends from this process run one at a time; each is a single
   * write on a file opened for appending, so lines from other processes do not interleave with it.
   * If the file ends in a torn line (a writer crashed mid-append), a newline goes first so the torn
   * line stays alone and this record stays whole.
   */
  append(record: CallRecord | Record<string, unknown>): Promise<void> {
    const stored = this.privacy === 'metadata' ? withoutText(record as CallRecord) : record;
    return this.appendLines([JSON.stringify(stored)]);
  }

  /**
   * Appends a signal line about the call record `of` (👍/👎, "Ask the next tier instead"). It holds
   * no text, so privacy leaves it as it is; stats, pages and skipped lines do not count it.
   */
  appendSignal(of: string, signal: SignalKind, options: { now?: () => number; newId?: () => string } = {}): Promise<SignalLine> {
    const line = signalLine(of, signal, options);
    return this.appendLines([JSON.stringify(line)]).then(() => line);
  }

  /** Appends lines already serialized (one record each, no newline inside). */
  appendLines(lines: string[]): Promise<void> {
    const run = this.appendQueue.then(() => this.writeLines(lines));
    this.appendQueue = run.catch(() => undefined);
    return run;
  }

  private async writeLines(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    await mkdir(dirname(this.path), { recursive: true });
    const handle = await open(this.path, 'a+');
    try {
      const prefix = (await endsMidLine(handle)) ? '\n' : '';
      const data = Buffer.from(`${prefix}${lines.join('\n')}\n`, 'utf8');
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written);
        written += bytesWritten;
      }
    } finally {
      await handle.close();
    }
  }

  /** Waits for this process's pending appends. */
  async flush(): Promise<void> {
    await this.appendQueue;
  }

  /** Stats over the whole file, reading only what was appended since the last call. */
  async stats(): Promise<HistoryStats> {
    return (await this.upToDate()).finish();
  }

  /** The complexity scores of the successful classifier-routed calls (the cost-quality dial's history), read as stats() reads. */
  async complexityScores(): Promise<ScoreDistribution> {
    return (await this.upToDate()).complexityScores();
  }

  private async upToDate(): Promise<StatsAccumulator> {
    const snapshot = await this.snapshot();
    const accumulator = snapshot.tailRecord ? snapshot.accumulator.clone() : snapshot.accumulator;
    if (snapshot.tailRecord) accumulator.add(snapshot.tailRecord.value);
    return accumulator;
  }

  /**
   * How many bytes stats() would still have to read now: the whole file when it was never read or
   * was replaced, what was appended since otherwise, 0 when there is no file. Lets a view decide
   * whether to wait for the stats or show the newest records first.
   */
  async unreadBytes(): Promise<number> {
    let info;
    try {
      info = await stat(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const cache = this.cache;
    if (!cache || cache.dev !== info.dev || cache.ino !== info.ino || info.size < cache.consumedTo) return info.size;
    return info.size - cache.consumedTo;
  }

  /**
   * The newest `limit` records, newest first, read backwards from the end of the file as it is now,
   * without waiting for the stats (a cold history's first scan takes seconds; this reads only the
   * bytes of these records). A complete last line without its newline counts, as in page(); a line
   * that is not a record is skipped.
   */
  async newest(limit = 50): Promise<Pick<RawPage, 'records' | 'lines'>> {
    const records: Record<string, unknown>[] = [];
    const lines: string[] = [];
    if (limit <= 0) return { records, lines };
    for await (const { bytes } of scanBackward(this.path, await fileSize(this.path))) {
      const parsed = parseLine(bytes);
      if (parsed.kind !== 'record') continue;
      records.push(parsed.value);
      lines.push(parsed.text);
      if (records.length >= limit) break;
    }
    return { records, lines };
  }

  /**
   * /stats/raw: records newest first, `offset` records skipped, at most `limit` returned, with
   * Python's slice semantics. The newest pages are read backwards from the end of the file; a
   * page deep in the history starts from the nearest checkpoint the stats scan left behind.
   */
  async page(limit = 50, offset = 0): Promise<RawPage> {
    const snapshot = await this.snapshot();
    const tail = snapshot.tailRecord ? 1 : 0;
    const lineRecords = snapshot.accumulator.records;
    const total = lineRecords + tail;
    const records: Record<string, unknown>[] = [];
    const lines: string[] = [];
    // list(reversed(history))[offset:offset + limit], as the old service did.
    const [start, stop] = pySliceBounds(total, offset, offset + limit);
    if (stop <= start) return { total, limit, offset, records, lines };
    const take = (value: Record<string, unknown>, text: string) => {
      records.push(value);
      lines.push(text);
    };
    if (tail && start === 0) take(snapshot.tailRecord!.value, snapshot.tailRecord!.text);
    // Newest-first positions among the newline-terminated records.
    const from = Math.max(0, start - tail);
    const to = stop - tail;
    if (to <= from) return { total, limit, offset, records, lines };

    if (from < SHALLOW_PAGE) {
      let index = 0;
      for await (const { bytes } of scanBackward(this.path, snapshot.consumedTo)) {
        const parsed = parseLine(bytes);
        if (parsed.kind !== 'record') continue;
        if (index >= from) take(parsed.value, parsed.text);
        index += 1;
        if (index >= to) break;
      }
      return { total, limit, offset, records, lines };
    }

    // File-order indices [first, last] of the wanted records; read forwards from a checkpoint.
    const first = lineRecords - to;
    const last = lineRecords - 1 - from;
    const checkpoint = this.checkpointAtOrBefore(first, snapshot.consumedTo);
    const found: { value: Record<string, unknown>; text: string }[] = [];
    let index = checkpoint.records;
    for await (const line of this.lineTexts(checkpoint.offset, snapshot.consumedTo, false)) {
      const parsed = parseLineText(line);
      if (parsed.kind !== 'record') continue;
      if (index >= first) found.push({ value: parsed.value, text: parsed.text });
      index += 1;
      if (index > last) break;
    }
    for (const item of found.reverse()) take(item.value, item.text);
    return { total, limit, offset, records, lines };
  }

  /**
   * Every record in file order (a last line without its newline included), counting what was
   * skipped into `counts`. Streams in slices: memory stays flat and a caller that stops early
   * does not pay for the whole file.
   */
  async *records(counts: LineCounts = { records: 0, blank: 0, invalid: 0 }, options: { signals?: boolean } = {}): AsyncGenerator<{ value: Record<string, unknown>; text: string }> {
    for await (const line of this.lineTexts(0, await fileSize(this.path), true)) {
      const parsed = parseLineText(line);
      if (parsed.kind === 'record') {
        counts.records += 1;
        yield { value: parsed.value, text: parsed.text };
      } else if (parsed.kind === 'signal') {
        counts.signals = (counts.signals ?? 0) + 1;
        if (options.signals) yield { value: parsed.value, text: parsed.text };
      } else if (parsed.kind === 'blank') counts.blank += 1;
      else counts.invalid += 1;
    }
  }

  /** The lines in [from, to) in order, read in slices; with `tail`, also a last line without its newline. */
  private async *lineTexts(from: number, to: number, tail: boolean): AsyncGenerator<string> {
    const batch: string[] = [];
    let position = from;
    let slice = SLICE;
    while (position < to) {
      const end = Math.min(to, position + slice);
      const scan = await scanForward(this.path, position, end, (line) => batch.push(line));
      yield* batch.splice(0);
      if (scan.consumedTo > position) {
        position = scan.consumedTo;
        slice = SLICE;
        continue;
      }
      if (end < to) {
        slice *= 2; // one line longer than the slice
        continue;
      }
      if (tail && scan.tail) yield scan.tail.toString('utf8');
      return;
    }
  }

  private checkpointAtOrBefore(recordIndex: number, consumedTo: number): Checkpoint {
    const checkpoints = this.cache?.checkpoints ?? [];
    let best: Checkpoint = { records: 0, offset: 0 };
    for (const checkpoint of checkpoints) {
      if (checkpoint.records <= recordIndex && checkpoint.offset <= consumedTo) best = checkpoint;
      else break;
    }
    return best;
  }

  /** Brings the cache up to the file's current end and returns it with any complete last line lacking its newline. */
  private snapshot(): Promise<Snapshot> {
    const run = this.readQueue.then(() => this.catchUp());
    this.readQueue = run.catch(() => undefined);
    return run;
  }

  private async catchUp(): Promise<Snapshot> {
    let info;
    try {
      info = await stat(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.cache = undefined;
      return { accumulator: new StatsAccumulator(this.options), consumedTo: 0 };
    }
    const size = info.size;
    let cache = this.cache;
    if (cache && !(await this.cacheStillValid(cache, info.dev, info.ino, size))) cache = undefined;
    if (!cache) {
      cache = { accumulator: new StatsAccumulator(this.options), consumedTo: 0, dev: info.dev, ino: info.ino, head: Buffer.alloc(0), checkpoints: [] };
      this.cache = cache;
    }
    const { accumulator, checkpoints } = cache;
    const scan = await scanForward(
      this.path,
      cache.consumedTo,
      size,
      (line) => {
        const parsed = parseLineText(line);
        if (parsed.kind === 'record') accumulator.add(parsed.value);
        else if (parsed.kind === 'blank') accumulator.blankLines += 1;
        else if (parsed.kind === 'invalid') accumulator.skippedLines += 1;
      },
      (consumedTo) => {
        const lastOffset = checkpoints.length ? checkpoints[checkpoints.length - 1].offset : 0;
        if (consumedTo - lastOffset >= CHECKPOINT_BYTES) checkpoints.push({ records: accumulator.records, offset: consumedTo });
      },
    );
    cache.consumedTo = scan.consumedTo;
    if (cache.head.length < HEAD_BYTES && cache.consumedTo > cache.head.length) cache.head = await readBytes(this.path, 0, Math.min(HEAD_BYTES, cache.consumedTo));
    const snapshot: Snapshot = { accumulator, consumedTo: cache.consumedTo };
    if (scan.tail) {
      const parsed = parseLine(scan.tail);
      if (parsed.kind === 'record') snapshot.tailRecord = { value: parsed.value, text: parsed.text };
      else if (parsed.kind === 'invalid') {
        // A torn last line: reported, not folded in (it may yet be completed by a newline).
        const copy = accumulator.clone();
        copy.skippedLines += 1;
        snapshot.accumulator = copy;
      }
    }
    return snapshot;
  }

  private async cacheStillValid(cache: Cache, dev: number, ino: number, size: number): Promise<boolean> {
    if (cache.dev !== dev || cache.ino !== ino || size < cache.consumedTo) return false;
    if (cache.consumedTo === 0) return true;
    const last = await readBytes(this.path, cache.consumedTo - 1, 1);
    if (last[0] !== NEWLINE) return false;
    const head = await readBytes(this.path, 0, cache.head.length);
    return head.equals(cache.head);
  }
}

/**
 * Whether the file ends without a newline: a line torn by a writer that died mid-append. A file
 * seen while another process's append is still landing also looks like that for a moment (its size
 * grows page by page), so a size that is still changing is looked at again before deciding;
 * the worst case of a wrong guess is one blank line, which readers skip.
 */
async function endsMidLine(handle: FileHandle): Promise<boolean> {
  const last = Buffer.alloc(1);
  let size = (await handle.stat()).size;
  for (let look = 0; look < 20; look++) {
    if (size === 0) return false;
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === NEWLINE) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
    const now = (await handle.stat()).size;
    if (now === size) return true; // settled, and still no newline: torn
    size = now;
  }
  return true;
}

/** What the stats depend on among the options (privacy only affects what is appended). */
function statsOptionsKey(options: HistoryStoreOptions): string {
  return JSON.stringify([options.dayKey ?? 'local', options.topTier ?? null]);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

async function readBytes(path: string, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  if (length === 0) return buffer;
  const handle = await open(path, 'r');
  try {
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The [start, stop) that Python's seq[start:stop] selects from a sequence of this length (step 1). */
export function pySliceBounds(length: number, start: number, stop: number): [number, number] {
  const clamp = (index: number) => Math.min(length, Math.max(0, index < 0 ? length + index : index));
  return [clamp(start), clamp(stop)];
}
