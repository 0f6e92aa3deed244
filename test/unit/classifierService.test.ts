import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, truncateSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassifierResult } from '../../src/core/classifier/result';
import { ClassifierService } from '../../src/node/classifierService';
import { copyModelDir, fixture, WORKER_PATH } from '../support/fixtures';

interface GoldenOutput {
  prompt: string;
  input_ids: number[];
  result: ClassifierResult;
}
const goldens: GoldenOutput[] = JSON.parse(readFileSync(fixture('golden-outputs.json'), 'utf8'));

function service(modelDir: string | undefined, overrides: Partial<ConstructorParameters<typeof ClassifierService>[0]> = {}) {
  return new ClassifierService({ modelDir, precision: 'fp32', intraOpThreads: 1, timeBudgetMs: 30_000, workerPath: WORKER_PATH, ...overrides });
}

async function loaded(modelDir: string, overrides = {}) {
  const s = service(modelDir, overrides);
  s.start();
  await s.whenSettled();
  return s;
}

describe('classifier service (real worker, real onnxruntime, tiny model)', function () {
  this.timeout(60_000);
  const running: ClassifierService[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.dispose()));
  });
  const track = (s: ClassifierService) => (running.push(s), s);

  for (const dir of ['tiny-model-json', 'tiny-model-spm', 'tiny-model-sorted-config']) {
    it(`${dir}: gives the reference results for every golden prompt`, async () => {
      const s = track(await loaded(fixture(dir)));
      assert.equal(s.state.kind, 'ready', JSON.stringify(s.state));
      for (const golden of goldens) {
        const outcome = await s.classify(golden.prompt);
        assert.ok(outcome.ok, JSON.stringify(outcome));
        assert.equal(outcome.tokens, golden.input_ids.length);
        // float32 inference reproduces the float64 reference exactly after the card's rounding, on these prompts.
        assert.deepEqual(outcome.result, golden.result, golden.prompt);
      }
    });
  }

  it('reports the model as loading until the session exists, without blocking the caller', async () => {
    const s = track(service(fixture('tiny-model-json')));
    s.start();
    assert.equal(s.state.kind, 'loading');
    const early = await s.classify('hello');
    assert.deepEqual([early.ok, !early.ok && early.reason], [false, 'model_loading']);
    await s.whenSettled();
    assert.equal((await s.classify('hello')).ok, true);
  });

  it('says the model is missing when there is none', async () => {
    const s = track(service(undefined));
    s.start();
    const outcome = await s.classify('hello');
    assert.equal(!outcome.ok && outcome.reason, 'model_missing');
    assert.match(!outcome.ok ? outcome.message : '', /Download Classifier Model/);
  });

  it('falls back on an empty or blank prompt', async () => {
    const s = track(await loaded(fixture('tiny-model-json')));
    for (const prompt of ['', '   \n\t ']) {
      const outcome = await s.classify(prompt);
      assert.equal(!outcome.ok && outcome.reason, 'empty_prompt');
    }
  });

  it('classifies binary garbage, NUL bytes, lone surrogates and a 1 MB prompt', async () => {
    const s = track(await loaded(fixture('tiny-model-json')));
    const garbage = Array.from({ length: 5000 }, (_, i) => String.fromCharCode((i * 7919) % 0xffff)).join('');
    for (const prompt of [garbage, 'a\u0000b\u0000c', '\ud800 lone \udfff', 'word '.repeat(200_000)]) {
      const outcome = await s.classify(prompt);
      assert.ok(outcome.ok, JSON.stringify(outcome).slice(0, 300));
      assert.ok(outcome.tokens <= 512 && outcome.tokens >= 2);
    }
  });

  it('answers every queued request within its budget, falling back with "timeout" when it runs over', async () => {
    const s = track(await loaded(fixture('tiny-model-json'), { timeBudgetMs: 5 }));
    const long = 'the quick brown fox jumps over the lazy dog '.repeat(20_000);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => s.classify(long)));
    const reasons = outcomes.map((o) => (o.ok ? 'ok' : o.reason));
    assert.ok(reasons.includes('timeout'), reasons.join(','));
    assert.ok(reasons.every((r) => r === 'ok' || r === 'timeout'), reasons.join(','));
    assert.ok(outcomes.every((o) => o.elapsedMs < 5_000));
  });

  it('says when it is idle (ready, nothing queued), and drops an aborted request (a stale draft) from its queue', async () => {
    const s = track(await loaded(fixture('tiny-model-json')));
    assert.equal(s.idle, true);
    const long = 'the quick brown fox jumps over the lazy dog '.repeat(2_000);
    const first = s.classify(long);
    const stale = new AbortController();
    const second = s.classify(`${long} again`, stale.signal);
    assert.equal(s.idle, false, 'busy while requests are queued');
    stale.abort();
    const dropped = await second;
    assert.ok(!dropped.ok && dropped.reason === 'classifier_error' && /cancelled/.test(dropped.message), JSON.stringify(dropped));
    assert.ok((await first).ok);
    assert.equal(s.idle, true);
    const already = await s.classify('hello', AbortSignal.abort());
    assert.equal(already.ok, false);
    assert.ok((await s.classify('hello')).ok, 'the worker goes on serving after a drop');
  });

  it('shuts down while requests are queued and running: each one settles, the worker exits by itself', async () => {
    // Terminating a worker inside onnxruntime aborts the whole process (the extension host): dispose
    // must let the running request finish. Repeat to land inside a run at least once.
    for (let round = 0; round < 5; round++) {
      const s = await loaded(fixture('tiny-model-json'));
      const long = 'the quick brown fox jumps over the lazy dog '.repeat(20_000);
      const outcomes = Array.from({ length: 10 }, () => s.classify(long));
      await new Promise((resolve) => setTimeout(resolve, round));
      await s.dispose();
      for (const outcome of await Promise.all(outcomes)) assert.ok(outcome.ok || outcome.reason === 'model_failed', JSON.stringify(outcome));
      assert.equal((await s.classify('hello')).ok, false);
    }
  });

  describe('a damaged model fails to load with a clear message, never a crash', () => {
    async function failure(prepare: (dir: string) => void, name = 'tiny-model-json'): Promise<string> {
      const dir = copyModelDir(name);
      prepare(dir);
      const s = track(await loaded(dir));
      assert.equal(s.state.kind, 'failed');
      const outcome = await s.classify('hello');
      assert.equal(!outcome.ok && outcome.reason, 'model_failed');
      return s.state.kind === 'failed' ? s.state.message : '';
    }
    const graph = (dir: string) => join(dir, 'onnx', 'model.onnx');

    it('a truncated graph', async () => {
      const message = await failure((dir) => truncateSync(graph(dir), Math.floor(statSync(graph(dir)).size / 2)));
      assert.match(message, /could not be loaded by onnxruntime .*truncated or corrupt: download the model again/);
    });
    it('a corrupt graph', async () => {
      assert.match(await failure((dir) => writeFileSync(graph(dir), Buffer.alloc(4096, 0x5a))), /truncated or corrupt/);
    });
    it('a missing graph', async () => {
      assert.match(await failure((dir) => rmSync(graph(dir))), /has no ONNX graph/);
    });
    it('config.json without heads', async () => {
      assert.match(await failure((dir) => writeFileSync(join(dir, 'config.json'), '{"model_type": "deberta-v2"}')), /config\.json has no target_sizes/);
    });
    it('config.json that is not JSON', async () => {
      assert.match(await failure((dir) => writeFileSync(join(dir, 'config.json'), '{"target_sizes": ')), /config\.json .* is not valid JSON/);
    });
    it('a graph with the wrong number of outputs', async () => {
      assert.match(await failure((dir) => copyFileSync(fixture('bad-models', 'seven-outputs.onnx'), graph(dir))), /7 outputs but the classifier has 8 heads/);
    });
    it('a graph whose head sizes disagree with config.json', async () => {
      assert.match(await failure((dir) => copyFileSync(fixture('bad-models', 'wrong-sizes.onnx'), graph(dir))), /task_type output has 11 classes but config\.json says 12/);
    });
    it('no tokenizer at all', async () => {
      assert.match(await failure((dir) => rmSync(join(dir, 'tokenizer.json'))), /no tokenizer \(tokenizer\.json or spm\.model\)/);
    });
  });

  it('takes eight unnamed outputs in canonical order', async () => {
    const dir = copyModelDir('tiny-model-json');
    copyFileSync(fixture('bad-models', 'unnamed-outputs.onnx'), join(dir, 'onnx', 'model.onnx'));
    const s = track(await loaded(dir));
    assert.equal(s.state.kind, 'ready', JSON.stringify(s.state));
    assert.equal((await s.classify('write a poem')).ok, true);
  });

  it('uses another precision present when the chosen one is absent, and says so', async () => {
    const s = track(await loaded(fixture('tiny-model-json'), { precision: 'int8' }));
    assert.equal(s.state.kind, 'ready');
    if (s.state.kind === 'ready') assert.deepEqual([s.state.info.precision, s.state.info.substitutedFor], ['fp32', 'int8']);
  });
});
