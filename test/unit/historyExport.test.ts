// Exports that must not destroy what they export: the history file itself as the target (by any
// path), targets that cannot be written (a clear line, no hang, nothing left behind), and CSV cells
// a spreadsheet would run as formulas. The CLI runs as a child process (`node dist/cli.js`).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryStore } from '../../src/core/history/store';
import { exportHistory } from '../../src/core/history/transfer';
import { assertCliBuilt, runCli as cli } from '../support/cliProcess';
import { fixturePath, tempDirs } from '../support/tempDir';

const OLD = fixturePath('seed-history', 'call_history.jsonl');

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Splits CSV text (RFC 4180: quoted cells, doubled quotes, newlines inside quotes) into rows of raw cells, quotes kept. */
function csvRawCells(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      cell += c;
      if (c === '"' && text[i + 1] === '"') cell += text[++i];
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      cell += c;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

describe('history export (safe targets, CSV injection)', function () {
  this.timeout(30_000);
  const dirs = tempDirs();
  before(assertCliBuilt);
  after(() => dirs.cleanup());

  function seededHistory(): { dir: string; path: string } {
    const dir = dirs.make();
    const path = join(dir, 'call_history.jsonl');
    copyFileSync(OLD, path);
    return { dir, path };
  }

  it('refuses to export onto the history file itself, by any path (same path, .., symlink), and leaves it intact', async () => {
    const { dir, path } = seededHistory();
    const before = digest(path);
    mkdirSync(join(dir, 'sub'));
    symlinkSync(path, join(dir, 'link.jsonl'));
    symlinkSync(dir, join(dir, 'dirlink'));
    for (const out of [path, join(dir, 'sub', '..', 'call_history.jsonl'), join(dir, 'link.jsonl'), join(dir, 'dirlink', 'call_history.jsonl')]) {
      for (const format of ['jsonl', 'csv']) {
        const run = await cli(['export', '--history', path, '--format', format, '--out', out]);
        assert.equal(run.code, 1, `${out}: ${run.stderr}`);
        const lines = run.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, run.stderr);
        assert.match(lines[0], /^qwen-router export: .*is the history file itself.*Choose another file/);
        assert.equal(digest(path), before, `${out} (${format}) changed the history`);
      }
    }
    assert.deepEqual(readdirSync(dir).sort(), ['call_history.jsonl', 'dirlink', 'link.jsonl', 'sub']);
  });

  it('says in one line why a target cannot be written, exits 1, and leaves nothing behind', async () => {
    const { dir, path } = seededHistory();
    const cases: [string, RegExp][] = [
      [join(dir, 'missing', 'export.jsonl'), /folder .*missing.* does not exist/],
      [join(dir, 'call_history.jsonl', 'export.jsonl'), /is not a folder/],
      [dir, /is a folder/],
    ];
    for (const [out, expected] of cases) {
      const run = await cli(['export', '--history', path, '--out', out]);
      assert.equal(run.code, 1, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line, no stack trace: ${run.stderr}`);
      assert.match(lines[0], /^qwen-router export: Could not export to /);
      assert.match(lines[0], expected);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['call_history.jsonl']);
  });

  it('leaves no partial file (and no temporary one) when the export fails part-way', async () => {
    const dir = dirs.make();
    const notAFile = join(dir, 'history-is-a-folder');
    mkdirSync(notAFile);
    const out = join(dir, 'export.jsonl');
    const run = await cli(['export', '--history', notAFile, '--out', out]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    assert.deepEqual(readdirSync(dir), ['history-is-a-folder'], 'no export.jsonl, no temporary file');
  });

  it('replaces an existing export only once the new one is complete', async () => {
    const { dir, path } = seededHistory();
    const out = join(dir, 'export.csv');
    writeFileSync(out, 'old export\n');
    const run = await cli(['export', '--history', path, '--format', 'csv', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, `exported 240 records to ${out}\n`);
    assert.equal(readFileSync(out, 'utf8').trimEnd().split('\n').length, 241);
    assert.deepEqual(readdirSync(dir).sort(), ['call_history.jsonl', 'export.csv']);
  });

  it('rejects (instead of hanging) when the stream it writes to fails', async function () {
    this.timeout(5_000); // a hang, not a speed limit: it takes milliseconds
    const { dir, path } = seededHistory();
    const out = createWriteStream(join(dir, 'missing', 'export.jsonl'));
    out.on('error', () => undefined); // the failure must come back through the promise
    await assert.rejects(exportHistory(new HistoryStore(path), out, { includeText: true }), /ENOENT/);
  });

  it('neutralizes CSV cells a spreadsheet would run as formulas, in every text cell, and keeps numbers numbers', async () => {
    const dir = dirs.make();
    const path = join(dir, 'call_history.jsonl');
    const prompts = ['=1+2', '+SUM(A1)', '-2+3', '@cmd', '\tTAB', '\rCR', 'plain, "quoted"', '=HYPERLINK("http://x")'];
    const records = prompts.map((query, i) => ({
      schema_version: 1,
      id: i === 0 ? '=id' : `id-${i}`,
      timestamp: 1767225600 + i,
      request: { messages: [{ role: 'user', content: query }] },
      routing: { method: 'nvidia_classifier', query, tier: 'simple', task_type: '+task', complexity_score: -0.25, fallback_reason: '@reason' },
      llm: { model: '-model', provider: 'dashscope', response_id: `r${i}`, response_content: `=answer ${i}`, input_tokens: 1, output_tokens: -2, cost_usd: -0.5, llm_latency_ms: 1 },
      error: { kind: '=kind', message: 'x' },
      cancelled: false,
      attempts: 1,
    }));
    writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const run = await cli(['export', '--history', path, '--format', 'csv', '--with-text']);
    assert.equal(run.code, 0, run.stderr);
    const [header, ...rows] = csvRawCells(run.stdout);
    const col = (name: string) => header.indexOf(name);
    assert.equal(rows.length, prompts.length);
    const dangerous = /^[=+\-@\t\r]/;
    for (const row of rows) {
      for (const [i, cell] of row.entries()) {
        const value = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
        if (['complexity_score', 'output_tokens', 'cost_usd'].includes(header[i])) continue;
        assert.ok(!dangerous.test(value), `${header[i]} = ${JSON.stringify(cell)} would run as a formula`);
      }
      assert.equal(row[col('complexity_score')], '-0.25', 'a negative number stays a number');
      assert.equal(row[col('output_tokens')], '-2');
      assert.equal(row[col('cost_usd')], '-0.5');
      assert.equal(row[col('model')], `"'-model"`);
      assert.equal(row[col('task_type')], `"'+task"`);
      assert.equal(row[col('fallback_reason')], `"'@reason"`);
      assert.equal(row[col('error_kind')], `"'=kind"`);
    }
    assert.equal(rows[0][col('id')], `"'=id"`);
    assert.deepEqual(
      rows.map((row) => row[col('query')]),
      [`"'=1+2"`, `"'+SUM(A1)"`, `"'-2+3"`, `"'@cmd"`, `"'\tTAB"`, `"'\rCR"`, `"plain, ""quoted"""`, `"'=HYPERLINK(""http://x"")"`],
    );
    assert.equal(rows[1][col('response_content')], `"'=answer 1"`);
  });
});
