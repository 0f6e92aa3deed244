/**
 * Recent classifier verdicts by exact prompt text, in memory only (never written anywhere): a prompt
 * the chat classified while it was being typed is routed at Enter without running the model again.
 * One wrapper around the ClassifyFn (`cachedClassify`) serves every surface that routes.
 */
import type { ClassifierResult, ClassifyFn, ClassifyOutcome } from './result';

export interface CachedVerdict {
  result: ClassifierResult;
  tokens: number;
}

/** A least-recently-used map of verdicts by exact text, at most `capacity` of them. */
export class VerdictCache {
  private readonly entries = new Map<string, CachedVerdict>();

  constructor(readonly capacity = 32) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`A verdict cache holds at least 1 entry, not ${capacity}.`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether `text` has a verdict (does not count as a use). */
  has(text: string): boolean {
    return this.entries.has(text);
  }

  /** The verdict for exactly this text, made the most recently used. */
  get(text: string): CachedVerdict | undefined {
    const found = this.entries.get(text);
    if (!found) return undefined;
    this.entries.delete(text);
    this.entries.set(text, found);
    return found;
  }

  set(text: string, verdict: CachedVerdict): void {
    this.entries.delete(text);
    this.entries.set(text, verdict);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Forgets every verdict (the model or its precision changed). */
  clear(): void {
    this.entries.clear();
  }
}

interface InFlight {
  outcome: Promise<ClassifyOutcome>;
  controller: AbortController;
  /** Callers still waiting; the request is aborted only when every one of them has given up. */
  waiting: number;
}

/**
 * `classify` behind the cache: a hit answers at once with `cached: true` and the time it took; a
 * request for text already being classified joins it (the model runs once for it). Only successful
 * verdicts are kept; a fallback (timeout, model loading...) is asked again next time.
 */
export function cachedClassify(classify: ClassifyFn, cache: VerdictCache, now: () => number = () => performance.now()): ClassifyFn {
  const inFlight = new Map<string, InFlight>();
  return (prompt, signal) => {
    const started = now();
    const hit = cache.get(prompt);
    if (hit) return Promise.resolve({ ok: true, result: hit.result, tokens: hit.tokens, elapsedMs: now() - started, cached: true });
    let entry = inFlight.get(prompt);
    if (!entry) {
      const controller = new AbortController();
      const created: InFlight = { outcome: Promise.resolve(undefined as unknown as ClassifyOutcome), controller, waiting: 0 };
      created.outcome = classify(prompt, controller.signal).then((answer) => {
        if (inFlight.get(prompt) === created) inFlight.delete(prompt);
        if (answer.ok && !controller.signal.aborted) cache.set(prompt, { result: answer.result, tokens: answer.tokens });
        return answer;
      });
      entry = created;
      inFlight.set(prompt, entry);
    }
    const joined = entry;
    joined.waiting++;
    if (signal) {
      const leave = () => {
        joined.waiting--;
        if (joined.waiting === 0) {
          joined.controller.abort();
          if (inFlight.get(prompt) === joined) inFlight.delete(prompt);
        }
      };
      if (signal.aborted) leave();
      else signal.addEventListener('abort', leave, { once: true });
      void joined.outcome.finally(() => signal.removeEventListener('abort', leave));
    }
    return joined.outcome;
  };
}
