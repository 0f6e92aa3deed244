/**
 * File-level care the history's import and export need: telling whether two paths name one file
 * (however they are spelled), and replacing a file only with a complete new version.
 */
import { randomBytes } from 'node:crypto';
import { open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * The real path `path` names: symlinks and `..` resolved, also when the file does not exist yet
 * (its folder's real path + its name). A path whose folder does not exist either stays as given.
 */
export async function realPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    return join(await realpath(dirname(absolute)), basename(absolute));
  } catch {
    return absolute;
  }
}

/** Whether two paths name the same file: the same real path, or (hard links) the same inode. */
export async function isSameFile(a: string, b: string): Promise<boolean> {
  if ((await realPathOf(a)) === (await realPathOf(b))) return true;
  const [first, second] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return !!first && !!second && first.dev === second.dev && first.ino === second.ino;
}

/**
 * Writes `target` through a temporary file beside it, renamed over the target once `write` has
 * finished and the data is on disk: readers see the old file or the complete new one, never a
 * part. On any failure the temporary file is removed and the target is left as it was.
 * `target` should already be a real path (see realPathOf) so a symlink is followed, not replaced.
 */
export async function writeFileAtomically<T>(target: string, write: (out: Writable) => Promise<T>): Promise<T> {
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx');
  const out = handle.createWriteStream(); // closes the handle when it ends or fails
  try {
    const result = await write(out);
    out.end();
    await finished(out);
    await syncToDisk(temporary);
    await rename(temporary, target);
    return result;
  } catch (error) {
    out.destroy();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Flushes a written file's data to the disk, so a crash after the rename cannot leave it empty. */
async function syncToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
