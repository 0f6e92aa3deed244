// Several writers on one history at once: imports of the same file (in one process, and as two CLI
// processes) add each record once; a lock left by a dead importer does not block the next one; an
// import and another process's appends leave every line whole and every record once.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { HistoryStore } from '../../src/core/history/store';
import { importHistory } from '../../src/core/history/transfer';
import { assertCliBuilt, runCli } from '../support/cliProcess';
import { fixturePath, tempDirs } from '../support/tempDir';

const OLD = fixturePath('seed-history', 'call_history.jsonl');
const WRITER = resolve(__dirname, '../support/historyWriter.js');

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l);
const ids = (path: string) => lines(path).map((l) => JSON.parse(l) as { id?: string; llm: { response_id: string } }).map((r) => r.id ?? r.llm.response_id);

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('history under concurrent writers', function () {
  this.timeout(60_000);
  const dirs = tempDirs();
  before(assertCliBuilt);
  after(() => dirs.cleanup());
  const newPath = () => join(dirs.make(), 'call_history.jsonl');

  it('two imports of the same file at once add each record once', async () => {
    const path = newPath();
    const reports = await Promise.all([importHistory(new HistoryStore(path), OLD), importHistory(new HistoryStore(path), OLD)]);
    assert.deepEqual(reports.map((r) => r.imported).sort((a, b) => a - b), [0, 240]);
    assert.deepEqual(reports.map((r) => r.duplicates).sort((a, b) => a - b), [0, 240]);
    assert.equal(lines(path).length, 240);
    assert.equal(readFileSync(path, 'utf8'), readFileSync(OLD, 'utf8'));
    assert.ok(!existsSync(`${path}.lock`), 'the lock is released');
  });

  it('two CLI imports of the same large file at once add each record once', async () => {
    const dir = dirs.make();
    const from = join(dir, 'old.jsonl');
    const path = join(dir, 'call_history.jsonl');
    const answer = 'answer text '.repeat(150);
    writeFileSync(from, Array.from({ length: 6000 }, (_, i) => `${JSON.stringify({ id: `old-${i}`, timestamp: 1735689600 + i, routing: { method: 'user_specified', query: `q${i}` }, llm: { model: 'qwen-flash', response_id: `r${i}`, response_content: answer, input_tokens: 1, output_tokens: 1, cost_usd: 0, llm_latency_ms: 1 } })}\n`).join(''));
    const runs = await Promise.all([0, 1].map(() => runCli(['import', '--from', from, '--history', path])));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const reports = runs.map((run) => JSON.parse(run.stdout) as { imported: number; duplicates: number });
    assert.deepEqual(reports.map((r) => r.imported).sort((a, b) => a - b), [0, 6000]);
    const stored = ids(path);
    assert.equal(stored.length, 6000);
    assert.equal(new Set(stored).size, 6000);
  });

  it('recovers a lock left by an importer that died, and releases its own', async () => {
    const path = newPath();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid(), hostname: hostname(), acquiredAt: new Date().toISOString(), token: 'dead' }));
    const report = await importHistory(new HistoryStore(path), OLD);
    assert.equal(report.imported, 240);
    assert.ok(!existsSync(`${path}.lock`));
  });

  it('waits for a live importer to finish, then finds its records already there', async () => {
    const path = newPath();
    const lock = `${path}.lock`;
    writeFileSync(lock, JSON.stringify({ pid: process.pid, hostname: hostname(), acquiredAt: new Date().toISOString(), token: 'live' }));
    let waitedFor: number | undefined;
    const second = importHistory(new HistoryStore(path), OLD, { onWait: (holder) => (waitedFor = holder.pid) });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!existsSync(path), 'nothing appended while another import holds the lock');
    assert.equal(waitedFor, process.pid, 'the caller is told who it waits for');
    // The "other importer" finishes: its records are in, its lock is gone.
    writeFileSync(path, readFileSync(OLD));
    const { unlinkSync } = await import('node:fs');
    unlinkSync(lock);
    const report = await second;
    assert.deepEqual([report.imported, report.duplicates], [0, 240]);
    assert.equal(lines(path).length, 240);
  });

  it('an import while another process appends: every line whole, every record once', async () => {
    const path = newPath();
    const writer = new Promise<number | null>((resolveExit) => {
      const child = spawn(process.execPath, [WRITER, path, 'count', '150', 'A'], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('exit', (code) => resolveExit(code));
    });
    const [report, code] = await Promise.all([importHistory(new HistoryStore(path), OLD), writer]);
    assert.equal(code, 0);
    assert.equal(report.imported, 240);
    const text = readFileSync(path, 'utf8');
    assert.ok(text.endsWith('\n'));
    const parsed = text.split('\n').filter((l) => l).map((l) => JSON.parse(l) as { writer?: string; seq?: number });
    assert.equal(parsed.length, 390, 'no torn, lost or repeated line');
    assert.deepEqual(parsed.filter((r) => r.writer === 'A').map((r) => r.seq), Array.from({ length: 150 }, (_, i) => i));
  });
});
