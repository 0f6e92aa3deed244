/**
 * Moving records in and out: importing the old service's call_history.jsonl (records already in
 * the history are skipped) and exporting ours as JSONL or CSV, without text unless asked.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { isSameFile, realPathOf, writeFileAtomically } from './files';
import { withFileLock, type LockHolder } from './lock';
import { HistoryStore } from './store';
import { identityKey, withoutText, type CallRecord } from './record';

export interface ImportReport {
  /** Records appended. */
  imported: number;
  /** Records skipped because the history already had them. */
  duplicates: number;
  /** Lines that were not call records (torn, not JSON, no `llm` object). */
  invalid: number;
  blank: number;
}

function isCallRecord(value: Record<string, unknown>): boolean {
  return typeof value.timestamp === 'number' && !!value.llm && typeof value.llm === 'object' && !Array.isArray(value.llm);
}

/**
 * Appends the records of another history file (the old service's, or an export of ours) that this
 * history does not have yet. Same-call detection uses `identityKey` (our id, or the old service's
 * timestamp + response id + model + token counts), counted as a multiset, so importing the same
 * file twice adds nothing and a file with genuinely repeated records keeps its repeats.
 * Records are appended as their original text (byte for byte), or without text when the store's
 * privacy mode is "metadata".
 * Imports into one history run one at a time, across processes (a lock file beside the history):
 * two at once would both read the history before either appends, and add every record twice.
 * Plain appends need no lock: a new call's record cannot be a duplicate of an imported one.
 */
export function importHistory(store: HistoryStore, fromPath: string, options: { batchSize?: number; onWait?: (holder: LockHolder) => void } = {}): Promise<ImportReport> {
  return withFileLock(`${store.path}.lock`, () => importUnlocked(store, fromPath, options.batchSize ?? 500), options.onWait);
}

async function importUnlocked(store: HistoryStore, fromPath: string, batchSize: number): Promise<ImportReport> {
  const have = new Map<string, number>();
  for await (const { value } of store.records()) {
    const key = identityKey(value as Partial<CallRecord>);
    have.set(key, (have.get(key) ?? 0) + 1);
  }
  const source = new HistoryStore(fromPath);
  const counts = { records: 0, blank: 0, invalid: 0 };
  const report: ImportReport = { imported: 0, duplicates: 0, invalid: 0, blank: 0 };
  let batch: string[] = [];
  for await (const { value, text } of source.records(counts)) {
    if (!isCallRecord(value)) {
      report.invalid += 1;
      continue;
    }
    const key = identityKey(value as Partial<CallRecord>);
    const seen = have.get(key) ?? 0;
    if (seen > 0) {
      have.set(key, seen - 1);
      report.duplicates += 1;
      continue;
    }
    batch.push(store.privacy === 'metadata' ? JSON.stringify(withoutText(value as Partial<CallRecord>)) : text);
    report.imported += 1;
    if (batch.length >= batchSize) {
      await store.appendLines(batch);
      batch = [];
    }
  }
  if (batch.length) await store.appendLines(batch);
  report.invalid += counts.invalid;
  report.blank = counts.blank;
  return report;
}

export interface ExportOptions {
  /** Include prompt, answer and thinking text (default false: metadata only). */
  includeText?: boolean;
  format?: 'jsonl' | 'csv';
}

const CSV_COLUMNS = [
  'id',
  'time_utc',
  'status',
  'method',
  'tier',
  'model',
  'provider_model',
  'task_type',
  'complexity_score',
  'fallback_reason',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'llm_latency_ms',
  'ttft_ms',
  'routing_latency_ms',
  'attempts',
  'error_kind',
] as const;

/** What a spreadsheet reads as the start of a formula (OWASP's CSV-injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  // Numbers stay numbers (a negative cost is not a formula); only text can smuggle one in.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // A leading quote makes the spreadsheet show the text as text instead of running it.
  if (FORMULA_START.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(record: Partial<CallRecord>, includeText: boolean): string {
  const r = record as Record<string, any>;
  const llm = r.llm ?? {};
  const routing = r.routing ?? {};
  const status = r.cancelled === true ? 'cancelled' : r.error ? 'error' : 'ok';
  const time = typeof r.timestamp === 'number' ? new Date(r.timestamp * 1000).toISOString() : '';
  const cells: unknown[] = [
    r.id ?? '',
    time,
    status,
    routing.method,
    routing.tier,
    llm.model,
    llm.provider_model,
    routing.task_type,
    routing.complexity_score,
    routing.fallback_reason,
    llm.input_tokens,
    llm.output_tokens,
    llm.cost_usd,
    llm.llm_latency_ms,
    llm.ttft_ms,
    routing.routing_latency_ms,
    r.attempts,
    r.error?.kind,
  ];
  if (includeText) cells.push(routing.query, llm.response_content);
  return cells.map(csvCell).join(',');
}

/**
 * Writes every record to `out`; returns how many. Text is left out unless `includeText`. Rejects
 * with the stream's error if `out` fails. The caller ends `out`; to write a file, use
 * exportHistoryToFile.
 */
