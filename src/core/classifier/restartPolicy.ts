/** When a crashed classifier process is started again (a native crash costs a restart, not the editor). */
export interface RestartPolicy {
  /** The wait before the first restart. */
  initialDelayMs: number;
  /** The wait doubles with each crash in a row, up to this. */
  maxDelayMs: number;
  /** A classifier that stayed up this long after loading was healthy: its next crash starts the back-off over. */
  healthyAfterMs: number;
  /** Crashes in a row (none healthy between them) after which it is left down until the settings change or a reload. */
  maxCrashes: number;
}

/**
 * 1 s, 2 s, 4 s ... 60 s: quick enough that one crash costs a user a few length-routed prompts,
 * slow enough that a model that crashes onnxruntime at every load does not keep a core busy loading
 * it. Eight crashes in a row (about two minutes) and it stays down, as VS Code's language clients do.
 */
export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, healthyAfterMs: 60_000, maxCrashes: 8 };

/** The wait before restarting after the n-th crash in a row (n ≥ 1). */
export function restartDelayMs(policy: RestartPolicy, crashesInARow: number): number {
  const exponent = Math.max(0, crashesInARow - 1);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 30));
}

/**
 * onnxruntime's intra-op threads when the setting is 0 ("auto"). The classifier runs in its own
 * process, so it no longer takes the extension host's thread, but its threads still share the
 * machine's cores with the editor (the extension host, the renderer, the language servers):
 * onnxruntime's pool spins at full speed while it waits for work inside a run, so each thread costs a
 * whole core for the run's duration. One core is left for the editor; more than four threads
 * gains little on a base-size model with short prompts (the run is many small matrix products).
 */
export function defaultIntraOpThreads(cores: number): number {
  return Math.max(1, Math.min(4, Math.floor(cores) - 1));
}

/** The setting (0 or less means auto) as the number of threads to use on a machine with `cores` cores. */
export function resolveIntraOpThreads(setting: number, cores: number): number {
  return Number.isFinite(setting) && setting >= 1 ? Math.floor(setting) : defaultIntraOpThreads(cores);
}
