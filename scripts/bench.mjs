// `npm run bench`: speed and memory figures, printed (never asserted). On the full-size proxy of the
// classifier when it is present (see docs/benchmarks.md), the history benchmark, and the host
// benchmark (scripts/bench-host.mjs: activation, lag, chat badge, stats first paint, inside a real
// VS Code).
//   node scripts/bench.mjs [--runs N] [--lengths 16,64,256] [--build-proxy] [--skip-torch]
//                          [--host-only | --skip-host] [--records N] [--verbose]
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runHostBench } from './bench-host.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    lengths: { type: 'string', default: '16,64,256' },
    'build-proxy': { type: 'boolean' },
    'skip-torch': { type: 'boolean' },
    'host-only': { type: 'boolean' },
    'skip-host': { type: 'boolean' },
    records: { type: 'string', default: '100000' },
    verbose: { type: 'boolean' },
  },
});
const sharedProxyTool = resolve(root, '..', 'shared', 'tools', 'proxy-model');
const proxyDir = [process.env.QWEN_ROUTER_PROXY_DIR, join(root, '.bench', 'proxy'), '/tmp/proxy'].find((dir) => dir && existsSync(join(dir, 'proxy_deberta_fp32.onnx'))) ?? join(root, '.bench', 'proxy');
// The machine is shared: every figure below is read against the load it ran under.
const report = { load_average_at_start: loadavg().map((x) => Math.round(x * 100) / 100), cores: availableParallelism() };

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr || result.stdout}`);
  return result.stdout;
};
const lastJson = (text) => JSON.parse(text.trim().split('\n').filter((l) => l.startsWith('{')).at(-1));

console.log('building...');
run('node', ['esbuild.config.mjs']);

if (values['build-proxy'] && !existsSync(join(proxyDir, 'proxy_deberta_fp32.onnx'))) {
  console.log(`building the full-size proxy in ${proxyDir} (needs Debian's python3-torch and python3-onnx; ~2 min, ~1.8 GB)...`);
  mkdirSync(proxyDir, { recursive: true });
  for (const file of ['build_models.py', 'proxy_model.py']) cpSync(join(sharedProxyTool, file), join(proxyDir, file));
  run('/usr/bin/python3', ['build_models.py', 'proxy'], { cwd: proxyDir, stdio: 'inherit' });
  run('/usr/bin/python3', ['build_models.py', 'int8'], { cwd: proxyDir, stdio: 'inherit' });
}

/** A model directory around a proxy graph: the fixture tokenizer and config (ids stay far below the vocab). */
function proxyModelDir(name, graphFile, onnxName) {
  const dir = join(root, '.bench', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
    const source = join(root, 'test', 'fixtures', 'tiny-model-json', file);
    if (existsSync(source)) cpSync(source, join(dir, file));
  }
  symlinkSync(join(proxyDir, graphFile), join(dir, 'onnx', onnxName));
  return dir;
}

