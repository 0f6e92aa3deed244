/**
 * The spend ledger: one compact JSON line per call across every workspace, in the extension's
 * global storage, so budgets and the "All workspaces" stats see spend beyond one workspace's
 * history. Each workspace's history stays the source of truth: the ledger is derived from them and
 * can always be rebuilt (a lost or damaged ledger is, from the histories it knows). See docs/budgets.md (the spend ledger).
 */
import { appendFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Spend } from '../budget/budget';
import { parseLineText, scanForward } from '../history/lines';
import type { Currency } from '../models/table';

export const LEDGER_FILE_NAME = 'spend-ledger.jsonl';
export const LEDGER_SOURCES_FILE_NAME = 'spend-ledger-sources.json';

/** One call: time (s), workspace, record id, model key, tier, tokens in/out/cached, cost and its currency. */
export interface LedgerEntry {
  t: number;
  ws: string;
  id?: string;
  m: string;
  tier?: string;
  in: number;
  out: number;
  cached?: number;
  cost: number;
  cur: Currency;
}

export interface LedgerSource {
  /** A name to show (the workspace's folder name). */
  name: string;
  /** The workspace's call_history.jsonl. */
  history: string;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** The ledger line of a history record, or undefined for a call that used and cost nothing (a refusal, a failure before any token). */
export function ledgerEntry(record: Record<string, unknown>, workspace: string): LedgerEntry | undefined {
  const llm = (record.llm && typeof record.llm === 'object' ? record.llm : {}) as Record<string, unknown>;
  const routing = (record.routing && typeof record.routing === 'object' ? record.routing : {}) as Record<string, unknown>;
  const cur: Currency = llm.cost_currency === 'CNY' ? 'CNY' : 'USD';
  const cost = cur === 'USD' ? num(llm.cost_usd) : num(llm.cost);
  const input = num(llm.input_tokens);
  const output = num(llm.output_tokens);
  if (!cost && !input && !output) return undefined;
  const cached = num(llm.cached_tokens);
  return {
    t: num(record.timestamp),
    ws: workspace,
    ...(typeof record.id === 'string' ? { id: record.id } : {}),
    m: typeof llm.model === 'string' ? llm.model : String(llm.model),
    ...(typeof routing.tier === 'string' ? { tier: routing.tier } : {}),
    in: input,
    out: output,
    ...(cached ? { cached } : {}),
    cost,
    cur,
  };
}

/** A ledger line, or undefined when it is not one (damage). */
export function parseLedgerLine(line: string): LedgerEntry | undefined {
  const parsed = parseLineText(line);
  if (parsed.kind !== 'record') return undefined;
  const v = parsed.value;
  if (typeof v.t !== 'number' || typeof v.ws !== 'string' || typeof v.m !== 'string' || typeof v.cost !== 'number' || (v.cur !== 'USD' && v.cur !== 'CNY')) return undefined;
  return v as unknown as LedgerEntry;
}

const pad = (n: number) => String(n).padStart(2, '0');
const localDay = (seconds: number) => {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

export interface LedgerSummary {
  currency: Currency;
  calls: number;
  cost: number;
  byWorkspace: Record<string, { name: string; calls: number; cost: number }>;
  byModel: Record<string, { calls: number; cost: number }>;
  byDay: Record<string, { calls: number; cost: number }>;
}

/** Totals in one currency (others are left out: never mixed): per workspace, per model, per local day. */
export function summarizeLedger(entries: readonly LedgerEntry[], currency: Currency, sources: Record<string, LedgerSource> = {}): LedgerSummary {
  const summary: LedgerSummary = { currency, calls: 0, cost: 0, byWorkspace: {}, byModel: {}, byDay: {} };
  for (const entry of entries) {
    if (entry.cur !== currency) continue;
    summary.calls += 1;
    summary.cost += entry.cost;
    const ws = (summary.byWorkspace[entry.ws] ??= { name: sources[entry.ws]?.name ?? entry.ws, calls: 0, cost: 0 });
    ws.calls += 1;
    ws.cost += entry.cost;
    const model = (summary.byModel[entry.m] ??= { calls: 0, cost: 0 });
    model.calls += 1;
    model.cost += entry.cost;
    const day = (summary.byDay[localDay(entry.t)] ??= { calls: 0, cost: 0 });
    day.calls += 1;
    day.cost += entry.cost;
  }
  return summary;
}

/** Today's and this month's spend in one currency (local calendar). */
export function ledgerSpend(entries: readonly LedgerEntry[], currency: Currency, now: Date = new Date()): Spend {
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const month = today.slice(0, 7);
  let todaySpend = 0;
  let monthSpend = 0;
  for (const entry of entries) {
    if (entry.cur !== currency) continue;
    const day = localDay(entry.t);
    if (day === today) todaySpend += entry.cost;
    if (day.startsWith(month)) monthSpend += entry.cost;
  }
  return { today: todaySpend, month: monthSpend };
}

/** The entries of a history file for one workspace (missing file: none). */
export async function entriesOfHistory(path: string, workspace: string): Promise<LedgerEntry[]> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return [];
  }
  const entries: LedgerEntry[] = [];
  const take = (text: string) => {
    const parsed = parseLineText(text);
    if (parsed.kind !== 'record') return;
    const entry = ledgerEntry(parsed.value, workspace);
    if (entry) entries.push(entry);
  };
  const scan = await scanForward(path, 0, size, take);
  if (scan.tail) take(scan.tail.toString('utf8'));
  return entries;
}

