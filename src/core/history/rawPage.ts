/**
 * The old service's `/stats/raw` answer, as one text: what the CLI's `raw` prints and the local
 * endpoint's `GET /stats/raw` sends, so both stay the same by construction.
 */
import type { HistoryStore } from './store';

/** A page parameter as `raw` and `/stats/raw` accept it: an integer (negative ones slice as Python does); undefined when it is not one. */
export function pageParameter(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  return /^-?\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** `{"total", "limit", "offset", "records"}`, newest first, each record's stored JSON text spliced in unchanged. */
export async function rawPageText(store: HistoryStore, limit: number, offset: number): Promise<string> {
  const page = await store.page(limit, offset);
  return `{"total": ${page.total}, "limit": ${page.limit}, "offset": ${page.offset}, "records": [${page.lines.join(', ')}]}`;
}
