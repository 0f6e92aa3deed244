/**
 * Per tier: calls, 👍, 👎, escalations ("Ask the next tier instead") and overrides (a model the user
 * named), from the call records and the signal lines of a history (docs/history.md#signals-linked-lines).
 *
 * - A call's tier is its recorded `routing.tier`, else the tier whose model answered it (a model the
 *   user named carries no tier of its own); calls on no tier's model count under `other`.
 * - Only successful calls count, as in /stats. A signal about an unknown or failed call is dropped.
 * - 👍/👎: the last thumb on a call wins. Escalations: calls that were re-asked on the next tier
 *   (a `next_tier` signal), counted once per call, on the tier of the call that was re-asked.
 * - Overrides: calls whose model the user named (`user_specified`), except the re-asks themselves
 *   (they carry `escalated_from_record`), which count as the escalation of the call they re-ask.
 */
import type { Tier } from '../routing/policy';
import { TIERS } from '../routing/policy';
import { isSuccessful } from '../history/record';
import { isSignalKind, type SignalKind } from '../history/signal';

export type TierRowKey = Tier | 'other';

export interface TierSignalRow {
  tier: TierRowKey;
  calls: number;
  thumbs_up: number;
  thumbs_down: number;
  escalations: number;
  overrides: number;
}

export interface TierSignals {
  /** simple, medium, complex, then `other` when any call ran on a model that serves no tier. */
  rows: TierSignalRow[];
  /** Signal lines read (about known calls or not). */
  signals: number;
}

interface CallInfo {
  tier: TierRowKey;
  ok: boolean;
  thumb?: 'thumbs_up' | 'thumbs_down';
  escalated: boolean;
}

/** Folds history lines (call records and signal lines, in file order) into the per-tier table. */
export class TierSignalsAccumulator {
  private readonly calls = new Map<string, CallInfo>();
  private readonly rows = new Map<TierRowKey, TierSignalRow>();
  private readonly pending: { of: string; signal: SignalKind }[] = [];
  private signalLines = 0;

  constructor(private readonly tierModels: Readonly<Record<Tier, string>>) {
    for (const tier of TIERS) this.rows.set(tier, emptyRow(tier));
  }

  add(line: Record<string, unknown>): void {
    if (line.type === 'signal') {
      this.signalLines += 1;
      if (typeof line.of === 'string' && isSignalKind(line.signal)) this.pending.push({ of: line.of, signal: line.signal });
      return;
    }
    const ok = isSuccessful(line as { error?: null; cancelled?: boolean });
    const tier = this.tierOf(line);
    if (typeof line.id === 'string') this.calls.set(line.id, { tier, ok, escalated: false });
    if (!ok) return;
    const row = this.row(tier);
    row.calls += 1;
    const routing = line.routing as { method?: unknown } | null | undefined;
    if (routing?.method === 'user_specified' && typeof line.escalated_from_record !== 'string') row.overrides += 1;
  }

  finish(): TierSignals {
    // Signals may come before the call they link to only when files were merged: resolve at the end.
    for (const { of, signal } of this.pending) {
      const call = this.calls.get(of);
      if (!call || !call.ok) continue;
      if (signal === 'next_tier') call.escalated = true;
      else call.thumb = signal;
    }
    const rows = new Map([...this.rows].map(([key, row]) => [key, { ...row }]));
    for (const call of this.calls.values()) {
      if (!call.ok) continue;
      const row = rows.get(call.tier)!;
      if (call.thumb) row[call.thumb] += 1;
      if (call.escalated) row.escalations += 1;
    }
    return { rows: [...rows.values()], signals: this.signalLines };
  }

  private row(tier: TierRowKey): TierSignalRow {
    let row = this.rows.get(tier);
    if (!row) this.rows.set(tier, (row = emptyRow(tier)));
    return row;
  }

  private tierOf(line: Record<string, unknown>): TierRowKey {
    const routing = line.routing as { tier?: unknown } | null | undefined;
    if (routing && TIERS.includes(routing.tier as Tier)) return routing.tier as Tier;
    const model = (line.llm as { model?: unknown } | undefined)?.model;
    return TIERS.find((tier) => this.tierModels[tier] === model) ?? 'other';
  }
}

function emptyRow(tier: TierRowKey): TierSignalRow {
  return { tier, calls: 0, thumbs_up: 0, thumbs_down: 0, escalations: 0, overrides: 0 };
}

/** The per-tier table of a whole history (records and signal lines in file order). */
export function tierSignals(lines: Iterable<Record<string, unknown>>, tierModels: Readonly<Record<Tier, string>>): TierSignals {
  const accumulator = new TierSignalsAccumulator(tierModels);
  for (const line of lines) accumulator.add(line);
  return accumulator.finish();
}
