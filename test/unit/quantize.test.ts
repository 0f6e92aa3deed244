import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { bufferSource, decodeNode, GRAPH_INITIALIZER, GRAPH_NODE, MODEL_GRAPH, readTensorHeader, scanFields, TensorDataType, type OnnxNode } from '../../src/core/classifier/quantize/onnxWire';
import { QuantizeCancelled, WEIGHT_FORMATS, type WeightFormat } from '../../src/core/classifier/quantize/quantizer';
import { choosePrecision, compareResults, SELF_CHECK_BOUNDS, SELF_CHECK_FILE } from '../../src/core/classifier/selfCheck';
import type { ClassifierResult } from '../../src/core/classifier/result';
import { ClassifierService } from '../../src/node/classifierService';
import { quantizeFile } from '../../src/node/quantizeFile';
import { quantizeModelDir } from '../../src/node/quantizer';
import { loadSelfCheckPrompts, makeCheckedInt8, runSelfCheck } from '../../src/node/selfCheck';
import { copyModelDir, REPO_ROOT, WORKER_PATH } from '../support/fixtures';
import { mixedModel } from '../support/onnxModel';
import { tempDirs } from '../support/tempDir';

const QUANTIZE_WORKER = join(REPO_ROOT, 'dist', 'quantizeWorker.js');
const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const PROMPTS = loadSelfCheckPrompts(join(REPO_ROOT, 'models', 'self-check-prompts.json'));

/** The graph's nodes and initializer headers, read back with the quantizer's own wire reader. */
function graphOf(bytes: Uint8Array): { nodes: OnnxNode[]; initializers: Map<string, { dims: number[]; dataType: number; raw?: Uint8Array }> } {
  const source = bufferSource(bytes);
  const graph = [...scanFields(source, 0, bytes.length)].find((f) => f.field === MODEL_GRAPH)!;
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, { dims: number[]; dataType: number; raw?: Uint8Array }>();
  for (const field of scanFields(source, graph.dataStart, graph.end)) {
    if (field.field === GRAPH_NODE) nodes.push(decodeNode(bytes.subarray(field.dataStart, field.end)));
    if (field.field === GRAPH_INITIALIZER) {
      const { header, data } = readTensorHeader(source, field.dataStart, field.end);
      initializers.set(header.name, { dims: header.dims, dataType: header.dataType, raw: data && bytes.subarray(data.dataStart, data.end) });
    }
  }
  return { nodes, initializers };
}

async function outputs(path: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(path, { logSeverityLevel: 3 });
  try {
    const result = await session.run(feeds);
    return Object.fromEntries(session.outputNames.map((name) => [name, result[name].data as Float32Array]));
  } finally {
    await session.release();
  }
}

const maxDifference = (a: Record<string, Float32Array>, b: Record<string, Float32Array>) =>
  Math.max(...Object.keys(a).map((name) => Math.max(...a[name].map((x, i) => Math.abs(x - b[name][i])))));
const largest = (a: Record<string, Float32Array>) => Math.max(...Object.values(a).map((v) => Math.max(...v.map(Math.abs))));
const ids = (values: number[], name = 'input_ids') => ({ [name]: new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]) });

