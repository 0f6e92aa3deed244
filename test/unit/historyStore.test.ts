// The JSONL store: whole-line appends (also across processes and through a crash), a reader that
// skips and counts torn and blank lines and never writes, incremental stats, pages from the end,
// import of the old service's file, export with and without text.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, readFileSync, renameSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { HistoryStore } from '../../src/core/history/store';
import { exportHistory, importHistory } from '../../src/core/history/transfer';
import { withoutText, identityKey, isSuccessful } from '../../src/core/history/record';
import { QuantileSketch } from '../../src/core/stats/quantiles';
import { fixturePath, tempDirs } from '../support/tempDir';

const WRITER = resolve(__dirname, '../support/historyWriter.js');

function record(i: number, extra: Record<string, unknown> = {}) {
  return {
    schema_version: 1,
    id: `id-${i}`,
    timestamp: 1767225600 + i * 60,
    request: { messages: [{ role: 'user', content: `prompt ${i} 你好` }], temperature: null, max_tokens: null, user_specified_model: null },
    routing: { method: 'fallback_token_length', query: `prompt ${i} 你好`, routing_latency_ms: 1.5, tier: 'simple', fallback_reason: 'model_missing' },
    llm: { model: 'qwen-flash', provider: 'dashscope', response_id: `r${i}`, response_content: `answer ${i}`, input_tokens: 10, output_tokens: 20, total_tokens: 30, cost_usd: 0.0001, llm_latency_ms: 100 + i, ttft_ms: 50 },
    error: null,
    cancelled: false,
    attempts: 1,
    ...extra,
  };
}

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function lines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined);
}

function collect(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      parts.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(parts).toString('utf8') };
}

function run(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [WRITER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => resolvePromise({ code, signal, stderr }));
  });
}

