// The chat's conversation store and its mapping of routing decisions and records (plain Node:
// src/vscode/chatConversations.ts imports `vscode` for types only).
import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config';
import type { CallRecord } from '../../src/core/history/record';
import { AUTO_MODEL, isRouteBadge, type RouteBadge } from '../../src/protocol/chat';
import type { RoutingDecision } from '../../src/core/routing/route';
import {
  actionsFor,
  badgeOf,
  ConversationStore,
  MAX_CONTEXT_TURNS,
  MAX_CONVERSATIONS,
  messagesFor,
  modelForMessage,
  modelOptions,
  newTurn,
  stickyBadge,
  titleOf,
  usageOf,
} from '../../src/vscode/chatConversations';

function memento() {
  const values = new Map<string, unknown>();
  return {
    values,
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (JSON.parse(JSON.stringify(values.get(key))) as T) : fallback),
    update: async (key: string, value: unknown) => {
      values.set(key, JSON.parse(JSON.stringify(value)));
    },
  };
}

const classified: RoutingDecision = {
  modelKey: 'qwen-plus',
  tier: 'medium',
  method: 'nvidia_classifier',
  routing: { method: 'nvidia_classifier', query: 'q', routing_latency_ms: 14.2, tier: 'medium', complexity_score: 0.41, task_type: 'Code Generation', rule: 'Code Generation: at least medium', pooled: 'qwen-max is excluded from the model pool; using qwen-plus' },
  classifier: { task_type_1: 'Code Generation', task_type_2: 'NA', task_type_prob: 0.9, creativity_scope: 0.1, reasoning: 0.5, contextual_knowledge: 0.2, number_of_few_shots: 0, domain_knowledge: 0.7, no_label_reason: 0, constraint_ct: 0.3, prompt_complexity_score: 0.41 },
  thinking: { enabled: true, budget: 3072, reason: 'auto: Code Generation with reasoning 0.5 >= 0.3' },
  summary: 'qwen-plus (medium)',
};

const fallback: RoutingDecision = {
  modelKey: 'qwen-flash',
  tier: 'simple',
  method: 'fallback_token_length',
  routing: { method: 'fallback_token_length', query: 'q', routing_latency_ms: 1500.5, tier: 'simple', fallback_reason: 'timeout', error: 'the classifier did not answer within 1500 ms', estimated_tokens: 9 },
  fallbackReason: 'timeout',
  thinking: { reason: 'the model is not marked as supporting thinking' },
  summary: 'qwen-flash (simple)',
};