export async function exportHistory(store: HistoryStore, out: NodeJS.WritableStream, options: ExportOptions = {}): Promise<number> {
  const includeText = options.includeText === true;
  const format = options.format ?? 'jsonl';
  const write = async (text: string) => {
    if (!out.write(text)) await drained(out as Writable);
  };
  if (format === 'csv') await write(`${[...CSV_COLUMNS, ...(includeText ? ['query', 'response_content'] : [])].join(',')}\n`);
  let count = 0;
  for await (const { value, text } of store.records()) {
    const record = value as Partial<CallRecord>;
    if (format === 'csv') await write(`${csvRow(record, includeText)}\n`);
    else await write(`${includeText ? text : JSON.stringify(withoutText(record))}\n`);
    count += 1;
  }
  return count;
}

/**
 * Resolves when `out` wants more data, rejects when it failed or closed instead. (Waiting for
 * 'drain' alone hangs for ever on a stream that already failed: it never drains.)
 */
function drained(out: Writable): Promise<void> {
  if (out.errored) return Promise.reject(out.errored);
  if (out.destroyed) return Promise.reject(new Error('the output closed before the export finished'));
  return new Promise((resolvePromise, reject) => {
    const settle = (error?: Error) => {
      out.off('drain', onDrain);
      out.off('error', settle);
      out.off('close', onClose);
      if (error) reject(error);
      else resolvePromise();
    };
    const onDrain = () => settle();
    const onClose = () => settle(out.errored ?? new Error('the output closed before the export finished'));
    out.on('drain', onDrain);
    out.on('error', settle);
    out.on('close', onClose);
  });
}

/** An export that did not happen, with a sentence for the user (`detail`: what went wrong and what to do). */
export class HistoryExportError extends Error {
  constructor(readonly target: string, readonly detail: string) {
    super(`Could not export to ${target}: ${detail}`);
  }
}

/**
 * Exports the history to the file `target` (the one way the CLI and the extension write an
 * export). Refuses a target that is the history file itself, however it is spelled (it would be
 * emptied before it is read). Writes a temporary file beside the target and renames it when
 * complete: a failure leaves the target as it was and no partial file. Rejects with a
 * HistoryExportError.
 */
export async function exportHistoryToFile(store: HistoryStore, target: string, options: ExportOptions = {}): Promise<number> {
  let realTarget = target;
  try {
    realTarget = await realPathOf(target);
    if (await isSameFile(realTarget, store.path)) {
      throw new HistoryExportError(target, 'that is the history file itself, and exporting onto it would erase it. Choose another file.');
    }
    if ((await stat(realTarget).catch(() => undefined))?.isDirectory()) throw new HistoryExportError(target, 'that is a folder. Choose a file name inside it.');
    return await writeFileAtomically(realTarget, (out) => exportHistory(store, out, options));
  } catch (error) {
    if (error instanceof HistoryExportError) throw error;
    throw new HistoryExportError(target, explainFileError(error as NodeJS.ErrnoException, realTarget, store.path));
  }
}

/** One sentence for a failed file operation of an export: what happened, and what to do. */
function explainFileError(error: NodeJS.ErrnoException, target: string, historyPath: string): string {
  const folder = dirname(target);
  switch (error.code) {
    case 'ENOENT':
      return `the folder ${folder} does not exist. Create it or choose another folder.`;
    case 'ENOTDIR':
      return `${folder} is not a folder. Choose a file inside a folder.`;
    case 'EISDIR':
      // The target was checked up front: a folder found now is where the history should be.
      return `the history ${historyPath} is a folder, not a file. Point to the history file itself.`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${error.path ?? folder}). Choose a folder you can write to.`;
    case 'EROFS':
      return `${folder} is on a read-only file system. Choose another folder.`;
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full. Free some space or choose another disk.';
    default:
      return `${error.message}.`;
  }
}