describe('history store', () => {
  const dirs = tempDirs();
  after(() => dirs.cleanup());
  const newPath = () => join(dirs.make(), 'call_history.jsonl');

  it('appends one whole line per record, creating the directory, in call order under concurrency', async () => {
    const path = join(dirs.make(), 'nested', 'dir', 'call_history.jsonl');
    const store = new HistoryStore(path);
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(record(i))));
    const stored = lines(path).map((l) => JSON.parse(l));
    assert.equal(stored.length, 100);
    assert.deepEqual(stored.map((r) => r.id), Array.from({ length: 100 }, (_, i) => `id-${i}`));
  });

  it('skips torn, invalid and blank lines, counts them, and never modifies the file when reading', async () => {
    const path = newPath();
    const good = [record(1), record(2), record(3)].map((r) => JSON.stringify(r));
    writeFileSync(path, `${good[0]}\n\n   \n${good[1].slice(0, 40)}\n{"not": "closed"\n${good[1]}\n"a string"\n${good[2]}\n${good[0].slice(0, 25)}`);
    const before = digest(path);
    const mtime = statSync(path).mtimeMs;
    const store = new HistoryStore(path);
    const stats = await store.stats();
    assert.equal(stats.records, 3);
    assert.equal(stats.skipped_lines, 4); // torn, unclosed, a JSON string, a torn last line
    assert.equal(stats.blank_lines, 2);
    const page = await store.page(10, 0);
    assert.equal(page.total, 3);
    assert.deepEqual(page.records.map((r) => r.id), ['id-3', 'id-2', 'id-1']);
    const counts = { records: 0, blank: 0, invalid: 0 };
    const seen: unknown[] = [];
    for await (const { value } of store.records(counts)) seen.push(value.id);
    assert.deepEqual(seen, ['id-1', 'id-2', 'id-3']);
    assert.deepEqual(counts, { records: 3, blank: 2, invalid: 4 });
    await exportHistory(store, collect().stream);
    assert.equal(digest(path), before);
    assert.equal(statSync(path).mtimeMs, mtime);
  });

  it('after a torn last line, the next append starts a new line and stays whole', async () => {
    const path = newPath();
    writeFileSync(path, `${JSON.stringify(record(1))}\n${JSON.stringify(record(2)).slice(0, 30)}`);
    const store = new HistoryStore(path);
    await store.append(record(3));
    const stored = lines(path);
    assert.equal(stored.length, 3);
    assert.throws(() => JSON.parse(stored[1]));
    assert.equal(JSON.parse(stored[2]).id, 'id-3');
    const stats = await store.stats();
    assert.equal(stats.records, 2);
    assert.equal(stats.skipped_lines, 1);
  });

  it('counts a complete last line without its newline (as the old service did), and keeps it whole on the next append', async () => {
    const path = newPath();
    writeFileSync(path, `${JSON.stringify(record(1))}\n${JSON.stringify(record(2))}`);
    const store = new HistoryStore(path);
    assert.equal((await store.stats()).records, 2);
    assert.deepEqual((await store.page(1, 0)).records.map((r) => r.id), ['id-2']);
    await store.append(record(3));
    assert.deepEqual(lines(path).map((l) => JSON.parse(l).id), ['id-1', 'id-2', 'id-3']);
    const stats = await store.stats();
    assert.equal(stats.records, 3);
    assert.equal(stats.skipped_lines, 0);
  });

  it('keeps stats up to date incrementally, including lines other processes append, and rebuilds when the file is replaced', async () => {
    const path = newPath();
    const store = new HistoryStore(path);
    assert.equal((await store.stats()).total_calls, 0);
    await store.append(record(1));
    assert.equal((await store.stats()).total_calls, 1);
    appendFileSync(path, `${JSON.stringify(record(2))}\n`); // someone else
    await store.append(record(3, { error: { kind: 'rate_limited', message: 'x' } }));
    await store.append(record(4, { cancelled: true }));
    let stats = await store.stats();
    assert.equal(stats.records, 4);
    assert.equal(stats.total_calls, 2);
    assert.equal(stats.failed_calls, 1);
    assert.equal(stats.cancelled_calls, 1);
    assert.deepEqual(stats.error_kinds, { rate_limited: 1 });
    assert.equal(stats.avg_latency_ms, 101.5); // successful only: (101 + 102) / 2
    // Replaced by a shorter file (rename over it): the cache notices and starts again.
    const other = `${path}.new`;
    writeFileSync(other, `${JSON.stringify(record(9))}\n`);
    renameSync(other, path);
    stats = await store.stats();
    assert.equal(stats.records, 1);
    assert.deepEqual((await store.page()).records.map((r) => r.id), ['id-9']);
    // Rewritten in place with different content of the same length or longer.
    writeFileSync(path, `${JSON.stringify(record(7))}\n${JSON.stringify(record(8))}\n`);
    stats = await store.stats();
    assert.equal(stats.records, 2);
  });

  it('pages from the end like Python slicing of the reversed list, across chunk boundaries and long lines', async () => {
    const path = newPath();
    const store = new HistoryStore(path);
    const all = Array.from({ length: 300 }, (_, i) => record(i, i % 50 === 7 ? { llm: { ...record(i).llm, response_content: 'y'.repeat(150_000 + i) } } : {}));
    await store.appendLines(all.map((r) => JSON.stringify(r)));
    const newestFirst = [...all].reverse().map((r) => r.id);
    for (const [limit, offset] of [[50, 0], [50, 250], [7, 3], [10, 295], [0, 0], [5, 300], [-5, 290], [3, -4], [1000, 0]]) {
      const page = await store.page(limit, offset);
      const start = offset < 0 ? Math.max(0, 300 + offset) : Math.min(300, offset);
      const stopRaw = offset + limit;
      const stop = stopRaw < 0 ? Math.max(0, 300 + stopRaw) : Math.min(300, stopRaw);
      assert.deepEqual(page.records.map((r) => r.id), newestFirst.slice(start, Math.max(start, stop)), `limit ${limit} offset ${offset}`);
      assert.equal(page.total, 300);
    }
  });

  it('reads the newest records from the end without the stats scan, like the first page', async () => {
    const path = newPath();
    const store = new HistoryStore(path);
    assert.deepEqual(await store.newest(5), { records: [], lines: [] }); // no file yet
    const all = Array.from({ length: 120 }, (_, i) => record(i, i === 117 ? { llm: { ...record(i).llm, response_content: 'z'.repeat(200_000) } } : {}));
    await store.appendLines(all.map((r) => JSON.stringify(r)));
    appendFileSync(path, '\n{torn\n   \n');
    const newest = await store.newest(50);
    assert.equal(await store.unreadBytes(), statSync(path).size, 'newest() must not read the history for the stats');
    assert.deepEqual(newest.records.map((r) => r.id), [...all].reverse().slice(0, 50).map((r) => r.id));
    assert.deepEqual(newest.lines.map((line) => JSON.parse(line).id), newest.records.map((r) => r.id));
    const page = await store.page(50, 0);
    assert.deepEqual(newest.records, page.records);
    assert.deepEqual((await store.newest(0)).records, []);
    assert.equal((await store.newest(1000)).records.length, 120);
    // A complete last line without its newline is the newest record; a torn one is skipped.
    appendFileSync(path, JSON.stringify(record(500)));
    assert.deepEqual((await store.newest(2)).records.map((r) => r.id), ['id-500', 'id-119']);
    assert.deepEqual((await store.newest(2)).records, (await store.page(2, 0)).records);
    appendFileSync(path, `\n${JSON.stringify(record(501)).slice(0, 40)}`);
    assert.deepEqual((await store.newest(2)).records.map((r) => r.id), ['id-500', 'id-119']);
  });

  it('says how much the stats still have to read, and keeps them across settings they do not depend on', async () => {
    const path = newPath();
    const store = new HistoryStore(path);
    assert.equal(await store.unreadBytes(), 0); // no file
    await store.appendLines([1, 2, 3].map((i) => JSON.stringify(record(i))));
    const size = statSync(path).size;
    assert.equal(await store.unreadBytes(), size);
    await store.stats();
    assert.equal(await store.unreadBytes(), 0);
    appendFileSync(path, `${JSON.stringify(record(4))}\n`); // another process
    assert.equal(await store.unreadBytes(), statSync(path).size - size);
    await store.stats();
    assert.equal(await store.unreadBytes(), 0);
    // Privacy changes what is appended, not the stats: they are kept.
    assert.equal(store.configure({ privacy: 'metadata' }), false);
    assert.equal(await store.unreadBytes(), 0);
    // A top tier to compare with changes the stats: read again.
    assert.equal(store.configure({ topTier: { key: 'qwen-max', spec: { model: 'qwen-max', prices: { asOf: 't', bands: [{ input: 1.6, output: 6.4 }] } } } }), true);
    assert.equal(await store.unreadBytes(), statSync(path).size);
    assert.equal((await store.stats()).top_tier?.calls, 4);
    // Replaced by another file: all of it is unread again.
    const other = `${path}.new`;
    writeFileSync(other, `${JSON.stringify(record(9))}\n`);
    renameSync(other, path);
    assert.equal(await store.unreadBytes(), statSync(path).size);
    // Truncated in place below what was read: all of it is unread.
    await store.stats();
    writeFileSync(path, '{"a":1}\n');
    assert.equal(await store.unreadBytes(), 8);
    assert.equal((await store.stats()).records, 1);
    assert.equal(store.configure({}), true); // an empty configure starts again from the file
  });

  it('pages deep in a large history (from checkpoints) exactly like pages from the end', async () => {
    const path = newPath();
    const all = Array.from({ length: 3000 }, (_, i) => record(i, { pad: 'p'.repeat(900 + (i % 7) * 100) }));
    const text = all.map((r, i) => (i % 997 === 5 ? `${JSON.stringify(r).slice(0, 50)}\n\n${JSON.stringify(r)}` : JSON.stringify(r))).join('\n');
    writeFileSync(path, text); // torn and blank lines inside, and a last line without its newline
    const store = new HistoryStore(path);
    const newestFirst = [...all].reverse().map((r) => r.id);
    assert.equal((await store.stats()).records, 3000);
    for (const [limit, offset] of [[50, 0], [50, 499], [50, 500], [100, 1500], [50, 2990], [3000, 0], [7, 2999], [20, -600]]) {
      const page = await store.page(limit, offset);
      const start = offset < 0 ? 3000 + offset : offset;
      assert.deepEqual(page.records.map((r) => r.id), newestFirst.slice(start, start + limit), `limit ${limit} offset ${offset}`);
      assert.deepEqual(page.lines.map((l) => JSON.parse(l).id), newestFirst.slice(start, start + limit));
    }
  });

  it('reads lines longer than its read buffers, forwards and backwards', async () => {
    const path = newPath();
    const store = new HistoryStore(path);
    const big = record(1, { llm: { ...record(1).llm, response_content: '长'.repeat(3_000_000) } });
    await store.append(record(0));
    await store.append(big);
    await store.append(record(2));
    assert.equal((await store.stats()).records, 3);
    const page = await store.page(3, 0);
    assert.deepEqual(page.records.map((r) => r.id), ['id-2', 'id-1', 'id-0']);
    assert.equal((page.records[1].llm as { response_content: string }).response_content.length, 3_000_000);
    let n = 0;
    for await (const _ of store.records()) n += 1;
    assert.equal(n, 3);
  });

  it('keeps every line whole when a writer process is killed (SIGKILL) mid-append', async function () {
    this.timeout(60_000);
    const path = newPath();
    // Several rounds (until one leaves a torn last line): kill a writer of 4 MiB records at an
    // arbitrary moment, check the file, and append through the store after it.
    let tornSeen = false;
    for (let round = 0; round < 6 && !tornSeen; round++) {
      const child = spawn(process.execPath, [WRITER, path, 'forever', String(4 << 20)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolveReady) => child.stdout.once('data', () => resolveReady()));
      const start = existsSync(path) ? statSync(path).size : 0;
      const deadline = Date.now() + 10_000;
      while ((!existsSync(path) || statSync(path).size < start + (8 << 20)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      await new Promise((r) => setTimeout(r, round * 3));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      const all = readFileSync(path, 'utf8').split('\n');
      const tail = all[all.length - 1]; // after the last newline: '' or a torn line
      tornSeen ||= tail !== '';
      for (const line of all.slice(0, -1)) if (line) assert.doesNotThrow(() => JSON.parse(line), 'every newline-terminated line is a whole record or blank');
      const store = new HistoryStore(path);
      const before = await store.stats();
      assert.equal(before.skipped_lines, tornSeen ? 1 : 0, 'at most the line being written when the writer died is torn');
      await store.append(record(100 + round));
      const after = await store.stats();
      assert.equal(after.records, before.records + 1, 'the history goes on');
      assert.equal(JSON.parse(lines(path).at(-1)!).id, `id-${100 + round}`);
    }
  });

  it('keeps lines whole when two processes append at once', async function () {
    this.timeout(60_000);
    const path = newPath();
    const [a, b] = await Promise.all([run([path, 'count', '150', 'A']), run([path, 'count', '150', 'B'])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const all = lines(path);
    const blank = all.filter((l) => l === '').length;
    const stored = all.filter((l) => l !== '').map((l) => JSON.parse(l)); // every non-blank line is a whole record
    assert.equal(stored.length, 300);
    for (const writer of ['A', 'B']) {
      assert.deepEqual(stored.filter((r) => r.writer === writer).map((r) => r.seq), Array.from({ length: 150 }, (_, i) => i), `writer ${writer} in order, none lost`);
    }
    const stats = await new HistoryStore(path).stats();
    assert.equal(stats.records, 300);
    assert.equal(stats.skipped_lines, 0);
    assert.equal(stats.blank_lines, blank); // a blank line (a racing torn-line guess) is harmless and counted
  });

  it('leaves text out of appended records in privacy mode "metadata"', async () => {
    const path = newPath();
    const store = new HistoryStore(path, { privacy: 'metadata' });
    await store.append(record(1, { llm: { ...record(1).llm, reasoning_content: 'secret thinking' } }));
    const [stored] = lines(path).map((l) => JSON.parse(l));
    assert.equal(stored.privacy, 'metadata');
    assert.deepEqual(stored.request.messages, [{ role: 'user', content: null, chars: 'prompt 1 你好'.length }]);
    assert.equal(stored.routing.query, null);
    assert.equal(stored.llm.response_content, null);
    assert.equal(stored.llm.reasoning_content, null);
    assert.equal(stored.llm.input_tokens, 10);
    assert.ok(!readFileSync(path, 'utf8').includes('prompt 1'));
    assert.equal(identityKey(stored), identityKey(record(1) as never));
  });

  it('imports the old service file: same stats as the old service, and a second import adds nothing', async () => {
    const reference = JSON.parse(readFileSync(fixturePath('seed-history', 'reference.json'), 'utf8'));
    const old = fixturePath('seed-history', 'call_history.jsonl');
    const path = newPath();
    const store = new HistoryStore(path);
    const first = await importHistory(store, old);
    assert.deepEqual(first, { imported: 240, duplicates: 0, invalid: 0, blank: 0 });
    const stats = (await store.stats()) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(reference.files['call_history.jsonl'].stats)) assert.deepEqual(stats[key], value, key);
    assert.equal(readFileSync(path, 'utf8'), readFileSync(old, 'utf8'), 'records are copied byte for byte');
    const second = await importHistory(store, old);
    assert.deepEqual(second, { imported: 0, duplicates: 240, invalid: 0, blank: 0 });
    // The damaged copy holds the same calls (minus the torn ones): nothing new either.
    const damaged = await importHistory(store, fixturePath('seed-history', 'call_history_damaged.jsonl'));
    assert.equal(damaged.imported, 0);
    assert.equal(damaged.duplicates, 238);
    assert.equal(damaged.invalid, 3);
    assert.equal(damaged.blank, 2);
    assert.equal((await store.stats()).records, 240);
  });

  it('imports into a history that already has some of the calls, and into a metadata-only history', async () => {
    const old = fixturePath('seed-history', 'call_history.jsonl');
    const path = newPath();
    const oldLines = lines(old);
    writeFileSync(path, `${oldLines.slice(100, 130).join('\n')}\n`);
    const report = await importHistory(new HistoryStore(path), old);
    assert.equal(report.imported, 210);
    assert.equal(report.duplicates, 30);
    const privatePath = newPath();
    const privateStore = new HistoryStore(privatePath, { privacy: 'metadata' });
    await importHistory(privateStore, old);
    assert.ok(!readFileSync(privatePath, 'utf8').includes('Write a Python script'));
    assert.deepEqual((await importHistory(privateStore, old)).imported, 0, 'text-less copies are still recognised');
  });

  it('exports without text by default, with text when asked, and as CSV', async () => {
    const path = newPath();
    copyFileSync(fixturePath('seed-history', 'call_history.jsonl'), path);
    const store = new HistoryStore(path);
    const plain = collect();
    assert.equal(await exportHistory(store, plain.stream), 240);
    const exported = plain.text().trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(exported.length, 240);
    assert.ok(exported.every((r) => r.llm.response_content === null && r.routing.query === null && r.request.messages.every((m: { content: unknown }) => m.content === null)));
    assert.ok(!plain.text().includes('Write a Python script'));
    const withText = collect();
    await exportHistory(store, withText.stream, { includeText: true });
    assert.equal(withText.text(), readFileSync(path, 'utf8'));
    const csv = collect();
    await exportHistory(store, csv.stream, { format: 'csv' });
    const rows = csv.text().trimEnd().split('\n');
    assert.equal(rows.length, 241);
    assert.match(rows[0], /^id,time_utc,status,method,tier,model,/);
    assert.ok(!csv.text().includes('Write a Python script'));
  });

  it('computes our extra stats: percentiles, tokens, cost by model and day, the top-tier counterfactual', async () => {
    const path = newPath();
    const store = new HistoryStore(path, {
      dayKey: 'utc',
      topTier: { key: 'qwen-max', spec: { model: 'qwen-max', prices: { asOf: 't', bands: [{ input: 1.6, output: 6.4 }] } } },
    });
    for (let i = 1; i <= 20; i++) await store.append(record(i, { llm: { ...record(i).llm, llm_latency_ms: i * 10, ttft_ms: i, input_tokens: 1000, output_tokens: 500, cost_usd: 0.00025 } }));
    await store.append(record(21, { error: { kind: 'network', message: 'x' }, llm: { ...record(21).llm, input_tokens: 0, output_tokens: 0, cost_usd: 0 } }));
    const stats = await store.stats();
    assert.deepEqual(stats.latency_ms, { p50: 100, p95: 190 });
    assert.deepEqual(stats.ttft_ms, { p50: 10, p95: 19 });
    assert.deepEqual(stats.routing_ms, { p50: 1.5, p95: 1.5 });
    assert.deepEqual(stats.tokens, { input: 20_000, output: 10_000, total: 30_000, reasoning: 0, cached: 0 });
    assert.deepEqual(stats.cost.by_model, { 'qwen-flash': 0.005 });
    assert.deepEqual(Object.keys(stats.cost.by_day), ['2026-01-01']);
    assert.equal(stats.cost.by_day['2026-01-01'].calls, 21);
    // qwen-max: 1000 in at $1.6/M + 500 out at $6.4/M = $0.0048 per call, 20 calls.
    assert.deepEqual(stats.top_tier, { model: 'qwen-max', calls: 20, cost_usd: 0.096, actual_cost_usd: 0.005, saved_usd: 0.091 });
    assert.deepEqual(stats.routing_methods, { fallback_token_length: 21 });
    assert.deepEqual(stats.fallback_reasons, { model_missing: 21 });
  });

  it('counts old fallbacks without a reason as "unrecorded"', async () => {
    const stats = await new HistoryStore(fixturePath('seed-history', 'call_history.jsonl')).stats();
    assert.deepEqual(Object.keys(stats.fallback_reasons), ['unrecorded']);
    assert.equal(stats.routing_methods.fallback_token_length, stats.fallback_reasons.unrecorded);
  });
});

describe('record helpers', () => {
  it('treats old-service records as successful, ours by error and cancelled', () => {
    assert.equal(isSuccessful({}), true);
    assert.equal(isSuccessful({ error: null, cancelled: false }), true);
    assert.equal(isSuccessful({ error: { kind: 'auth', message: 'x' } }), false);
    assert.equal(isSuccessful({ cancelled: true }), false);
  });

  it('withoutText keeps lengths and ids, drops every text field, and does not touch the original', () => {
    const original = record(5);
    const stripped = withoutText(original as never) as ReturnType<typeof record>;
    assert.equal(original.request.messages[0].content, 'prompt 5 你好');
    assert.equal(stripped.request.messages[0].content, null);
    assert.equal(stripped.id, 'id-5');
    assert.equal(stripped.llm.output_tokens, 20);
  });
});

describe('quantile sketch', () => {
  it('is exact (nearest rank) while small', () => {
    const sketch = new QuantileSketch();
    for (const v of [5, 1, 4, 2, 3]) sketch.add(v);
    assert.equal(sketch.quantile(0.5), 3);
    assert.equal(sketch.quantile(0.95), 5);
    assert.equal(new QuantileSketch().quantile(0.5), undefined);
  });

  it('stays within 1% in bounded memory when large', () => {
    const sketch = new QuantileSketch(1000);
    const values: number[] = [];
    let seed = 42;
    for (let i = 0; i < 50_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const v = 50 + (seed / 2 ** 31) * 20_000;
      values.push(v);
      sketch.add(v);
    }
    values.sort((x, y) => x - y);
    for (const p of [0.5, 0.95]) {
      const exact = values[Math.ceil(p * values.length) - 1];
      assert.ok(Math.abs(sketch.quantile(p)! - exact) / exact < 0.01, `p${p * 100}`);
    }
  });
});
