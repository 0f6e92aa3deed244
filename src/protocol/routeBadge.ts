/**
 * How a routing decision reads, in words: the sidebar chat's badge (src/webview/chat/main.ts) and
 * the @qwen participant's first line (src/vscode/chatParticipant.ts) both say it with these parts,
 * in the chat's localized strings, so the two surfaces cannot drift apart.
 */
import type { ChatStrings, RouteBadge } from './chat';
import { formatString } from './common';

/** Number formatting in the display language (the webview and the extension host each bring theirs). */
export interface BadgeFormat {
  number(value: number, digits: number): string;
  ms(value: number): string;
}

/** One piece of the badge: what it is (the webview's CSS class hangs on it) and its text. */
export interface BadgePart {
  kind: 'tier' | 'model' | 'detail' | 'task' | 'thinking' | 'pooled' | 'fallback' | 'time';
  text: string;
  /** A longer explanation (the pool's reason), for a tooltip. */
  title?: string;
}

export function tierLabel(s: ChatStrings, tier: string | null): string {
  if (tier === 'simple') return s.tierSimple;
  if (tier === 'medium') return s.tierMedium;
  if (tier === 'complex') return s.tierComplex;
  return '';
}

export function reasonLabel(s: ChatStrings, reason: string | null): string {
  const labels: Record<string, string> = {
    model_missing: s.reasonModelMissing,
    model_loading: s.reasonModelLoading,
    model_failed: s.reasonModelFailed,
    timeout: s.reasonTimeout,
    empty_prompt: s.reasonEmptyPrompt,
    classifier_error: s.reasonClassifierError,
    classifier_crashed: s.reasonClassifierCrashed,
  };
  return (reason && labels[reason]) || reason || '';
}

export function thinkingLabel(s: ChatStrings, thinking: NonNullable<RouteBadge['thinking']>, format: BadgeFormat): string {
  if (!thinking.enabled) return s.thinkingOff;
  return thinking.budget === null ? s.thinkingOn : formatString(s.thinkingBudget, format.number(thinking.budget, 0));
}

export function methodLabel(s: ChatStrings, route: RouteBadge): string {
  if (route.method === 'nvidia_classifier') return s.methodClassifier;
  if (route.method === 'fallback_token_length') return s.methodFallback;
  return s.methodUser;
}

/** The badge's visible parts: tier, model, how it was chosen, task type, complexity, thinking, pool, fallback, routing time. */
export function badgeParts(route: RouteBadge, s: ChatStrings, format: BadgeFormat): BadgePart[] {
  const parts: BadgePart[] = [];
  if (route.tier) parts.push({ kind: 'tier', text: tierLabel(s, route.tier) });
  parts.push({ kind: 'model', text: route.modelKey });
  if (route.sticky) parts.push({ kind: 'detail', text: s.keptForChat });
  else if (route.method === 'user_specified') parts.push({ kind: 'detail', text: s.chosenByYou });
  if (route.taskType) parts.push({ kind: 'task', text: route.taskType });
  if (route.complexity !== null) parts.push({ kind: 'detail', text: formatString(s.complexity, format.number(route.complexity, 2)) });
  // Thinking shows when it is on (off is the common case: the tooltip says it and why).
  if (route.thinking?.enabled) parts.push({ kind: 'thinking', text: thinkingLabel(s, route.thinking, format) });
  if (route.pooled) parts.push({ kind: 'pooled', text: s.pooled, title: route.pooled });
  if (route.method === 'fallback_token_length') parts.push({ kind: 'fallback', text: formatString(s.fallback, reasonLabel(s, route.fallbackReason)) });
  if (route.routingMs !== null && route.method !== 'user_specified') parts.push({ kind: 'time', text: formatString(s.routingMs, format.number(route.routingMs, route.routingMs < 10 ? 1 : 0)) });
  return parts;
}

/** The badge's tooltip: every field by name, the fallback's own words, the rule that moved it, the scores. */
export function badgeTooltipLines(route: RouteBadge, s: ChatStrings, format: BadgeFormat): string[] {
  const lines = [`${s.badgeModel}: ${route.modelKey}`, `${s.badgeMethod}: ${methodLabel(s, route)}`];
  if (route.tier) lines.push(`${s.badgeTier}: ${tierLabel(s, route.tier)}`);
  if (route.taskType) lines.push(`${s.badgeTask}: ${route.taskType}`);
  if (route.complexity !== null) lines.push(`${s.badgeComplexity}: ${format.number(route.complexity, 3)}`);
  if (route.routingMs !== null) lines.push(`${s.badgeRoutingTime}: ${format.ms(route.routingMs)}`);
  if (route.fallbackReason) lines.push(`${s.badgeFallback}: ${reasonLabel(s, route.fallbackReason)}${route.fallbackMessage ? ` (${route.fallbackMessage})` : ''}`);
  if (route.thinking) lines.push(`${s.thinking}: ${thinkingLabel(s, route.thinking, format)} (${route.thinking.reason})`);
  if (route.sticky) lines.push(s.keptForChat);
  if (route.note) lines.push(route.note);
  const scores = Object.entries(route.scores);
  if (scores.length) lines.push('', ...scores.map(([name, value]) => `${name}: ${format.number(value, 3)}`));
  return lines;
}
