/**
 * The sidebar chat: a webview view in the Qwen Router activity-bar container. The host keeps the
 * conversations (per workspace) and runs each message through the core's `ask` (route, stream,
 * record); the webview renders. The routing badge is posted the moment routing is done, before the
 * first token; Stop aborts the HTTP request through an AbortSignal.
 */
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { AskEvents, AskRequest, AskResult } from '../core/ask';
import type { RouterConfig } from '../core/config';
import type { SignalKind } from '../core/history/signal';
import {
  AUTO_MODEL,
  CHAT_STRINGS,
  isChatToHost,
  MAX_PROMPT_CHARS,
  type ChatAction,
  type ChatRequests,
  type ChatState,
  type ChatToHost,
  type ChatToWebview,
  type ChatTurn,
  type Conversation,
} from '../protocol/chat';
import { answerRequest, dispatch, localizeTable, type Handlers, type RequestHandlers } from '../protocol/common';
import { badgeOf, ConversationStore, errorOf, messagesFor, modelForMessage, modelOptions, newTurn, nextTierModel, stickyBadge, usageOf } from './chatConversations';
import { Disposable } from './disposable';
import { failureText } from './errorText';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';

export const CHAT_VIEW_ID = 'qwenRouter.chat';
export const NEW_CHAT_COMMAND = 'qwenRouter.newChat';

/** Runs one message: the core's `ask` with its dependencies (config, classifier, store, API key) bound. */
export interface ChatBackend {
  ask(request: AskRequest, events: AskEvents): Promise<AskResult>;
  /** Appends a signal line about a recorded call (RouterService.signal). */
  signal?(recordId: string, kind: SignalKind): Promise<void>;
}

export interface ChatViewDeps {
  backend: ChatBackend;
  /** The current configuration (model table and tier policy), for the model picker. */
  getConfig(): Pick<RouterConfig, 'models' | 'policy' | 'privacy'>;
  /** Fires when the configuration changes (the picker is refreshed). */
  onDidChangeConfig?: vscode.Event<unknown>;  /** The extension's log, for messages the webview should not have sent. */
  log?: Logger;
  /** Classifies the draft while it is typed (ClassifierController.drafts). */
  drafts?: { update(text: string): void; sent(text: string): void };
  /** Opens the first-run download offer (the fallback badge's button). */
  offerModel?: () => unknown;
}

const SETTINGS_KEY_MODEL = 'qwenRouter.chat.model';
const SETTINGS_KEY_STICKY = 'qwenRouter.chat.sticky';
/** Deltas are coalesced for this long before they are posted (one message a frame, not one a token). */
const DELTA_FLUSH_MS = 16;

const ACTION_COMMANDS: Record<Exclude<ChatAction, 'retry'>, { command: string; args: unknown[] }> = {
  setApiKey: { command: 'qwenRouter.setApiKey', args: [] },
  chooseRegion: { command: 'qwenRouter.chooseRegion', args: [] },
  openSettings: { command: 'workbench.action.openSettings', args: ['qwenRouter'] },
  downloadModel: { command: 'qwenRouter.downloadModel', args: [] },
  openStats: { command: 'qwenRouter.openStats', args: [] },
};

/** A turn that re-asks an earlier one on the next tier. */
interface Reask {
  /** The conversation before the earlier turn, then its prompt. */
  messages: AskRequest['messages'];
  reaskOf: string;
  escalatedFromRecord: string;
  /** Appends the `next_tier` signal (a failure fails the turn, so no unlinked re-ask is made). */
  beforeAsk(): Promise<void>;
}

interface Running {
  conversation: Conversation;
  turn: ChatTurn;
  controller: AbortController;
  pendingAnswer: string;
  pendingThinking: string;
  flushTimer: ReturnType<typeof setTimeout> | undefined;
}

