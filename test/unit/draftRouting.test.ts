// Routing done before Enter: the in-memory verdict cache (LRU by exact text), the cached ClassifyFn
// that every surface routes with, and the draft scheduler (debounce, idle only, stale drafts dropped)
// driven by injected timers. The classifier here is a plain function returning fixed verdicts.
import * as assert from 'assert';
import type { ClassifierResult, ClassifyFn, ClassifyOutcome } from '../../src/core/classifier/result';
import { cachedClassify, VerdictCache } from '../../src/core/classifier/verdictCache';
import { DraftScheduler } from '../../src/core/routing/draft';
import { route } from '../../src/core/routing/route';
import { resolveConfig } from '../../src/core/config';

const verdict = (complexity: number): ClassifierResult => ({
  task_type_1: 'Code Generation', task_type_2: 'NA', task_type_prob: 0.9, creativity_scope: 0.1, reasoning: 0.2, contextual_knowledge: 0, number_of_few_shots: 0,
  domain_knowledge: 0.3, no_label_reason: 0, constraint_ct: 0.1, prompt_complexity_score: complexity,
});

/** A classifier that records each call and answers when `release` is called (or at once). */
function recordingClassifier(options: { manual?: boolean } = {}) {
  const calls: { text: string; signal?: AbortSignal }[] = [];
  const waiting: (() => void)[] = [];
  const classify: ClassifyFn = (text, signal) => {
    calls.push({ text, signal });
    const answer = (): ClassifyOutcome => ({ ok: true, result: verdict(text.length / 100), tokens: text.length, elapsedMs: 40 });
    if (!options.manual) return Promise.resolve(answer());
    return new Promise((resolve) => waiting.push(() => resolve(answer())));
  };
  return { classify, calls, releaseAll: () => waiting.splice(0).forEach((release) => release()) };
}

/** Timers the test fires by hand. */
function manualTimers() {
  const timers = new Map<number, () => void>();
  const delays: number[] = [];
  let next = 1;
  return {
    delays,
    setTimer: (run: () => void, ms: number) => (timers.set(next, run), delays.push(ms), next++),
    clearTimer: (id: unknown) => void timers.delete(id as number),
    get pending() { return timers.size; },
    fireAll: () => { const runs = [...timers.values()]; timers.clear(); runs.forEach((run) => run()); },
  };
}

describe('verdict cache', () => {
  const entry = (n: number) => ({ result: verdict(n), tokens: n });

  it('answers the same text, misses different text (exact match, no normalizing)', () => {
    const cache = new VerdictCache(4);
    cache.set('how do I sort a list?', entry(1));
    assert.equal(cache.get('how do I sort a list?')?.tokens, 1);
    assert.equal(cache.get('how do I sort a list? '), undefined);
    assert.equal(cache.get('How do I sort a list?'), undefined);
  });

  it('holds at most its capacity and evicts the least recently used', () => {
    const cache = new VerdictCache(2);
    cache.set('a', entry(1));
    cache.set('b', entry(2));
    cache.get('a'); // a is now the most recent
    cache.set('c', entry(3));
    assert.equal(cache.size, 2);
    assert.ok(cache.has('a') && cache.has('c'));
    assert.ok(!cache.has('b'), 'the least recently used entry is evicted');
    for (let i = 0; i < 100; i++) cache.set(`p${i}`, entry(i));
    assert.equal(cache.size, 2);
    assert.throws(() => new VerdictCache(0), /at least 1/);
  });

  it('serves a repeated prompt without the model, marks it cached, and records that in the routing layer', async () => {
    const classifier = recordingClassifier();
    const cache = new VerdictCache(8);
    const classify = cachedClassify(classifier.classify, cache);
    const first = await classify('write a binary search in Rust');
    const second = await classify('write a binary search in Rust');
    assert.equal(classifier.calls.length, 1, 'the model ran once for that text');
    assert.ok(first.ok && !first.cached);
    assert.ok(second.ok && second.cached === true);
    assert.deepEqual(second.ok && second.result, first.ok && first.result);
    await classify('write a binary search in Go');
    assert.equal(classifier.calls.length, 2, 'other text is classified');

    const { config } = resolveConfig({});
    const decision = await route({ messages: [{ role: 'user', content: 'write a binary search in Rust' }] }, { policy: config.policy, models: config.models, classify });
    assert.equal(decision.method, 'nvidia_classifier');
    assert.equal(decision.routing.cached, true);
    assert.equal(typeof decision.routing.routing_latency_ms, 'number');
    const fresh = await route({ messages: [{ role: 'user', content: 'a new question' }] }, { policy: config.policy, models: config.models, classify });
    assert.equal('cached' in fresh.routing, false, 'records of uncached verdicts keep the old shape');
  });

  it('joins a request already running for the same text, and keeps no failed verdicts', async () => {
    const classifier = recordingClassifier({ manual: true });
    const cache = new VerdictCache(8);
    const classify = cachedClassify(classifier.classify, cache);
    const draft = classify('explain monads');
    const enter = classify('explain monads');
    classifier.releaseAll();
    const [a, b] = await Promise.all([draft, enter]);
    assert.equal(classifier.calls.length, 1);
    assert.ok(a.ok && b.ok);

    let failures = 0;
    const failing = cachedClassify(async () => (failures++, { ok: false, reason: 'model_loading', message: 'loading', elapsedMs: 0 }), new VerdictCache(8));
    await failing('hi');
    await failing('hi');
    assert.equal(failures, 2, 'a fallback is asked again next time');
  });

  it('aborts the model request only when every caller waiting for it has given up', async () => {
    const classifier = recordingClassifier({ manual: true });
    const classify = cachedClassify(classifier.classify, new VerdictCache(8));
    const first = new AbortController();
    const second = new AbortController();
    void classify('text', first.signal);
    const kept = classify('text', second.signal);
    first.abort();
    assert.equal(classifier.calls[0].signal?.aborted, false, 'one caller still waits');
    second.abort();
    assert.equal(classifier.calls[0].signal?.aborted, true);
    classifier.releaseAll();
    await kept;
  });
});

