import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config';
import type { ClassifierResult } from '../../src/core/classifier/result';
import { route } from '../../src/core/routing/route';
import { CHAT_STRINGS } from '../../src/protocol/chat';
import type { BadgeFormat } from '../../src/protocol/routeBadge';
import { badgeOf, MAX_CONTEXT_TURNS } from '../../src/vscode/chatConversations';
import {
  answeredTurns,
  boundReferences,
  decisionLine,
  escalationTarget,
  historyMessages,
  isAnswerMetadata,
  markdownOf,
  parseCommand,
  QuoteStream,
  reaskOf,
  tierServedBy,
  withReferences,
  type AnswerMetadata,
  type TurnLike,
} from '../../src/vscode/participantTurns';

const { config } = resolveConfig({});
const format: BadgeFormat = { number: (value, digits) => String(Number(value.toFixed(digits))), ms: (value) => `${value} ms` };

/** A request turn as VS Code's history holds it (prompt and references). */
const ask = (prompt: string): TurnLike => ({ prompt, references: [] });
/** A response turn: markdown parts (MarkdownString-like values), other parts, and the result's metadata. */
function answer(markdown: string[], metadata: unknown, extraParts: unknown[] = []): TurnLike {
  return { response: [...markdown.map((value) => ({ value: { value } })), ...extraParts], result: { metadata } };
}
/** An answer as @qwen streams it: the routing line, then the answer (offset and length in the metadata). */
function routedAnswer(text: string, meta: Partial<AnswerMetadata> = {}): TurnLike {
  const decision = '> **simple** · `qwen-flash`\n\n';
  return answer([decision, text], { kind: 'answer', status: 'ok', recordId: `r-${text}`, modelKey: 'qwen-flash', tier: 'simple', answerOffset: decision.length, answerChars: text.length, ...meta });
}

const scores: ClassifierResult = { task_type_1: 'Code Generation', task_type_2: 'Other', task_type_prob: 0.8, creativity_scope: 0.1, reasoning: 0.6, contextual_knowledge: 0.2, number_of_few_shots: 0, domain_knowledge: 0.5, no_label_reason: 0, constraint_ct: 0.4, prompt_complexity_score: 0.42 };

