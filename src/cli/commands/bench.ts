import { monitorEventLoopDelay } from 'node:perf_hooks';
import { processRssBytes } from '../../node/processMemory';
import { loadPromptTokenizer, type PromptTokenizer } from '../../core/classifier/tokenizer';
import { UsageError, type CliCommand } from '../runner';
import { classifierOptions, startClassifier } from '../classifierFromArgs';

const WORDS = (
  'please write a short python function that reads a csv file and returns the average of each numeric column ' +
  'then explain how the code handles missing values and why the approach scales to large files in memory'
).split(' ');

/** A prompt whose token count (with [CLS] and [SEP]) is the first to reach `target`. */
export async function promptOfLength(tokenizer: PromptTokenizer, target: number): Promise<{ text: string; tokens: number }> {
  const words: string[] = [];
  for (let i = 0; ; i++) {
    words.push(WORDS[i % WORDS.length]);
    const text = words.join(' ');
    const tokens = (await tokenizer.encode(text)).length;
    if (tokens >= target || tokens >= 512) return { text, tokens };
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export const benchCommand: CliCommand = {
  name: 'bench',
  usage: 'bench --model-dir DIR --lengths 16,64,256 [--runs N] [--precision fp32|fp16|int8] [--threads N|auto] [--isolation thread|process] [--json]',
  options: { ...classifierOptions, lengths: { type: 'string' }, runs: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const lengths = String(values.lengths ?? '16,64,256').split(',').map(Number);
    if (lengths.some((n) => !Number.isInteger(n) || n < 3 || n > 512)) throw new UsageError('--lengths takes token counts between 3 and 512, comma-separated');
    const runs = Number(values.runs ?? 20);
    if (!Number.isInteger(runs) || runs < 1) throw new UsageError('--runs must be a positive integer');

    const tokenizer = await loadPromptTokenizer(String(values['model-dir']));
    const prompts = await Promise.all(lengths.map((n) => promptOfLength(tokenizer, n)));
    const service = await startClassifier(values, 600_000);
    const info = service.state.kind === 'ready' ? service.state.info : undefined;

    let maxLagNs = 0;
    const classifierPid = service.pid !== process.pid ? service.pid : undefined;
    let peakRss = process.memoryUsage().rss;
    let peakClassifierRss = 0;
    const results = [];
    try {
      for (const prompt of prompts) {
        for (let i = 0; i < 2; i++) await service.classify(prompt.text); // warm-up: first runs allocate
        // A fresh histogram per length: one enabled again after a pause counts the pause as lag.
        const lag = monitorEventLoopDelay({ resolution: 1 });
        lag.enable();
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const started = performance.now();
          const outcome = await service.classify(prompt.text);
          times.push(performance.now() - started);
          if (!outcome.ok) throw new Error(`classification failed: ${outcome.message}`);
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          if (classifierPid) peakClassifierRss = Math.max(peakClassifierRss, processRssBytes(classifierPid) ?? 0);
        }
        lag.disable();
        maxLagNs = Math.max(maxLagNs, lag.max);
        times.sort((a, b) => a - b);
        results.push({ tokens: prompt.tokens, p50_ms: round1(percentile(times, 50)), p95_ms: round1(percentile(times, 95)) });
      }
    } finally {
      await service.dispose();
    }
    const report = {
      model: info?.onnxPath,
      precision: info?.precision,
      threads: info?.intraOpThreads,
      isolation: classifierPid ? 'process' : 'thread',
      session_create_ms: round1(info?.sessionCreateMs ?? NaN),
      max_event_loop_lag_ms: round1(maxLagNs / 1e6),
      // This process's memory; with --isolation process the session's is the classifier's own, apart.
      rss_mb: Math.round(peakRss / 2 ** 20),
      ...(classifierPid ? { classifier_process_rss_mb: Math.round(peakClassifierRss / 2 ** 20) } : {}),
      results,
    };
    if (values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      io.stdout.write(`${report.precision} ${report.model}\nsession create ${report.session_create_ms} ms, max event-loop lag ${report.max_event_loop_lag_ms} ms, rss ${report.rss_mb} MB${classifierPid ? ` (+ ${report.classifier_process_rss_mb} MB in the classifier's process)` : ''}, ${report.threads} thread(s)\n`);
      for (const r of results) io.stdout.write(`  ${r.tokens} tokens: p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms\n`);
    }
    return 0;
  },
};
