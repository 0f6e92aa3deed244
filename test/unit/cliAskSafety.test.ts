// `ask` as a real child process (`node dist/cli.js`, build first) against the stand-in: signals end
// it like Ctrl-C with a record, the key can come from a file or stdin, and the SDK prints nothing.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliSuite, runCliChild as cli } from '../support/cliChild';

const KEY = 'sk-cli-safety-test';

describe('CLI ask: signals, the key, a quiet SDK (node dist/cli.js)', function () {
  this.timeout(30_000);
  const suite = cliSuite(KEY);
  const { dirs, history, records } = suite;

  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal} mid-stream ends it like Ctrl-C: one record, cancelled, with the partial answer`, async () => {
      suite.standIn.setScenario('qwen-flash', { reply: 'one two three four five six seven', chunkSize: 4, chunkDelayMs: 300 });
      const path = history();
      let sent = false;
      const run = await cli(['ask', '--base-url', suite.standIn.baseUrl, '--history', path, 'hi'], {
        env: { DASHSCOPE_API_KEY: KEY },
        onStdout: (_text, child) => {
          if (!sent) child.kill(signal);
          sent = true;
        },
      });
      assert.equal(run.signal, null, `the process handled ${signal} (stderr: ${run.stderr})`);
      assert.equal(run.code, code);
      assert.match(run.stdout, /^one /);
      assert.match(run.stderr, new RegExp(`qwen-router ask: cancelled by ${signal} \\(partial answer kept in the history\\)`));
      const stored = records(path);
      assert.equal(stored.length, 1);
      assert.equal(stored[0].cancelled, true);
      assert.equal(stored[0].llm.response_content, run.stdout.replace(/\n$/, ''));
      await suite.standIn.requests[0].closed;
      assert.equal(suite.standIn.requests[0].closedEarly, true, 'the request was aborted');
    });
  }

  describe('--api-key-file', () => {
    it('reads the key from a file, trimming the trailing newline', async () => {
      const keyFile = join(dirs.make(), 'key');
      writeFileSync(keyFile, `${KEY}\n`);
      const run = await cli(['ask', '--base-url', suite.standIn.baseUrl, '--history', history(), '--api-key-file', keyFile, 'hi']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(suite.standIn.requests[0].headers.authorization, `Bearer ${KEY}`);
    });

    it('reads the key from stdin with -', async () => {
      const run = await cli(['ask', '--base-url', suite.standIn.baseUrl, '--history', history(), '--api-key-file', '-', 'hi'], { stdin: `${KEY}\r\n` });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(suite.standIn.requests[0].headers.authorization, `Bearer ${KEY}`);
    });

    it('a missing, empty or unreadable file is one clear line, no stack, no request, the key never printed', async () => {
      const dir = dirs.make();
      const empty = join(dir, 'empty');
      writeFileSync(empty, '\n');
      const cases: [string, RegExp][] = [
        [join(dir, 'missing'), /^qwen-router ask: cannot read the API key file .*missing: it does not exist$/m],
        [empty, /^qwen-router ask: the API key file .*empty is empty$/m],
        [dir, /^qwen-router ask: cannot read the API key file .*: it is a directory$/m],
      ];
      for (const [file, expected] of cases) {
        const run = await cli(['ask', '--base-url', suite.standIn.baseUrl, '--history', history(), '--api-key-file', file, 'hi'], { env: { DASHSCOPE_API_KEY: 'sk-env-not-used' } });
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, expected);
        assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      }
      const both = await cli(['ask', '--history', history(), '--api-key', 'sk-secret-value', '--api-key-file', empty, 'hi']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /--api-key and --api-key-file: give one/);
      assert.doesNotMatch(both.stderr, /sk-secret-value/);
      assert.equal(suite.standIn.requests.length, 0);
    });

    it('--help says the environment variable is the safe way', async () => {
      const run = await cli(['ask', '--help']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /--api-key-file FILE/);
      assert.match(run.stdout, /DASHSCOPE_API_KEY/);
      assert.match(run.stdout, /--api-key .*visible to other users in `ps`/);
    });
  });

  it('garbage in the stream: one clear line on stderr, nothing printed by the SDK', async () => {
    suite.standIn.setScenario('qwen-flash', { garbageAfter: { chunks: 0, line: '{"oops": ' } });
    const path = history();
    const run = await cli(['ask', '--base-url', suite.standIn.baseUrl, '--history', path, 'hi'], { env: { DASHSCOPE_API_KEY: KEY } });
    assert.equal(run.code, 1);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, `the routing line and the error line, nothing else:\n${run.stderr}`);
    assert.match(lines[1], /^qwen-router ask: qwen-flash at 127\.0\.0\.1:\d+ sent a malformed stream/);
    assert.equal(records(path)[0].error.kind, 'protocol');
  });
});
