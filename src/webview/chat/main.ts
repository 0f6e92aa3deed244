/**
 * The sidebar chat (webview side). The host owns the conversation; this page renders what it is
 * told (`state`, then turn updates), and turns clicks and keys into protocol messages.
 */
import { AUTO_MODEL, isChatToWebview, MAX_PROMPT_CHARS, type ChatAction, type ChatRequests, type ChatState, type ChatStrings, type ChatToHost, type ChatToWebview, type ChatTurn, type RouteBadge } from '../../protocol/chat';
import { dispatch, formatString, PendingRequests, type Handlers } from '../../protocol/common';
import { badgeParts, badgeTooltipLines, tierLabel as sharedTierLabel, type BadgeFormat, type BadgePart } from '../../protocol/routeBadge';
import { button, clear, h, handleActionClicks, icon } from '../shared/dom';
import { formatInteger, formatMs, formatNumber, formatUsd } from '../shared/format';
import { codeOfBlock, renderMarkdown } from '../shared/markdown';
import { channel } from '../shared/vscodeApi';

interface SavedState {
  draft: string;
}

const isSavedState = (value: unknown): value is SavedState => typeof value === 'object' && value !== null && typeof (value as { draft?: unknown }).draft === 'string';

const host = channel<ChatToHost, ChatToWebview>(isChatToWebview);
const requests = new PendingRequests<ChatRequests>((message) => host.post(message), 'chat-', 30_000);

const app = document.getElementById('app') as HTMLElement;

let state: ChatState | undefined;
let s: ChatStrings;

interface TurnView {
  root: HTMLElement;
  badge: HTMLElement;
  thinking: HTMLDetailsElement;
  thinkingBody: HTMLElement;
  answer: HTMLElement;
  error: HTMLElement;
  footer: HTMLElement;
  renderPending: boolean;
}

const turnViews = new Map<string, TurnView>();

// Elements of the frame, built on the first `state`.
let log: HTMLElement;
let input: HTMLTextAreaElement;
let sendButton: HTMLButtonElement;
let modelSelect: HTMLSelectElement;
let stickyToggle: HTMLInputElement;
let historySelect: HTMLSelectElement;
let stickyChip: HTMLElement;
let notice: HTMLElement;

// --- Rendering -------------------------------------------------------------------------------

const badgeFormat: BadgeFormat = { number: formatNumber, ms: formatMs };
const tierLabel = (tier: string | null) => sharedTierLabel(s, tier);

function renderBadge(view: TurnView, turn: ChatTurn): void {
  const badge = view.badge;
  clear(badge);
  const route = turn.route;
  badge.hidden = false;
  if (!route) {
    badge.className = 'route-badge pending';
    badge.dataset.state = 'routing';
    badge.title = '';
    badge.append(icon('loading', 'codicon-modifier-spin'), h('span', { text: s.routing }));
    // A turn that ended before routing finished (no key, stopped early) has no decision to show.
    if (turn.status === 'error' || turn.status === 'cancelled') badge.hidden = true;
    return;
  }
  badge.className = `route-badge method-${route.method}`;
  badge.dataset.state = 'routed';
  badge.dataset.tier = route.tier ?? '';
  badge.dataset.model = route.modelKey;
  badge.title = badgeTooltipLines(route, s, badgeFormat).join('\n');
  const parts: (Node | null)[] = [];
  parts.push(icon(route.method === 'fallback_token_length' ? 'warning' : route.sticky ? 'pinned' : route.method === 'user_specified' ? 'account' : 'sparkle'));
  for (const part of badgeParts(route, s, badgeFormat)) parts.push(badgeElement(part, route));
  // No model: the badge offers the download (the host shows the same offer as on the first ask).
  if (route.fallbackReason === 'model_missing') parts.push(button({ action: 'offer-model', label: s.offerModel, title: s.offerModelHint, iconName: 'cloud-download', className: 'badge-offer' }));
  for (const part of parts) if (part) badge.append(part);
}