describe('chat conversations (src/vscode/chatConversations)', () => {
  it('persists conversations and brings interrupted turns back as cancelled', async () => {
    const state = memento();
    const store = new ConversationStore(state);
    const conversation = store.active;
    const done = newTurn('first question', AUTO_MODEL);
    done.status = 'done';
    done.answer = 'first answer';
    const streaming = newTurn('second question', AUTO_MODEL);
    streaming.status = 'streaming';
    streaming.answer = 'half an ans';
    store.addTurn(conversation, done);
    store.addTurn(conversation, streaming);
    await store.save();
    const reloaded = new ConversationStore(state);
    assert.equal(reloaded.active.id, conversation.id);
    assert.equal(reloaded.active.title, 'first question');
    assert.deepEqual(reloaded.active.turns.map((t) => t.status), ['done', 'cancelled']);
    assert.equal(reloaded.active.turns[1].answer, 'half an ans');
  });

  it('ignores stored data that is not a conversation', () => {
    const state = memento();
    state.values.set('qwenRouter.chat.conversations.v1', { activeId: 'x', conversations: [{ id: 'x', turns: 'nope' }, 42] });
    const store = new ConversationStore(state);
    assert.notEqual(store.active.id, 'x');
    assert.equal(store.active.turns.length, 0);
  });

  it('starts new conversations, reusing an empty one, and keeps at most the cap', () => {
    const store = new ConversationStore(memento(), () => 'Untitled');
    const empty = store.active;
    assert.equal(store.startNew(), empty, 'an empty conversation is reused');
    for (let i = 0; i < MAX_CONVERSATIONS + 5; i++) {
      store.addTurn(store.active, newTurn(`question ${i}`, AUTO_MODEL));
      store.startNew();
    }
    const summaries = store.summaries();
    assert.ok(summaries.length <= MAX_CONVERSATIONS, String(summaries.length));
    assert.equal(summaries[0].title, 'Untitled'); // the new, empty, active one
    assert.equal(summaries[1].title, `question ${MAX_CONVERSATIONS + 4}`);
    const older = summaries[2].id;
    assert.equal(store.open(older)?.id, older);
    assert.equal(store.active.id, older);
    assert.equal(store.open('missing'), undefined);
  });

  it('sends earlier finished turns as context, up to a limit, then the new prompt', () => {
    const store = new ConversationStore(memento());
    const conversation = store.active;
    for (let i = 0; i < MAX_CONTEXT_TURNS + 3; i++) {
      const turn = newTurn(`q${i}`, AUTO_MODEL);
      turn.status = i === 1 ? 'error' : 'done';
      turn.answer = i === 1 ? '' : `a${i}`;
      store.addTurn(conversation, turn);
    }
    const messages = messagesFor(conversation, 'now');
    assert.equal(messages.length, MAX_CONTEXT_TURNS * 2 + 1);
    assert.deepEqual(messages[messages.length - 1], { role: 'user', content: 'now' });
    assert.deepEqual(messages.slice(-3, -1), [{ role: 'user', content: `q${MAX_CONTEXT_TURNS + 2}` }, { role: 'assistant', content: `a${MAX_CONTEXT_TURNS + 2}` }]);
    assert.ok(!messages.some((m) => m.content === 'q1'), 'a failed turn without an answer is not context');
  });

  it('maps a classifier decision and a fallback to badges', () => {
    const badge = badgeOf(classified);
    assert.equal(badge.method, 'nvidia_classifier');
    assert.equal(badge.tier, 'medium');
    assert.equal(badge.taskType, 'Code Generation');
    assert.equal(badge.complexity, 0.41);
    assert.equal(badge.routingMs, 14.2);
    assert.equal(badge.fallbackReason, null);
    assert.equal(badge.note, 'Code Generation: at least medium; qwen-max is excluded from the model pool; using qwen-plus');
    assert.equal(badge.pooled, 'qwen-max is excluded from the model pool; using qwen-plus');
    assert.deepEqual(badge.thinking, { enabled: true, budget: 3072, reason: 'auto: Code Generation with reasoning 0.5 >= 0.3' });
    assert.ok(isRouteBadge(badge), 'the badge passes the protocol check');
    assert.equal(badge.scores.reasoning, 0.5);
    assert.equal(badge.scores.prompt_complexity_score, 0.41);
    const fb = badgeOf(fallback);
    assert.equal(fb.method, 'fallback_token_length');
    assert.equal(fb.fallbackReason, 'timeout');
    assert.equal(fb.fallbackMessage, 'the classifier did not answer within 1500 ms');
    assert.equal(fb.complexity, null);
    assert.deepEqual(fb.scores, {});
    assert.equal(fb.thinking, undefined, 'nothing sent: no thinking on the badge');
    assert.equal(fb.pooled, undefined);
    const kept: RouteBadge = stickyBadge(badge);
    assert.equal(kept.sticky, true);
    assert.equal(kept.routingMs, null);
    assert.equal(kept.modelKey, 'qwen-plus');
    assert.equal(kept.thinking, undefined, 'the first message thought; a kept route does not carry that over');
    const keptDecision: RoutingDecision = { ...fallback, method: 'kept_route', thinking: { enabled: false, reason: 'auto: no classifier scores for this call' } };
    assert.deepEqual(stickyBadge(badge, keptDecision).thinking, { enabled: false, budget: null, reason: 'auto: no classifier scores for this call' });
  });

  it('offers the action that fixes each error first', () => {
    assert.deepEqual(actionsFor('no_api_key'), ['setApiKey', 'retry']);
    assert.deepEqual(actionsFor('auth'), ['setApiKey', 'chooseRegion', 'retry']);
    assert.deepEqual(actionsFor('model_not_found'), ['retry', 'openSettings']);
    assert.deepEqual(actionsFor('rate_limited'), ['retry']);
    assert.deepEqual(actionsFor('network'), ['retry']);
  });

  it('reads usage from the record, and none when no request was made', () => {
    const record = {
      attempts: 2,
      escalated_from: ['qwen-flash'],
      llm: { model: 'qwen-plus', provider: 'dashscope', response_id: 'x', response_content: 'a', input_tokens: 10, output_tokens: 20, total_tokens: 30, cost_usd: 0.00002, llm_latency_ms: 900, ttft_ms: 250, price_as_of: '2026' },
    } as unknown as CallRecord;
    assert.deepEqual(usageOf({ record }), { modelKey: 'qwen-plus', inputTokens: 10, outputTokens: 20, costUsd: 0.00002, latencyMs: 900, ttftMs: 250, escalatedFrom: ['qwen-flash'] });
    const unpriced = { ...record, llm: { ...record.llm, cost_usd: 0, price_as_of: null } } as CallRecord;
    assert.equal(usageOf({ record: unpriced })?.costUsd, null);
    assert.equal(usageOf({ record: { ...record, attempts: 0 } as CallRecord }), null);
  });

  it('lists the configured models by tier for the picker', () => {
    const { config } = resolveConfig({ models: { local: { model: 'llama3', baseUrl: 'http://127.0.0.1:11434/v1', apiKeyId: '' } } });
    assert.deepEqual(modelOptions(config), [
      { key: 'qwen-flash', label: 'qwen-flash', tier: 'simple' },
      { key: 'qwen-plus', label: 'qwen-plus', tier: 'medium' },
      { key: 'qwen-max', label: 'qwen-max', tier: 'complex' },
      { key: 'local', label: 'local (llama3)', tier: null },
      { key: 'qwen3-coder-flash', label: 'qwen3-coder-flash', tier: null },
      { key: 'qwen3-coder-plus', label: 'qwen3-coder-plus', tier: null },
      { key: 'qwen3-max', label: 'qwen3-max', tier: null },
    ]);
  });

  it('picks the model for a message: the picker, else the kept route, else routing', () => {
    const store = new ConversationStore(memento());
    const conversation = store.active;
    assert.deepEqual(modelForMessage('qwen-max', true, conversation), { model: 'qwen-max', sticky: false });
    assert.deepEqual(modelForMessage(AUTO_MODEL, true, conversation), { sticky: false });
    conversation.stickyRoute = badgeOf(classified);
    assert.deepEqual(modelForMessage(AUTO_MODEL, true, conversation), { keep: { modelKey: 'qwen-plus', tier: 'medium' }, sticky: true });
    assert.deepEqual(modelForMessage(AUTO_MODEL, false, conversation), { sticky: false });
  });

  it('titles a conversation by its first prompt, on one line', () => {
    assert.equal(titleOf('  hello\n  world  '), 'hello world');
    assert.equal(titleOf('x'.repeat(100)).length, 60);
  });
});
