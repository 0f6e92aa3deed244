// Where keys come from and where requests go: a setting must never pick another program's secret or
// send a key in clear text to another machine (issue 7, part 1).
import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config';
import { apiKeyEnvironmentVariable, apiKeyFromEnvironment, baseUrlProblem, isLoopbackHost } from '../../src/core/models/endpoints';
import { validateModelTable } from '../../src/core/models/table';

describe('API key ids', () => {
  const env = { DASHSCOPE_API_KEY: 'sk-dash', OPENAI_API_KEY: 'sk-openai', AWS_SECRET_ACCESS_KEY: 'aws', QWEN_ROUTER_API_KEY_OPENAI: 'sk-ours', QWEN_ROUTER_API_KEY_LOCAL_LLM: 'sk-local' };

  it('read DashScope\'s key from DASHSCOPE_API_KEY and every other id from a variable with our prefix', () => {
    assert.equal(apiKeyEnvironmentVariable('dashscope'), 'DASHSCOPE_API_KEY');
    assert.equal(apiKeyFromEnvironment('dashscope', env), 'sk-dash');
    assert.equal(apiKeyFromEnvironment('openai', env), 'sk-ours');
    assert.equal(apiKeyFromEnvironment('local-llm', env), 'sk-local');
  });

  it('never name another program\'s variable, whatever the id', () => {
    for (const id of ['openai', 'OPENAI', 'aws_secret_access', 'AWS_SECRET_ACCESS', 'aws-secret-access']) {
      assert.match(apiKeyEnvironmentVariable(id), /^QWEN_ROUTER_API_KEY_/);
      assert.notEqual(apiKeyFromEnvironment(id, env), 'sk-openai');
      assert.notEqual(apiKeyFromEnvironment(id, env), 'aws');
    }
    assert.equal(apiKeyFromEnvironment('openai', { OPENAI_API_KEY: 'sk-openai' }), undefined);
  });

  it('are rejected in the model table unless they are plain names', () => {
    assert.deepEqual(validateModelTable({ a: { model: 'x', apiKeyId: 'team-key_2' }, b: { model: 'y', apiKeyId: '' } }), []);
    const problems = validateModelTable({ a: { model: 'x', apiKeyId: '../OPENAI_API_KEY' }, b: { model: 'y', apiKeyId: 'A B' }, c: { model: 'z', apiKeyId: 7 } });
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.ok(problems.every((p) => p.includes('"apiKeyId"')));
    assert.equal(apiKeyFromEnvironment('../OPENAI', { QWEN_ROUTER_API_KEY____OPENAI: 'x' }), undefined);
  });
});

describe('base URLs', () => {
  it('take https:// anywhere and http:// only on this machine', () => {
    for (const url of ['https://example.com/v1', 'http://127.0.0.1:8000/v1', 'http://127.1.2.3/v1', 'http://localhost:11434/v1', 'http://[::1]:8080/v1']) {
      assert.equal(baseUrlProblem(url), undefined, url);
    }
    for (const url of ['http://example.com/v1', 'http://10.0.0.5:8000/v1', 'http://127.0.0.1.evil.com/v1', 'http://localhost.evil.com/v1']) {
      assert.match(baseUrlProblem(url) ?? '', /unencrypted.*qwenRouter\.allowInsecureHttp/, url);
    }
    assert.match(baseUrlProblem('ftp://example.com') ?? '', /must start with https:\/\//);
    assert.match(baseUrlProblem('localhost:8000') ?? '', /https:\/\//);
    assert.equal(isLoopbackHost('[::1]'), true);
    assert.equal(isLoopbackHost('128.0.0.1'), false);
  });

  it('accept http:// to another machine only when the user opts in', () => {
    assert.equal(baseUrlProblem('http://10.0.0.5:8000/v1', { allowInsecureHttp: true }), undefined);
    const refused = resolveConfig({ baseUrl: 'http://example.com/v1' });
    assert.equal(refused.config.baseUrl, undefined, 'the insecure URL is not used');
    assert.match(refused.problems.join(), /allowInsecureHttp/);
    const allowed = resolveConfig({ baseUrl: 'http://example.com/v1/', allowInsecureHttp: true });
    assert.deepEqual(allowed.problems, []);
    assert.equal(allowed.config.baseUrl, 'http://example.com/v1');
  });

  it('apply to every model in the table as well', () => {
    const { config, problems } = resolveConfig({ models: { remote: { model: 'llama', baseUrl: 'http://gpu-box.lan:8000/v1' } } });
    assert.match(problems.join(), /remote\.baseUrl: .*unencrypted/);
    assert.equal(config.models.remote, undefined, 'a table with an insecure URL is not used');
    assert.deepEqual(resolveConfig({ models: { remote: { model: 'llama', baseUrl: 'http://gpu-box.lan:8000/v1' } }, allowInsecureHttp: true }).problems, []);
  });
});
