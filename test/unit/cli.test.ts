// The CLI subcommands as real child processes of `node dist/cli.js` (build first), against the stand-in.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { fixturePath, tempDirs } from '../support/tempDir';

const CLI = process.env.QWEN_ROUTER_CLI ?? resolve(__dirname, '../../../dist/cli.js');
const KEY = 'sk-cli-test';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}, options: { onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('qwen-router '));

describe('CLI (node dist/cli.js as a child process)', function () {
  this.timeout(30_000);
  let standIn: DashScopeStandIn;
  const dirs = tempDirs();
  before(async function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run node esbuild.config.mjs first`);
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
  });
  after(async () => {
    await standIn?.close();
    dirs.cleanup();
  });
  beforeEach(() => standIn.reset());
  const history = () => join(dirs.make(), 'call_history.jsonl');
  const records = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));

  describe('ask', () => {
    it('streams the answer to stdout and the routing decision to stderr, exits 0, appends one record', async () => {
      standIn.setScenario('qwen-flash', { reply: 'Hello from Qwen. 你好！', chunkSize: 3 });
      const path = history();
      const run = await cli(['ask', '--base-url', standIn.baseUrl, '--history', path, 'Say hello'], { DASHSCOPE_API_KEY: KEY });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'Hello from Qwen. 你好！\n');
      assert.match(run.stderr, /^routed: qwen-flash \(simple\): ~\d+ tokens, by length \(classifier: model_missing\) -> qwen-flash at http:\/\/127\.0\.0\.1:\d+\/compatible-mode\/v1\n$/);
      const [request] = standIn.requests;
      assert.equal(request.headers.authorization, `Bearer ${KEY}`);
      assert.equal(request.body.stream, true);
      assert.deepEqual(request.body.stream_options, { include_usage: true });
      const stored = records(path);
      assert.equal(stored.length, 1);
      assert.equal(stored[0].llm.response_content, 'Hello from Qwen. 你好！');
      assert.equal(stored[0].routing.fallback_reason, 'model_missing');
    });

    it('takes the base URL from DASHSCOPE_BASE_URL and the key from --api-key; --no-stream; --model', async () => {
      standIn.setScenario('qwen-max', { reply: 'Whole.' });
      const path = history();
      const run = await cli(['ask', '--api-key', KEY, '--history', path, '--no-stream', '--model', 'qwen-max', 'hi'], { DASHSCOPE_BASE_URL: standIn.baseUrl, DASHSCOPE_API_KEY: 'sk-not-this-one' });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'Whole.\n');
      assert.match(run.stderr, /^routed: qwen-max \(chosen by you\)/);
      assert.equal(standIn.requests[0].body.stream, false);
      assert.equal(standIn.requests[0].headers.authorization, `Bearer ${KEY}`);
      assert.equal(records(path)[0].routing.method, 'user_specified');
      assert.equal(records(path)[0].surface, 'cli');
    });

    it('fails with one clear line on stderr and a non-zero exit, and still records the call', async () => {
      const path = history();
      const run = await cli(['ask', '--base-url', standIn.baseUrl, '--history', path, '--api-key', 'sk-wrong', 'hi']);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      const errors = errorLines(run.stderr);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /^qwen-router ask: The API key was rejected \(401 invalid_api_key\)\. Check the DashScope API key\. Keys are bound to a region/);
      assert.equal(run.stderr.trimEnd().split('\n').length, 2, 'the routing line and the error line, nothing else');
      const [stored] = records(path);
      assert.equal(stored.error.kind, 'auth');
    });

    it('without a key says how to give one', async () => {
      const path = history();
      const run = await cli(['ask', '--base-url', standIn.baseUrl, '--history', path, 'hi']);
      assert.equal(run.code, 1);
      assert.deepEqual(errorLines(run.stderr), ['qwen-router ask: No API key for qwen-flash (key "dashscope"). Set DASHSCOPE_API_KEY or pass --api-key-file.']);
      assert.equal(standIn.requests.length, 0);
      assert.equal(records(path)[0].error.kind, 'no_api_key');
    });

    it('keeps the partial answer when the stream breaks: printed, recorded, exit 1', async () => {
      standIn.setScenario('qwen-flash', { reply: 'First words, then nothing', chunkSize: 6, breakAfterChunks: 2 });
      const path = history();
      const run = await cli(['ask', '--base-url', standIn.baseUrl, '--history', path, 'hi'], { DASHSCOPE_API_KEY: KEY });
      assert.equal(run.code, 1);
      assert.equal(run.stdout, 'First words,\n');
      assert.match(errorLines(run.stderr)[0], /cut off \(the connection broke\)\. The partial answer is kept\./);
      const [stored] = records(path);
      assert.equal(stored.llm.response_content, 'First words,');
      assert.equal(stored.error.kind, 'stream_interrupted');
    });

    it('an unknown --model is a failed call with a clear line', async () => {
      const path = history();
      const run = await cli(['ask', '--base-url', standIn.baseUrl, '--history', path, '--model', 'gpt-9', 'hi'], { DASHSCOPE_API_KEY: KEY });
      assert.equal(run.code, 1);
      assert.deepEqual(errorLines(run.stderr), ['qwen-router ask: Unknown model "gpt-9": configured models are qwen-flash, qwen-plus, qwen-max, qwen3-max, qwen3-coder-plus, qwen3-coder-flash.']);
      assert.equal(records(path)[0].error.kind, 'unknown_model');
    });

    it('Ctrl-C cancels the request, keeps what arrived, exits 130', async () => {
      standIn.setScenario('qwen-flash', { reply: 'one two three four five six seven', chunkSize: 4, chunkDelayMs: 300 });
      const path = history();
      let sent = false;
      const run = await cli(['ask', '--base-url', standIn.baseUrl, '--history', path, 'hi'], { DASHSCOPE_API_KEY: KEY }, {
        onStdout: (_text, child) => {
          if (!sent) child.kill('SIGINT');
          sent = true;
        },
      });
      assert.equal(run.code, 130);
      assert.match(run.stdout, /^one /);
      const [stored] = records(path);
      assert.equal(stored.cancelled, true);
      assert.equal(stored.llm.response_content, run.stdout.replace(/\n$/, ''));
      await standIn.requests[0].closed;
      assert.equal(standIn.requests[0].closedEarly, true);
    });

    it('rejects a missing prompt as a usage error (exit 2)', async () => {
      const run = await cli(['ask', '--history', history()]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /PROMPT is required/);
    });
  });

  describe('stats, raw, import, export', () => {
    const reference = JSON.parse(readFileSync(fixturePath('seed-history', 'reference.json'), 'utf8'));
    const old = fixturePath('seed-history', 'call_history.jsonl');

    it('stats prints one JSON object with the old /stats fields, identical on an old-service file, and ours', async () => {
      const run = await cli(['stats', '--history', old]);
      assert.equal(run.code, 0, run.stderr);
      const stats = JSON.parse(run.stdout);
      for (const [key, value] of Object.entries(reference.files['call_history.jsonl'].stats)) assert.deepEqual(stats[key], value, key);
      for (const key of ['failed_calls', 'cancelled_calls', 'fallback_reasons', 'latency_ms', 'routing_ms', 'ttft_ms', 'tokens', 'cost', 'top_tier']) assert.ok(key in stats, key);
    });

    it('raw pages newest first as /stats/raw, each record as stored', async () => {
      for (const page of reference.files['call_history.jsonl'].raw_pages.filter((p: { limit: number; offset: number }) => p.limit >= 0 && p.offset >= 0)) {
        const run = await cli(['raw', '--history', old, '--limit', String(page.limit), '--offset', String(page.offset)]);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), page.response);
      }
      const byDefault = JSON.parse((await cli(['raw', '--history', old])).stdout);
      assert.deepEqual(byDefault, reference.files['call_history.jsonl'].raw_pages[0].response);
      const bad = await cli(['raw', '--history', old, '--limit', 'ten']);
      assert.equal(bad.code, 2);
    });

    it('import copies the old history once; stats then match the old service', async () => {
      const path = history();
      const first = await cli(['import', '--from', old, '--history', path]);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual({ ...JSON.parse(first.stdout), from: undefined, history: undefined }, { imported: 240, duplicates: 0, invalid: 0, blank: 0, from: undefined, history: undefined });
      const second = JSON.parse((await cli(['import', '--from', old, '--history', path])).stdout);
      assert.equal(second.imported, 0);
      assert.equal(second.duplicates, 240);
      const stats = JSON.parse((await cli(['stats', '--history', path])).stdout);
      for (const [key, value] of Object.entries(reference.files['call_history.jsonl'].stats)) assert.deepEqual(stats[key], value, key);
      const missing = await cli(['import', '--from', join(dirs.make(), 'nope.jsonl'), '--history', path]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /does not exist/);
    });

    it('export leaves text out unless --with-text', async () => {
      const path = history();
      writeFileSync(path, readFileSync(old));
      const plain = await cli(['export', '--history', path]);
      assert.equal(plain.code, 0, plain.stderr);
      assert.ok(!plain.stdout.includes('Write a Python script'));
      assert.equal(plain.stdout.trimEnd().split('\n').length, 240);
      const full = await cli(['export', '--history', path, '--with-text']);
      assert.equal(full.stdout, readFileSync(old, 'utf8'));
      const csv = await cli(['export', '--history', path, '--format', 'csv']);
      assert.equal(csv.stdout.trimEnd().split('\n').length, 241);
    });
  });
});

