// The old service's /stats and /stats/raw on its own files, against answers computed in Python by
// scripts/seed-stats-reference.py with the old service's logic (committed as data).
import * as assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { HistoryStore } from '../../src/core/history/store';
import { fixturePath, tempDirs } from '../support/tempDir';
import { pyStrip } from '../../src/core/history/lines';

interface PageRef {
  limit: number;
  offset: number;
  response: { total: number; limit: number; offset: number; records: unknown[] };
}
interface FileRef {
  file: string;
  loaded_records: number;
  stats: Record<string, unknown>;
  raw_pages: PageRef[];
}
const reference = JSON.parse(readFileSync(fixturePath('seed-history', 'reference.json'), 'utf8')) as {
  files: Record<string, FileRef>;
  empty: { stats: Record<string, unknown>; raw: PageRef['response'] };
};

describe('stats on old-service files (reference answers from the old service logic)', () => {
  for (const [name, ref] of Object.entries(reference.files)) {
    describe(name, () => {
      const path = fixturePath('seed-history', name);

      it('gives the same /stats fields, value for value', async () => {
        const stats = (await new HistoryStore(path).stats()) as unknown as Record<string, unknown>;
        for (const [key, value] of Object.entries(ref.stats)) assert.deepEqual(stats[key], value, `field ${key}`);
        // Same key order in the distributions (first appearance), as Python's dicts keep it.
        for (const key of ['model_distribution', 'tier_distribution', 'task_type_distribution']) {
          assert.deepEqual(Object.keys(stats[key] as object), Object.keys(ref.stats[key] as object), `${key} order`);
        }
        assert.equal(stats.records, ref.loaded_records);
        assert.equal(stats.failed_calls, 0);
        assert.equal(stats.cancelled_calls, 0);
      });

      it('gives the same /stats/raw pages, each record exactly as stored', async () => {
        const store = new HistoryStore(path);
        const storedLines = new Set(readFileSync(path, 'utf8').split('\n').map(pyStrip));
        for (const page of ref.raw_pages) {
          const ours = await store.page(page.limit, page.offset);
          assert.equal(ours.total, page.response.total, `total (limit ${page.limit}, offset ${page.offset})`);
          assert.equal(ours.limit, page.response.limit);
          assert.equal(ours.offset, page.response.offset);
          assert.deepEqual(ours.records, page.response.records, `records (limit ${page.limit}, offset ${page.offset})`);
          for (const line of ours.lines) assert.ok(storedLines.has(line), 'a raw record is a stored line, byte for byte');
        }
      });
    });
  }

  it('counts what the damaged file skipped, and never rewrites it', async () => {
    const path = fixturePath('seed-history', 'call_history_damaged.jsonl');
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const stats = await new HistoryStore(path).stats();
    // A torn line glued to the next record, a JSON line that is no record, a torn last line.
    assert.equal(stats.skipped_lines, 3);
    assert.equal(stats.blank_lines, 2);
    assert.ok(readFileSync(path).equals(before));
    assert.equal(statSync(path).mtimeMs, mtime);
  });

  describe('no history yet', () => {
    const dirs = tempDirs();
    after(() => dirs.cleanup());

    it('answers like the old service with no calls (and reports avg_routing_ms as 0)', async () => {
      const store = new HistoryStore(`${dirs.make()}/call_history.jsonl`);
      const stats = (await store.stats()) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(reference.empty.stats)) assert.deepEqual(stats[key], value, key);
      assert.equal(stats.avg_routing_ms, 0);
      const page = await store.page(50, 0);
      assert.deepEqual({ total: page.total, limit: page.limit, offset: page.offset, records: page.records }, reference.empty.raw);
    });
  });
});