export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  /** Listeners of the current view; released when it is disposed or replaced. */
  private viewDisposables: vscode.Disposable[] = [];
  private ready = false;
  private readonly store: ConversationStore;
  private running: Running | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly deps: ChatViewDeps) {
    super();
    this.store = new ConversationStore(context.workspaceState, () => vscode.l10n.t('New chat'), () => this.keepsText());
    if (deps.onDidChangeConfig) {
      this.register(
        deps.onDidChangeConfig(() => {
          void this.store.save(); // a switch to "metadata" erases the stored conversations at once
          this.postSettings();
        }),
      );
    }
    this.register({ dispose: () => this.releaseView() });
    this.register({ dispose: () => this.running?.controller.abort() });
  }

  // --- Settings kept by the view -------------------------------------------------------------

  private get selectedModel(): string {
    const value = this.context.workspaceState.get<string>(SETTINGS_KEY_MODEL, AUTO_MODEL);
    return value === AUTO_MODEL || this.deps.getConfig().models[value] ? value : AUTO_MODEL;
  }

  private get sticky(): boolean {
    return this.context.globalState.get<boolean>(SETTINGS_KEY_STICKY, false);
  }

  // --- The view ------------------------------------------------------------------------------

  resolveWebviewView(view: vscode.WebviewView): void {
    this.releaseView();
    this.view = view;
    this.ready = false;
    const webview = view.webview;
    webview.options = webviewOptions(this.context.extensionUri);
    webview.html = renderWebviewHtml(webview, this.context.extensionUri, {
      script: 'chat',
      styles: ['codicons/codicon.css', 'webview.css', 'chat.css'],
      title: vscode.l10n.t('Qwen Router Chat'),
      lang: vscode.env.language,
    });
    this.viewDisposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      view.onDidDispose(() => {
        if (this.view === view) this.releaseView();
      }),
    );
  }

  private releaseView(): void {
    for (const disposable of this.viewDisposables.splice(0)) disposable.dispose();
    this.view = undefined;
    this.ready = false;
  }

  private post(message: ChatToWebview): void {
    if (this.view && this.ready) void this.view.webview.postMessage(message);
  }

  private state(): ChatState {
    const conversation = this.store.active;
    return {
      strings: localizeTable(CHAT_STRINGS, (text) => vscode.l10n.t(text)),
      models: modelOptions(this.deps.getConfig()),
      selectedModel: this.selectedModel,
      sticky: this.sticky,
      conversation,
      conversations: this.store.summaries(),
      busyTurnId: this.running && this.running.conversation === conversation ? this.running.turn.id : null,
      keepDraft: this.keepsText(),
    };
  }

  private postState(): void {
    this.flushDeltas();
    this.post({ type: 'state', state: this.state() });
  }

  private postSettings(): void {
    this.post({ type: 'settings', models: modelOptions(this.deps.getConfig()), selectedModel: this.selectedModel, sticky: this.sticky, keepDraft: this.keepsText() });
  }

  /** Whether text may be kept on disk: conversations and the page's draft (privacy "full"). */
  private keepsText(): boolean {
    return this.deps.getConfig().privacy === 'full';
  }

  // --- Messages from the webview -------------------------------------------------------------

  private receive(message: unknown): void {
    if (!isChatToHost(message)) {
      this.deps.log?.warn(`Chat view: ignored a message outside the protocol.`);
      return;
    }
    void Promise.resolve(dispatch(this.handlers, message)).catch((error: unknown) => {
      void vscode.window.showErrorMessage(vscode.l10n.t('Qwen Router chat: {0}', error instanceof Error ? error.message : String(error)));
    });
  }

  private readonly requestHandlers: RequestHandlers<ChatRequests> = {
    send: ({ text, model }) => {
      if (!text.trim()) throw new Error(vscode.l10n.t('The message is empty.'));
      if (text.length > MAX_PROMPT_CHARS) throw new Error(vscode.l10n.t(CHAT_STRINGS.tooLong));
      if (this.running) throw new Error(vscode.l10n.t(CHAT_STRINGS.busy));
      this.deps.drafts?.sent(text);
      const turn = this.startTurn(this.store.active, text, model === AUTO_MODEL || this.deps.getConfig().models[model] ? model : AUTO_MODEL);
      return { turnId: turn.id };
    },
  };

  private readonly handlers: Handlers<ChatToHost, unknown> = {
    ready: () => {
      this.ready = true;
      this.postState();
    },
    request: async (message) => {
      this.post(await answerRequest(this.requestHandlers, message));
    },
    stop: (message) => {
      if (this.running?.turn.id === message.turnId) this.running.controller.abort();
    },
    retry: (message) => this.retry(message.turnId),
    newChat: () => this.newChat(),
    openConversation: (message) => {
      if (this.store.open(message.conversationId)) {
        void this.store.save();
        this.postState();
      }
    },
    setModel: async (message) => {
      const model = message.model === AUTO_MODEL || this.deps.getConfig().models[message.model] ? message.model : AUTO_MODEL;
      await this.context.workspaceState.update(SETTINGS_KEY_MODEL, model);
    },
    setSticky: async (message) => {
      await this.context.globalState.update(SETTINGS_KEY_STICKY, message.sticky);
      this.postSettings();
    },
    reroute: () => {
      const conversation = this.store.active;
      conversation.stickyRoute = null;
      void this.store.save();
      this.post({ type: 'stickyRoute', conversationId: conversation.id, route: null });
    },
    copy: async (message) => {
      await vscode.env.clipboard.writeText(message.text);
    },
    insert: (message) => insertAtCursor(message.text),
    draft: (message) => {
      // Routing runs only for the automatic choice; a draft typed while an answer streams waits for Enter.
      if (this.selectedModel === AUTO_MODEL && !this.running) this.deps.drafts?.update(message.text);
    },
    offerModel: () => this.deps.offerModel?.(),
    signal: (message) => this.thumb(message.turnId, message.signal),
    askNextTier: (message) => this.askNextTier(message.turnId),
    runAction: async (message) => {
      const { command, args } = ACTION_COMMANDS[message.action];
      try {
        await vscode.commands.executeCommand(command, ...args);
      } catch (error) {
        void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
      }
    },
  };

  // --- Public --------------------------------------------------------------------------------

  /** Starts a new conversation (the New Chat button and command). */
  newChat(): void {
    if (this.running) this.running.controller.abort();
    this.store.startNew();
    void this.store.save();
    this.postState();
    this.post({ type: 'focusInput', text: null });
  }

  /** Shows the chat and puts text in its input (e.g. a selection to ask about). */
  async reveal(text?: string): Promise<void> {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    this.post({ type: 'focusInput', text: text ?? null });
  }

  /** The conversation shown now (for tests and other commands). */
  get activeConversation(): Conversation {
    return this.store.active;
  }

  /** Sends a message as if typed in the view; resolves with the finished turn. */
  send(text: string, model: string = AUTO_MODEL): Promise<ChatTurn> {
    if (this.running) return Promise.reject(new Error(vscode.l10n.t(CHAT_STRINGS.busy)));
    const turn = this.startTurn(this.store.active, text, model);
    return this.whenFinished(turn);
  }

  /** Aborts the running answer, if any. */
  stop(): void {
    this.running?.controller.abort();
  }

  private readonly finishWaiters = new Map<string, ((turn: ChatTurn) => void)[]>();

  private whenFinished(turn: ChatTurn): Promise<ChatTurn> {
    if (turn.status === 'done' || turn.status === 'error' || turn.status === 'cancelled') return Promise.resolve(turn);
    return new Promise((resolve) => {
      const list = this.finishWaiters.get(turn.id) ?? [];
      list.push(resolve);
      this.finishWaiters.set(turn.id, list);
    });
  }

  // --- Signals -------------------------------------------------------------------------------

  private findTurn(turnId: string): { conversation: Conversation; turn: ChatTurn; index: number } | undefined {
    const conversation = this.store.active;
    const index = conversation.turns.findIndex((t) => t.id === turnId);
    return index === -1 ? undefined : { conversation, turn: conversation.turns[index], index };
  }

  private async appendSignal(recordId: string, kind: SignalKind): Promise<void> {
    try {
      await this.deps.backend.signal?.(recordId, kind);
    } catch (error) {
      throw new Error(vscode.l10n.t('Could not record the signal: {0}', error instanceof Error ? error.message : String(error)));
    }
  }

  /** 👍/👎 on an answer: a signal line for its record; the turn shows the latest choice. */
  async thumb(turnId: string, kind: 'thumbs_up' | 'thumbs_down'): Promise<void> {
    const found = this.findTurn(turnId);
    if (!found?.turn.recordId || found.turn.signal === kind) return;
    await this.appendSignal(found.turn.recordId, kind);
    found.turn.signal = kind;
    void this.store.save();
    this.post({ type: 'turnFinished', conversationId: found.conversation.id, turn: found.turn });
  }

  /**
   * "Ask the next tier instead": a `next_tier` signal on the answer's record, then the same prompt
   * (with the conversation before it) on the next tier's model, as the user's choice for that
   * message; the new record links back through `escalated_from_record`.
   */
  askNextTier(turnId: string): Promise<ChatTurn> | undefined {
    if (this.running) throw new Error(vscode.l10n.t(CHAT_STRINGS.busy));
    const found = this.findTurn(turnId);
    const recordId = found?.turn.recordId;
    const model = found?.turn.nextTierModel;
    if (!found || !recordId || !model || !this.deps.getConfig().models[model]) return undefined;
    const { conversation, turn, index } = found;
    const context = messagesFor({ ...conversation, turns: conversation.turns.slice(0, index) }, turn.prompt);
    const next = this.startTurn(conversation, turn.prompt, model, { messages: context, reaskOf: turn.id, escalatedFromRecord: recordId, beforeAsk: () => this.appendSignal(recordId, 'next_tier') });
    return this.whenFinished(next);
  }

  // --- Running a message ---------------------------------------------------------------------

  private retry(turnId: string): void {
    if (this.running) return;
    const conversation = this.store.active;
    const last = conversation.turns[conversation.turns.length - 1];
    if (!last || last.id !== turnId || (last.status !== 'error' && last.status !== 'cancelled')) return;
    this.store.removeTurn(conversation, turnId);
    this.postState();
    this.startTurn(conversation, last.prompt, last.requestedModel);
  }

  private startTurn(conversation: Conversation, prompt: string, requestedModel: string, reask?: Reask): ChatTurn {
    const turn = newTurn(prompt, requestedModel);
    if (reask) turn.reaskOf = reask.reaskOf;
    const messages = reask?.messages ?? messagesFor(conversation, prompt);
    this.store.addTurn(conversation, turn);
    const running: Running = { conversation, turn, controller: new AbortController(), pendingAnswer: '', pendingThinking: '', flushTimer: undefined };
    this.running = running;
    this.post({ type: 'turnAdded', conversationId: conversation.id, turn });
    void this.run(running, messages, reask);
    return turn;
  }

  private async run(running: Running, messages: AskRequest['messages'], reask?: Reask): Promise<void> {
    const { conversation, turn, controller } = running;
    const choice = modelForMessage(turn.requestedModel, this.sticky, conversation);
    const kept = choice.sticky ? conversation.stickyRoute : null;
    let result: AskResult | undefined;
    try {
      await reask?.beforeAsk();
      result = await this.deps.backend.ask(
        { messages, model: choice.model, keepRoute: choice.keep, signal: controller.signal, surface: 'sidebar', ...(reask ? { escalatedFromRecord: reask.escalatedFromRecord } : {}) },
        {
          onRouting: ({ decision }) => {
            turn.route = kept ? stickyBadge(kept, decision) : badgeOf(decision);
            turn.status = 'streaming';
            this.post({ type: 'turnRouted', conversationId: conversation.id, turnId: turn.id, route: turn.route });
          },
          onAnswer: (delta) => {
            turn.answer += delta;
            running.pendingAnswer += delta;
            this.scheduleFlush(running);
          },
          onThinking: (delta) => {
            turn.thinking += delta;
            running.pendingThinking += delta;
            this.scheduleFlush(running);
          },
        },
      );
    } catch (error) {
      turn.status = 'error';
      turn.error = { kind: 'internal', message: error instanceof Error ? error.message : String(error), actions: ['retry'] };
    }
    this.flushDeltas();
    if (result) {
      turn.status = result.status === 'ok' ? 'done' : result.status;
      turn.answer = result.answer;
      turn.thinking = result.reasoning;
      turn.error = errorOf(result);
      if (turn.error && result.error) turn.error.message = failureText(result.error);
      turn.usage = usageOf(result);
      if (result.record.attempts && result.record.id) turn.recordId = result.record.id;
      const next = result.status === 'ok' ? nextTierModel(this.deps.getConfig(), turn.usage?.modelKey ?? result.record.llm.model) : undefined;
      if (next) turn.nextTierModel = next;
      if (!turn.route && result.decision) turn.route = kept ? stickyBadge(kept, result.decision) : badgeOf(result.decision);
      if (result.historyError) void vscode.window.showWarningMessage(result.historyError);
      // The first routed answer of a conversation fixes its route when "keep one route" is on.
      if (this.sticky && !conversation.stickyRoute && turn.requestedModel === AUTO_MODEL && result.status === 'ok' && result.decision && result.decision.method !== 'user_specified') {
        conversation.stickyRoute = badgeOf(result.decision);
        this.post({ type: 'stickyRoute', conversationId: conversation.id, route: conversation.stickyRoute });
      }
    }
    if (this.running === running) this.running = undefined;
    this.store.touch(conversation);
    this.post({ type: 'turnFinished', conversationId: conversation.id, turn });
    void this.store.save();
    for (const resolve of this.finishWaiters.get(turn.id) ?? []) resolve(turn);
    this.finishWaiters.delete(turn.id);
  }

  private scheduleFlush(running: Running): void {
    if (running.flushTimer !== undefined) return;
    running.flushTimer = setTimeout(() => this.flushDeltas(), DELTA_FLUSH_MS);
  }

  private flushDeltas(): void {
    const running = this.running;
    if (!running) return;
    if (running.flushTimer !== undefined) clearTimeout(running.flushTimer);
    running.flushTimer = undefined;
    if (!running.pendingAnswer && !running.pendingThinking) return;
    const message: ChatToWebview = { type: 'turnDelta', conversationId: running.conversation.id, turnId: running.turn.id, answer: running.pendingAnswer, thinking: running.pendingThinking };
    running.pendingAnswer = '';
    running.pendingThinking = '';
    this.post(message);
  }
}

async function insertAtCursor(text: string): Promise<void> {
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open an editor to insert the code into.'));
    return;
  }
  await editor.edit((builder) => {
    for (const selection of editor.selections) builder.replace(selection, text);
  });
}

/** Registers the chat view and its New Chat command. */
export function registerChatView(context: vscode.ExtensionContext, deps: ChatViewDeps): ChatViewProvider {
  const provider = new ChatViewProvider(context, deps);
  context.subscriptions.push(
    provider,
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, provider),
    vscode.commands.registerCommand(NEW_CHAT_COMMAND, async () => {
      await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
      provider.newChat();
    }),
  );
  return provider;
}
