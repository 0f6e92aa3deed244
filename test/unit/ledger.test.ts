// The all-workspace spend ledger: one compact line per call, derived from each workspace's history,
// rebuilt when lost or damaged, kept in step by imports and clears, summed per currency.
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importHistory } from '../../src/core/history/transfer';
import { HistoryStore } from '../../src/core/history/store';
import { ledgerEntry, ledgerSpend, SpendLedger, summarizeLedger } from '../../src/core/ledger/ledger';
import { tempDirs } from '../support/tempDir';

const NOW = Date.now() / 1000;
let serial = 0;
const call = (model: string, cost: number, extra: Record<string, unknown> = {}) => ({
  schema_version: 1,
  id: `id-${++serial}`,
  timestamp: NOW,
  request: { messages: [{ role: 'user', content: 'secret prompt' }] },
  routing: { method: 'nvidia_classifier', query: 'secret prompt', tier: 'medium' },
  llm: { model, input_tokens: 100, output_tokens: 50, total_tokens: 150, cost_usd: cost, llm_latency_ms: 1, response_content: 'secret answer', ...extra },
  error: null,
  cancelled: false,
});
const jsonl = (...records: object[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('spend ledger (src/core/ledger)', () => {
  const dirs = tempDirs();
  after(() => dirs.cleanup());

  const setup = () => {
    const root = dirs.make();
    const ledger = new SpendLedger(join(root, 'global'));
    const a = join(root, 'a', 'call_history.jsonl');
    const b = join(root, 'b', 'call_history.jsonl');
    return { root, ledger, a, b };
  };

  it('writes one compact line per call: time, workspace, model, tier, tokens, cost, currency; no text', async () => {
    const { ledger } = setup();
    await ledger.append(call('qwen-plus', 0.5, { cached_tokens: 80 }), 'ws-a');
    await ledger.append({ ...call('qwen-plus', 0), llm: { model: 'qwen-plus', input_tokens: 0, output_tokens: 0, cost_usd: 0 }, error: { kind: 'budget_exceeded', message: 'x' } }, 'ws-a');
    const text = readFileSync(ledger.path, 'utf8');
    assert.equal(text.split('\n').length, 2, 'a refused call costs nothing and adds no line');
    const line = JSON.parse(text);
    assert.deepEqual(Object.keys(line), ['t', 'ws', 'id', 'm', 'tier', 'in', 'out', 'cached', 'cost', 'cur']);
    assert.deepEqual([line.ws, line.m, line.tier, line.in, line.out, line.cached, line.cost, line.cur], ['ws-a', 'qwen-plus', 'medium', 100, 50, 80, 0.5, 'USD']);
    assert.ok(!text.includes('secret'));
    assert.equal(ledgerEntry(call('qwen-flash', 0, { cost_currency: 'CNY', cost: 7 }), 'w')!.cur, 'CNY');
  });

  it('adds a workspace’s earlier calls when it is first registered, and sums across workspaces per currency', async () => {
    const { ledger, a, b } = setup();
    const storeA = new HistoryStore(a);
    await storeA.append(call('qwen-plus', 1) as never);
    await new HistoryStore(b).append(call('qwen-flash', 0, { cost_currency: 'CNY', cost: 7 }) as never);
    await ledger.registerSource('ws-a', { name: 'alpha', history: a });
    await ledger.registerSource('ws-b', { name: 'beta', history: b });
    await ledger.append(call('qwen-max', 2), 'ws-a');
    const { entries } = await ledger.read();
    assert.equal(entries.length, 3);
    const usd = summarizeLedger(entries, 'USD', await ledger.sources());
    assert.equal(usd.cost, 3);
    assert.deepEqual(usd.byWorkspace, { 'ws-a': { name: 'alpha', calls: 2, cost: 3 } });
    assert.deepEqual(Object.keys(usd.byModel), ['qwen-plus', 'qwen-max']);
    assert.equal(summarizeLedger(entries, 'CNY').cost, 7, 'CNY is summed apart, never added to USD');
    assert.deepEqual(ledgerSpend(entries, 'USD'), { today: 3, month: 3 });
  });

  it('rebuilds a lost or damaged ledger from the histories it knows', async () => {
    const { ledger, a } = setup();
    await new HistoryStore(a).append(call('qwen-plus', 1) as never);
    await ledger.registerSource('ws-a', { name: 'alpha', history: a });
    await new HistoryStore(a).append(call('qwen-plus', 2) as never);
    await ledger.append(call('qwen-plus', 2), 'ws-a');

    rmSync(ledger.path);
    let read = await ledger.read();
    assert.equal(read.rebuilt, true);
    assert.equal(summarizeLedger(read.entries, 'USD').cost, 3);

    appendFileSync(ledger.path, '{"t": 1, "torn\n');
    read = await ledger.read();
    assert.equal(read.rebuilt, true);
    assert.equal(read.entries.length, 2);
    assert.ok(!readFileSync(ledger.path, 'utf8').includes('torn'));
    assert.equal((await ledger.read()).rebuilt, false, 'a sound ledger is read as it is');
  });

  it('follows an import and a clear of one workspace, leaving the others alone', async () => {
    const { root, ledger, a, b } = setup();
    const storeA = new HistoryStore(a);
    await storeA.append(call('qwen-plus', 1) as never);
    await new HistoryStore(b).append(call('qwen-flash', 0.25) as never);
    await ledger.registerSource('ws-a', { name: 'alpha', history: a });
    await ledger.registerSource('ws-b', { name: 'beta', history: b });

    const old = join(root, 'old.jsonl');
    writeFileSync(old, jsonl(call('qwen-max', 4), call('qwen-max', 5)));
    await importHistory(storeA, old);
    await ledger.resync('ws-a', a);
    assert.equal(summarizeLedger((await ledger.read()).entries, 'USD').byWorkspace['ws-a'].cost, 10);

    rmSync(a);
    await ledger.resync('ws-a', a);
    const after = summarizeLedger((await ledger.read()).entries, 'USD');
    assert.equal(after.byWorkspace['ws-a'], undefined);
    assert.equal(after.byWorkspace['ws-b'].cost, 0.25);
    assert.ok(existsSync(ledger.path));
  });
});
