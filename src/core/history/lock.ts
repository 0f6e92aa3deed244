/**
 * An exclusive lock between processes on one history file: a lock file beside it, created with
 * O_EXCL (only one creator wins), holding who holds it. A lock whose holder died (its pid is gone on
 * this host) or that has not been refreshed for STALE_AFTER_MS is taken over; a live holder is
 * waited for.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

export interface LockHolder {
  pid: number;
  hostname: string;
  acquiredAt: string;
  /** Tells this holding apart from a later one by the same process. */
  token: string;
}

/** A holder refreshes its lock file's time this often; a lock not refreshed for STALE_AFTER_MS is abandoned. */
const HEARTBEAT_MS = 20_000;
const STALE_AFTER_MS = 120_000;
const POLL_MS = 50;

/**
 * Runs `run` while holding the lock file `lockPath`, waiting for any live holder first (`onWait`
 * is told once whom it waits for). The lock is released however `run` ends.
 */
export async function withFileLock<T>(lockPath: string, run: () => Promise<T>, onWait?: (holder: LockHolder) => void): Promise<T> {
  const holder = await acquire(lockPath, onWait);
  // The holder's heartbeat: an import that takes long is not mistaken for an abandoned one.
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await run();
  } finally {
    clearInterval(heartbeat);
    await release(lockPath, holder);
  }
}

async function acquire(lockPath: string, onWait?: (holder: LockHolder) => void): Promise<LockHolder> {
  await mkdir(dirname(lockPath), { recursive: true });
  const mine: LockHolder = { pid: process.pid, hostname: hostname(), acquiredAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  let told = false;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify(mine));
      } finally {
        await handle.close();
      }
      return mine;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = await readLock(lockPath);
    if (!current) continue; // released meanwhile
    if (isStale(current)) {
      await takeOverStale(lockPath, current.text);
      continue;
    }
    if (!told && current.holder) {
      onWait?.(current.holder);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

interface LockFile {
  text: string;
  /** Undefined while its creator has not written it yet (or it is damaged). */
  holder?: LockHolder;
  modifiedMs: number;
}

async function readLock(lockPath: string): Promise<LockFile | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    let holder: LockHolder | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<LockHolder>;
      if (typeof parsed.pid === 'number' && typeof parsed.hostname === 'string') holder = parsed as LockHolder;
    } catch {
      // being written, or damaged: judged by its age alone
    }
    return { text, holder, modifiedMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(lock: LockFile): boolean {
  if (Date.now() - lock.modifiedMs > STALE_AFTER_MS) return true;
  return !!lock.holder && lock.holder.hostname === hostname() && !isAlive(lock.holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but is another user's
  }
}

/**
 * Removes a stale lock without removing a fresh one another waiter created meanwhile: the lock
 * is moved aside (atomic: one mover wins), and put back if what was moved is not the stale one.
 */
async function takeOverStale(lockPath: string, staleText: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another waiter moved it
    throw error;
  }
  try {
    if ((await readFile(aside, 'utf8')) !== staleText) await link(aside, lockPath).catch(() => undefined);
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

async function release(lockPath: string, holder: LockHolder): Promise<void> {
  const current = await readLock(lockPath).catch(() => undefined);
  // Only our own lock: if ours was taken over as stale, the file is someone else's now.
  if (current?.holder?.token === holder.token) await unlink(lockPath).catch(() => undefined);
}