describe('int8: the quantizer (real onnxruntime on the results)', function () {
  this.timeout(30_000);
  const temp = tempDirs('qr-quantize-');
  after(() => temp.cleanup());

  it('turns the tiny classifier (Gemm heads, a Gather embedding) into a graph onnxruntime loads, with 8-bit weights', async () => {
    const dir = copyModelDir('tiny-model-json');
    const fp32 = join(dir, 'onnx', 'model.onnx');
    const int8 = join(dir, 'onnx', 'model_quantized.onnx');
    const summary = await quantizeFile(fp32, int8);
    assert.equal(summary.weightFormat, 'int8', 'the fastest format by default');
    assert.deepEqual(summary.nodes, { MatMul: 0, Gemm: 8, Gather: 1 });
    assert.deepEqual(summary.skipped, []);

    const { nodes, initializers } = graphOf(readFileSync(int8));
    const ops = nodes.map((n) => n.opType);
    assert.ok(!ops.includes('Gemm'), 'no float Gemm is left');
    assert.equal(ops.filter((op) => op === 'DynamicQuantizeLinear').length, 1, 'the eight heads share one quantized activation');
    assert.equal(ops.filter((op) => op === 'MatMulInteger').length, 8);
    for (const [name, tensor] of initializers) {
      if (name.endsWith('_int8_quantized')) assert.equal(tensor.dataType, TensorDataType.INT8, `${name} is int8`);
      assert.ok(!/\.weight$|^embedding_table$/.test(name), `${name}: the float weight is gone`);
    }
    const scales = initializers.get('task_type.weight_int8_scale');
    assert.ok(scales, 'per-column scales of the task_type head');
    assert.deepEqual(scales.dims, [12], 'one scale per output class (per channel)');

    const feeds = { ...ids([1, 40, 77, 12, 9, 2]), attention_mask: new ort.Tensor('int64', new BigInt64Array(6).fill(1n), [1, 6]) };
    const result = await outputs(int8, feeds);
    assert.deepEqual(Object.keys(result), Object.keys(await outputs(fp32, feeds)), 'the same heads come out');
  });

  // How close int8's answers come to fp32's depends on the CPU (AVX2 without VNNI can saturate): the
  // self-check measures that on the user's machine. What the file holds does not.
  for (const [format, type, zeroPoint, qmax] of [
    ['int8', TensorDataType.INT8, 0, 127],
    ['int8-7bit', TensorDataType.INT8, 0, 63],
    ['uint8', TensorDataType.UINT8, 128, 127],
  ] as const) {
    it(`stores ${format} weights that are fp32's to within half a step of their column's scale`, async () => {
      const dir = copyModelDir('tiny-model-json');
      const fp32 = join(dir, 'onnx', 'model.onnx');
      const int8 = join(dir, 'onnx', 'model_quantized.onnx');
      assert.equal((await quantizeFile(fp32, int8, { weightFormat: format })).weightFormat, format);
      const original = graphOf(readFileSync(fp32)).initializers;
      const { initializers } = graphOf(readFileSync(int8));
      const weight = original.get('task_type.weight')!;
      const n = 12; // task types: one scale per output column
      const k = (weight.dims[0] === n ? weight.dims[1] : weight.dims[0]);
      const at = (ki: number, ni: number) => (weight.dims[0] === n ? floats[ni * k + ki] : floats[ki * n + ni]);
      const floats = new Float32Array(weight.raw!.buffer.slice(weight.raw!.byteOffset, weight.raw!.byteOffset + weight.raw!.byteLength));
      const q = initializers.get('task_type.weight_int8_quantized')!;
      const zero = initializers.get('task_type.weight_int8_zero_point')!;
      const scaleRaw = initializers.get('task_type.weight_int8_scale')!.raw!;
      const scale = new Float32Array(scaleRaw.buffer.slice(scaleRaw.byteOffset, scaleRaw.byteOffset + scaleRaw.byteLength));
      assert.equal(q.dataType, type);
      assert.equal(zero.dataType, type);
      assert.deepEqual([...zero.raw!], new Array(n).fill(zeroPoint));
      const values = type === TensorDataType.INT8 ? new Int8Array(q.raw!.buffer, q.raw!.byteOffset, q.raw!.byteLength) : q.raw!;
      let reachesMax = 0;
      for (let ki = 0; ki < k; ki++) {
        for (let ni = 0; ni < n; ni++) {
          const stored = values[ki * n + ni] - zeroPoint;
          assert.ok(Math.abs(stored) <= qmax, `${stored} within ±${qmax}`);
          if (Math.abs(stored) === qmax) reachesMax++;
          assert.ok(Math.abs(stored * scale[ni] - at(ki, ni)) <= scale[ni] / 2 + 1e-7, `weight [${ki}, ${ni}]`);
        }
      }
      assert.ok(reachesMax >= n, 'every column uses its whole range');
    });
  }

  for (const format of ['int8-7bit', 'uint8'] as const) {
    it(`gives answers close to fp32 with ${format} weights, whose kernels cannot saturate on any CPU`, async () => {
      const dir = copyModelDir('tiny-model-json');
      const fp32 = join(dir, 'onnx', 'model.onnx');
      const int8 = join(dir, 'onnx', 'model_quantized.onnx');
      await quantizeFile(fp32, int8, { weightFormat: format });
      const feeds = { ...ids([1, 40, 77, 12, 9, 2]), attention_mask: new ort.Tensor('int64', new BigInt64Array(6).fill(1n), [1, 6]) };
      const reference = await outputs(fp32, feeds);
      const difference = maxDifference(reference, await outputs(int8, feeds));
      assert.ok(difference < 0.03 * largest(reference), `largest logit difference ${difference}, of logits up to ${largest(reference)}`);
    });
  }

  it('quantizes MatMul on a 3-D activation, Gemm with and without transB, and shares the activation of two MatMuls', async () => {
    const dir = temp.make();
    const fp32 = join(dir, 'mixed.onnx');
    const int8 = join(dir, 'mixed_int8.onnx');
    writeFileSync(fp32, mixedModel());
    const summary = await quantizeFile(fp32, int8, { weightFormat: 'uint8' });
    assert.deepEqual(summary.nodes, { MatMul: 2, Gemm: 2, Gather: 1 });
    const { nodes, initializers } = graphOf(readFileSync(int8));
    const ops = nodes.map((n) => n.opType);
    assert.ok(!ops.includes('MatMul') && !ops.includes('Gemm'));
    assert.equal(ops.filter((op) => op === 'DynamicQuantizeLinear').length, 2, 'one for the embedding output (two MatMuls), one for the pooled vector (two Gemms)');
    assert.deepEqual(initializers.get('head_a.weight_int8_quantized')?.dims, [32, 5], 'a transB weight is stored as [K, N]');
    assert.deepEqual(initializers.get('embedding_int8_scale')?.dims, [50, 1], 'one scale per embedding row');

    const feeds = ids([3, 17, 42, 8], 'ids');
    const reference = await outputs(fp32, feeds);
    const difference = maxDifference(reference, await outputs(int8, feeds));
    assert.ok(difference < 0.02 * largest(reference), `largest output difference ${difference}, of outputs up to ${largest(reference)}`);
  });

  it('stops when cancelled, leaving neither the output nor a partial file', async () => {
    const dir = copyModelDir('tiny-model-json');
    const int8 = join(dir, 'onnx', 'model_quantized.onnx');
    let checks = 0;
    await assert.rejects(quantizeFile(join(dir, 'onnx', 'model.onnx'), int8, { chunkBytes: 256, isCancelled: () => ++checks > 2 }), QuantizeCancelled);
    assert.deepEqual(readdirSync(join(dir, 'onnx')), ['model.onnx']);
  });

  it('cancels on its worker thread through an AbortSignal, with progress before it', async () => {
    const dir = copyModelDir('tiny-model-json');
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      quantizeModelDir(dir, { workerPath: QUANTIZE_WORKER, chunkBytes: 64, signal: controller.signal, onProgress: ({ done }) => (seen.push(done), controller.abort()) }),
      QuantizeCancelled,
    );
    assert.ok(seen.length >= 1);
    assert.deepEqual(readdirSync(join(dir, 'onnx')), ['model.onnx']);
  });

  it('says what is wrong with a file that is not an ONNX model, and leaves nothing behind', async () => {
    const dir = temp.make();
    writeFileSync(join(dir, 'model.onnx'), Buffer.from('not a model at all, just some text'));
    await assert.rejects(quantizeFile(join(dir, 'model.onnx'), join(dir, 'out.onnx')), /could not be quantized: .*Download the model again/);
    assert.deepEqual(readdirSync(dir), ['model.onnx']);
  });
});

