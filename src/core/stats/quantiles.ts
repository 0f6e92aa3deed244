/**
 * Percentiles in bounded memory: exact (nearest rank on the sorted values) up to `exactLimit`
 * values, then a histogram of logarithmic buckets 1% wide, whose answers are within 0.5% of the
 * exact ones. Memory stays flat however long the history grows.
 */
const RATIO = 1.01;
const LOG_RATIO = Math.log(RATIO);
const FLOOR = 0.01; // values below this (in ms) share the lowest bucket

export class QuantileSketch {
  private exact: number[] | undefined = [];
  private buckets = new Map<number, number>();
  private zeros = 0;
  private total = 0;

  constructor(private readonly exactLimit = 4096) {}

  get count(): number {
    return this.total;
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.total += 1;
    if (this.exact) {
      this.exact.push(value);
      if (this.exact.length > this.exactLimit) {
        const values = this.exact;
        this.exact = undefined;
        for (const v of values) this.bucketAdd(v);
      }
      return;
    }
    this.bucketAdd(value);
  }

  private bucketAdd(value: number): void {
    if (value <= 0) {
      this.zeros += 1;
      return;
    }
    const index = Math.floor(Math.log(Math.max(value, FLOOR) / FLOOR) / LOG_RATIO);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
  }

  /** Nearest-rank percentile, p in (0, 1]; undefined when empty. */
  quantile(p: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(p * this.total));
    if (this.exact) {
      const sorted = [...this.exact].sort((a, b) => a - b);
      return sorted[rank - 1];
    }
    if (rank <= this.zeros) return 0;
    let seen = this.zeros;
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(index)!;
      if (seen >= rank) return FLOOR * RATIO ** (index + 0.5); // the bucket's geometric middle
    }
    return undefined;
  }

  clone(): QuantileSketch {
    const copy = new QuantileSketch(this.exactLimit);
    copy.exact = this.exact ? [...this.exact] : undefined;
    copy.buckets = new Map(this.buckets);
    copy.zeros = this.zeros;
    copy.total = this.total;
    return copy;
  }
}
