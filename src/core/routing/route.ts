/**
 * One routing decision: the user's override, else the classifier through the tier policy, else
 * (no classifier, or it could not answer) the token-length fallback with the reason recorded.
 * Builds the history's routing layer with the old service's field names.
 */
import type { ClassifierResult, ClassifyFn, ClassifyOutcome, FallbackReason } from '../classifier/result';
import type { ModelTable } from '../models/table';
import type { Continuity, RoutingLayer, RoutingMethod } from '../history/record';
import { pyRound } from '../pyround';
import { modelForTier, tierForClassification, tierForValue, TIERS, type RoutingPolicy, type Tier } from './policy';
import { decideThinking, thinkingField, type ThinkingDecision } from './thinking';
import { estimateTokens, type ChatMessage } from './tokens';

export interface RoutingDecision {
  modelKey: string;
  /** Undefined when the user named the model. */
  tier?: Tier;
  method: RoutingMethod;
  /** The record's routing layer. */
  routing: RoutingLayer;
  classifier?: ClassifierResult;
  fallbackReason?: FallbackReason;
  /** Whether the call thinks, and why (core/routing/thinking.ts). */
  thinking: ThinkingDecision;
  /** One line a UI can show before the first token ("qwen-plus (medium): complexity 0.41, Code Generation"). */
  summary: string;
}

export interface RouteRequest {
  messages: readonly ChatMessage[];
  /**
   * The text to classify and record as the query; default the last message's content. A caller whose
   * last message is not the user's own words (a tool result, attached context) passes the words here.
   */
  query?: string;
  /**
   * A kept route: this model and tier, recorded as "kept_route", nothing classified. `continuity`
   * and `reason` say why (a tool result continuing its turn); the sidebar's sticky routing gives neither.
   */
  keep?: { modelKey: string; tier?: Tier; continuity?: Continuity; reason?: string };
  /**
   * The route a conversation is on: a new turn is classified, and moves to its own tier's model only
   * when that tier is higher (a switch resets the provider's context cache); otherwise it stays,
   * recorded as "kept_route" with the classifier's verdict beside it.
   */
  conversation?: { modelKey: string; tier: Tier };
  /** A model key from the table: skips routing (the old service's "user_specified"). */
  override?: string;
  signal?: AbortSignal;
}

export interface RouteContext {
  policy: RoutingPolicy;
  models: ModelTable;
  /** The classifier seam; undefined when there is none (routing falls back with "model_missing"). */
  classify?: ClassifyFn;
  now?: () => number;
}

export class UnknownModelError extends Error {
  override name = 'UnknownModelError';
  constructor(readonly model: string, readonly known: string[]) {
    super(`Unknown model "${model}": configured models are ${known.join(', ')}.`);
  }
}

const round2 = (ms: number) => pyRound(ms, 2);

/** UTF-8 length: never below the token count, so a prompt shorter than a window in bytes fits it. */
function utf8Length(messages: readonly ChatMessage[]): number {
  return messages.reduce((total, m) => total + Buffer.byteLength(m.content, 'utf8') + Buffer.byteLength(m.role, 'utf8') + 4, 2);
}

/** Tokens of the prompt for the context-window check: exact count only when the cheap bound says it may not fit. */
function promptSizeFor(messages: readonly ChatMessage[], models: ModelTable, policy: RoutingPolicy): number | undefined {
  const smallest = Math.min(...Object.values(policy.tierModels).map((key) => models[key]?.contextWindow ?? Infinity));
  const bound = utf8Length(messages);
  return bound < smallest ? undefined : estimateTokens(messages);
}

async function classifyWithin(classify: ClassifyFn, prompt: string, budgetMs: number, outer: AbortSignal | undefined, now: () => number): Promise<ClassifyOutcome> {
  const started = now();
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<ClassifyOutcome>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve({ ok: false, reason: 'timeout', message: `the classifier did not answer within ${budgetMs} ms`, elapsedMs: now() - started });
      }, budgetMs);
    });
    const answer = classify(prompt, controller.signal).catch(
      (error: unknown): ClassifyOutcome => ({ ok: false, reason: 'classifier_error', message: error instanceof Error ? error.message : String(error), elapsedMs: now() - started }),
    );
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}

