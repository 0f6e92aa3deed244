// The model table as data: prices by band and thinking, region URLs, settings validation.
import * as assert from 'node:assert/strict';
import { DEFAULT_CONFIG, resolveConfig } from '../../src/core/config';
import { estimateCost, priceBandFor } from '../../src/core/models/pricing';
import { DEFAULT_MODELS, REGION_BASE_URLS, regionOfUrl, resolveBaseUrl, validateModelTable } from '../../src/core/models/table';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

describe('pricing', () => {
  it('prices per million tokens in and out, dated', () => {
    const cost = estimateCost(DEFAULT_MODELS['qwen-flash'], 100_000, 1_000_000)!;
    close(cost.usd, 0.1 * 0.05 + 0.4);
    assert.equal(cost.asOf, '2026-12');
    close(estimateCost(DEFAULT_MODELS['qwen-max'], 2_000, 500)!.usd, (2_000 * 1.6 + 500 * 6.4) / 1e6);
  });

  it('picks the band by the input length (tiered pricing above 256K)', () => {
    const flash = DEFAULT_MODELS['qwen-flash'];
    close(estimateCost(flash, 256_000, 1_000)!.usd, (256_000 * 0.05 + 1_000 * 0.4) / 1e6);
    close(estimateCost(flash, 256_001, 1_000)!.usd, (256_001 * 0.25 + 1_000 * 2.0) / 1e6);
    assert.equal(priceBandFor(DEFAULT_MODELS['qwen-plus'].prices!, 300_000)!.input, 1.2);
  });

  it('bills output at the thinking price when thinking was on, where the band has one', () => {
    const plus = DEFAULT_MODELS['qwen-plus'];
    close(estimateCost(plus, 1_000, 1_000, { thinking: true })!.usd, (1_000 * 0.4 + 1_000 * 4.0) / 1e6);
    close(estimateCost(plus, 1_000, 1_000, { thinking: false })!.usd, (1_000 * 0.4 + 1_000 * 1.2) / 1e6);
    close(estimateCost(DEFAULT_MODELS['qwen-flash'], 1_000, 1_000, { thinking: true })!.usd, (1_000 * 0.05 + 1_000 * 0.4) / 1e6);
  });

  it('has no estimate for a model without prices', () => {
    assert.equal(estimateCost({ model: 'local' }, 10, 10), undefined);
    assert.equal(estimateCost(undefined, 10, 10), undefined);
  });
});

describe('model table and regions', () => {
  it('has the three tiers with context windows', () => {
    assert.deepEqual(Object.keys(DEFAULT_MODELS), ['qwen-flash', 'qwen-plus', 'qwen-max', 'qwen3-max', 'qwen3-coder-plus', 'qwen3-coder-flash']);
    assert.equal(DEFAULT_MODELS['qwen-max'].contextWindow, 32_768);
  });

  it('resolves the base URL: the model own, else the custom URL, else the region', () => {
    const spec = { model: 'qwen-plus' };
    assert.equal(resolveBaseUrl(spec, { region: 'international' }), 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1');
    assert.equal(resolveBaseUrl(spec, { region: 'china' }), 'https://dashscope.aliyuncs.com/compatible-mode/v1');
    assert.equal(resolveBaseUrl(spec, { region: 'us' }), 'https://dashscope-us.aliyuncs.com/compatible-mode/v1');
    assert.equal(resolveBaseUrl(spec, { region: 'hongkong' }), 'https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1');
    assert.equal(resolveBaseUrl(spec, { region: 'china', baseUrl: 'http://localhost:8000/v1/' }), 'http://localhost:8000/v1');
    assert.equal(resolveBaseUrl({ model: 'llama', baseUrl: 'http://127.0.0.1:11434/v1' }, { region: 'china', baseUrl: 'http://x/v1' }), 'http://127.0.0.1:11434/v1');
    assert.equal(resolveBaseUrl({ model: 'qwen-max', region: 'us' }, { region: 'china' }), REGION_BASE_URLS.us);
    assert.equal(regionOfUrl(`${REGION_BASE_URLS.hongkong}/`), 'hongkong');
    assert.equal(regionOfUrl('http://localhost/v1'), undefined);
  });

  it('validates a user-edited table in words', () => {
    assert.deepEqual(validateModelTable(DEFAULT_MODELS), []);
    const problems = validateModelTable({ a: { model: '' }, b: { model: 'x', baseUrl: 'ftp://x', region: 'mars', prices: { asOf: 'x', bands: [{ input: -1, output: 'free' }] } } });
    assert.ok(problems.some((p) => p.startsWith('a: "model"')));
    assert.ok(problems.some((p) => p.includes('baseUrl')));
    assert.ok(problems.some((p) => p.includes('"region"')));
    assert.ok(problems.some((p) => p.includes('bands[0].input')));
    assert.ok(problems.some((p) => p.includes('bands[0].output')));
  });
});

describe('config', () => {
  it('defaults to the three Qwen tiers in the international region, streaming, escalating, full text', () => {
    const { config, problems } = resolveConfig();
    assert.deepEqual(problems, []);
    assert.deepEqual(config, { ...DEFAULT_CONFIG, baseUrl: undefined });
  });

  it('merges user models over the defaults and checks the tiers name known models', () => {
    const { config, problems } = resolveConfig({
      models: { local: { model: 'qwen2.5:7b', baseUrl: 'http://127.0.0.1:11434/v1', apiKeyId: '' } },
      tierModels: { simple: 'local' },
      complexityThresholds: { simple: 0.25 },
    });
    assert.deepEqual(problems, []);
    assert.equal(config.policy.tierModels.simple, 'local');
    assert.equal(config.policy.complexity.simple, 0.25);
    assert.equal(config.policy.complexity.medium, 0.5);
    assert.ok(config.models['qwen-max']);
  });

  it('reports bad settings and keeps working with the defaults for them', () => {
    const { config, problems } = resolveConfig({ region: 'mars', tierModels: { complex: 'nope' }, complexityThresholds: { simple: 0.9, medium: 0.1 }, privacy: 'secret', baseUrl: 'localhost' });
    assert.equal(problems.length, 5);
    assert.equal(config.region, 'international');
    assert.equal(config.policy.tierModels.complex, 'qwen-max');
    assert.deepEqual(config.policy.complexity, { simple: 0.3, medium: 0.5 });
    assert.equal(config.privacy, 'full');
    assert.equal(config.baseUrl, undefined);
  });
});
