/**
 * Qwen Router's models in VS Code's own chat (the Language Model Chat Provider API, VS Code 1.104):
 * "Qwen Router: Auto" and each tier's model. A request is converted to OpenAI messages by the pure
 * code of src/core/nativeChat and goes through the one core path (RouterService.ask: routed,
 * budget-gated, priced, recorded with surface "provider"); see docs/native-chat.md.
 */
import * as vscode from 'vscode';
import type { AskResult } from '../core/ask';
import type { ErrorKind } from '../core/llm/errors';
import { checkToolCalls } from '../core/llm/toolCalls';
import { answerFingerprint, planAutoRoute, TurnMemory, type AutoRoute } from '../core/nativeChat/continuity';
import { latestUserWords, toChatMessages, toOpenAiTools, type PlainMessage, type PlainPart } from '../core/nativeChat/messages';
import { AUTO_MODEL_ID, providerModels, type ProviderModel } from '../core/nativeChat/models';
import type { Continuity } from '../core/history/record';
import { countTokens, estimateTokens } from '../core/routing/tokens';
import { Disposable } from './disposable';
import { failureText } from './errorText';
import type { RouterService } from './routerService';

export const VENDOR = 'qwen-router';

/** `isUserSelectable` is not in 1.104's typings, but VS Code reads it: without it a model stays out of the picker. */
type ModelInformation = vscode.LanguageModelChatInformation & { isUserSelectable: boolean };

/** How long one request took to be routed and to start answering, for the host benchmark. */
export interface ProviderTiming {
  model: string;
  continuity?: Continuity;
  /** Converting the messages and deciding continuity (fingerprint, memory): all a tool continuation adds before the core. */
  planMs: number;
  /** From the request's arrival to the routing decision (the budget check included). */
  routedMs: number;
  /** From the request's arrival to the first text or tool call; undefined when none came. */
  firstTokenMs?: number;
}

/** The proposed System role (Copilot sends its system prompt with it); the stable enum has User and Assistant only. */
const SYSTEM_ROLE = 3;

function plainPart(part: unknown): PlainPart | undefined {
  if (part instanceof vscode.LanguageModelTextPart) return { kind: 'text', text: part.value };
  if (part instanceof vscode.LanguageModelToolCallPart) return { kind: 'toolCall', callId: part.callId, name: part.name, input: part.input };
  if (part instanceof vscode.LanguageModelToolResultPart) return { kind: 'toolResult', callId: part.callId, text: part.content.map(resultText).join('') };
  // Data parts (images) are not in 1.104's typings: recognised by their shape.
  const data = part as { mimeType?: unknown; data?: unknown };
  if (typeof data?.mimeType === 'string' && data.mimeType.startsWith('image/') && data.data instanceof Uint8Array) return { kind: 'image', mimeType: data.mimeType, data: data.data };
  return undefined;
}

function resultText(part: unknown): string {
  if (part instanceof vscode.LanguageModelTextPart) return part.value;
  if (part instanceof vscode.LanguageModelPromptTsxPart) return JSON.stringify(part.value);
  const data = part as { mimeType?: unknown; data?: unknown };
  if (typeof data?.mimeType === 'string' && /^(text\/|application\/json)/.test(data.mimeType) && data.data instanceof Uint8Array) return new TextDecoder().decode(data.data);
  return '';
}

export function plainMessage(message: vscode.LanguageModelChatRequestMessage): PlainMessage {
  const role = message.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : (message.role as number) === SYSTEM_ROLE ? 'system' : 'user';
  return { role, parts: message.content.map(plainPart).filter((part): part is PlainPart => part !== undefined) };
}

function money(amount: number, currency: string): string {
  return currency === 'CNY' ? `¥${amount}` : `$${amount}`;
}

function information(model: ProviderModel, config: RouterService['config']): ModelInformation {
  const auto = model.id === AUTO_MODEL_ID;
  const tiers = model.tiers.join(', ');
  const { tierModels } = config.policy;
  const price = model.price ? vscode.l10n.t('List price: {0} / {1} per 1M tokens (input / output), as of {2}.', money(model.price.input, model.price.currency), money(model.price.output, model.price.currency), model.price.asOf) : vscode.l10n.t('No list price in the model table.');
  return {
    id: model.id,
    name: auto ? vscode.l10n.t('Qwen Router: Auto') : model.id,
    family: model.family,
    version: '1',
    detail: auto ? vscode.l10n.t('routes each request') : vscode.l10n.t('Qwen Router, {0}', tiers),
    tooltip: auto
      ? vscode.l10n.t('Routes each request on your own words: simple → {0}, medium → {1}, complex → {2}. A conversation moves only up a tier.', tierModels.simple, tierModels.medium, tierModels.complex)
      : `${vscode.l10n.t('Tier: {0}.', tiers)} ${price}`,
    maxInputTokens: model.maxInputTokens,
    maxOutputTokens: model.maxOutputTokens,
    // Agent mode lists only tool-calling models.
    capabilities: { toolCalling: true, imageInput: model.imageInput },
    isUserSelectable: true,
  };
}