const BADGE_CLASSES: Record<BadgePart['kind'], string> = {
  tier: 'tier-pill',
  model: 'badge-model',
  detail: 'badge-detail',
  task: 'badge-detail badge-task',
  thinking: 'badge-detail badge-thinking',
  pooled: 'badge-detail badge-pooled',
  fallback: 'badge-detail badge-fallback',
  time: 'badge-detail badge-time',
};

function badgeElement(part: BadgePart, route: RouteBadge): HTMLElement {
  const data: Record<string, string> | undefined = part.kind === 'tier' && route.tier ? { tier: route.tier } : part.kind === 'thinking' ? { budget: String(route.thinking?.budget ?? '') } : undefined;
  return h('span', { className: BADGE_CLASSES[part.kind], text: part.text, ...(part.title ? { title: part.title } : {}), ...(data ? { data } : {}) });
}

function renderAnswer(view: TurnView, turn: ChatTurn): void {
  view.thinking.hidden = !turn.thinking;
  if (turn.thinking) view.thinkingBody.textContent = turn.thinking;
  clear(view.answer);
  if (turn.answer) {
    view.answer.append(renderMarkdown(turn.answer, { copy: s.copy, insert: s.insert }));
  } else if (turn.status === 'streaming' && turn.route) {
    view.answer.append(h('span', { className: 'placeholder', text: s.waiting }));
  }
  view.answer.dataset.streaming = String(turn.status === 'streaming');
}

function renderError(view: TurnView, turn: ChatTurn, isLast: boolean): void {
  clear(view.error);
  view.error.hidden = true;
  if (turn.status === 'cancelled') {
    view.error.hidden = false;
    view.error.className = 'turn-note';
    view.error.append(icon('debug-stop'), h('span', { text: s.stopped }));
    return;
  }
  if (turn.status !== 'error' || !turn.error) return;
  view.error.hidden = false;
  view.error.className = 'turn-error';
  view.error.dataset.kind = turn.error.kind;
  const labels: Record<ChatAction, string> = {
    retry: s.retry,
    setApiKey: s.setApiKey,
    chooseRegion: s.chooseRegion,
    openSettings: s.openSettings,
    downloadModel: s.downloadModel,
    openStats: s.openStats,
  };
  const actions = turn.error.actions.filter((action) => action !== 'retry' || isLast);
  view.error.append(h('div', { className: 'error-message' }, [icon('error'), h('span', { text: turn.error.message })]));
  if (actions.length) {
    view.error.append(h('div', { className: 'error-actions' }, actions.map((action) => button({ action: 'turn-action', label: labels[action], className: action === actions[0] ? 'primary' : 'secondary', data: { value: action, turn: turn.id } }))));
  }
}

function renderFooter(view: TurnView, turn: ChatTurn): void {
  clear(view.footer);
  const usage = turn.usage;
  view.footer.hidden = !usage;
  if (!usage) return;
  const items: HTMLElement[] = [];
  items.push(h('span', { text: usage.modelKey }));
  items.push(h('span', { text: formatString(s.latency, formatNumber(usage.latencyMs / 1000, 1)) }));
  if (usage.ttftMs !== null) items.push(h('span', { text: formatString(s.firstToken, formatInteger(usage.ttftMs)) }));
  items.push(h('span', { text: formatString(s.tokens, formatInteger(usage.inputTokens), formatInteger(usage.outputTokens)) }));
  if (usage.costUsd !== null) items.push(h('span', { className: 'cost', title: s.costTooltip, text: formatString(s.cost, formatUsd(usage.costUsd).slice(1)) }));
  if (usage.escalatedFrom.length) items.push(h('span', { className: 'escalated', text: formatString(s.escalatedFrom, usage.escalatedFrom.join(', ')) }));
  view.footer.append(...items);
  if (turn.status === 'done' && turn.recordId) view.footer.append(signalButtons(turn));
}