export async function route(request: RouteRequest, context: RouteContext): Promise<RoutingDecision> {
  const now = context.now ?? (() => performance.now());
  const { policy, models } = context;
  const messages = request.messages;
  const query = request.query ?? (messages.length ? messages[messages.length - 1].content : '');

  const thinkingOn = (modelKey: string, scores?: ClassifierResult) => decideThinking(policy.thinking ?? 'model-default', models[modelKey], scores);
  // The routing layer's thinking and pool facts (a model the user named keeps the old service's shape: no extra fields).
  const extras = (thinking: ThinkingDecision, tier?: Tier) => ({
    ...(tier && policy.pooled?.[tier] ? { pooled: policy.pooled[tier] } : {}),
    ...(policy.thinking && policy.thinking !== 'model-default' ? { thinking: thinkingField(thinking) } : {}),
  });
  const thinkingNote = (thinking: ThinkingDecision) => (thinking.enabled ? `thinking${thinking.budget ? ` (budget ${thinking.budget})` : ''}` : undefined);

  if (request.override) {
    if (!models[request.override]) throw new UnknownModelError(request.override, Object.keys(models));
    const thinking = thinkingOn(request.override);
    return {
      modelKey: request.override,
      method: 'user_specified',
      routing: { method: 'user_specified', query },
      thinking,
      summary: `${request.override} (chosen by you)`,
    };
  }

  if (request.keep) {
    const { modelKey, tier, continuity, reason } = request.keep;
    if (!models[modelKey]) throw new UnknownModelError(modelKey, Object.keys(models));
    const thinking = thinkingOn(modelKey);
    return {
      modelKey,
      tier,
      method: 'kept_route',
      routing: { method: 'kept_route', query, routing_latency_ms: 0, ...(tier ? { tier } : {}), ...(continuity ? { continuity } : {}), ...(reason ? { continuity_reason: reason } : {}), ...extras(thinking) },
      thinking,
      summary: `${modelKey}${tier ? ` (${tier})` : ''}: ${reason ?? 'kept for this conversation'}`,
    };
  }

  const decided = await classified();
  if (!request.conversation) return decided;
  return continueConversation(decided, request.conversation, models, (modelKey, tier) => {
    const thinking = thinkingOn(modelKey, decided.classifier);
    return { thinking, extra: extras(thinking, tier) };
  });

  async function classified(): Promise<RoutingDecision> {
    const started = now();
    let outcome: ClassifyOutcome;
    if (!context.classify) outcome = { ok: false, reason: 'model_missing', message: 'no classifier model is available', elapsedMs: 0 };
    else if (!query.trim()) outcome = { ok: false, reason: 'empty_prompt', message: 'the prompt is empty', elapsedMs: 0 };
    else outcome = await classifyWithin(context.classify, query, policy.classifierBudgetMs, request.signal, now);

    if (outcome.ok) {
      const result = outcome.result;
      const ruled = tierForClassification(result, policy);
      const placed = modelForTier(ruled.tier, policy, models, promptSizeFor(messages, models, policy));
      // domain_knowledge and reasoning are both the old service's names and the classifier's.
      const { domain_knowledge, reasoning, ...otherFields } = result;
      const thinking = thinkingOn(placed.modelKey, result);
      const routing: RoutingLayer = {
        method: 'nvidia_classifier',
        query,
        routing_latency_ms: round2(now() - started),
        tier: placed.tier,
        complexity_score: result.prompt_complexity_score,
        task_type: result.task_type_1,
        domain_knowledge,
        reasoning,
        creativity: result.creativity_scope,
        ...otherFields,
        ...(ruled.rule ? { rule: ruled.rule } : {}),
        ...(placed.adjusted ? { adjusted: placed.adjusted } : {}),
        ...(outcome.cached ? { cached: true } : {}),
        ...extras(thinking, placed.tier),
      };
      const why = [`complexity ${result.prompt_complexity_score}`, result.task_type_1, ruled.rule, placed.adjusted, routing.pooled, thinkingNote(thinking), outcome.cached ? 'classified while typed' : undefined].filter(Boolean).join(', ');
      return { modelKey: placed.modelKey, tier: placed.tier, method: 'nvidia_classifier', routing, classifier: result, thinking, summary: `${placed.modelKey} (${placed.tier}): ${why}` };
    }

    const tokens = estimateTokens(messages);
    const byLength = tierForValue(tokens, policy.tokens);
    const placed = modelForTier(byLength, policy, models, tokens);
    const thinking = thinkingOn(placed.modelKey);
    const routing: RoutingLayer = {
      method: 'fallback_token_length',
      query,
      routing_latency_ms: round2(now() - started),
      tier: placed.tier,
      estimated_tokens: tokens,
      fallback_reason: outcome.reason,
      error: outcome.message,
      ...(placed.adjusted ? { adjusted: placed.adjusted } : {}),
      ...extras(thinking, placed.tier),
    };
    return {
      modelKey: placed.modelKey,
      tier: placed.tier,
      method: 'fallback_token_length',
      routing,
      fallbackReason: outcome.reason,
      thinking,
      summary: `${placed.modelKey} (${placed.tier}): ~${tokens} tokens, by length (classifier: ${outcome.reason})${[placed.adjusted, routing.pooled].filter(Boolean).map((x) => `, ${x}`).join('')}`,
    };
  }
}

/**
 * A new turn of a conversation already on a route: the classified tier wins only when it is higher.
 * Either way the record keeps the verdict and says kept or re-routed, and why. `rethink` decides
 * thinking (and the pool) again for the kept model.
 */
function continueConversation(
  decided: RoutingDecision,
  current: { modelKey: string; tier: Tier },
  models: ModelTable,
  rethink: (modelKey: string, tier: Tier) => { thinking: ThinkingDecision; extra: Partial<RoutingLayer> },
): RoutingDecision {
  const from = `${current.modelKey} (${current.tier})`;
  const gone = !models[current.modelKey];
  if (gone || !decided.tier || TIERS.indexOf(decided.tier) > TIERS.indexOf(current.tier)) {
    const reason = gone ? `the conversation's ${current.modelKey} is no longer configured` : `this turn is ${decided.tier ?? 'unranked'}, above the conversation's ${from}`;
    return { ...decided, routing: { ...decided.routing, continuity: 'rerouted', continuity_reason: reason, previous_model: current.modelKey }, summary: `${decided.summary}; re-routed from ${from}` };
  }
  const reason = `this turn is ${decided.tier}, not above the conversation's ${current.tier}: stays on ${current.modelKey} (a switch resets the context cache)`;
  const { thinking, extra } = rethink(current.modelKey, current.tier);
  // The classified tier's pool and thinking facts do not apply to the kept model.
  const { pooled: _pooled, thinking: _thinking, ...verdict } = decided.routing;
  return {
    ...decided,
    modelKey: current.modelKey,
    tier: current.tier,
    method: 'kept_route',
    thinking,
    routing: { ...verdict, ...extra, method: 'kept_route', tier: current.tier, classified_tier: decided.tier, continuity: 'kept', continuity_reason: reason, previous_model: current.modelKey },
    summary: `${current.modelKey} (${current.tier}): kept; ${reason}`,
  };
}
