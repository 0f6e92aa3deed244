/**
 * Signal lines: a user's verdict on a recorded call, appended later as a line of its own that links
 * to the call's `id` (docs/history.md#signals-linked-lines). The call's record is never rewritten.
 */
import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSION } from './record';

export type SignalKind = 'thumbs_up' | 'thumbs_down' | 'next_tier';
export const SIGNAL_KINDS: readonly SignalKind[] = ['thumbs_up', 'thumbs_down', 'next_tier'];

export interface SignalLine {
  schema_version: number;
  type: 'signal';
  id: string;
  /** The id of the call record the signal is about. */
  of: string;
  signal: SignalKind;
  /** Seconds since the epoch, as call records have it. */
  timestamp: number;
}

export function isSignalKind(value: unknown): value is SignalKind {
  return SIGNAL_KINDS.includes(value as SignalKind);
}

/** The line for a signal about the call record `of`. */
export function signalLine(of: string, signal: SignalKind, options: { now?: () => number; newId?: () => string } = {}): SignalLine {
  return { schema_version: SCHEMA_VERSION, type: 'signal', id: (options.newId ?? randomUUID)(), of, signal, timestamp: (options.now ?? Date.now)() / 1000 };
}
