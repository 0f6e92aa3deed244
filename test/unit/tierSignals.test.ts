import * as assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryStore } from '../../src/core/history/store';
import { DEFAULT_POLICY } from '../../src/core/routing/policy';
import { tierSignals, type TierSignalRow } from '../../src/core/stats/tierSignals';
import { fixturePath, tempDirs } from '../support/tempDir';

const TIER_MODELS = DEFAULT_POLICY.tierModels;

function call(id: string, tier: 'simple' | 'medium' | 'complex' | null, model: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const routing = tier ? { method: 'nvidia_classifier', query: 'q', tier } : { method: 'user_specified', query: 'q' };
  return { schema_version: 1, id, timestamp: 1767225600, request: { messages: [], temperature: null, max_tokens: null, user_specified_model: tier ? null : model }, routing, llm: { model, input_tokens: 1, output_tokens: 1, cost_usd: 0 }, error: null, cancelled: false, ...extra };
}

function signal(of: string, kind: string, id = `s-${of}-${kind}-${Math.random()}`): Record<string, unknown> {
  return { schema_version: 1, type: 'signal', id, of, signal: kind, timestamp: 1767225700 };
}

function row(tier: TierSignalRow['tier'], calls: number, thumbs_up: number, thumbs_down: number, escalations: number, overrides: number): TierSignalRow {
  return { tier, calls, thumbs_up, thumbs_down, escalations, overrides };
}

describe('per-tier signals (src/core/stats/tierSignals)', () => {
  it('counts calls, the last thumb of each call, escalations once per call and overrides, per tier, on a planted history', () => {
    const lines = [
      call('a', 'simple', 'qwen-flash'),
      call('b', 'simple', 'qwen-flash'),
      call('c', 'simple', 'qwen-flash'),
      call('d', 'medium', 'qwen-plus'),
      call('e', 'complex', 'qwen-max'),
      call('failed', 'simple', 'qwen-flash', { error: { kind: 'server', message: 'x' } }),
      call('user-max', null, 'qwen-max'),
      call('user-other', null, 'my-local-model'),
      signal('a', 'thumbs_down'),
      signal('a', 'thumbs_up'), // a later opposite thumb supersedes
      signal('b', 'thumbs_down'),
      signal('b', 'next_tier'),
      signal('b', 'next_tier'), // twice on one call: one escalation
      call('b-again', null, 'qwen-plus', { escalated_from_record: 'b' }), // the re-ask: not an override
      signal('d', 'thumbs_down'),
      signal('e', 'thumbs_up'),
      signal('failed', 'thumbs_down'), // about a failed call: dropped
      signal('nobody', 'thumbs_down'), // about an unknown call: dropped
      signal('c', 'meh'), // not a signal kind: dropped
    ];
    const result = tierSignals(lines, TIER_MODELS);
    assert.deepEqual(result.rows, [
      row('simple', 3, 1, 1, 1, 0),
      row('medium', 2, 0, 1, 0, 0),
      row('complex', 2, 1, 0, 0, 1),
      row('other', 1, 0, 0, 0, 1),
    ]);
    assert.equal(result.signals, 10);
  });

  it('resolves a signal that comes before its call (merged files)', () => {
    const result = tierSignals([signal('x', 'thumbs_down'), call('x', 'medium', 'qwen-plus')], TIER_MODELS);
    assert.deepEqual(result.rows.find((r) => r.tier === 'medium'), row('medium', 1, 0, 1, 0, 0));
  });

  it('reads the seed history (no ids, no signals) as calls only, one row per tier', async () => {
    const dirs = tempDirs();
    try {
      const path = join(dirs.make(), 'call_history.jsonl');
      copyFileSync(fixturePath('seed-history', 'call_history.jsonl'), path);
      const store = new HistoryStore(path);
      const lines: Record<string, unknown>[] = [];
      for await (const { value } of store.records(undefined, { signals: true })) lines.push(value);
      const stats = await store.stats();
      const result = tierSignals(lines, TIER_MODELS);
      assert.equal(result.signals, 0);
      assert.equal(result.rows.reduce((sum, r) => sum + r.calls, 0), stats.successful_calls, 'every successful call is on one row');
      for (const r of result.rows) assert.deepEqual([r.thumbs_up, r.thumbs_down, r.escalations], [0, 0, 0]);
    } finally {
      dirs.cleanup();
    }
  });

  it('counts signals appended by HistoryStore.appendSignal, left out of the stats', async () => {
    const dirs = tempDirs();
    try {
      const path = join(dirs.make(), 'call_history.jsonl');
      const store = new HistoryStore(path, { privacy: 'metadata' });
      await store.append(call('m', 'medium', 'qwen-plus'));
      const before = await store.stats();
      const line = await store.appendSignal('m', 'thumbs_down', { now: () => 1767225600_000, newId: () => 'sig-1' });
      assert.deepEqual(line, { schema_version: 1, type: 'signal', id: 'sig-1', of: 'm', signal: 'thumbs_down', timestamp: 1767225600 });
      assert.deepEqual(await store.stats(), before);
      const lines: Record<string, unknown>[] = [];
      for await (const { value } of store.records(undefined, { signals: true })) lines.push(value);
      assert.deepEqual(lines[1], line, 'stored as built: privacy adds nothing to a line without text');
      assert.deepEqual(tierSignals(lines, TIER_MODELS).rows.find((r) => r.tier === 'medium'), row('medium', 1, 0, 1, 0, 0));
    } finally {
      dirs.cleanup();
    }
  });
});