const hasProxy = existsSync(join(proxyDir, 'proxy_deberta_fp32.onnx'));
if (hasProxy && !values['host-only']) {
  // int8 as users get it: made from the fp32 proxy by our quantizer in the weight format tried first
  // (kept in the proxy folder, named by format so that a file of an earlier format is not reused).
  const weightFormat = 'int8';
  const oursInt8 = `proxy_deberta_int8_ours_${weightFormat}.onnx`;
  if (!existsSync(join(proxyDir, oursInt8))) {
    const dir = proxyModelDir('proxy-quantize', 'proxy_deberta_fp32.onnx', 'model.onnx');
    console.log(`int8 by our quantizer (dist/cli.js quantize --weight-format ${weightFormat} --skip-check)...`);
    report.quantize = lastJson(run('node', ['dist/cli.js', 'quantize', '--model-dir', dir, '--json', '--skip-check', '--weight-format', weightFormat]));
    renameSync(join(dir, 'onnx', 'model_quantized.onnx'), join(proxyDir, oursInt8));
  }
  const variants = [
    { precision: 'fp32', graph: 'proxy_deberta_fp32.onnx', onnx: 'model.onnx', key: 'fp32' },
    { precision: 'int8', graph: oursInt8, onnx: 'model_quantized.onnx', key: 'int8' },
    // onnxruntime's own quantize_dynamic (build_models.py int8), for comparison, when built.
    { precision: 'int8', graph: 'proxy_deberta_int8dyn.onnx', onnx: 'model_quantized.onnx', key: 'int8_ort' },
  ].filter((v) => existsSync(join(proxyDir, v.graph)));
  for (const variant of variants) {
    const dir = proxyModelDir(`proxy-${variant.key}`, variant.graph, variant.onnx);
    console.log(`classifier path (${variant.key}): tokenizer + worker + onnxruntime + post-processing...`);
    report[`classifier_${variant.key}`] = lastJson(
      run('node', ['dist/cli.js', 'bench', '--model-dir', dir, '--precision', variant.precision, '--lengths', values.lengths, '--runs', values.runs, '--json']),
    );
    // The bare run gets exactly the token counts our path measured, so each pair compares like with like.
    const measured = report[`classifier_${variant.key}`].results.map((r) => r.tokens).join(',');
    console.log(`bare session.run (${variant.key})...`);
    report[`bare_ort_${variant.key}`] = lastJson(run('node', ['out/bench/ortBare.bench.js', join(proxyDir, variant.graph), measured, values.runs]));
  }
  // The classifier in its own process, as the extension runs it: 1 onnxruntime thread against the
  // default for this machine's cores (0 = auto), and 2 when auto is 1 (what a 3-core machine gets).
  // The caller's main-thread lag stands for the extension host's; its RSS stays small, the model's is the child's.
  const threadsVariant = variants.find((v) => v.key === 'int8') ?? variants[0];
  if (threadsVariant) {
    const dir = proxyModelDir(`proxy-${threadsVariant.key}`, threadsVariant.graph, threadsVariant.onnx);
    const auto = Math.max(1, Math.min(4, availableParallelism() - 1));
    report.classifier_threads = { precision: threadsVariant.key, auto, runs: {} };
    for (const threads of [...new Set(['1', 'auto', auto === 1 ? '2' : String(auto)])]) {
      console.log(`classifier process (${threadsVariant.key}), ${threads} thread(s)...`);
      report.classifier_threads.runs[threads] = lastJson(
        run('node', ['dist/cli.js', 'bench', '--model-dir', dir, '--precision', threadsVariant.precision, '--isolation', 'process', '--threads', threads, '--lengths', values.lengths, '--runs', values.runs, '--json']),
      );
      report.classifier_threads.runs[threads].load_average_after = loadavg().map((x) => Math.round(x * 100) / 100);
    }
  }
  const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  if (!values['skip-torch'] && hasTorch && existsSync(join(proxyDir, 'proxy_state.pt'))) {
    console.log('PyTorch eager (the old service path)...');
    const source = existsSync(join(proxyDir, 'proxy_model.py')) ? proxyDir : sharedProxyTool;
    const measured = report.classifier_fp32.results.map((r) => r.tokens).join(',');
    // Debian's torch uses whatever libblas.so.3 the alternatives system picks: the reference BLAS is
    // ~30x slower than OpenBLAS and would flatter us. Say which one ran.
    const blas = spawnSync('readlink', ['-f', '/usr/lib/x86_64-linux-gnu/libblas.so.3'], { encoding: 'utf8' }).stdout.trim();
    if (!/openblas/.test(blas)) console.log(`warning: torch runs on ${blas || 'an unknown BLAS'}; apt-get install -y libopenblas0-pthread for a fair comparison`);
    report.torch_eager_fp32 = {
      blas,
      ...lastJson(run('/usr/bin/python3', ['bench/torch_eager.py', source, join(proxyDir, 'proxy_state.pt'), measured, String(Math.min(Number(values.runs), 10))], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } })),
    };
  } else {
    const why = values['skip-torch'] ? '--skip-torch' : !hasTorch ? 'no python3-torch (apt-get install -y python3-torch)' : `no proxy_state.pt in ${proxyDir}`;
    report.torch_eager_fp32 = { skipped: why };
  }
} else if (!hasProxy) {
  report.classifier = { skipped: `no full-size proxy in ${proxyDir}: run \`npm run bench -- --build-proxy\` (needs apt-get install -y python3-torch python3-onnx)` };
}

if (!values['host-only']) {
  console.log('tiny model (fixture), the classifier path end to end...');
  report.classifier_tiny = lastJson(run('node', ['dist/cli.js', 'bench', '--model-dir', 'test/fixtures/tiny-model-json', '--lengths', values.lengths, '--runs', values.runs, '--json']));

  console.log('local endpoint (tiny model): requests/s and added latency over the stand-in, 1 and 32 clients...');
  report.endpoint = lastJson(run('node', [join(root, 'out', 'bench', 'endpoint.bench.js')]));
  console.table(report.endpoint.results);

  const script = join(root, 'out', 'bench', 'history.bench.js');
  console.log('history...');
  report.history = lastJson(run('node', ['--expose-gc', script, '--records', values.records]));
}

if (!values['skip-host']) {
  // Inside a real VS Code (code-server + headless Chromium): without a model, then with the
  // full-size proxy (the realistic load) or, without one, the fixture's tiny model.
  const modelDir = hasProxy ? proxyModelDir('proxy-fp32', 'proxy_deberta_fp32.onnx', 'model.onnx') : join(root, 'test', 'fixtures', 'tiny-model-json');
  try {
    report.host = await runHostBench({ modelDir, runs: Math.min(Number(values.runs), 10), records: Number(values.records), verbose: values.verbose });
    report.host.model = hasProxy ? 'full-size proxy (fp32)' : 'tiny fixture model (no full-size proxy)';
  } catch (error) {
    report.host = { error: error.message };
    console.error(`host benchmark: ${error.message}`);
  }
}

