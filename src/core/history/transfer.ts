/**
 * Moving records in and out: importing the old service's call_history.jsonl (records already in
 * the history are skipped) and exporting ours as JSONL or CSV, without text unless asked.
 */
import { once } from 'node:events';
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
 */
export async function importHistory(store: HistoryStore, fromPath: string, options: { batchSize?: number } = {}): Promise<ImportReport> {
  const have = new Map<string, number>();
  for await (const { value } of store.records()) {
    const key = identityKey(value as Partial<CallRecord>);
    have.set(key, (have.get(key) ?? 0) + 1);
  }
  const source = new HistoryStore(fromPath);
  const counts = { records: 0, blank: 0, invalid: 0 };
  const report: ImportReport = { imported: 0, duplicates: 0, invalid: 0, blank: 0 };
  const batchSize = options.batchSize ?? 500;
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

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
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

/** Writes every record to `out`; returns how many. Text is left out unless `includeText`. */
export async function exportHistory(store: HistoryStore, out: NodeJS.WritableStream, options: ExportOptions = {}): Promise<number> {
  const includeText = options.includeText === true;
  const format = options.format ?? 'jsonl';
  const write = async (text: string) => {
    if (!out.write(text)) await once(out as unknown as NodeJS.EventEmitter, 'drain');
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
