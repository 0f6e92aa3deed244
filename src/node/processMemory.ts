import { readFileSync } from 'node:fs';

/** Another process's resident memory, from /proc (Linux); undefined elsewhere or when it is gone. For benchmarks. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
