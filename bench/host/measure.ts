/**
 * Small measuring tools for the host benchmark: the extension host's event-loop lag, percentiles,
 * and waiting on a condition without timed assertions (a wait that runs out is reported, not failed).
 */
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

export const round = (x: number, digits = 1): number => {
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
};

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Summary {
  n: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export function summarize(values: number[]): Summary {
  return {
    n: values.length,
    p50: nullableRound(percentile(values, 50)),
    p95: nullableRound(percentile(values, 95)),
    max: values.length ? round(Math.max(...values)) : null,
  };
}

const nullableRound = (value: number | null) => (value === null ? null : round(value));

export interface LagFigures {
  /** The longest time a 1 ms timer waited past its due time, in ms. */
  max_ms: number;
  p99_ms: number;
  p999_ms: number;
  /** The longest garbage-collection pause of this thread in the window (a cause of lag that is not our code running). */
  max_gc_ms: number;
  /** How long the window lasted. */
  window_ms: number;
}

/**
 * The event-loop delay of this thread (the extension host's) over a window: a 1 ms timer's delays,
 * as perf_hooks.monitorEventLoopDelay records them (the same measure as `qwen-router bench`).
 */
export class LagMonitor {
  private readonly histogram: IntervalHistogram;
  private readonly gc: PerformanceObserver;
  private maxGc = 0;
  private started = performance.now();

  constructor() {
    this.histogram = monitorEventLoopDelay({ resolution: 1 });
    this.histogram.enable();
    this.gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.startTime >= this.started) this.maxGc = Math.max(this.maxGc, entry.duration);
    });
    this.gc.observe({ entryTypes: ['gc'] });
  }

  reset(): void {
    this.histogram.reset();
    this.maxGc = 0;
    this.started = performance.now();
  }

  read(): LagFigures {
    return {
      max_ms: round(this.histogram.max / 1e6),
      p99_ms: round(this.histogram.percentile(99) / 1e6),
      p999_ms: round(this.histogram.percentile(99.9) / 1e6),
      max_gc_ms: round(this.maxGc),
      window_ms: round(performance.now() - this.started),
    };
  }

  stop(): LagFigures {
    const figures = this.read();
    this.histogram.disable();
    this.gc.disconnect();
    return figures;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns something other than undefined; undefined after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, everyMs = 5): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}
