// What the history commands share: where the file is, and a store configured like the extension's.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG } from '../../core/config';
import { HISTORY_FILE_NAME, HistoryStore, type HistoryStoreOptions } from '../../core/history/store';

export const historyOption = { history: { type: 'string' } } as const;

/** --history, else $QWEN_ROUTER_HISTORY, else ~/.qwen-router/call_history.jsonl. */
export function historyPath(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): string {
  const given = typeof values.history === 'string' && values.history ? values.history : env.QWEN_ROUTER_HISTORY;
  return resolve(given || join(homedir(), '.qwen-router', HISTORY_FILE_NAME));
}

/** A store whose stats price the top tier with the default table (the CLI has no settings file). */
export function openStore(path: string, options: HistoryStoreOptions = {}): HistoryStore {
  const topKey = DEFAULT_CONFIG.policy.tierModels.complex;
  return new HistoryStore(path, { topTier: { key: topKey, spec: DEFAULT_CONFIG.models[topKey] }, ...options });
}
