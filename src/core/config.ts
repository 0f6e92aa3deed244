/**
 * Everything the core needs to route and call, as one plain object: what the VS Code settings and
 * the CLI flags both map onto. `resolveConfig` fills defaults and reports problems in words.
 */
import { DEFAULT_MODELS, isRegion, validateModelTable, type ModelTable, type Region } from './models/table';
import { DEFAULT_POLICY, TIERS, validatePolicy, type RoutingPolicy, type TaskRule, type Thresholds, type Tier } from './routing/policy';
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS, type RetryPolicy, type Timeouts } from './llm/client';
import type { PrivacyMode } from './history/record';
import { baseUrlProblem } from './models/endpoints';
import { dialProblem, resolveThresholds, type ScoreDistribution, type ThresholdSource } from './routing/dial';
import { applyPool, type ModelPool } from './routing/pool';
import { DEFAULT_THINKING_MODE, isThinkingMode, THINKING_MODES, type ThinkingMode } from './routing/thinking';

export interface RouterConfig {
  models: ModelTable;
  policy: RoutingPolicy;
  /** Picks the DashScope base URL (qwenRouter.region). */
  region: Region;
  /** A custom base URL for every model without its own (qwenRouter.baseUrl); wins over the region. */
  baseUrl?: string;
  /** Try the next tier's model when a call fails before the first token (qwenRouter.escalateOnFailure). */
  escalate: boolean;
  /** Stream answers (qwenRouter.stream). */
  stream: boolean;
  /** The cost-quality dial (qwenRouter.routing.costQuality). */
  costQuality?: number;
  /** Where `policy.complexity` came from: the explicit setting, or the dial (on the history or its defaults). */
  thresholdSource: ThresholdSource;
  retry: RetryPolicy;
  timeouts: Timeouts;
  /** What the history keeps (qwenRouter.history.privacy). */
  privacy: PrivacyMode;
}

export const DEFAULT_CONFIG: RouterConfig = {
  models: DEFAULT_MODELS,
  policy: DEFAULT_POLICY,
  region: 'international',
  escalate: true,
  stream: true,
  retry: DEFAULT_RETRY,
  timeouts: DEFAULT_TIMEOUTS,
  privacy: 'full',
  thresholdSource: { kind: 'dial_defaults', dial: 5, calls: 0 },
};

/** The shape settings arrive in: every field optional, nested objects partial. */
export interface ConfigInput {
  models?: ModelTable;
  /** Merge user entries over the default table instead of replacing it (default true). */
  mergeDefaultModels?: boolean;
  region?: string;
  baseUrl?: string;
  /** Accept plain http:// base URLs to hosts other than this machine (qwenRouter.allowInsecureHttp). */
  allowInsecureHttp?: boolean;
  /** Explicit complexity thresholds: they win over the dial. */
  complexityThresholds?: Partial<Thresholds>;
  /** The cost-quality dial, 0..10 (core/routing/dial.ts). */
  costQuality?: number;
  /** The recorded complexity scores of classifier-routed calls, for the dial. */
  complexityScores?: ScoreDistribution;
  /** The models Auto may pick (core/routing/pool.ts). */
  modelPool?: ModelPool;
  tokenThresholds?: Partial<Thresholds>;
  taskRules?: TaskRule[];
  tierModels?: Partial<Record<Tier, string>>;
  classifierBudgetMs?: number;
  escalate?: boolean;
  stream?: boolean;
  /** auto | on | off | model-default (core/routing/thinking.ts). */
  thinking?: string;
  retry?: Partial<RetryPolicy>;
  timeouts?: Partial<Timeouts>;
  privacy?: string;
}