describe('int8: the self-check and the "auto" precision', function () {
  this.timeout(60_000);

  it('makes int8 in the fastest weight format that passes on this CPU, which "auto" then loads, and keeps its figures with the model', async () => {
    const dir = copyModelDir('tiny-model-json');
    const phases: string[] = [];
    const { report, run } = await makeCheckedInt8(dir, {
      prompts: PROMPTS,
      workerPath: WORKER_PATH,
      quantizeWorkerPath: QUANTIZE_WORKER,
      onProgress: (p) => {
        const phase = p.phase === 'fp32' ? 'fp32' : `${p.phase}:${p.weightFormat}`;
        if (phases.at(-1) !== phase) phases.push(phase);
      },
    });
    assert.equal(report.passed, true, report.failures.join('; '));
    assert.equal(report.prompts, PROMPTS.length);
    assert.ok(report.tierAgreement >= SELF_CHECK_BOUNDS.minTierAgreement);
    // Formats are tried fastest first; those before the kept one failed (int8 only where the CPU saturates).
    const kept = WEIGHT_FORMATS.indexOf(report.weightFormat!);
    assert.ok(kept >= 0);
    assert.deepEqual(report.rejected?.map((r) => r.weightFormat), WEIGHT_FORMATS.slice(0, kept));
    assert.equal(run.summary.weightFormat, report.weightFormat);
    assert.deepEqual(phases.slice(0, 3), ['fp32', 'quantize:int8', 'int8:int8'], 'fp32 once, then each format written and checked');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, SELF_CHECK_FILE), 'utf8')), report);

    const service = new ClassifierService({ modelDir: dir, precision: 'auto', intraOpThreads: 1, timeBudgetMs: 10_000, workerPath: WORKER_PATH });
    service.start();
    const state = await service.whenSettled();
    await service.dispose();
    assert.equal(state.kind, 'ready');
    assert.equal(state.kind === 'ready' && state.info.precision, 'int8');
    assert.match(state.kind === 'ready' ? state.info.precisionReason ?? '' : '', /passed its self-check/);
  });

  it('falls back to the next weight format when one fails its check, says which, and keeps the one that passed', async () => {
    // 7-bit weights carry half of 8-bit's precision; both kernels are exact on every CPU, so a bound
    // between their measured errors fails the one and passes the other wherever this runs.
    const delta = async (weightFormat: WeightFormat) => {
      const dir = copyModelDir('tiny-model-json');
      const { report } = await makeCheckedInt8(dir, { prompts: PROMPTS, workerPath: WORKER_PATH, quantizeWorkerPath: QUANTIZE_WORKER, weightFormats: [weightFormat] });
      return report.scores.prompt_complexity_score.mean;
    };
    const sevenBit = await delta('int8-7bit');
    const eightBit = await delta('uint8');
    assert.ok(sevenBit > eightBit, `7-bit ${sevenBit} against 8-bit ${eightBit}`);
    const bounds = { ...SELF_CHECK_BOUNDS, maxMeanComplexityDelta: (sevenBit + eightBit) / 2 };

    const dir = copyModelDir('tiny-model-json');
    const told: string[] = [];
    const { report } = await makeCheckedInt8(dir, {
      prompts: PROMPTS,
      workerPath: WORKER_PATH,
      quantizeWorkerPath: QUANTIZE_WORKER,
      weightFormats: ['int8-7bit', 'uint8'],
      bounds,
      onRejected: (rejected, next) => told.push(`${rejected.weightFormat} -> ${next}`),
    });
    assert.equal(report.passed, true, report.failures.join('; '));
    assert.equal(report.weightFormat, 'uint8');
    assert.deepEqual(told, ['int8-7bit -> uint8']);
    assert.equal(report.rejected?.length, 1);
    assert.equal(report.rejected?.[0].weightFormat, 'int8-7bit');
    assert.equal(report.rejected?.[0].meanComplexityDelta, sevenBit);
    assert.match(report.rejected?.[0].failures.join(' ') ?? '', /complexity scores differ from fp32's/);
    assert.equal(graphOf(readFileSync(join(dir, 'onnx', 'model_quantized.onnx'))).initializers.get('task_type.weight_int8_quantized')?.dataType, TensorDataType.UINT8, 'the file on disk is the format that passed');
    const choice = choosePrecision(dir, 'auto');
    assert.equal(choice.precision, 'int8');
    assert.match(choice.reason ?? '', /uint8 weights, after 7-bit int8 weights failed/);
  });

  it('keeps the last format with its failing report when none passes, so "auto" stays on fp32', async () => {
    const dir = copyModelDir('tiny-model-json');
    const { report } = await makeCheckedInt8(dir, {
      prompts: PROMPTS,
      workerPath: WORKER_PATH,
      quantizeWorkerPath: QUANTIZE_WORKER,
      weightFormats: ['int8-7bit', 'uint8'],
      bounds: { ...SELF_CHECK_BOUNDS, maxMeanComplexityDelta: -1 }, // a bound no model meets
    });
    assert.equal(report.passed, false);
    assert.equal(report.weightFormat, 'uint8');
    assert.deepEqual(report.rejected?.map((r) => r.weightFormat), ['int8-7bit']);
    assert.equal(choosePrecision(dir, 'auto').precision, 'fp32');
  });

  it('stops with QuantizeCancelled when cancelled during the check, leaving no verdict, so "auto" stays on fp32', async () => {
    const dir = copyModelDir('tiny-model-json');
    const controller = new AbortController();
    await assert.rejects(
      makeCheckedInt8(dir, {
        prompts: PROMPTS,
        workerPath: WORKER_PATH,
        quantizeWorkerPath: QUANTIZE_WORKER,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'int8' && p.done === 3) controller.abort();
        },
      }),
      QuantizeCancelled,
    );
    assert.equal(existsSync(join(dir, SELF_CHECK_FILE)), false);
    assert.match(choosePrecision(dir, 'auto').reason ?? '', /not passed its self-check yet/);
  });

  it('fails for an int8 model with corrupted scales; "auto" then stays on fp32 and says why', async () => {
    const dir = copyModelDir('tiny-model-json');
    await quantizeModelDir(dir, { workerPath: QUANTIZE_WORKER });
    // Damage the task_type head's and the embedding's scales (tripled), in place.
    const path = join(dir, 'onnx', 'model_quantized.onnx');
    const bytes = readFileSync(path);
    const { initializers } = graphOf(bytes);
    for (const name of ['task_type.weight_int8_scale', 'creativity_scope.weight_int8_scale', 'embedding_table_int8_scale']) {
      const raw = initializers.get(name)?.raw;
      assert.ok(raw, name);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let i = 0; i < raw.length; i += 4) view.setFloat32(i, view.getFloat32(i, true) * (i % 8 ? 3 : -2), true);
    }
    writeFileSync(path, bytes);

    const report = await runSelfCheck(dir, { prompts: PROMPTS, workerPath: WORKER_PATH });
    assert.equal(report.passed, false);
    assert.ok(report.failures.length >= 1);
    const choice = choosePrecision(dir, 'auto');
    assert.equal(choice.precision, 'fp32');
    assert.match(choice.reason ?? '', /int8 failed its self-check: /);

    const service = new ClassifierService({ modelDir: dir, precision: 'auto', intraOpThreads: 1, timeBudgetMs: 10_000, workerPath: WORKER_PATH });
    service.start();
    const state = await service.whenSettled();
    await service.dispose();
    assert.equal(state.kind === 'ready' && state.info.precision, 'fp32');
    assert.match(state.kind === 'ready' ? state.info.precisionReason ?? '' : '', /failed its self-check/);
  });

  it('"auto" is fp32, with a reason, before int8 exists, before its check, and when the file changed after it', () => {
    const dir = copyModelDir('tiny-model-json');
    assert.match(choosePrecision(dir, 'auto').reason ?? '', /not made yet/);
    const int8 = join(dir, 'onnx', 'model_quantized.onnx');
    copyFileSync(join(dir, 'onnx', 'model.onnx'), int8);
    assert.match(choosePrecision(dir, 'auto').reason ?? '', /not passed its self-check yet/);
    const result = { task_type_1: 'Open QA', task_type_2: 'NA', task_type_prob: 0.9, creativity_scope: 0, reasoning: 0, contextual_knowledge: 0, number_of_few_shots: 0, domain_knowledge: 0, no_label_reason: 0, constraint_ct: 0, prompt_complexity_score: 0.1 };
    writeFileSync(join(dir, SELF_CHECK_FILE), JSON.stringify(compareResults([result], [result], { simple: 0.3, medium: 0.5 }, statSync(int8).size + 1)));
    assert.match(choosePrecision(dir, 'auto').reason ?? '', /changed since its self-check/);
    // Every weight format gives a file of the same size: one written later, in another format, is caught by its time.
    const sameSize = { ...compareResults([result], [result], { simple: 0.3, medium: 0.5 }, statSync(int8).size), int8MtimeMs: statSync(int8).mtimeMs };
    writeFileSync(join(dir, SELF_CHECK_FILE), JSON.stringify(sameSize));
    assert.equal(choosePrecision(dir, 'auto').precision, 'int8', 'the file checked');
    utimesSync(int8, new Date(), new Date(Date.now() + 5000));
    assert.match(choosePrecision(dir, 'auto').reason ?? '', /changed since its self-check/);
    assert.equal(choosePrecision(dir, 'int8').precision, 'int8', 'an explicit precision is taken as it is');
  });

  it('compares tier, task type and every score against the bounds', () => {
    const base: ClassifierResult = { task_type_1: 'Open QA', task_type_2: 'NA', task_type_prob: 0.9, creativity_scope: 0.1, reasoning: 0.1, contextual_knowledge: 0, number_of_few_shots: 0, domain_knowledge: 0.5, no_label_reason: 0, constraint_ct: 0.5, prompt_complexity_score: 0.2 };
    const fp32 = Array.from({ length: 100 }, () => base);
    const oneFlip = fp32.map((r, i) => (i === 0 ? { ...r, prompt_complexity_score: 0.31, reasoning: 0.2 } : r));
    const passed = compareResults(fp32, oneFlip, { simple: 0.3, medium: 0.5 }, 1);
    assert.equal(passed.passed, true, passed.failures.join('; '));
    assert.equal(passed.tierAgreement, 0.99);
    assert.deepEqual(passed.scores.reasoning, { max: 0.1, mean: 0.001 });
    const twoFlips = oneFlip.map((r, i) => (i === 1 ? { ...r, prompt_complexity_score: 0.6, task_type_1: 'Chatbot' } : r));
    const failed = compareResults(fp32, twoFlips, { simple: 0.3, medium: 0.5 }, 1);
    assert.equal(failed.passed, false);
    assert.match(failed.failures.join(' '), /2\.0% of the check's prompts to another tier/);
    const drift = compareResults(fp32, fp32.map((r) => ({ ...r, prompt_complexity_score: 0.215 })), { simple: 0.3, medium: 0.5 }, 1);
    assert.match(drift.failures.join(' '), /differ from fp32's by 0\.0150 on average/);
  });
});