/** The same sentences as everywhere else, as the LanguageModelError kind a caller can tell apart. */
export function languageModelError(error: { kind: ErrorKind; message: string }): vscode.LanguageModelError {
  const text = failureText(error);
  switch (error.kind) {
    case 'no_api_key':
    case 'auth':
    case 'forbidden':
      return vscode.LanguageModelError.NoPermissions(text);
    case 'budget_exceeded':
    case 'rate_limited':
    case 'content_filtered':
      return vscode.LanguageModelError.Blocked(text);
    case 'unknown_model':
    case 'model_not_found':
      return vscode.LanguageModelError.NotFound(text);
    default:
      return new vscode.LanguageModelError(text);
  }
}

export class QwenLanguageModelProvider extends Disposable implements vscode.LanguageModelChatProvider<ModelInformation> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly timed = this.register(new vscode.EventEmitter<ProviderTiming>());
  readonly onDidTime = this.timed.event;
  /** Which route each recent answer left its conversation on (see src/core/nativeChat/continuity.ts). */
  readonly memory = new TurnMemory();

  constructor(private readonly router: RouterService) {
    super();
    // The tier table, the model table or prices changed: the picker asks again.
    this.register(router.onDidChangeConfig(() => this.changed.fire()));
  }

  provideLanguageModelChatInformation(): ModelInformation[] {
    const config = this.router.config;
    return providerModels(config).map((model) => information(model, config));
  }

  async provideLanguageModelChatResponse(
    model: ModelInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const arrived = performance.now();
    const plain = messages.map(plainMessage);
    const auto = model.id === AUTO_MODEL_ID;
    const routing: AutoRoute = auto ? planAutoRoute(plain, this.memory) : { routeQuery: latestUserWords(plain) };
    const planned = performance.now();
    const tools = toOpenAiTools(
      options.tools?.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema })),
      options.toolMode === vscode.LanguageModelChatToolMode.Required ? 'required' : 'auto',
    );
    // The token aborts the HTTP request; the core records the call as cancelled.
    const controller = new AbortController();
    const cancelled = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    const timing: ProviderTiming = { model: model.id, continuity: routing.keepRoute?.continuity, planMs: planned - arrived, routedMs: 0 };
    const firstToken = () => (timing.firstTokenMs ??= performance.now() - arrived);
    let result: AskResult;
    try {
      result = await this.router.ask(
        { messages: toChatMessages(plain, { images: model.capabilities.imageInput === true }), ...routing, model: auto ? undefined : model.id, ...tools, signal: controller.signal, surface: 'provider' },
        {
          onRouting: (event) => {
            timing.routedMs = performance.now() - arrived;
            timing.continuity ??= event.decision.routing.continuity;
          },
          onAnswer: (delta) => {
            firstToken();
            progress.report(new vscode.LanguageModelTextPart(delta));
          },
        },
      );
    } finally {
      cancelled.dispose();
    }
    if (result.status === 'cancelled' || token.isCancellationRequested) throw new vscode.CancellationError();
    if (result.status === 'error') throw languageModelError(result.error ?? { kind: 'internal', message: 'The call failed.' });
    // ask() has already failed an answer whose tool-call arguments are not complete JSON.
    const checked = checkToolCalls(result.toolCalls, () => `call_${crypto.randomUUID().replace(/-/g, '')}`);
    const calls = checked.ok ? checked.calls : [];
    for (const call of calls) {
      firstToken();
      progress.report(new vscode.LanguageModelToolCallPart(call.callId, call.name, call.input));
    }
    const decision = result.decision;
    if (auto && decision?.tier) this.memory.remember(answerFingerprint({ text: result.answer, toolCallIds: calls.map((call) => call.callId) }), { modelKey: decision.modelKey, tier: decision.tier });
    this.timed.fire(timing);
  }

  /** An estimate: cl100k_base (js-tiktoken) counts, not Qwen's own tokenizer. */
  async provideTokenCount(_model: ModelInformation, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    if (typeof text === 'string') return countTokens(text);
    return estimateTokens(toChatMessages([plainMessage(text)], { images: false }));
  }
}

/**
 * Registers the provider and resolves its models once, in the background: VS Code loads a
 * provider's models lazily, and until something asks for them its chat answers "Language model
 * unavailable".
 */
export function registerLanguageModelProvider(router: RouterService): { provider: QwenLanguageModelProvider; disposable: vscode.Disposable } {
  const provider = new QwenLanguageModelProvider(router);
  const registration = vscode.lm.registerLanguageModelChatProvider(VENDOR, provider);
  const timer = setTimeout(() => {
    vscode.lm.selectChatModels({ vendor: VENDOR }).then(
      (models) => router.log.info(`Language models resolved: ${models.map((m) => m.id).join(', ')}`),
      (error: unknown) => router.log.warn(`Could not resolve the language models: ${error instanceof Error ? error.message : String(error)}`),
    );
  }, 0);
  return { provider, disposable: vscode.Disposable.from(provider, registration, { dispose: () => clearTimeout(timer) }) };
}