describe('@qwen participant, pure parts (src/vscode/participantTurns)', () => {
  it('parses the slash commands: /explain, /stats, a tier, or a plain question', () => {
    assert.deepEqual(parseCommand('explain'), { kind: 'explain' });
    assert.deepEqual(parseCommand('stats'), { kind: 'stats' });
    assert.deepEqual(parseCommand('simple'), { kind: 'ask', tier: 'simple' });
    assert.deepEqual(parseCommand('medium'), { kind: 'ask', tier: 'medium' });
    assert.deepEqual(parseCommand('complex'), { kind: 'ask', tier: 'complex' });
    assert.deepEqual(parseCommand(undefined), { kind: 'ask' });
    assert.deepEqual(parseCommand('nonsense'), { kind: 'ask' });
  });

  it('rebuilds the conversation from the history: answers without their routing line or thinking, /explain and failures left out', () => {
    const routing = '> **medium** · `qwen-plus`\n\n';
    const thinking = '> *Thinking*\n>\n> let me see\n> more\n\n';
    const history: TurnLike[] = [
      ask('first question'),
      routedAnswer('first answer'),
      ask('where would this go?'),
      answer(['> routing line\n\n| table |'], { kind: 'explain' }),
      ask('broken'),
      answer(['> line\n\n'], { kind: 'answer', status: 'error', recordId: 'r-err', answerOffset: 10, answerChars: 0 }),
      ask('second question'),
      // Thinking before the answer, a button part between markdown parts: the offsets still find the answer.
      answer([routing, thinking, 'second', ' answer'], { kind: 'answer', status: 'ok', recordId: 'r2', answerOffset: routing.length + thinking.length, answerChars: 'second answer'.length }, [{ value: { command: 'x', title: 'Button' } }]),
      ask('stopped one'),
      routedAnswer('partial', { status: 'cancelled' }),
    ];
    assert.equal(markdownOf((history[7] as { response: readonly unknown[] }).response).endsWith('second answer'), true);
    assert.deepEqual(historyMessages(history), [
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content: 'second question' },
      { role: 'assistant', content: 'second answer' },
      { role: 'user', content: 'stopped one' },
      { role: 'assistant', content: 'partial' },
    ]);
    assert.equal(answeredTurns(history).length, 4, 'the failed answer is an answered turn (for its record) but not context');
  });

  it('sends at most the last MAX_CONTEXT_TURNS answers as context', () => {
    const history = Array.from({ length: MAX_CONTEXT_TURNS + 4 }, (_, i) => [ask(`q${i}`), routedAnswer(`a${i}`)]).flat();
    const messages = historyMessages(history);
    assert.equal(messages.length, MAX_CONTEXT_TURNS * 2);
    assert.deepEqual(messages[0], { role: 'user', content: 'q4' });
    assert.deepEqual(messages.at(-1), { role: 'assistant', content: `a${MAX_CONTEXT_TURNS + 3}` });
  });

  it('keeps metadata free of text and checks its shape', () => {
    assert.equal(isAnswerMetadata({ kind: 'answer', status: 'ok', answerOffset: 1, answerChars: 2 }), true);
    assert.equal(isAnswerMetadata({ kind: 'explain' }), false);
    assert.equal(isAnswerMetadata({ kind: 'answer', status: 'ok', answerOffset: '1', answerChars: 2 }), false);
    assert.equal(isAnswerMetadata(undefined), false);
  });

  it('offers the top tier after a lower-tier answer, never after a top-tier one or when the top tier is the same model', () => {
    assert.equal(escalationTarget(config, { modelKey: 'qwen-flash', tier: 'simple' }), config.policy.tierModels.complex);
    assert.equal(escalationTarget(config, { modelKey: 'qwen-plus', tier: 'medium' }), config.policy.tierModels.complex);
    assert.equal(escalationTarget(config, { modelKey: 'qwen-max', tier: 'complex' }), undefined);
    assert.equal(escalationTarget(config, { modelKey: 'custom' }), undefined, 'a model of no tier');
    const sameTop = { ...config, policy: { ...config.policy, tierModels: { simple: 'qwen-flash', medium: 'qwen-plus', complex: 'qwen-plus' } } };
    assert.equal(escalationTarget(sameTop, { modelKey: 'qwen-plus', tier: 'medium' }), undefined);
    const renamed = { ...config, policy: { ...config.policy, tierModels: { ...config.policy.tierModels, complex: 'qwen3-max' } } };
    assert.equal(escalationTarget(renamed, { modelKey: 'qwen-flash', tier: 'simple' }), 'qwen3-max', 'the configured top model, not a fixed name');
    assert.equal(tierServedBy(config.policy, 'qwen-plus'), 'medium');
    assert.equal(tierServedBy(config.policy, 'custom'), undefined);
  });

  it('knows a tier command that repeats the last lower-tier answer is its re-ask, and nothing else is', () => {
    const history = [ask('explain monads'), routedAnswer('a monad is…')];
    const policy = config.policy;
    const reask = reaskOf(history, { tier: 'complex', prompt: 'explain monads', references: 0 }, policy);
    assert.equal(reask?.metadata.recordId, 'r-a monad is…');
    assert.equal(reask?.requestIndex, 0);
    assert.ok(reaskOf(history, { tier: 'medium', prompt: '  ', references: 0 }, policy), 'a tier command alone re-asks the last question');
    assert.equal(reaskOf(history, { tier: 'complex', prompt: 'something else', references: 0 }, policy), undefined, 'another question');
    assert.equal(reaskOf(history, { tier: 'simple', prompt: 'explain monads', references: 0 }, policy), undefined, 'not a higher tier');
    assert.equal(reaskOf(history, { tier: 'complex', prompt: 'explain monads', references: 1 }, policy), undefined, 'new references make a new question');
    assert.equal(reaskOf([...history, ask('x'), answer(['t'], { kind: 'explain' })], { tier: 'complex', prompt: '', references: 0 }, policy), undefined, 'only right after the answer');
    assert.equal(reaskOf([ask('q'), routedAnswer('a', { status: 'error' })], { tier: 'complex', prompt: 'q', references: 0 }, policy), undefined, 'not after a failure');
    assert.equal(reaskOf([ask('q'), routedAnswer('a', { recordId: undefined })], { tier: 'complex', prompt: 'q', references: 0 }, policy), undefined, 'not without a record to link');
    assert.equal(reaskOf([], { tier: 'complex', prompt: 'q', references: 0 }, policy), undefined);
  });

  it('bounds attached references, each and together, and says so to the model', () => {
    const bounded = boundReferences(
      [
        { label: 'a.ts', languageId: 'typescript', text: 'a'.repeat(30) },
        { label: 'b.ts', text: 'b'.repeat(10) },
        { label: 'c.ts', text: 'c'.repeat(10) },
        { label: 'd.ts', text: 'd'.repeat(10) },
      ],
      { eachChars: 20, totalChars: 35 },
    );
    assert.deepEqual(bounded.map((r) => [r.text.length, r.totalChars]), [[20, 30], [10, 10], [5, 10], [0, 10]]);
    const content = withReferences('What does this do?', bounded.slice(0, 2));
    assert.equal(content, `What does this do?\n\na.ts (cut: the first 20 of 30 characters):\n\`\`\`typescript\n${'a'.repeat(20)}\n\`\`\`\n\nb.ts:\n\`\`\`\n${'b'.repeat(10)}\n\`\`\``);
    const fenced = withReferences('', boundReferences([{ label: 'README.md:1-3', languageId: 'markdown', text: '```sh\nnpm test\n```' }]));
    assert.equal(fenced, 'README.md:1-3:\n~~~~markdown\n```sh\nnpm test\n```\n~~~~', 'a block holding ``` gets another fence, and no empty prompt line');
  });

  it('says where a question went the way the sidebar badge does: tier, model, task type, complexity, thinking, routing time', async () => {
    const decision = await route({ messages: [{ role: 'user', content: 'Write a parser' }] }, { policy: config.policy, models: config.models, classify: async () => ({ ok: true, result: scores, elapsedMs: 3, tokens: 4 }), now: (() => { let t = 0; return () => (t += 6.5); })() });
    const ms = decision.routing.routing_latency_ms;
    assert.ok(typeof ms === 'number' && ms > 0);
    // Thinking "auto" thinks on this Code Generation prompt, with a budget from its complexity.
    assert.equal(decision.thinking.enabled, true);
    const budget = decision.thinking.budget!;
    assert.equal(decisionLine(badgeOf(decision), CHAT_STRINGS, format), `> **medium** · \`${decision.modelKey}\` · Code Generation · complexity 0.42 · thinking, up to ${format.number(budget, 0)} tokens · routed in ${ms} ms`);
  });

  it('says the fallback and its reason, and a forced tier as the user\'s choice', async () => {
    const fallback = await route({ messages: [{ role: 'user', content: 'hi' }] }, { policy: config.policy, models: config.models, now: () => 0 });
    assert.equal(decisionLine(badgeOf(fallback), CHAT_STRINGS, format), `> **simple** · \`${fallback.modelKey}\` · fallback: no classifier model · routed in 0 ms`);
    const forced = await route({ messages: [{ role: 'user', content: 'hi' }], override: 'qwen-max' }, { policy: config.policy, models: config.models });
    const badge = { ...badgeOf(forced), tier: 'complex' as const };
    assert.equal(decisionLine(badge, CHAT_STRINGS, format), '> **complex** · `qwen-max` · chosen by you');
  });

  it('escapes markdown in the words of a decision', () => {
    const line = decisionLine({ method: 'nvidia_classifier', modelKey: 'my`model', tier: null, taskType: 'Open_QA *x*', complexity: null, routingMs: null, fallbackReason: null, fallbackMessage: null, sticky: false, note: null, scores: {} }, CHAT_STRINGS, format);
    assert.equal(line, '> `mymodel` · Open\\_QA \\*x\\*');
  });

  it('quotes thinking line by line however the deltas split it', () => {
    const text = 'first line\nsecond\n\nfourth';
    const expected = '> first line\n> second\n> \n> fourth';
    for (const cuts of [[text.length], [3, 11, 12, 19, text.length], [10, 11, 18, 19, text.length]]) {
      const quote = new QuoteStream();
      let out = '';
      let from = 0;
      for (const to of cuts) {
        out += quote.quote(text.slice(from, to));
        from = to;
      }
      assert.equal(out, expected, JSON.stringify(cuts));
    }
  });
});