/** 👍/👎 (the chosen one pressed) and, below the top tier, "Ask the next tier instead". */
function signalButtons(turn: ChatTurn): HTMLElement {
  const thumb = (signal: 'thumbs_up' | 'thumbs_down', iconName: string, label: string) => {
    const pressed = turn.signal === signal;
    const b = button({ action: 'turn-signal', iconName, title: label, className: `signal ${pressed ? 'pressed' : ''}`.trim(), data: { turn: turn.id, value: signal } });
    b.setAttribute('aria-pressed', String(pressed));
    return b;
  };
  const items: HTMLElement[] = [thumb('thumbs_up', 'thumbsup', s.thumbsUp), thumb('thumbs_down', 'thumbsdown', s.thumbsDown)];
  if (turn.nextTierModel) items.push(button({ action: 'ask-next-tier', label: s.askNextTier, title: formatString(s.askNextTierHint, turn.nextTierModel), iconName: 'arrow-up', className: 'link next-tier', data: { turn: turn.id } }));
  return h('span', { className: 'turn-signals' }, items);
}

function createTurnView(turn: ChatTurn): TurnView {
  const thinkingBody = h('div', { className: 'thinking-body' });
  const thinking = h('details', { className: 'thinking' }, [h('summary', {}, [icon('lightbulb'), h('span', { text: s.thinking })]), thinkingBody]);
  const view: TurnView = {
    root: h('article', { className: 'turn', data: { turn: turn.id } }),
    badge: h('div', { className: 'route-badge', attrs: { role: 'status' } }),
    thinking,
    thinkingBody,
    answer: h('div', { className: 'answer markdown-body' }),
    error: h('div', { className: 'turn-error' }),
    footer: h('div', { className: 'turn-footer' }),
    renderPending: false,
  };
  view.root.append(
    h('div', { className: 'msg user' }, [h('div', { className: 'who', text: s.you }), h('div', { className: 'prompt', text: turn.prompt })]),
    h('div', { className: 'msg assistant' }, [view.badge, view.thinking, view.answer, view.error, view.footer]),
  );
  turnViews.set(turn.id, view);
  return view;
}

function isLastTurn(turn: ChatTurn): boolean {
  const turns = state?.conversation.turns ?? [];
  return turns.length > 0 && turns[turns.length - 1].id === turn.id;
}

function renderTurn(turn: ChatTurn): void {
  const view = turnViews.get(turn.id) ?? createTurnView(turn);
  view.root.dataset.status = turn.status;
  renderBadge(view, turn);
  renderAnswer(view, turn);
  renderError(view, turn, isLastTurn(turn));
  renderFooter(view, turn);
  if (!view.root.isConnected) log.append(view.root);
}

/** Streaming: re-render the answer at most once a frame, however many deltas arrive. */
function scheduleAnswer(conversationId: string, turnId: string): void {
  const view = turnViews.get(turnId);
  if (!view || view.renderPending) return;
  view.renderPending = true;
  requestAnimationFrame(() => {
    view.renderPending = false;
    // The turn as it is now (turnFinished may have replaced it since).
    const turn = currentTurn(conversationId, turnId);
    if (!turn || turnViews.get(turnId) !== view) return;
    const stick = nearBottom();
    renderAnswer(view, turn);
    if (stick) scrollToBottom();
  });
}

function nearBottom(): boolean {
  return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
}

function scrollToBottom(): void {
  log.scrollTop = log.scrollHeight;
}

function renderLog(): void {
  if (!state) return;
  turnViews.clear();
  clear(log);
  const turns = state.conversation.turns;
  if (turns.length === 0) {
    log.append(h('div', { className: 'empty' }, [icon('comment-discussion', 'empty-icon'), h('h2', { text: s.emptyTitle }), h('p', { text: s.emptyBody })]));
  }
  for (const turn of turns) renderTurn(turn);
  scrollToBottom();
}

