// The activated extension reads the history's stats in the background (after activation, and again
// when a setting the stats depend on changes), so Open Stats finds them ready.
import * as assert from 'assert';
import { renameSync, writeFileSync, mkdirSync } from 'fs';
import { dirname } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import type { QwenRouterApi } from '../../src/extension';

const settings = () => vscode.workspace.getConfiguration('qwenRouter');

async function eventually(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Replaces the history with `count` records, as another process would (written aside, renamed in). */
function replaceHistory(path: string, count: number): void {
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ schema_version: 1, id: `warm-${i}`, timestamp: 1_767_225_600 + i, routing: { method: 'nvidia_classifier', tier: 'simple', query: `q ${i}` }, llm: { model: 'qwen-flash', input_tokens: 1000, output_tokens: 1000, cost_usd: 0.0001, llm_latency_ms: 10 }, error: null, cancelled: false }),
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.new`, `${lines.join('\n')}\n`);
  renameSync(`${path}.new`, path);
}

describe('history warm-up (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;

  before(async () => {
    const extension = vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(extension);
    api = await extension.activate();
  });

  after(async () => {
    await settings().update('models', undefined, vscode.ConfigurationTarget.Global);
    await api?.router.clearHistory();
  });

  it('reads the stats in the background, with no view asking for them', async () => {
    const history = api.router.history;
    replaceHistory(history.path, 3000);
    assert.ok((await history.unreadBytes()) > 0, 'a replaced history is unread');
    api.router.scheduleHistoryWarmUp(0);
    await eventually(async () => (await history.unreadBytes()) === 0, 20_000, 'the warm-up to read the history');
    assert.equal((await history.stats()).records, 3000);
  });

  it('reads them again when the top tier’s prices change', async () => {
    const history = api.router.history;
    const before = (await history.stats()).top_tier;
    assert.ok(before && before.cost_usd > 0);
    const changed = new Promise<void>((resolve) => {
      const subscription = api.router.onDidChangeConfig(() => {
        subscription.dispose();
        resolve();
      });
    });
    // The complex tier's model (qwen-max) at ten times its list price.
    await settings().update('models', { 'qwen-max': { model: 'qwen-max', contextWindow: 32_768, prices: { asOf: 'test', bands: [{ input: 16, output: 64 }] } } }, vscode.ConfigurationTarget.Global);
    await changed;
    await eventually(async () => (await history.unreadBytes()) === 0, 20_000, 'the stats to be read again');
    const after = (await history.stats()).top_tier;
    assert.ok(after);
    assert.ok(Math.abs(after.cost_usd - before.cost_usd * 10) < 1e-6 * before.cost_usd * 10, `${after.cost_usd} vs 10 × ${before.cost_usd}`);
  });
});
