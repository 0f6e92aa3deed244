// `qwen-router serve` as a real child process (dist/cli.js) against the DashScope stand-in: it starts,
// prints where it listens and a generated token once, answers, records, and stops cleanly on SIGTERM.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import OpenAI from 'openai';
import { CLI, cliSuite, runCliChild } from '../support/cliChild';
import { fixture } from '../support/fixtures';

const KEY = 'sk-serve-child-51f0';

interface Started {
  url: string;
  token?: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: (signal: NodeJS.Signals) => void;
}

/** Starts `serve` and resolves once it printed its URL (and, without a token of ours, the generated one). */
function startServe(args: string[], env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      const wantsToken = !env.QWEN_ROUTER_SERVE_TOKEN && !args.includes('--no-auth');
      const token = /token \(generated for this run, shown once\): (\S+)/.exec(stderr)?.[1];
      const told = stderr.includes('Qwen Router endpoint on') && (!args.includes('--no-auth') || stderr.includes('WARNING'));
      if (line && told && (!wantsToken || token)) resolve({ url: JSON.parse(line).url, token, stderr: () => stderr, exited, kill: (signal) => child.kill(signal) });
    };
    child.stdout.on('data', (d) => {
      stdout += d;
      check();
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      check();
    });
    void exited.then(({ code }) => reject(new Error(`serve exited (${code}) before it was ready: ${stderr}`)));
  });
}

describe('CLI serve (a real child process of dist/cli.js)', function () {
  this.timeout(60_000);
  const suite = cliSuite(KEY);

  it('starts on 127.0.0.1 with a generated token printed once, routes with --model-dir, records, and stops cleanly on SIGTERM', async () => {
    const history = suite.history();
    const server = await startServe(['--base-url', suite.standIn.baseUrl, '--history', history, '--model-dir', fixture('tiny-model-json')], { DASHSCOPE_API_KEY: KEY });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(server.token && server.token.length > 30);
      assert.equal(server.stderr().split(server.token).length - 1, 1, 'the token is printed exactly once');
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.token, maxRetries: 0 });
      const answer = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Explain recursion briefly' }] });
      assert.equal(answer.choices[0].message.content, 'Hello from the stand-in.');
      assert.equal((answer as unknown as Record<string, any>).routing.method, 'nvidia_classifier');
      const anonymous = await fetch(`${server.url}/stats`);
      assert.equal(anonymous.status, 401);
    } finally {
      server.kill('SIGTERM');
    }
    const { code, signal } = await server.exited;
    assert.equal(signal, null);
    assert.equal(code, 0, server.stderr());
    assert.match(server.stderr(), /SIGTERM: stopping[\s\S]*stopped\n$/);
    const records = suite.records(history);
    assert.equal(records.length, 1);
    assert.equal(records[0].routing.method, 'nvidia_classifier');
  });

  it('takes its token from QWEN_ROUTER_SERVE_TOKEN and does not print it', async () => {
    const server = await startServe(['--base-url', suite.standIn.baseUrl, '--history', suite.history()], { DASHSCOPE_API_KEY: KEY, QWEN_ROUTER_SERVE_TOKEN: 'my-own-token-1234' });
    try {
      assert.doesNotMatch(server.stderr(), /my-own-token-1234/);
      const ok = await fetch(`${server.url}/models`, { headers: { authorization: 'Bearer my-own-token-1234' } });
      assert.equal(ok.status, 200);
    } finally {
      server.kill('SIGINT');
    }
    assert.equal((await server.exited).code, 0);
  });

  it('refuses to listen off loopback without a token, and --no-auth off loopback, with one line and exit 2', async () => {
    const noToken = await runCliChild(['serve', '--host', '0.0.0.0', '--port', '0'], { env: { DASHSCOPE_API_KEY: KEY } });
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /^qwen-router serve: listening on 0\.0\.0\.0 needs a token: set QWEN_ROUTER_SERVE_TOKEN/);
    const noAuth = await runCliChild(['serve', '--host', '0.0.0.0', '--port', '0', '--no-auth'], { env: { DASHSCOPE_API_KEY: KEY } });
    assert.equal(noAuth.code, 2);
    assert.match(noAuth.stderr, /--no-auth is refused on 0\.0\.0\.0/);
    assert.doesNotMatch(noToken.stderr + noAuth.stderr, /\n\s+at /);
  });

  it('a port in use is one clear line and exit 1', async () => {
    const first = await startServe(['--base-url', suite.standIn.baseUrl, '--history', suite.history(), '--no-auth'], { DASHSCOPE_API_KEY: KEY });
    try {
      assert.match(first.stderr(), /WARNING: no token/);
      const port = new URL(first.url).port;
      const second = await runCliChild(['serve', '--port', port, '--no-auth', '--history', suite.history()], { env: { DASHSCOPE_API_KEY: KEY } });
      assert.equal(second.code, 1);
      assert.equal(second.stderr, `qwen-router serve: Port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another port.\n`);
    } finally {
      first.kill('SIGTERM');
    }
    assert.equal((await first.exited).code, 0);
  });
});
