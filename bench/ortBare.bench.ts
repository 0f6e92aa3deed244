// onnxruntime's bare session.run on ids of given lengths, on the calling thread: the floor our
// classifier path (tokenizer + worker + post-processing) is compared with.
// usage: node out/bench/ortBare.bench.js MODEL.onnx 16,64,256 [runs]
import * as ort from 'onnxruntime-node';
import { percentile } from '../src/cli/commands/bench';

async function main() {
  const [modelPath, lengthList = '16,64,256', runsArg = '20'] = process.argv.slice(2);
  const runs = Number(runsArg);
  const started = performance.now();
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const sessionCreateMs = performance.now() - started;
  const results = [];
  for (const tokens of lengthList.split(',').map(Number)) {
    const ids = BigInt64Array.from({ length: tokens }, (_, i) => BigInt(i === 0 ? 1 : i === tokens - 1 ? 2 : 5 + ((i * 37) % 900)));
    const feeds = { input_ids: new ort.Tensor('int64', ids, [1, tokens]), attention_mask: new ort.Tensor('int64', new BigInt64Array(tokens).fill(1n), [1, tokens]) };
    for (let i = 0; i < 2; i++) await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    results.push({ tokens, p50_ms: Math.round(percentile(times, 50) * 10) / 10, p95_ms: Math.round(percentile(times, 95) * 10) / 10 });
  }
  await session.release();
  process.stdout.write(`${JSON.stringify({ session_create_ms: Math.round(sessionCreateMs), rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20), results })}\n`);
}

void main();
