// How long a call can last, and that it always ends with a record: keep-alives and empty chunks are
// not progress, the whole call shares one deadline for its first token, a time-out does not wait again
// on the same host, and garbage in the stream is the provider's protocol error. Real HTTP on loopback.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ask } from '../../src/core/ask';
import { resolveConfig } from '../../src/core/config';
import { HistoryStore } from '../../src/core/history/store';
import type { CallRecord } from '../../src/core/history/record';
import { chat, DEFAULT_RETRY, DEFAULT_TIMEOUTS, type ChatOptions, type ChatTarget } from '../../src/core/llm/client';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { tempDirs } from '../support/tempDir';

const KEY = 'sk-bounds-test';
const messages = [{ role: 'user', content: 'Say hello' }];

describe('call bounds: what counts as progress, one deadline per call', function () {
  this.timeout(15_000);
  let standIn: DashScopeStandIn;
  let otherHost: DashScopeStandIn;
  const dirs = tempDirs();
  before(async () => {
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
    otherHost = await DashScopeStandIn.start({ apiKey: KEY });
  });
  after(async () => {
    await standIn.close();
    await otherHost.close();
    dirs.cleanup();
  });
  beforeEach(() => {
    standIn.reset();
    otherHost.reset();
  });

  const target = (key: string, on: DashScopeStandIn = standIn): ChatTarget => ({ key, spec: { model: key }, baseUrl: on.baseUrl, apiKey: KEY });
  const call = (targets: ChatTarget[], options: Partial<ChatOptions> = {}) => chat(targets, { messages, sleep: async () => undefined, ...options });

  describe('the default settings', () => {
    it('end a call that gets no first token within 150 s in total', () => {
      // Every attempt, retry wait and escalation shares the call's deadline, so the defaults' bound is that deadline.
      assert.ok(DEFAULT_TIMEOUTS.callFirstTokenMs <= 150_000, `${DEFAULT_TIMEOUTS.callFirstTokenMs} ms`);
      assert.ok(DEFAULT_TIMEOUTS.requestMs <= DEFAULT_TIMEOUTS.firstTokenMs, 'the headers come before the first token');
      assert.ok(DEFAULT_TIMEOUTS.firstTokenMs <= DEFAULT_TIMEOUTS.callFirstTokenMs, 'one attempt fits in the call');
      assert.ok(DEFAULT_RETRY.maxTotalWaitMs < DEFAULT_TIMEOUTS.callFirstTokenMs, 'the retry waits fit in the call');
    });
  });

  describe('keep-alives and empty chunks are not progress', () => {
    it('headers, then only keep-alives, empty deltas and empty choices: the first-token time-out ends it', async () => {
      standIn.setScenario('qwen-plus', { keepAliveOnlyAfter: { chunks: 0, everyMs: 40 } });
      const outcome = await call([target('qwen-plus')], { timeouts: { firstTokenMs: 600, idleMs: 200 } });
      assert.equal(outcome.status, 'error');
      assert.equal(outcome.error?.kind, 'timeout');
      assert.match(outcome.error!.message, /No answer from qwen-plus within 0\.6 s \(127\.0\.0\.1:\d+\)/);
      assert.match(outcome.error!.message, /sent only keep-alives or empty chunks/);
      await standIn.requests[0].closed;
      assert.equal(standIn.requests[0].closedEarly, true, 'the request was closed');
    });

    it('an answer that goes on with only empty chunks: the idle time-out ends it, the partial answer kept', async () => {
      standIn.setScenario('qwen-plus', { reply: 'abcdefghij', chunkSize: 5, keepAliveOnlyAfter: { chunks: 1, everyMs: 40 } });
      const outcome = await call([target('qwen-plus')], { timeouts: { firstTokenMs: 5_000, idleMs: 400 } });
      assert.equal(outcome.error?.kind, 'timeout');
      assert.equal(outcome.answer, 'abcde');
      assert.equal(outcome.afterFirstToken, true);
      assert.match(outcome.error!.message, /stopped arriving: nothing new for 0\.4 s\. The partial answer is kept\./);
    });

    it('ask() writes the record of such a call', async () => {
      standIn.setScenario('qwen-flash', { keepAliveOnlyAfter: { chunks: 0, everyMs: 40 } });
      const path = join(dirs.make(), 'call_history.jsonl');
      const { config, problems } = resolveConfig({ baseUrl: standIn.baseUrl, timeouts: { firstTokenMs: 500, idleMs: 200 } });
      assert.deepEqual(problems, []);
      const result = await ask({ messages, model: 'qwen-flash' }, { config, store: new HistoryStore(path), getApiKey: () => KEY });
      assert.equal(result.status, 'error');
      assert.ok(existsSync(path), 'a record was written');
      const records: CallRecord[] = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
      assert.equal(records.length, 1);
      assert.equal(records[0].error?.kind, 'timeout');
    });
  });

  describe('one deadline for the whole call', () => {
    it('a time-out does not escalate to another model on the same host: one wait, not three', async () => {
      for (const model of ['qwen-flash', 'qwen-plus', 'qwen-max']) standIn.setScenario(model, { keepAliveOnlyAfter: { chunks: 0, everyMs: 40 } });
      const outcome = await call([target('qwen-flash'), target('qwen-plus'), target('qwen-max')], { timeouts: { firstTokenMs: 500, callFirstTokenMs: 5_000 } });
      assert.equal(outcome.error?.kind, 'timeout');
      assert.equal(standIn.requests.length, 1, 'no second wait on the same host');
      assert.deepEqual(outcome.escalatedFrom, []);
      assert.match(outcome.error!.message, /Did not try qwen-plus, qwen-max: they are on the same host/);
      assert.match(outcome.error!.message, /try again later, or choose another region/);
    });

    it('the same for a host that never sends its headers', async () => {
      standIn.setScenario('qwen-flash', { hang: true });
      const outcome = await call([target('qwen-flash'), target('qwen-plus')], { timeouts: { requestMs: 400, firstTokenMs: 600 } });
      assert.equal(outcome.error?.kind, 'timeout');
      assert.equal(standIn.requests.length, 1);
      assert.match(outcome.error!.message, /No response from qwen-flash at .*within 0\.4 s.*Did not try qwen-plus/);
    });

    it('escalation to another host gets what is left of the call deadline, and the call ends within it', async () => {
      standIn.setScenario('qwen-flash', { keepAliveOnlyAfter: { chunks: 0, everyMs: 40 } });
      otherHost.setScenario('qwen-plus', { keepAliveOnlyAfter: { chunks: 0, everyMs: 40 } });
      const timeouts = { firstTokenMs: 1_500, callFirstTokenMs: 2_000 };
      const outcome = await call([target('qwen-flash'), target('qwen-plus', otherHost)], { timeouts });
      assert.equal(outcome.error?.kind, 'timeout');
      assert.deepEqual(outcome.escalatedFrom, ['qwen-flash']);
      assert.equal(otherHost.requests.length, 1, 'the other host was tried');
      assert.ok(outcome.attempts[1].elapsed_ms < timeouts.firstTokenMs, `the second attempt was cut short by the call deadline (${outcome.attempts[1].elapsed_ms} ms)`);
      assert.ok(outcome.latencyMs < timeouts.callFirstTokenMs + timeouts.firstTokenMs / 2, `the call ended at its deadline (${Math.round(outcome.latencyMs)} ms)`);
      assert.match(outcome.error!.message, /within the call's limit of 2 s for a first answer/);
    });
  });

  describe('garbage in the stream', () => {
    it('a data line that is not JSON is a protocol error of the provider, and the SDK prints nothing', async () => {
      standIn.setScenario('qwen-plus', { garbageAfter: { chunks: 0, line: '<html><body>502 Bad Gateway</body></html>' } });
      const printed: string[] = [];
      const write = process.stderr.write;
      const error = console.error;
      process.stderr.write = ((text: string) => (printed.push(String(text)), true)) as typeof process.stderr.write;
      console.error = (...args: unknown[]) => void printed.push(args.join(' '));
      let outcome;
      try {
        outcome = await call([target('qwen-plus')], { retry: { maxAttempts: 1 } });
      } finally {
        process.stderr.write = write;
        console.error = error;
      }
      assert.deepEqual(printed, []);
      assert.equal(outcome.error?.kind, 'protocol');
      assert.match(outcome.error!.message, /qwen-plus at 127\.0\.0\.1:\d+ sent a malformed stream: a data line that is not JSON \("<html><body>502 Bad Gateway<\/body><\/html>"\)/);
      assert.match(outcome.error!.message, /the provider's fault/);
    });

    it('after the first token: the partial answer kept, still a protocol error', async () => {
      standIn.setScenario('qwen-plus', { reply: 'abcdefghij', chunkSize: 5, garbageAfter: { chunks: 1, line: 'not json at all' } });
      const outcome = await call([target('qwen-plus'), target('qwen-max')]);
      assert.equal(outcome.error?.kind, 'protocol');
      assert.equal(outcome.answer, 'abcde');
      assert.match(outcome.error!.message, /The partial answer is kept\./);
      assert.equal(standIn.requests.length, 1, 'neither retried nor escalated');
    });
  });
});