const comparisons = [];
const ours = report.classifier_fp32?.results ?? [];
const padded = report.torch_eager_fp32?.padded_to_512_p50_ms;
for (const r of ours) {
  const bare = report.bare_ort_fp32?.results?.find((b) => b.tokens === r.tokens);
  const torch = report.torch_eager_fp32?.results?.find((t) => t.tokens === r.tokens);
  const int8 = report.classifier_int8?.results?.find((t) => t.tokens === r.tokens);
  comparisons.push({
    tokens: r.tokens,
    ours_p50_ms: r.p50_ms,
    bare_ort_p50_ms: bare?.p50_ms,
    overhead_vs_bare: bare ? `${(((r.p50_ms - bare.p50_ms) / bare.p50_ms) * 100).toFixed(1)}%` : undefined,
    torch_eager_p50_ms: torch?.p50_ms,
    speedup_vs_torch: torch ? `${(torch.p50_ms / r.p50_ms).toFixed(2)}x` : undefined,
    ours_int8_p50_ms: int8?.p50_ms,
    int8_speedup_vs_torch: torch && int8 ? `${(torch.p50_ms / int8.p50_ms).toFixed(2)}x` : undefined,
    // The old service tokenized with the card's padding to 512: every prompt cost a 512-token forward.
    speedup_vs_old_service: padded ? `${(padded / r.p50_ms).toFixed(2)}x` : undefined,
  });
}
if (comparisons.length) report.comparison_fp32 = comparisons;

report.load_average_at_end = loadavg().map((x) => Math.round(x * 100) / 100);
mkdirSync(join(root, 'test-results'), { recursive: true });
writeFileSync(join(root, 'test-results', 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
if (comparisons.length) console.table(comparisons);
if (report.classifier_threads) {
  const { precision, auto, runs } = report.classifier_threads;
  console.log(`\nclassifier process (${precision}), p50 ms by onnxruntime threads (auto = ${auto} on ${report.cores} cores); caller's max main-thread lag; RSS caller / classifier:`);
  console.table(Object.fromEntries(Object.entries(runs).map(([threads, r]) => [threads, {
    ...Object.fromEntries(r.results.map((t) => [`${t.tokens} tok`, t.p50_ms])),
    max_lag_ms: r.max_event_loop_lag_ms,
    rss_mb: `${r.rss_mb} / ${r.classifier_process_rss_mb}`,
    load_after: r.load_average_after.join(' '),
  }])));
}
console.log(`load average: ${report.load_average_at_start.join(' ')} at the start, ${report.load_average_at_end.join(' ')} at the end (${report.cores} cores)`);
if (report.host?.summary) {
  const h = report.host.summary;
  console.log(`\nhost (${report.host.model}):`);
  const m = h.host_rss_mb;
  console.log(`extension host RSS: ${m.before_activation} MB before activation, ${m.active_no_model} MB active without a model, ${m.with_model} MB with the model loaded (+${m.growth_with_model} MB; goal ≤ 60); the classifier's own process ${m.classifier_process ?? '(none: in the host)'} MB`);
  console.table({
    'activation, wall (ms)': h.activation_wall_ms,
    'activation, reported (ms)': h.activation_reported_ms,
    'chat: routed -> badge shown, p50 (ms)': h.chat_routed_to_badge_p50_ms,
    'chat: Enter -> badge shown, p50 (ms)': h.chat_enter_to_badge_p50_ms,
    'chat: Enter -> first token shown, p50 (ms)': h.chat_enter_to_first_token_p50_ms,
    'Auto (vscode.lm): new turn -> routed, p50 (ms)': h.provider_new_turn_routed_p50_ms,
    'Auto (vscode.lm): new turn -> first token, p50 (ms)': h.provider_new_turn_first_token_p50_ms,
    'Auto (vscode.lm): tool continuation, plan, p50 (ms)': h.provider_tool_continuation_plan_p50_ms,
    'Auto (vscode.lm): tool continuation -> routed, p50 (ms)': h.provider_tool_continuation_routed_p50_ms,
  });
  console.log('max event-loop lag of the extension host (ms):');
  console.table(Object.fromEntries(Object.entries(h.max_lag_ms).map(([window, ms]) => [window, { max_ms: ms }])));
  console.log(`stats panel on ${report.host.no_model?.stats?.history?.records ?? '?'} records, from Open Stats (ms; a blank webview says ready after ${h.blank_webview_ready_ms.p50} ms here):`);
  console.table({ 'first state posted': h.stats_first_state_ms, 'first render': h.stats_first_render_ms, 'summary (stats posted)': h.stats_summary_ms });
}
