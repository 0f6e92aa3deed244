// One very long line (a huge answer, or a file with no newline at all) is read in time linear in
// its length: the reader collects the blocks of a line and joins them once, instead of copying the
// line so far again for every block. Measured as bytes copied by Buffer.concat (a spy on Node's
// function, not ours): a count, not a clock.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryStore } from '../../src/core/history/store';
import { tempDirs } from '../support/tempDir';

/** Runs `read` and returns how many bytes Buffer.concat copied meanwhile. */
async function bytesConcatenated(read: () => Promise<unknown>): Promise<number> {
  const original = Buffer.concat;
  let copied = 0;
  Buffer.concat = ((list: readonly Uint8Array[], totalLength?: number) => {
    const joined = original(list, totalLength);
    copied += joined.length;
    return joined;
  }) as typeof Buffer.concat;
  try {
    await read();
  } finally {
    Buffer.concat = original;
  }
  return copied;
}

describe('history reader on very long lines', function () {
  this.timeout(60_000);
  const dirs = tempDirs();
  after(() => dirs.cleanup());

  const longRecord = (size: number) => JSON.stringify({ id: 'long', timestamp: 1767225600, routing: { method: 'user_specified' }, llm: { model: 'qwen-flash', response_content: 'x'.repeat(size), input_tokens: 1, output_tokens: 1, cost_usd: 0, llm_latency_ms: 1 } });
  const short = JSON.stringify({ id: 'short', timestamp: 1767225601, llm: { model: 'qwen-flash', input_tokens: 1, output_tokens: 1, cost_usd: 0, llm_latency_ms: 1 } });

  for (const [name, text] of [
    ['a 16 MiB line without a newline', () => longRecord(16 << 20)],
    ['a 16 MiB line with its newline, then more', () => `${longRecord(16 << 20)}\n${short}\n`],
  ] as const) {
    it(`copies ${name} a bounded number of times (records() and stats())`, async () => {
      const path = join(dirs.make(), 'call_history.jsonl');
      const content = text();
      writeFileSync(path, content);
      const size = Buffer.byteLength(content);
      const store = new HistoryStore(path);
      let seen = 0;
      const byRecords = await bytesConcatenated(async () => {
        for await (const _ of store.records()) seen += 1;
      });
      assert.equal(seen, content.endsWith('\n') ? 2 : 1);
      let records = 0;
      const byStats = await bytesConcatenated(async () => {
        records = (await store.stats()).records;
      });
      assert.equal(records, seen);
      // Linear: each byte joined a few times at most (the slice doubling re-reads a long line
      // at most twice over). The quadratic reader copied it ~30 times per read.
      assert.ok(byRecords <= 4 * size, `records() copied ${byRecords} bytes for a ${size}-byte file`);
      assert.ok(byStats <= 4 * size, `stats() copied ${byStats} bytes for a ${size}-byte file`);
    });
  }
});