describe('draft scheduler', () => {
  function setup(options: { idle?: () => boolean; manual?: boolean } = {}) {
    const classifier = recordingClassifier({ manual: options.manual });
    const cache = new VerdictCache(8);
    const classify = cachedClassify(classifier.classify, cache);
    const timers = manualTimers();
    const scheduler = new DraftScheduler({ delayMs: 300, classify, isIdle: options.idle ?? (() => true), isCached: (text) => cache.has(text), maxChars: 1000, setTimer: timers.setTimer, clearTimer: timers.clearTimer });
    return { classifier, cache, classify, timers, scheduler };
  }

  it('classifies only the last draft after the quiet time (debounced)', async () => {
    const { classifier, timers, scheduler, cache } = setup();
    for (const text of ['h', 'ho', 'how', 'how do', 'how do I']) scheduler.update(text);
    assert.equal(timers.pending, 1, 'each keystroke replaces the timer');
    assert.equal(classifier.calls.length, 0, 'nothing runs before the quiet time');
    timers.fireAll();
    await Promise.resolve();
    assert.deepEqual(classifier.calls.map((c) => c.text), ['how do I']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(cache.has('how do I'));
  });

  it('waits the quiet time a surface asks for (the palette reports every keystroke), else its own', () => {
    const { timers, scheduler } = setup();
    scheduler.update('how');
    scheduler.update('how do', 350);
    assert.deepEqual(timers.delays, [300, 350]);
  });

  it('cancel (the input closed unsent) drops the running draft and the scheduled one', async () => {
    const { classifier, timers, scheduler } = setup({ manual: true });
    scheduler.update('sort a list');
    timers.fireAll();
    scheduler.update('sort a list in place');
    scheduler.cancel();
    assert.equal(timers.pending, 0, 'nothing left scheduled');
    assert.equal(classifier.calls.length, 1);
    assert.equal(classifier.calls[0].signal?.aborted, true, 'the running draft is dropped');
    assert.ok(scheduler.events.some((e) => e.event === 'dropped'));
    classifier.releaseAll();
  });

  it('drops (aborts) the stale draft when the text changes, and keeps the request for the sent text', async () => {
    const { classifier, timers, scheduler } = setup({ manual: true });
    scheduler.update('sort a list');
    timers.fireAll();
    scheduler.update('sort a list in place');
    assert.equal(classifier.calls[0].signal?.aborted, true, 'the stale draft is dropped at the next keystroke');
    timers.fireAll();
    scheduler.sent('sort a list in place');
    assert.equal(classifier.calls[1].signal?.aborted, false, 'Enter joins the running request for the same text');
    scheduler.update('next');
    scheduler.sent('something else');
    assert.equal(timers.pending, 0, 'sending cancels the pending draft');
    classifier.releaseAll();
    assert.ok(scheduler.events.some((e) => e.event === 'dropped'));
  });

  it('never runs while the classifier is busy, for empty drafts, or for text already classified', async () => {
    let idle = false;
    const { classifier, timers, scheduler, classify } = setup({ idle: () => idle });
    scheduler.update('busy now');
    timers.fireAll();
    assert.equal(classifier.calls.length, 0);
    assert.equal(scheduler.events.at(-1)?.event, 'skippedBusy');
    scheduler.update('   ');
    assert.equal(timers.pending, 0, 'a blank draft schedules nothing');
    scheduler.update('x'.repeat(1001));
    assert.equal(timers.pending, 0, 'an over-long draft is left to Enter');
    idle = true;
    await classify('known');
    scheduler.update('known');
    timers.fireAll();
    assert.equal(classifier.calls.length, 1, 'only the direct call ran the model');
    assert.equal(scheduler.events.at(-1)?.event, 'skippedCached');
  });

  it('tries a draft that found the classifier busy again shortly, until it is idle, a bounded number of times', async () => {
    let idle = false;
    const { classifier, timers, scheduler, cache } = setup({ idle: () => idle });
    scheduler.update('sort a list in place');
    timers.fireAll();
    assert.equal(scheduler.events.at(-1)?.event, 'skippedBusy');
    assert.equal(timers.pending, 1, 'a retry is scheduled');
    assert.equal(timers.delays.at(-1), 100);
    timers.fireAll();
    assert.equal(classifier.calls.length, 0, 'still busy: not run');
    idle = true;
    timers.fireAll();
    assert.deepEqual(classifier.calls.map((c) => c.text), ['sort a list in place'], 'run once the classifier is idle');
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(cache.has('sort a list in place'), 'Enter will find it');

    // A classifier that stays busy (a model still loading) is asked 1 + 10 times, then left to Enter.
    idle = false;
    scheduler.update('another question');
    let fired = 0;
    while (timers.pending) {
      timers.fireAll();
      fired++;
    }
    assert.equal(fired, 11);
    assert.equal(scheduler.events.filter((e) => e.event === 'skippedBusy' && e.chars === 'another question'.length).length, 11);
    assert.equal(classifier.calls.length, 1);

    // New text starts a new count.
    scheduler.update('a third one');
    timers.fireAll();
    assert.equal(timers.pending, 1);
  });
});