export function resolveConfig(input: ConfigInput = {}): { config: RouterConfig; problems: string[] } {
  const problems: string[] = [];
  let models: ModelTable = DEFAULT_MODELS;
  if (input.models !== undefined) {
    const tableProblems = validateModelTable(input.models, { allowInsecureHttp: input.allowInsecureHttp });
    if (tableProblems.length) problems.push(...tableProblems.map((p) => `models: ${p}`));
    else models = input.mergeDefaultModels === false ? input.models : { ...DEFAULT_MODELS, ...input.models };
  }
  let region: Region = DEFAULT_CONFIG.region;
  if (input.region !== undefined && input.region !== '') {
    if (isRegion(input.region)) region = input.region;
    else problems.push(`region "${input.region}" is not one of international, china, us, hongkong`);
  }
  let baseUrl: string | undefined;
  if (input.baseUrl) {
    const problem = baseUrlProblem(input.baseUrl, { allowInsecureHttp: input.allowInsecureHttp });
    if (problem) problems.push(problem);
    else baseUrl = input.baseUrl.replace(/\/+$/, '');
  }
  let dial = input.costQuality;
  if (dial !== undefined && dialProblem(dial)) {
    problems.push(dialProblem(dial)!);
    dial = undefined;
  }
  const resolved = resolveThresholds({ explicit: input.complexityThresholds, dial, scores: input.complexityScores });
  let thinking: ThinkingMode = DEFAULT_THINKING_MODE;
  if (input.thinking !== undefined) {
    if (isThinkingMode(input.thinking)) thinking = input.thinking;
    else problems.push(`thinking "${input.thinking}" must be one of ${THINKING_MODES.join(', ')}`);
  }
  const policy: RoutingPolicy = {
    complexity: resolved.thresholds,
    tokens: { ...DEFAULT_POLICY.tokens, ...input.tokenThresholds },
    taskRules: input.taskRules ?? DEFAULT_POLICY.taskRules,
    tierModels: { ...DEFAULT_POLICY.tierModels, ...input.tierModels },
    classifierBudgetMs: input.classifierBudgetMs ?? DEFAULT_POLICY.classifierBudgetMs,
    thinking,
  };
  const policyProblems = validatePolicy(policy, models);
  let finalPolicy = policy;
  if (policyProblems.length) {
    problems.push(...policyProblems);
    // Keep what is usable: fall back per part to the defaults.
    finalPolicy = { ...policy };
    const t = (x: Thresholds) => Number.isFinite(x.simple) && Number.isFinite(x.medium) && x.simple <= x.medium;
    if (!t(policy.complexity)) finalPolicy.complexity = DEFAULT_POLICY.complexity;
    if (!t(policy.tokens)) finalPolicy.tokens = DEFAULT_POLICY.tokens;
    finalPolicy.tierModels = Object.fromEntries(TIERS.map((tier) => [tier, models[policy.tierModels[tier]] ? policy.tierModels[tier] : DEFAULT_POLICY.tierModels[tier]])) as Record<Tier, string>;
    finalPolicy.taskRules = policy.taskRules.filter((r) => r.taskType && (!r.minTier || TIERS.includes(r.minTier)) && (!r.maxTier || TIERS.includes(r.maxTier)));
  }
  // The pool narrows the (valid) tier models: escalation, the next tier and the what-if all see its picks.
  const pooled = applyPool(finalPolicy.tierModels, input.modelPool, models);
  problems.push(...pooled.problems);
  if (Object.keys(pooled.notes).length) finalPolicy = { ...finalPolicy, tierModels: pooled.tierModels, pooled: pooled.notes };
  const privacy: PrivacyMode = input.privacy === 'metadata' ? 'metadata' : 'full';
  if (input.privacy !== undefined && input.privacy !== 'metadata' && input.privacy !== 'full') problems.push(`privacy "${input.privacy}" must be "full" or "metadata"`);
  const retry = { ...DEFAULT_RETRY, ...input.retry };
  const timeouts = { ...DEFAULT_TIMEOUTS, ...input.timeouts };
  return {
    config: {
      models,
      policy: finalPolicy,
      region,
      baseUrl,
      escalate: input.escalate ?? DEFAULT_CONFIG.escalate,
      stream: input.stream ?? DEFAULT_CONFIG.stream,
      ...(dial !== undefined ? { costQuality: dial } : {}),
      thresholdSource: resolved.source,
      retry,
      timeouts,
      privacy,
    },
    problems,
  };
}