/**
 * The ledger file and the list of histories it knows. Appends are one write each (lines from two
 * windows do not interleave); rewrites (rebuild, resync) go to a temporary file renamed into place.
 */
export class SpendLedger {
  readonly path: string;
  private readonly sourcesPath: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.path = join(dir, LEDGER_FILE_NAME);
    this.sourcesPath = join(dir, LEDGER_SOURCES_FILE_NAME);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async sources(): Promise<Record<string, LedgerSource>> {
    try {
      const value: unknown = JSON.parse(await readFile(this.sourcesPath, 'utf8'));
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, LedgerSource>) : {};
    } catch {
      return {};
    }
  }

  /**
   * Remembers a workspace's history, so the ledger can be rebuilt from it. A workspace seen for the
   * first time has its history's calls added (they predate the ledger).
   */
  async registerSource(workspace: string, source: LedgerSource): Promise<void> {
    const isNew = await this.serial(async () => {
      const sources = await this.sources();
      if (sources[workspace]?.history === source.history && sources[workspace]?.name === source.name) return false;
      const known = sources[workspace]?.history === source.history;
      sources[workspace] = source;
      await mkdir(this.dir, { recursive: true });
      await this.replace(this.sourcesPath, `${JSON.stringify(sources, null, 2)}\n`);
      return !known;
    });
    if (isNew) await this.resync(workspace, source.history);
  }

  /** Adds one call (nothing for a call that used and cost nothing). */
  append(record: Record<string, unknown>, workspace: string): Promise<void> {
    const entry = ledgerEntry(record, workspace);
    if (!entry) return Promise.resolve();
    return this.serial(async () => {
      await mkdir(this.dir, { recursive: true });
      await appendFile(this.path, `${JSON.stringify(entry)}\n`);
    });
  }

  /**
   * Every entry. A ledger that is missing while histories are known, or that has a line that is not
   * an entry, is rebuilt from the histories first (`rebuilt` says so).
   */
  read(): Promise<{ entries: LedgerEntry[]; rebuilt: boolean }> {
    return this.serial(() => this.readUnlocked());
  }

  /** Rewrites the ledger from every known history. */
  rebuild(): Promise<LedgerEntry[]> {
    return this.serial(() => this.rebuildUnlocked());
  }

  /** Replaces one workspace's entries with what its history holds now (after an import or a clear). */
  resync(workspace: string, history: string): Promise<void> {
    return this.serial(async () => {
      const { entries, rebuilt } = await this.readUnlocked();
      if (rebuilt) return; // a rebuild read this history too
      const fresh = await entriesOfHistory(history, workspace);
      await this.write([...entries.filter((entry) => entry.ws !== workspace), ...fresh].sort((a, b) => a.t - b.t));
    });
  }

  private async readUnlocked(): Promise<{ entries: LedgerEntry[]; rebuilt: boolean }> {
    let text: string | undefined;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      const lines = text.split('\n');
      const last = lines.pop() ?? '';
      const entries: LedgerEntry[] = [];
      let damaged = false;
      for (const line of lines) {
        if (!line.trim()) continue;
        const entry = parseLedgerLine(line);
        if (entry) entries.push(entry);
        else damaged = true;
      }
      // A last line without its newline is another window's append still landing, or a torn one: not damage.
      const tail = last.trim() ? parseLedgerLine(last) : undefined;
      if (tail) entries.push(tail);
      if (!damaged) return { entries, rebuilt: false };
    } else if (Object.keys(await this.sources()).length === 0) {
      return { entries: [], rebuilt: false };
    }
    return { entries: await this.rebuildUnlocked(), rebuilt: true };
  }

  private async rebuildUnlocked(): Promise<LedgerEntry[]> {
    const sources = await this.sources();
    const entries: LedgerEntry[] = [];
    for (const [workspace, source] of Object.entries(sources)) entries.push(...(await entriesOfHistory(source.history, workspace)));
    entries.sort((a, b) => a.t - b.t);
    await this.write(entries);
    return entries;
  }

  private async write(entries: readonly LedgerEntry[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.replace(this.path, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  }

  private async replace(path: string, text: string): Promise<void> {
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, text);
    await rename(temp, path);
  }
}
