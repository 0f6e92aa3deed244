// The local endpoint's cost: requests per second and added latency over calling the DashScope
// stand-in directly, at 1 and 32 concurrent clients; through the endpoint with a named model (no
// classifier) and with "auto" (the classifier on the given model folder, its queue shared by all
// requests). Prints a table and, last, one JSON line (scripts/bench.mjs collects it).
//   node out/bench/endpoint.bench.js [--model-dir D] [--requests N] [--precision fp32|int8]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../src/core/config';
import { HistoryStore } from '../src/core/history/store';
import { ClassifierService } from '../src/node/classifierService';
import { startRouterServer } from '../src/node/routerServer';
import { DashScopeStandIn } from '../test/support/dashscopeStandIn';

const root = resolve(__dirname, '../..');
const { values } = parseArgs({ options: { 'model-dir': { type: 'string' }, requests: { type: 'string', default: '320' }, precision: { type: 'string', default: 'fp32' } } });
const modelDir = values['model-dir'] ?? join(root, 'test', 'fixtures', 'tiny-model-json');
const total = Number(values.requests);
const TOKEN = 'bench-token';
const PROMPTS = ['Write a haiku about autumn', 'Explain how a hash map handles collisions, with an example in Python', 'What is 2 + 2?', 'Summarize the causes of the French Revolution in three bullet points'];

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const round = (x: number) => Math.round(x * 100) / 100;

/** `total` requests from `clients` concurrent loops; latencies in ms and the wall time. */
async function load(clients: number, send: (i: number) => Promise<void>): Promise<{ rps: number; p50_ms: number; p95_ms: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await send(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wall = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { rps: round((total / wall) * 1000), p50_ms: round(quantile(latencies, 0.5)), p95_ms: round(quantile(latencies, 0.95)) };
}

async function main(): Promise<void> {
  const standIn = await DashScopeStandIn.start({ defaultScenario: { reply: 'A short answer from the stand-in.', chunkSize: 16 } });
  const classifier = new ClassifierService({ modelDir, precision: values.precision as 'fp32', intraOpThreads: 1, timeBudgetMs: 30_000, workerPath: join(root, 'dist', 'classifierWorker.js') });
  classifier.start();
  const state = await classifier.whenSettled();
  if (state.kind !== 'ready') throw new Error(`the classifier did not load from ${modelDir}: ${state.kind}`);
  const dir = mkdtempSync(join(tmpdir(), 'qr-bench-endpoint-'));
  const history = join(dir, 'call_history.jsonl');
  const { config } = resolveConfig({ baseUrl: standIn.baseUrl });
  const server = await startRouterServer({ config: () => config, classify: classifier.classify, store: new HistoryStore(history), getApiKey: () => 'sk-bench' }, { port: 0, token: TOKEN });

  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  const messages = (i: number) => [{ role: 'user', content: `${PROMPTS[i % PROMPTS.length]} (#${i})` }];
  const direct = (i: number) => post(`${standIn.baseUrl}/chat/completions`, { model: 'qwen-plus', stream: true, stream_options: { include_usage: true }, messages: messages(i) }, { authorization: 'Bearer sk-bench' });
  const viaEndpoint = (model: string) => (i: number) => post(`${server.url}/v1/chat/completions`, { model, messages: messages(i) }, { authorization: `Bearer ${TOKEN}` });

  // Warm up every path (connections, the tokenizer, the classifier's session).
  for (let i = 0; i < 20; i++) await Promise.all([direct(i), viaEndpoint('qwen-plus')(i), viaEndpoint('auto')(i)]);

  const rows: Record<string, unknown>[] = [];
  for (const clients of [1, 32]) {
    const base = await load(clients, direct);
    const named = await load(clients, viaEndpoint('qwen-plus'));
    const before = readFileSync(history, 'utf8').trimEnd().split('\n').length;
    const routed = await load(clients, viaEndpoint('auto'));
    const routing = readFileSync(history, 'utf8').trimEnd().split('\n').slice(before).map((line) => JSON.parse(line).routing.routing_latency_ms as number).sort((a, b) => a - b);
    rows.push(
      { clients, path: 'stand-in directly', ...base },
      { clients, path: 'endpoint, named model', ...named, added_p50_ms: round(named.p50_ms - base.p50_ms) },
      { clients, path: 'endpoint, "auto" (classifier)', ...routed, added_p50_ms: round(routed.p50_ms - base.p50_ms), routing_p95_ms: round(quantile(routing, 0.95)) },
    );
  }
  await server.close(0);
  await classifier.dispose();
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
  console.table(rows);
  console.log(JSON.stringify({ model_dir: modelDir, requests_per_run: total, results: rows }));
  process.exit(0); // the bundled stand-in module also starts one of its own when run as a program
}

void main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