function renderSettings(): void {
  if (!state) return;
  clear(modelSelect);
  modelSelect.append(h('option', { text: s.auto, attrs: { value: AUTO_MODEL } }));
  for (const model of state.models) {
    modelSelect.append(h('option', { text: model.tier ? `${model.label} · ${tierLabel(model.tier)}` : model.label, attrs: { value: model.key } }));
  }
  modelSelect.value = state.models.some((m) => m.key === state?.selectedModel) ? state.selectedModel : AUTO_MODEL;
  stickyToggle.checked = state.sticky;
  renderStickyChip();
}

function renderStickyChip(): void {
  if (!state) return;
  clear(stickyChip);
  const route = state.conversation.stickyRoute;
  const show = state.sticky && route !== null && modelSelect.value === AUTO_MODEL;
  stickyChip.hidden = !show;
  if (!show || !route) return;
  const label = route.tier ? `${route.modelKey} (${tierLabel(route.tier)})` : route.modelKey;
  stickyChip.append(icon('pinned'), h('span', { text: formatString(s.keptRoute, label) }), button({ action: 'reroute', label: s.reroute, title: s.rerouteHint, className: 'link' }));
}

function renderHistory(): void {
  if (!state) return;
  clear(historySelect);
  historySelect.append(h('option', { text: s.conversations, attrs: { value: '' } }));
  for (const item of state.conversations) {
    const option = h('option', { text: item.title, attrs: { value: item.id } });
    if (item.id === state.conversation.id) option.disabled = true;
    historySelect.append(option);
  }
  historySelect.value = '';
  historySelect.disabled = state.conversations.length <= 1;
}

function renderBusy(): void {
  if (!state) return;
  const busy = state.busyTurnId !== null;
  app.dataset.busy = String(busy);
  clear(sendButton);
  if (busy) {
    sendButton.dataset.action = 'stop';
    sendButton.title = s.stop;
    sendButton.setAttribute('aria-label', s.stop);
    sendButton.append(icon('debug-stop'));
    sendButton.disabled = false;
  } else {
    sendButton.dataset.action = 'send';
    sendButton.title = s.send;
    sendButton.setAttribute('aria-label', s.send);
    sendButton.append(icon('send'));
    sendButton.disabled = input.value.trim() === '';
  }
}

function showNotice(text: string): void {
  notice.textContent = text;
  notice.hidden = !text;
}

function buildFrame(): void {
  clear(app);
  modelSelect = h('select', { className: 'model-select', title: s.model, attrs: { 'aria-label': s.model } });
  stickyToggle = h('input', { attrs: { type: 'checkbox', id: 'sticky-toggle' } });
  historySelect = h('select', { className: 'history-select', title: s.conversations, attrs: { 'aria-label': s.conversations } });
  const header = h('header', { className: 'toolbar' }, [
    modelSelect,
    h('label', { className: 'sticky-toggle', title: s.keepRoute, attrs: { for: 'sticky-toggle' } }, [stickyToggle, icon('pin'), h('span', { className: 'label', text: s.keepRoute })]),
    h('span', { className: 'spacer' }),
    historySelect,
    button({ action: 'new-chat', iconName: 'add', title: s.newChat }),
  ]);
  log = h('main', { className: 'log', attrs: { role: 'log', 'aria-live': 'polite' } });
  stickyChip = h('div', { className: 'sticky-chip' });
  notice = h('div', { className: 'notice', attrs: { role: 'alert' } });
  notice.hidden = true;
  input = h('textarea', { className: 'input', attrs: { rows: '1', placeholder: s.placeholder, 'aria-label': s.placeholder } });
  input.value = host.getState(isSavedState)?.draft ?? '';
  sendButton = h('button', { className: 'btn send', attrs: { type: 'button' } });
  const composer = h('footer', { className: 'composer' }, [stickyChip, notice, h('div', { className: 'input-row' }, [input, sendButton])]);
  app.append(header, log, composer);
  app.removeAttribute('aria-busy');

  modelSelect.addEventListener('change', () => {
    host.post({ type: 'setModel', model: modelSelect.value });
    if (state) state.selectedModel = modelSelect.value;
    renderStickyChip();
  });
  stickyToggle.addEventListener('change', () => host.post({ type: 'setSticky', sticky: stickyToggle.checked }));
  historySelect.addEventListener('change', () => {
    if (historySelect.value) host.post({ type: 'openConversation', conversationId: historySelect.value });
  });
  input.addEventListener('input', () => {
    saveDraft();
    autosize();
    renderBusy();
    scheduleDraft();
  });
  input.addEventListener('keydown', (event) => {
    // Enter sends; Shift+Enter breaks the line; Enter that confirms an IME composition does neither.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      if (state?.busyTurnId === null) void send();
    } else if (event.key === 'Escape' && state?.busyTurnId) {
      host.post({ type: 'stop', turnId: state.busyTurnId });
    }
  });
  autosize();
}

