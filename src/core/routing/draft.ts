/**
 * Classifying a draft while it is typed, so that Enter finds its verdict in the cache: the latest
 * draft is classified `delayMs` after the last change, only when the classifier is idle and the
 * text has no verdict yet (a draft that finds it busy is tried again shortly, a few times); a newer
 * draft drops (aborts) the request of the stale one. Timers are injected so the logic is tested
 * without waiting.
 */
import type { ClassifyFn } from '../classifier/result';

export interface DraftSchedulerOptions {
  /** Quiet time after the last change before the draft is classified. */
  delayMs: number;
  /** The cached ClassifyFn (its verdict is what Enter will find). */
  classify: ClassifyFn;
  /** Whether the classifier has a model and nothing queued: drafts never wait behind real questions. */
  isIdle(): boolean;
  /** Whether this text already has a verdict. */
  isCached(text: string): boolean;
  /** Drafts longer than this are left to Enter (the chat's own message limit). */
  maxChars?: number;
  /** A draft that found the classifier busy is tried again after this long (default 100 ms)... */
  busyRetryMs?: number;
  /** ...at most this many times (default 10), so a model still loading is not polled for long. */
  maxBusyRetries?: number;
  /** Told of each event with the draft's text (for the log: its length, never the text). */
  onEvent?(event: DraftEvent, text: string): void;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** What a surface that drafts needs of the scheduler (the chat view, the palette's input box). */
export type DraftSink = Pick<DraftScheduler, 'update' | 'sent' | 'cancel'>;

export type DraftEvent = 'scheduled' | 'started' | 'skippedBusy' | 'skippedCached' | 'skippedEmpty' | 'dropped' | 'finished';

export class DraftScheduler {
  private timer: unknown;
  private pendingText: string | undefined;
  /** Times the pending draft has found the classifier busy. */
  private busyRetries = 0;
  private running: { text: string; controller: AbortController } | undefined;
  /** What happened, for tests and the log (the last 50 events). */
  readonly events: { event: DraftEvent; chars: number }[] = [];

  constructor(private readonly options: DraftSchedulerOptions) {}

  /**
   * The draft changed: classify it after the quiet time (an earlier, stale request is dropped then).
   * `delayMs` overrides the quiet time for a surface that reports every keystroke (the palette's
   * input box) rather than a draft the page already debounced (the chat).
   */
  update(text: string, delayMs = this.options.delayMs): void {
    this.clearPending();
    this.dropUnless(text);
    if (!text.trim() || text.length > (this.options.maxChars ?? Infinity)) {
      this.note('skippedEmpty', text);
      this.dropUnless(undefined);
      return;
    }
    this.arm(text, delayMs);
    this.note('scheduled', text);
  }

  /** The text was sent: nothing more to schedule; a request for other text is dropped, one for this text goes on (routing joins it). */
  sent(text: string): void {
    this.clearPending();
    this.dropUnless(text);
  }

  /** The draft was abandoned (the input closed without sending): nothing scheduled, nothing running. */
  cancel(): void {
    this.clearPending();
    this.dropUnless(undefined);
  }

  /** Stops everything (the view closed, the extension deactivates). */
  dispose(): void {
    this.cancel();
  }

  private fire(): void {
    this.timer = undefined;
    const text = this.pendingText;
    this.pendingText = undefined;
    if (text === undefined) return;
    this.dropUnless(text);
    if (this.running?.text === text) return;
    if (this.options.isCached(text)) return this.note('skippedCached', text);
    if (!this.options.isIdle()) {
      this.note('skippedBusy', text);
      const retries = this.busyRetries + 1;
      if (retries <= (this.options.maxBusyRetries ?? 10)) this.arm(text, this.options.busyRetryMs ?? 100, retries);
      return;
    }
    const controller = new AbortController();
    const running = { text, controller };
    this.running = running;
    this.note('started', text);
    void this.options.classify(text, controller.signal).finally(() => {
      if (this.running === running) this.running = undefined;
      if (!controller.signal.aborted) this.note('finished', text);
    });
  }

  /** Schedules `text`; `busyRetries` counts the times this same draft already found the classifier busy. */
  private arm(text: string, delayMs: number, busyRetries = 0): void {
    this.pendingText = text;
    this.busyRetries = busyRetries;
    const setTimer = this.options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.timer = setTimer(() => this.fire(), delayMs);
  }

  private dropUnless(text: string | undefined): void {
    if (!this.running || this.running.text === text) return;
    this.running.controller.abort();
    this.note('dropped', this.running.text);
    this.running = undefined;
  }

  private clearPending(): void {
    if (this.timer !== undefined) (this.options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>)))(this.timer);
    this.timer = undefined;
    this.pendingText = undefined;
  }

  private note(event: DraftEvent, text: string): void {
    this.events.push({ event, chars: text.length });
    if (this.events.length > 50) this.events.shift();
    this.options.onEvent?.(event, text);
  }
}
