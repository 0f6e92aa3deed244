/**
 * The call history at scale: on a generated 100,000-record history, our store (stats cold and
 * warm, a raw page, one append, peak memory) beside the old service's way (load every record into
 * memory, sum on each /stats request) in the same run. Each side runs in its own child process so
 * peak memory is its own. Prints one JSON object.
 *
 *   node out/bench/history.bench.js [--records N] [--long-line-mb N] [--only-long-line] [--keep] [--pretty]
 *
 * Goals: warm stats < 100 ms, an append < 2 ms, memory flat in the history's size, and a single
 * line of N MB (default 64, no newline) read in time linear in its length.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryStore } from '../src/core/history/store';
import { DEFAULT_MODELS } from '../src/core/models/table';
import { DEFAULT_POLICY } from '../src/core/routing/policy';
import { WhatIfPoints } from '../src/core/stats/whatIf';
import { generateHistory as generate, makeBenchRecord as makeRecord, seededRandom } from './historyData';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1];
const round = (x: number) => Math.round(x * 100) / 100;
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024);
/** Heap still in use after a full collection: what the side really keeps. */
const retainedHeapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return round(process.memoryUsage().heapUsed / 2 ** 20);
};

async function time<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

async function ours(path: string): Promise<Record<string, unknown>> {
  const top = { key: 'qwen-max', spec: DEFAULT_MODELS['qwen-max'] };
  const store = new HistoryStore(path, { topTier: top });
  const [cold, first] = await time(() => store.stats());
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) warm.push((await time(() => store.stats()))[0]);
  const page: number[] = [];
  for (let i = 0; i < 20; i++) page.push((await time(() => store.page(50, 0)))[0]);
  const [deepPage] = await time(() => store.page(50, Math.floor(first.records / 2)));
  const appends: number[] = [];
  const afterAppend: number[] = [];
  const rand = seededRandom(99);
  for (let i = 0; i < 200; i++) {
    const record = makeRecord(first.records + i, rand);
    appends.push((await time(() => store.append(record)))[0]);
    if (i % 10 === 0) afterAppend.push((await time(() => store.stats()))[0]);
  }
  const final = await store.stats();
  // The stats view's what-if: every recorded score re-tiered under other thresholds.
  const points = new WhatIfPoints();
  for await (const { value } of store.records()) points.add(value);
  const whatIf: number[] = [];
  for (let i = 0; i < 10; i++) whatIf.push((await time(() => points.compute({ thresholds: { simple: 0.25 + i / 100, medium: 0.5 }, tierModels: DEFAULT_POLICY.tierModels }, DEFAULT_MODELS)))[0]);
  const retained = retainedHeapMb();
  return {
    records: first.records,
    stats_cold_ms: round(cold),
    stats_warm_ms: round(median(warm)),
    stats_after_one_append_ms: round(median(afterAppend)),
    raw_page_ms: round(median(page)),
    raw_page_at_middle_ms: round(deepPage),
    append_ms_p50: round(median(appends)),
    append_ms_p95: round(p95(appends)),
    records_after: final.records,
    what_if_ms: round(median(whatIf)),
    retained_heap_mb: retained,
    peak_rss_mb: peakRssMb(),
  };
}

/** The old service's way: every record in memory, the sums recomputed on every /stats request. */
async function seedWay(path: string): Promise<Record<string, unknown>> {
  const [load, history] = await time(() => {
    const loaded: any[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const text = line.trim();
      if (!text) continue;
      try {
        loaded.push(JSON.parse(text));
      } catch {
        // skipped, as it did
      }
    }
    return loaded;
  });
  const statsOnce = () => {
    const n = history.length;
    const models: Record<string, number> = {};
    const tiers: Record<string, number> = {};
    const tasks: Record<string, number> = {};
    let cost = 0;
    let latency = 0;
    let routing = 0;
    for (const call of history) {
      cost += call.llm.cost_usd;
      latency += call.llm.llm_latency_ms;
      routing += call.routing?.routing_latency_ms ?? 0;
      models[call.llm.model] = (models[call.llm.model] ?? 0) + 1;
      if (call.routing?.tier) tiers[call.routing.tier] = (tiers[call.routing.tier] ?? 0) + 1;
      if (call.routing?.task_type) tasks[call.routing.task_type] = (tasks[call.routing.task_type] ?? 0) + 1;
    }
    return { n, cost, latency: latency / n, routing: routing / n, models, tiers, tasks };
  };
  const stats: number[] = [];
  for (let i = 0; i < 20; i++) stats.push((await time(statsOnce))[0]);
  const page: number[] = [];
  for (let i = 0; i < 20; i++) page.push((await time(() => [...history].reverse().slice(0, 50)))[0]);
  const appends: number[] = [];
  for (let i = 0; i < 200; i++) {
    const record = { ...history[i], id: `again-${i}` };
    appends.push(
      (
        await time(() => {
          history.push(record);
          appendFileSync(path, `${JSON.stringify(record)}\n`);
        })
      )[0],
    );
  }
  const retained = retainedHeapMb();
  return {
    records: history.length - 200,
    retained_heap_mb: retained,
    load_ms: round(load),
    stats_per_request_ms: round(median(stats)),
    first_stats_ms: round(load + stats[0]),
    raw_page_ms: round(median(page)),
    append_ms_p50: round(median(appends)),
    append_ms_p95: round(p95(appends)),
    peak_rss_mb: peakRssMb(),
  };
}