/**
 * The host classifies the draft this long after the last keystroke, so Enter finds the verdict ready:
 * int8 classifies a chat-sized prompt in about 20 ms, so a draft posted 150 ms after the last key is
 * routed before an Enter 250 ms after it; keys typed faster than this are not classified one by one.
 */
const DRAFT_DEBOUNCE_MS = 150;
let draftTimer: ReturnType<typeof setTimeout> | undefined;

/** Posts the draft after a pause in typing (classification is local; the host keeps it in memory only). */
function scheduleDraft(): void {
  clearTimeout(draftTimer);
  draftTimer = setTimeout(() => {
    draftTimer = undefined;
    const text = input.value;
    if (text.trim() && text.length <= MAX_PROMPT_CHARS) host.post({ type: 'draft', text });
  }, DRAFT_DEBOUNCE_MS);
}

/** VS Code writes a page's saved state to disk: under privacy "metadata" the draft stays out of it. */
function saveDraft(): void {
  host.setState({ draft: state?.keepDraft === false ? '' : input.value } satisfies SavedState);
}

function autosize(): void {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 240)}px`;
}

function renderAll(): void {
  renderSettings();
  renderHistory();
  renderLog();
  renderBusy();
}

// --- Actions ---------------------------------------------------------------------------------

async function send(): Promise<void> {
  const text = input.value;
  if (!text.trim() || !state) return;
  showNotice('');
  clearTimeout(draftTimer);
  draftTimer = undefined;
  input.value = '';
  host.setState({ draft: '' } satisfies SavedState);
  autosize();
  try {
    await requests.request('send', { text, model: modelSelect.value });
  } catch (error) {
    // Not accepted (an answer still running, too long): give the text back.
    if (!input.value) input.value = text;
    saveDraft();
    autosize();
    showNotice(error instanceof Error ? error.message : String(error));
  }
  renderBusy();
}

function flash(target: HTMLElement, iconName: string): void {
  const glyph = target.querySelector('.codicon');
  if (!glyph) return;
  const previous = glyph.className;
  glyph.className = `codicon codicon-${iconName}`;
  setTimeout(() => {
    glyph.className = previous;
  }, 1200);
}

const clickActions: Record<string, (target: HTMLElement) => void> = {
  send: () => void send(),
  stop: () => {
    if (state?.busyTurnId) host.post({ type: 'stop', turnId: state.busyTurnId });
  },
  'new-chat': () => host.post({ type: 'newChat' }),
  'offer-model': () => host.post({ type: 'offerModel' }),
  reroute: () => host.post({ type: 'reroute' }),
  'copy-code': (target) => {
    const code = codeOfBlock(target);
    if (code === undefined) return;
    host.post({ type: 'copy', text: code });
    flash(target, 'check');
  },
  'insert-code': (target) => {
    const code = codeOfBlock(target);
    if (code !== undefined) host.post({ type: 'insert', text: code });
  },
  'turn-signal': (target) => {
    const turnId = target.dataset.turn;
    const signal = target.dataset.value;
    if (turnId && (signal === 'thumbs_up' || signal === 'thumbs_down')) host.post({ type: 'signal', turnId, signal });
  },
  'ask-next-tier': (target) => {
    const turnId = target.dataset.turn;
    if (turnId && !state?.busyTurnId) host.post({ type: 'askNextTier', turnId });
  },
  'turn-action': (target) => {
    const action = target.dataset.value;
    const turnId = target.dataset.turn;
    if (action === 'retry' && turnId) host.post({ type: 'retry', turnId });
    else if (action === 'setApiKey' || action === 'chooseRegion' || action === 'openSettings' || action === 'downloadModel' || action === 'openStats') host.post({ type: 'runAction', action });
  },
};

handleActionClicks(app, clickActions);

// --- Host messages ---------------------------------------------------------------------------

function currentTurn(conversationId: string, turnId: string): ChatTurn | undefined {
  if (!state || state.conversation.id !== conversationId) return undefined;
  return state.conversation.turns.find((turn) => turn.id === turnId);
}

function replaceTurn(conversationId: string, turn: ChatTurn): void {
  if (!state || state.conversation.id !== conversationId) return;
  const turns = state.conversation.turns;
  const index = turns.findIndex((t) => t.id === turn.id);
  if (index === -1) turns.push(turn);
  else turns[index] = turn;
}

const handlers: Handlers<ChatToWebview> = {
  state: (message) => {
    const first = state === undefined;
    state = message.state;
    s = state.strings;
    if (first) buildFrame();
    renderAll();
    saveDraft();
  },
  response: (message) => {
    requests.settle(message);
  },
  turnAdded: (message) => {
    if (!state || state.conversation.id !== message.conversationId) return;
    if (state.conversation.turns.length === 0) clear(log); // the empty-state hint
    replaceTurn(message.conversationId, message.turn);
    state.busyTurnId = message.turn.id;
    // The turn before may lose its Retry button now that it is no longer the last.
    const turns = state.conversation.turns;
    if (turns.length > 1) renderTurn(turns[turns.length - 2]);
    renderTurn(message.turn);
    renderBusy();
    scrollToBottom();
  },
  turnRouted: (message) => {
    const turn = currentTurn(message.conversationId, message.turnId);
    const view = turnViews.get(message.turnId);
    if (!turn || !view) return;
    turn.route = message.route;
    if (turn.status === 'routing') turn.status = 'streaming';
    view.root.dataset.status = turn.status;
    // Painted right away (not on the next frame): the badge comes before any token.
    renderBadge(view, turn);
    renderAnswer(view, turn);
  },
  turnDelta: (message) => {
    const turn = currentTurn(message.conversationId, message.turnId);
    if (!turn) return;
    turn.answer += message.answer;
    turn.thinking += message.thinking;
    if (turn.status === 'routing') turn.status = 'streaming';
    scheduleAnswer(message.conversationId, message.turnId);
  },
  turnFinished: (message) => {
    if (!state || state.conversation.id !== message.conversationId) return;
    replaceTurn(message.conversationId, message.turn);
    if (state.busyTurnId === message.turn.id) state.busyTurnId = null;
    const stick = nearBottom();
    renderTurn(message.turn);
    renderBusy();
    if (stick) scrollToBottom();
  },
  stickyRoute: (message) => {
    if (!state || state.conversation.id !== message.conversationId) return;
    state.conversation.stickyRoute = message.route;
    renderStickyChip();
  },
  settings: (message) => {
    if (!state) return;
    state.models = message.models;
    state.selectedModel = message.selectedModel;
    state.sticky = message.sticky;
    state.keepDraft = message.keepDraft;
    renderSettings();
    saveDraft();
  },
  focusInput: (message) => {
    if (!state) return;
    if (message.text !== null) {
      input.value = message.text;
      saveDraft();
      autosize();
      renderBusy();
    }
    input.focus();
  },
};

host.listen((message) => dispatch(handlers, message));
window.addEventListener('unload', () => requests.dispose());
host.post({ type: 'ready' });
