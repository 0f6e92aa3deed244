import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CANONICAL_HEADS, headOrderFromOutputs, parseHeadConfig } from '../../src/core/classifier/heads';
import { ModelFormatError } from '../../src/core/classifier/errors';
import { postprocess, type HeadLogits } from '../../src/core/classifier/postprocess';
import type { ClassifierResult } from '../../src/core/classifier/result';
import { fixture } from '../support/fixtures';

const readJson = (...parts: string[]) => JSON.parse(readFileSync(fixture(...parts), 'utf8'));
const config = parseHeadConfig(readJson('tiny-model-json', 'config.json'));
const cases: { name: string; logits: HeadLogits; expected: ClassifierResult }[] = readJson('postprocess-cases.json');
const goldens: { prompt: string; logits: HeadLogits; result: ClassifierResult }[] = readJson('golden-outputs.json');

describe('post-processing (model card compute_results), against the Python reference', () => {
  for (const testCase of cases) {
    it(`hand-made logits: ${testCase.name}`, () => {
      assert.deepEqual(postprocess(testCase.logits, config), testCase.expected);
    });
  }

  it('gives the reference result for the tiny model logits of every golden prompt', () => {
    for (const golden of goldens) assert.deepEqual(postprocess(golden.logits, config), golden.result, golden.prompt);
  });

  it('covers the cases that matter: ties, "NA", few-shots under 0.05, a score above 1', () => {
    const names = cases.map((c) => c.name).join(' ');
    for (const needed of ['tie', 'na', 'few', 'round']) assert.match(names.toLowerCase(), new RegExp(needed));
    assert.ok(cases.some((c) => c.expected.task_type_2 === 'NA'));
    assert.ok(cases.some((c) => c.expected.prompt_complexity_score > 1));
  });

  it('uses the eleven NVIDIA field names, in order', () => {
    assert.deepEqual(Object.keys(postprocess(cases[0].logits, config)), [
      'task_type_1', 'task_type_2', 'task_type_prob', 'creativity_scope', 'reasoning', 'contextual_knowledge',
      'number_of_few_shots', 'domain_knowledge', 'no_label_reason', 'constraint_ct', 'prompt_complexity_score',
    ]);
  });
});

describe('config.json heads', () => {
  it('reads the same heads from a config whose keys were re-sorted', () => {
    assert.deepEqual(parseHeadConfig(readJson('tiny-model-sorted-config', 'config.json')), config);
  });

  it('names what is missing or malformed', () => {
    const full = readJson('tiny-model-json', 'config.json');
    const without = (key: string) => Object.fromEntries(Object.entries(full).filter(([k]) => k !== key));
    assert.throws(() => parseHeadConfig(without('target_sizes')), /has no target_sizes/);
    assert.throws(() => parseHeadConfig(without('weights_map')), /has no weights_map/);
    assert.throws(() => parseHeadConfig({ ...full, weights_map: { ...full.weights_map, reasoning: [0, 1, 2] } }), /weights_map\.reasoning must be 2 numbers/);
    assert.throws(() => parseHeadConfig({ ...full, divisor_map: { ...full.divisor_map, domain_knowledge: 0 } }), /divisor_map\.domain_knowledge/);
    assert.throws(() => parseHeadConfig({ ...full, task_type_map: { 0: 'Brainstorming' } }), /task_type_map has no label for class 1/);
    assert.throws(() => parseHeadConfig([]), ModelFormatError);
  });

  it('takes head order from output names, whatever order the graph lists them in', () => {
    const shuffled = ['reasoning', 'task_type', 'constraint_ct', 'creativity_scope', 'no_label_reason', 'domain_knowledge', 'number_of_few_shots', 'contextual_knowledge'];
    assert.deepEqual(headOrderFromOutputs(shuffled), shuffled);
    assert.deepEqual(headOrderFromOutputs(CANONICAL_HEADS.map((_, i) => `logits_${i}`)), [...CANONICAL_HEADS]);
    assert.throws(() => headOrderFromOutputs(['a', 'b']), /2 outputs but the classifier has 8 heads/);
  });
});