/** One record whose answer makes a single line of about `mb` MB, without a newline: records() and cold stats(). */
function writeLongLine(path: string, mb: number): void {
  const record = { ...makeRecord(0, seededRandom(7)), id: 'long-line' } as Record<string, any>;
  record.llm = { ...record.llm, response_content: 'x'.repeat(mb * 2 ** 20) };
  writeFileSync(path, JSON.stringify(record));
}

async function longLine(path: string): Promise<Record<string, unknown>> {
  const [records, count] = await time(async () => {
    let n = 0;
    for await (const _ of new HistoryStore(path).records()) n += 1;
    return n;
  });
  const [stats, first] = await time(() => new HistoryStore(path).stats());
  return { line_mb: round(statSync(path).size / 2 ** 20), records: count, stats_records: first.records, read_records_ms: round(records), stats_cold_ms: round(stats), peak_rss_mb: peakRssMb() };
}

function child(mode: string, path: string): Record<string, unknown> {
  const run = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', __filename, '--child', mode, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const [, mode, path] = args;
    const baseline = peakRssMb();
    const result = mode === 'ours' ? await ours(path) : mode === 'long-line' ? await longLine(path) : await seedWay(path);
    process.stdout.write(JSON.stringify({ ...result, process_baseline_rss_mb: baseline }));
    return;
  }
  const count = args.includes('--records') ? Number(args[args.indexOf('--records') + 1]) : 100_000;
  const longLineMb = args.includes('--long-line-mb') ? Number(args[args.indexOf('--long-line-mb') + 1]) : 64;
  const dir = mkdtempSync(join(tmpdir(), 'qwen-router-bench-'));
  try {
    const longLinePath = join(dir, 'long-line.jsonl');
    writeLongLine(longLinePath, longLineMb);
    const longLineResult = child('long-line', longLinePath);
    if (args.includes('--only-long-line')) {
      process.stdout.write(`${JSON.stringify({ bench: 'history', node: process.version, long_line: longLineResult }, null, args.includes('--pretty') ? 2 : undefined)}\n`);
      return;
    }
    const big = join(dir, 'big.jsonl');
    const small = join(dir, 'small.jsonl');
    const [genMs] = await time(() => generate(big, count));
    generate(small, Math.max(1, Math.floor(count / 10)));
    const fileMb = round(statSync(big).size / 2 ** 20);
    // Each side gets its own copy: both append to it.
    const copy = (from: string, name: string) => {
      const to = join(dir, name);
      copyFileSync(from, to);
      return to;
    };
    const ourBig = child('ours', copy(big, 'ours-big.jsonl'));
    const ourSmall = child('ours', copy(small, 'ours-small.jsonl'));
    const seedBig = child('seed', copy(big, 'seed-big.jsonl'));
    const seedSmall = child('seed', copy(small, 'seed-small.jsonl'));
    const result = {
      bench: 'history',
      node: process.version,
      records: count,
      file_mb: fileMb,
      generate_ms: round(genMs),
      ours: ourBig,
      ours_at_one_tenth: { records: ourSmall.records, peak_rss_mb: ourSmall.peak_rss_mb, retained_heap_mb: ourSmall.retained_heap_mb, stats_cold_ms: ourSmall.stats_cold_ms },
      old_service_way: seedBig,
      old_service_way_at_one_tenth: { records: seedSmall.records, peak_rss_mb: seedSmall.peak_rss_mb, retained_heap_mb: seedSmall.retained_heap_mb },
      long_line: longLineResult,
      goals: {
        warm_stats_under_100_ms: (ourBig.stats_warm_ms as number) < 100,
        append_under_2_ms: (ourBig.append_ms_p50 as number) < 2,
        peak_rss_growth_10x_history_mb: round((ourBig.peak_rss_mb as number) - (ourSmall.peak_rss_mb as number)),
        retained_heap_growth_10x_history_mb: round((ourBig.retained_heap_mb as number) - (ourSmall.retained_heap_mb as number)),
        old_way_peak_rss_growth_10x_history_mb: round((seedBig.peak_rss_mb as number) - (seedSmall.peak_rss_mb as number)),
        old_way_retained_heap_growth_10x_history_mb: round((seedBig.retained_heap_mb as number) - (seedSmall.retained_heap_mb as number)),
      },
    };
    // One line: scripts/bench.mjs takes the last line that starts with "{".
    process.stdout.write(`${args.includes('--pretty') ? JSON.stringify(result, null, 2) : JSON.stringify(result)}\n`);
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
