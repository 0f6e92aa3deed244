import * as assert from 'node:assert/strict';
import {
  AUTO_MODEL,
  CHAT_STRINGS,
  isChatToHost,
  isChatToWebview,
  MAX_PROMPT_CHARS,
  type ChatRequests,
  type ChatToHost,
  type ChatTurn,
  type RouteBadge,
} from '../../src/protocol/chat';
import {
  answerRequest,
  dispatch,
  formatString,
  localizeTable,
  PendingRequests,
  type Handlers,
  type RequestMessage,
  type ResponseMessage,
} from '../../src/protocol/common';
import {
  isStatsToHost,
  isStatsToWebview,
  matchesFilter,
  NO_FILTER,
  recordStatus,
  STATS_STRINGS,
  type StatsRequests,
} from '../../src/protocol/stats';

const route: RouteBadge = {
  method: 'nvidia_classifier',
  modelKey: 'qwen-plus',
  tier: 'medium',
  taskType: 'Code Generation',
  complexity: 0.41,
  routingMs: 12.5,
  fallbackReason: null,
  fallbackMessage: null,
  sticky: false,
  note: null,
  scores: { reasoning: 0.2, creativity_scope: 0.1 },
};

const turn: ChatTurn = {
  id: 't1',
  prompt: 'hi',
  requestedModel: AUTO_MODEL,
  createdAt: 1,
  status: 'done',
  route,
  answer: 'hello',
  thinking: '',
  error: null,
  usage: { modelKey: 'qwen-plus', inputTokens: 3, outputTokens: 5, costUsd: 0.0001, latencyMs: 800, ttftMs: 120, escalatedFrom: [] },
};

