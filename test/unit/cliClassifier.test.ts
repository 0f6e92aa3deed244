import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { defaultIntraOpThreads } from '../../src/core/classifier/restartPolicy';
import { copyModelDir, fixture, REPO_ROOT } from '../support/fixtures';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { tempDirs } from '../support/tempDir';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const cli = (args: string[], input = '', env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 60_000, env });
const lines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));
const FIELDS = ['task_type_1', 'task_type_2', 'task_type_prob', 'creativity_scope', 'reasoning', 'contextual_knowledge', 'number_of_few_shots', 'domain_knowledge', 'no_label_reason', 'constraint_ct', 'prompt_complexity_score'];

describe('CLI: tokenize, classify, bench (real child processes of dist/cli.js)', function () {
  this.timeout(60_000);
  const goldenIds: { prompt: string; input_ids: number[] }[] = JSON.parse(readFileSync(fixture('golden-ids.json'), 'utf8'));
  const goldenOutputs: { prompt: string; result: Record<string, unknown> }[] = JSON.parse(readFileSync(fixture('golden-outputs.json'), 'utf8'));
  const jsonl = (prompts: string[]) => prompts.map((prompt) => JSON.stringify({ prompt })).join('\n') + '\n';

  for (const dir of ['tiny-model-json', 'tiny-model-spm']) {
    it(`tokenize --model-dir ${dir} writes the golden ids, one line per prompt`, () => {
      const run = cli(['tokenize', '--model-dir', fixture(dir)], jsonl(goldenIds.map((g) => g.prompt)));
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(lines(run.stdout), goldenIds.map((g) => ({ input_ids: g.input_ids })));
    });
  }

  it('classify writes the eleven NVIDIA fields, the tier and the time, matching the reference', () => {
    const run = cli(['classify', '--model-dir', fixture('tiny-model-json')], jsonl(goldenOutputs.map((g) => g.prompt)));
    assert.equal(run.status, 0, run.stderr);
    const results = lines(run.stdout);
    assert.equal(results.length, goldenOutputs.length);
    results.forEach((result, i) => {
      assert.deepEqual(Object.keys(result), [...FIELDS, 'tier', 'tokens', 'elapsed_ms']);
      assert.deepEqual(Object.fromEntries(FIELDS.map((f) => [f, result[f]])), goldenOutputs[i].result);
      const expectedTier = result.prompt_complexity_score < 0.3 ? 'simple' : result.prompt_complexity_score < 0.5 ? 'medium' : 'complex';
      assert.equal(result.tier, expectedTier);
      assert.ok(result.elapsed_ms >= 0);
    });
  });

  it('keeps one output line per input line when a line is bad, and exits non-zero', () => {
    const run = cli(['classify', '--model-dir', fixture('tiny-model-json')], '{"prompt": "hi there"}\nnot json\n{"prompt": ""}\n');
    assert.equal(run.status, 1);
    const [ok, bad, empty] = lines(run.stdout);
    assert.equal(typeof ok.prompt_complexity_score, 'number');
    assert.match(bad.error, /line 2: not valid JSON/);
    assert.equal(empty.reason, 'empty_prompt');
  });

  it('explains a broken model in one line on stderr, without a stack trace', () => {
    const dir = copyModelDir('tiny-model-json');
    writeFileSync(join(dir, 'onnx', 'model.onnx'), 'not a graph');
    const run = cli(['classify', '--model-dir', dir], jsonl(['hello']));
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^qwen-router classify: .*could not be loaded by onnxruntime.*download the model again\.\n$/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('reports usage errors with exit code 2', () => {
    const run = cli(['classify'], '');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--model-dir is required\nUsage: classify/);
    assert.equal(cli(['nonsense']).status, 2);
  });

  it('bench prints the figures docs/benchmarks.md quotes, measured through the extension path', () => {
    const run = cli(['bench', '--model-dir', fixture('tiny-model-json'), '--lengths', '16,64', '--runs', '3', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    for (const key of ['session_create_ms', 'max_event_loop_lag_ms', 'rss_mb']) assert.equal(typeof report[key], 'number', key);
    assert.deepEqual(report.results.map((r: { tokens: number }) => r.tokens >= 16), [true, true]);
    assert.ok(report.results[0].tokens < report.results[1].tokens);
    for (const r of report.results) assert.ok(r.p50_ms > 0 && r.p95_ms >= r.p50_ms);
    assert.deepEqual([report.isolation, report.threads, report.classifier_process_rss_mb], ['thread', 1, undefined]);
  });

  it('bench --isolation process --threads auto: the classifier in a child process, with its own memory, on the default thread count', () => {
    const run = cli(['bench', '--model-dir', fixture('tiny-model-json'), '--lengths', '16', '--runs', '2', '--isolation', 'process', '--threads', 'auto', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual([report.isolation, report.threads], ['process', defaultIntraOpThreads(availableParallelism())]);
    assert.ok(report.classifier_process_rss_mb > 0, JSON.stringify(report));
    for (const bad of [['--isolation', 'fiber'], ['--threads', '-1'], ['--threads', 'many']]) {
      const refused = cli(['classify', '--model-dir', fixture('tiny-model-json'), ...bad], '');
      assert.equal(refused.status, 2, bad.join(' '));
    }
  });
});

describe('CLI: ask routes with the classifier of --model-dir', function () {
  this.timeout(60_000);
  const KEY = 'sk-classifier-test';
  const dirs = tempDirs();
  let standIn: DashScopeStandIn;
  before(async () => {
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
  });
  after(async () => {
    await standIn.close();
    dirs.cleanup();
  });
  // spawnSync blocks this process, and the stand-in lives in it: run the child asynchronously.
  const ask = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise) => {
      const child = spawn(process.execPath, [CLI, 'ask', '--base-url', standIn.baseUrl, ...args], { env: { ...process.env, DASHSCOPE_API_KEY: KEY } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code: number | null) => resolvePromise({ code, stdout, stderr }));
    });
  const lastRecord = (path: string) => JSON.parse(readFileSync(path, 'utf8').trimEnd().split('\n').at(-1)!);

  it('records the classifier decision with all eleven fields', async () => {
    const history = join(dirs.make(), 'call_history.jsonl');
    const golden = JSON.parse(readFileSync(fixture('golden-outputs.json'), 'utf8'))[0];
    const run = await ask(['--model-dir', fixture('tiny-model-json'), '--history', history, golden.prompt]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^routed: qwen-\w+ \((simple|medium|complex)\): complexity /);
    const routing = lastRecord(history).routing;
    assert.equal(routing.method, 'nvidia_classifier');
    assert.equal(routing.complexity_score, golden.result.prompt_complexity_score);
    for (const field of FIELDS) assert.equal(routing[field], golden.result[field], field);
    // The old service's names, beside NVIDIA's.
    assert.deepEqual([routing.task_type, routing.creativity], [golden.result.task_type_1, golden.result.creativity_scope]);
  });

  it('falls back by length when the model cannot load, and records why', async () => {
    const history = join(dirs.make(), 'call_history.jsonl');
    const broken = copyModelDir('tiny-model-json');
    writeFileSync(join(broken, 'onnx', 'model.onnx'), 'truncated');
    const run = await ask(['--model-dir', broken, '--history', history, 'hello there']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /note: the classifier could not load \(.*truncated or corrupt.*\); routing by prompt length/);
    const routing = lastRecord(history).routing;
    assert.deepEqual([routing.method, routing.fallback_reason], ['fallback_token_length', 'model_failed']);
    assert.match(routing.error, /truncated or corrupt/);
  });
});
