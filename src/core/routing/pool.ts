/**
 * The model pool (qwenRouter.routing.modelPool): which configured models Auto may pick, per tier
 * and overall, so a user can keep Auto off a model (qwen-max) entirely. A model the user names
 * for a message is not Auto's pick: the pool does not apply to it. Pure; reasons in docs/routing.md.
 */
import type { ModelTable } from '../models/table';
import { TIERS, type Tier } from './policy';

/** `exclude`: never picked by Auto, at any tier. Per tier: the only models Auto may pick there, in preference order. */
export interface ModelPool {
  exclude?: string[];
  simple?: string[];
  medium?: string[];
  complex?: string[];
}

/** Per tier, the model Auto uses there and, when it is not the tier's configured model, why. */
export interface PooledTiers {
  tierModels: Record<Tier, string>;
  notes: Partial<Record<Tier, string>>;
  problems: string[];
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/**
 * The pool in force when several settings levels (user, workspace, folder) give one: each level
 * can only take models away. Excludes add up; a tier's lists intersect (in the first level's order).
 */
export function strictestPool(levels: readonly (ModelPool | undefined)[]): ModelPool | undefined {
  const given = levels.filter((level): level is ModelPool => !!level && typeof level === 'object' && Object.keys(level).length > 0);
  if (given.length === 0) return undefined;
  const pool: ModelPool = {};
  const excludes = given.flatMap((level) => (isStringList(level.exclude) ? level.exclude : []));
  if (excludes.length) pool.exclude = [...new Set(excludes)];
  for (const tier of TIERS) {
    const lists = given.map((level) => level[tier]).filter((list) => list !== undefined);
    if (lists.length === 0) continue;
    // A malformed level is kept as it is, for validation to name it.
    const malformed: unknown = lists.find((list) => !isStringList(list));
    pool[tier] = malformed !== undefined ? (malformed as string[]) : lists.reduce((kept, list) => kept.filter((key) => list.includes(key)));
  }
  return pool;
}

/**
 * The tier models after the pool. A tier whose model the pool allows keeps it; otherwise it takes
 * the first allowed entry of its own list, else the nearest lower tier's model that is allowed
 * (cheaper, never a surprise bill), else the nearest higher one. Problems (unknown keys, a list
 * that leaves nothing) are named; a tier left with no model keeps the lower tier's model (or its own
 * when it is the lowest), and the problem says so.
 */
export function applyPool(tierModels: Record<Tier, string>, pool: ModelPool | undefined, models: ModelTable): PooledTiers {
  const result: PooledTiers = { tierModels: { ...tierModels }, notes: {}, problems: [] };
  if (!pool) return result;
  if (typeof pool !== 'object' || Array.isArray(pool)) {
    result.problems.push('modelPool must be an object such as {"exclude": ["qwen-max"]} or {"complex": ["qwen-plus"]}');
    return result;
  }
  const known = (key: string) => Object.prototype.hasOwnProperty.call(models, key);
  const unknownIn = (where: string, list: string[]) => {
    const unknown = list.filter((key) => !known(key));
    if (unknown.length) result.problems.push(`modelPool.${where}: unknown model ${unknown.map((k) => `"${k}"`).join(', ')} (configured models are ${Object.keys(models).join(', ')})`);
  };
  for (const key of Object.keys(pool)) if (key !== 'exclude' && !TIERS.includes(key as Tier)) result.problems.push(`modelPool: "${key}" is not one of exclude, ${TIERS.join(', ')}`);
  let exclude: string[] = [];
  if (pool.exclude !== undefined) {
    if (!isStringList(pool.exclude)) result.problems.push('modelPool.exclude must be a list of model keys');
    else {
      unknownIn('exclude', pool.exclude);
      exclude = pool.exclude;
    }
  }
  const allowedAt = (tier: Tier): string[] => {
    const list = pool[tier];
    const base = list === undefined ? Object.keys(models) : isStringList(list) ? list.filter(known) : [];
    return base.filter((key) => !exclude.includes(key));
  };
  for (const tier of TIERS) {
    const list = pool[tier];
    if (list === undefined) continue;
    if (!isStringList(list)) result.problems.push(`modelPool.${tier} must be a list of model keys`);
    else unknownIn(tier, list);
  }
  // Lower tiers first, so a tier can fall back to the model its lower neighbour ended up with.
  for (const [index, tier] of TIERS.entries()) {
    const configured = tierModels[tier];
    const allowed = allowedAt(tier);
    if (allowed.includes(configured)) continue;
    const list = pool[tier];
    const lower = TIERS.slice(0, index).reverse().map((t) => result.tierModels[t]);
    const higher = TIERS.slice(index + 1).map((t) => tierModels[t]);
    const pick = (isStringList(list) ? allowed[0] : undefined) ?? [...lower, ...higher].find((key) => allowed.includes(key));
    const why = exclude.includes(configured) ? `${configured} is excluded from the model pool` : `${configured} is not in the ${tier} tier's model pool`;
    if (pick) {
      result.tierModels[tier] = pick;
      result.notes[tier] = `${why}; using ${pick}`;
    } else {
      const fallback = lower[0] ?? configured;
      result.problems.push(`modelPool leaves the ${tier} tier no model to pick (${isStringList(list) && list.length === 0 ? 'its list is empty' : 'every candidate is excluded or unknown'}); it uses ${fallback}`);
      result.tierModels[tier] = fallback;
      if (fallback !== configured) result.notes[tier] = `${why}; using ${fallback}`;
    }
  }
  return result;
}