describe('CLI: quantize', function () {
  this.timeout(60_000);

  it('quantize --json prints {output, seconds, check} and writes the int8 graph and its check beside the fp32 one', () => {
    const dir = copyModelDir('tiny-model-json');
    const run = spawnSync(process.execPath, [CLI, 'quantize', '--model-dir', dir, '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const report = JSON.parse(lines[0]);
    assert.equal(report.output, join(dir, 'onnx', 'model_quantized.onnx'));
    assert.equal(typeof report.seconds, 'number');
    assert.equal(report.check.passed, true);
    assert.equal(report.weight_format, report.check.weightFormat);
    for (const key of ['taskTypeAgreement', 'tierAgreement', 'scores', 'bounds', 'prompts', 'failures']) assert.ok(key in report.check, key);
    assert.ok(existsSync(report.output) && existsSync(join(dir, SELF_CHECK_FILE)));
  });

  it('--weight-format writes that format only; an unknown one is explained, exit 2', () => {
    const dir = copyModelDir('tiny-model-json');
    const run = spawnSync(process.execPath, [CLI, 'quantize', '--model-dir', dir, '--weight-format', 'uint8'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /\(uint8 weights\)/);
    assert.equal(JSON.parse(readFileSync(join(dir, SELF_CHECK_FILE), 'utf8')).weightFormat, 'uint8');
    const bad = spawnSync(process.execPath, [CLI, 'quantize', '--model-dir', dir, '--weight-format', 'int4'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--weight-format takes one of int8, int8-7bit, uint8/);
  });

  it('explains a model directory without an fp32 graph in one line, exit 1', () => {
    const dir = copyModelDir('tiny-model-json');
    mkdirSync(join(dir, 'other'));
    const run = spawnSync(process.execPath, [CLI, 'quantize', '--model-dir', join(dir, 'other')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^qwen-router quantize: .*has no fp32 graph \(onnx\/model\.onnx\) to quantize\. Download the model first\.\n$/);
  });
});