describe('webview protocol (src/protocol)', () => {
  describe('chat: webview -> host', () => {
    it('accepts every well-formed message', () => {
      const messages: ChatToHost[] = [
        { type: 'ready' },
        { type: 'request', requestId: 'r1', method: 'send', params: { text: 'hello', model: AUTO_MODEL } },
        { type: 'stop', turnId: 't1' },
        { type: 'retry', turnId: 't1' },
        { type: 'newChat' },
        { type: 'openConversation', conversationId: 'c1' },
        { type: 'setModel', model: 'qwen-max' },
        { type: 'setSticky', sticky: true },
        { type: 'reroute' },
        { type: 'copy', text: 'x' },
        { type: 'insert', text: 'x' },
        { type: 'runAction', action: 'setApiKey' },
      ];
      for (const message of messages) assert.equal(isChatToHost(message), true, JSON.stringify(message));
    });

    it('rejects malformed, unknown and hostile messages', () => {
      const bad: unknown[] = [
        null,
        undefined,
        'ready',
        42,
        [],
        {},
        { type: 42 },
        { type: 'nope' },
        { type: 'constructor' },
        { type: 'toString' },
        { type: '__proto__' },
        { type: 'stop' },
        { type: 'stop', turnId: 7 },
        { type: 'setSticky', sticky: 'yes' },
        { type: 'runAction', action: 'workbench.action.terminal.new' },
        { type: 'runAction', action: 'retry' }, // retry goes as its own message with a turn id
        { type: 'request', requestId: 'r1', method: 'send', params: { text: 'x' } },
        { type: 'request', requestId: 'r1', method: 'send', params: { text: 5, model: 'auto' } },
        { type: 'request', requestId: 'r1', method: 'eval', params: {} },
        { type: 'request', requestId: 'r1', method: 'hasOwnProperty', params: {} },
        { type: 'request', method: 'send', params: { text: 'x', model: 'auto' } },
        { type: 'request', requestId: 'x'.repeat(101), method: 'send', params: { text: 'x', model: 'auto' } },
        { type: 'request', requestId: 'r1', method: 'send', params: { text: 'x'.repeat(MAX_PROMPT_CHARS + 1), model: 'auto' } },
      ];
      for (const message of bad) assert.equal(isChatToHost(message), false, JSON.stringify(message)?.slice(0, 120));
    });
  });

  describe('chat: host -> webview', () => {
    it('accepts turns, routes, deltas and responses', () => {
      assert.equal(isChatToWebview({ type: 'turnAdded', conversationId: 'c', turn }), true);
      assert.equal(isChatToWebview({ type: 'turnRouted', conversationId: 'c', turnId: 't1', route }), true);
      assert.equal(isChatToWebview({ type: 'turnDelta', conversationId: 'c', turnId: 't1', answer: 'a', thinking: '' }), true);
      assert.equal(isChatToWebview({ type: 'turnFinished', conversationId: 'c', turn: { ...turn, status: 'error', usage: null, error: { kind: 'auth', message: 'bad key', actions: ['setApiKey', 'retry'] } } }), true);
      assert.equal(isChatToWebview({ type: 'stickyRoute', conversationId: 'c', route: null }), true);
      assert.equal(isChatToWebview({ type: 'response', requestId: 'r1', method: 'send', ok: true, result: { turnId: 't1' } }), true);
      assert.equal(isChatToWebview({ type: 'response', requestId: 'r1', method: 'send', ok: false, error: 'busy' }), true);
    });

    it('rejects a state without every string, and a badge with a wrong field', () => {
      const strings = localizeTable(CHAT_STRINGS, (s) => s);
      const conversation = { id: 'c', title: 't', createdAt: 0, updatedAt: 0, turns: [turn], stickyRoute: null };
      const state = { strings, models: [{ key: 'qwen-plus', label: 'qwen-plus', tier: 'medium' }], selectedModel: AUTO_MODEL, sticky: false, conversation, conversations: [], busyTurnId: null, keepDraft: true };
      assert.equal(isChatToWebview({ type: 'state', state }), true);
      const { send: _omitted, ...missing } = strings;
      assert.equal(isChatToWebview({ type: 'state', state: { ...state, strings: missing } }), false);
      assert.equal(isChatToWebview({ type: 'turnRouted', conversationId: 'c', turnId: 't1', route: { ...route, tier: 'huge' } }), false);
      assert.equal(isChatToWebview({ type: 'turnRouted', conversationId: 'c', turnId: 't1', route: { ...route, complexity: Number.NaN } }), false);
      assert.equal(isChatToWebview({ type: 'response', requestId: 'r1', method: 'send', ok: true, result: {} }), false);
    });
  });

  describe('stats', () => {
    it('guards requests in both directions', () => {
      const filter = { ...NO_FILTER, tier: 'simple' };
      assert.equal(isStatsToHost({ type: 'ready' }), true);
      assert.equal(isStatsToHost({ type: 'request', requestId: 'a', method: 'getPage', params: { offset: 0, limit: 50, filter } }), true);
      assert.equal(isStatsToHost({ type: 'request', requestId: 'a', method: 'getPage', params: { offset: -1, limit: 50, filter } }), false);
      assert.equal(isStatsToHost({ type: 'request', requestId: 'a', method: 'getPage', params: { offset: 0, limit: 100_000, filter } }), false);
      assert.equal(isStatsToHost({ type: 'request', requestId: 'a', method: 'getPage', params: { offset: 0, limit: 50, filter: { tier: 'simple' } } }), false);
      assert.equal(isStatsToHost({ type: 'request', requestId: 'a', method: 'whatIf', params: { thresholds: { simple: 0.2, medium: 0.6 } } }), true);
      assert.equal(isStatsToHost({ type: 'request', requestId: 'a', method: 'whatIf', params: { thresholds: { simple: '0.2', medium: 0.6 } } }), false);
      assert.equal(isStatsToHost({ type: 'request', requestId: 'a', method: 'export', params: { format: 'csv', includeText: false } }), true);
      assert.equal(isStatsToHost({ type: 'request', requestId: 'a', method: 'export', params: { format: 'xml', includeText: false } }), false);
      assert.equal(isStatsToWebview({ type: 'response', requestId: 'a', method: 'getPage', ok: true, result: { total: 1, offset: 0, limit: 50, records: [{}] } }), true);
      assert.equal(isStatsToWebview({ type: 'response', requestId: 'a', method: 'getPage', ok: true, result: { total: 1, offset: 0, limit: 50, records: [1] } }), false);
      assert.equal(isStatsToWebview({ type: 'historyChanged', stats: {}, filters: { tiers: [], models: [], methods: [] }, updatedAt: 1 }), true);
    });

    it('admits a state without its stats (and without the page total), and the stats that follow it', () => {
      const filters = { tiers: ['simple'], models: [], methods: [] };
      const state = {
        strings: localizeTable(STATS_STRINGS, (s) => s),
        stats: null,
        filters,
        page: { total: null, offset: 0, limit: 50, records: [{ id: 'a' }] },
        thresholds: { simple: 0.3, medium: 0.5 },
        historyPath: '/h.jsonl',
        updatedAt: 1,
        error: null,
      };
      assert.equal(isStatsToWebview({ type: 'state', state }), true);
      assert.equal(isStatsToWebview({ type: 'state', state: { ...state, stats: {}, page: { ...state.page, total: 1 } } }), true);
      assert.equal(isStatsToWebview({ type: 'state', state: { ...state, stats: undefined } }), false);
      assert.equal(isStatsToWebview({ type: 'state', state: { ...state, stats: 'none' } }), false);
      assert.equal(isStatsToWebview({ type: 'state', state: { ...state, page: { ...state.page, total: '1' } } }), false);
      assert.equal(isStatsToWebview({ type: 'stats', stats: {}, filters, updatedAt: 2, error: null }), true);
      assert.equal(isStatsToWebview({ type: 'stats', stats: {}, filters, updatedAt: 2, error: 'EACCES' }), true);
      assert.equal(isStatsToWebview({ type: 'stats', stats: null, filters, updatedAt: 2, error: null }), false);
      assert.equal(isStatsToWebview({ type: 'stats', stats: {}, filters, updatedAt: 2 }), false);
      assert.equal(isStatsToWebview({ type: 'stats', stats: {}, filters: { tiers: 'simple' }, updatedAt: 2, error: null }), false);
      // A getPage answer always has its total.
      assert.equal(isStatsToWebview({ type: 'response', requestId: 'a', method: 'getPage', ok: true, result: { total: null, offset: 0, limit: 50, records: [] } }), false);
    });

    it('classifies and filters records the same way for the host and the webview', () => {
      const ok = { timestamp: 1, request: { messages: [{ role: 'user', content: 'Write a Haiku' }] }, routing: { method: 'nvidia_classifier', tier: 'simple', task_type: 'Text Generation', query: 'Write a Haiku' }, llm: { model: 'qwen-flash', response_content: 'Old pond' } };
      const failed = { ...ok, error: { kind: 'auth', message: 'The API key was rejected' }, llm: { model: 'qwen-max', response_content: null } };
      const cancelled = { ...ok, cancelled: true };
      assert.equal(recordStatus(ok), 'ok');
      assert.equal(recordStatus(failed), 'failed');
      assert.equal(recordStatus(cancelled), 'cancelled');
      assert.equal(matchesFilter(ok, NO_FILTER), true);
      assert.equal(matchesFilter(ok, { ...NO_FILTER, tier: 'simple', model: 'qwen-flash', method: 'nvidia_classifier', status: 'ok' }), true);
      assert.equal(matchesFilter(ok, { ...NO_FILTER, tier: 'medium' }), false);
      assert.equal(matchesFilter(ok, { ...NO_FILTER, text: 'haiku' }), true);
      assert.equal(matchesFilter(ok, { ...NO_FILTER, text: 'old POND' }), true);
      assert.equal(matchesFilter(ok, { ...NO_FILTER, text: 'sonnet' }), false);
      assert.equal(matchesFilter(failed, { ...NO_FILTER, text: 'rejected' }), true);
      assert.equal(matchesFilter(failed, { ...NO_FILTER, status: 'ok' }), false);
      assert.equal(matchesFilter({}, { ...NO_FILTER, text: 'x' }), false);
    });

    it('has every string as a non-empty English text', () => {
      for (const table of [CHAT_STRINGS, STATS_STRINGS]) for (const [key, text] of Object.entries(table)) assert.ok(text.trim().length > 0, key);
    });
  });

  describe('requests and responses', () => {
    it('correlates responses to requests by id, whatever the order they come back in', async () => {
      const sent: RequestMessage<StatsRequests>[] = [];
      const pending = new PendingRequests<StatsRequests>((message) => sent.push(message));
      const first = pending.request('whatIf', { thresholds: { simple: 0.1, medium: 0.2 } });
      const second = pending.request('export', { format: 'json', includeText: false });
      assert.equal(sent.length, 2);
      assert.notEqual(sent[0].requestId, sent[1].requestId);
      assert.equal(pending.size, 2);
      // The answer to the second comes back first.
      assert.equal(pending.settle({ type: 'response', requestId: sent[1].requestId, method: 'export', ok: true, result: { path: '/tmp/x.json', records: 3 } }), true);
      assert.deepEqual(await second, { path: '/tmp/x.json', records: 3 });
      // A response for an unknown id, or with the wrong method for the id, settles nothing.
      assert.equal(pending.settle({ type: 'response', requestId: 'nope', method: 'export', ok: false, error: 'x' }), false);
      assert.equal(pending.settle({ type: 'response', requestId: sent[0].requestId, method: 'getPage', ok: false, error: 'x' }), false);
      assert.equal(pending.settle({ type: 'response', requestId: sent[0].requestId, method: 'whatIf', ok: false, error: 'no history' }), true);
      await assert.rejects(first, /no history/);
      assert.equal(pending.size, 0);
    });

    it('answers a request through a handler table, turning a throw into an error reply', async () => {
      const handlers = {
        send: async (params: ChatRequests['send']['params']) => {
          if (!params.text.trim()) throw new Error('empty');
          return { turnId: `turn-for-${params.text}` };
        },
      };
      const okReply = await answerRequest<ChatRequests>(handlers, { type: 'request', requestId: 'q1', method: 'send', params: { text: 'x', model: AUTO_MODEL } });
      assert.deepEqual(okReply, { type: 'response', requestId: 'q1', method: 'send', ok: true, result: { turnId: 'turn-for-x' } });
      assert.equal(isChatToWebview(okReply), true);
      const errorReply: ResponseMessage<ChatRequests> = await answerRequest<ChatRequests>(handlers, { type: 'request', requestId: 'q2', method: 'send', params: { text: ' ', model: AUTO_MODEL } });
      assert.deepEqual(errorReply, { type: 'response', requestId: 'q2', method: 'send', ok: false, error: 'empty' });
    });

    it('rejects what is still pending on dispose and on time-out', async () => {
      const pending = new PendingRequests<StatsRequests>(() => undefined, 'x', 20);
      const timedOut = pending.request('getPage', { offset: 0, limit: 10, filter: NO_FILTER });
      await assert.rejects(timedOut, /no answer within 20 ms/);
      const other = new PendingRequests<StatsRequests>(() => undefined);
      const open = other.request('getPage', { offset: 0, limit: 10, filter: NO_FILTER });
      other.dispose();
      await assert.rejects(open, /closed/);
    });
  });

  it('dispatches through an exhaustive handler table', () => {
    const seen: string[] = [];
    const handlers: Handlers<ChatToHost> = {
      ready: () => seen.push('ready'),
      request: (m) => seen.push(`request:${m.method}:${m.params.text}`),
      stop: (m) => seen.push(`stop:${m.turnId}`),
      retry: () => seen.push('retry'),
      newChat: () => seen.push('newChat'),
      openConversation: () => seen.push('open'),
      setModel: (m) => seen.push(`model:${m.model}`),
      setSticky: (m) => seen.push(`sticky:${m.sticky}`),
      reroute: () => seen.push('reroute'),
      copy: () => seen.push('copy'),
      insert: () => seen.push('insert'),
      runAction: (m) => seen.push(`action:${m.action}`),
      draft: (m) => seen.push(`draft:${m.text}`),
      offerModel: () => seen.push('offerModel'),
      signal: (m) => seen.push(`signal:${m.turnId}:${m.signal}`),
      askNextTier: (m) => seen.push(`askNextTier:${m.turnId}`),
    };
    const incoming: unknown[] = [{ type: 'ready' }, { type: 'stop', turnId: 't9' }, { type: 'bogus' }, { type: 'request', requestId: '1', method: 'send', params: { text: 'hi', model: 'auto' } }, { type: 'runAction', action: 'openStats' }, { type: 'draft', text: 'how do' }, { type: 'draft', text: 'x'.repeat(200_001) }, { type: 'offerModel' }, { type: 'signal', turnId: 't1', signal: 'thumbs_down' }, { type: 'signal', turnId: 't1', signal: 'meh' }, { type: 'askNextTier', turnId: 't1' }, { type: 'askNextTier' }];
    for (const message of incoming) if (isChatToHost(message)) dispatch(handlers, message);
    assert.deepEqual(seen, ['ready', 'stop:t9', 'request:send:hi', 'action:openStats', 'draft:how do', 'offerModel', 'signal:t1:thumbs_down', 'askNextTier:t1']);
  });

  it('formats and localizes strings like vscode.l10n.t', () => {
    assert.equal(formatString('{0} in · {1} out tokens', 3, 'five'), '3 in · five out tokens');
    assert.equal(formatString('keeps {2} when missing', 'a'), 'keeps {2} when missing');
    const upper = localizeTable({ a: 'one', b: 'two' }, (s) => s.toUpperCase());
    assert.deepEqual(upper, { a: 'ONE', b: 'TWO' });
  });
});
