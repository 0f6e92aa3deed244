import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root, from a compiled test under out/test/<kind>/. */
export const REPO_ROOT = resolve(__dirname, '../../..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
export const fixture = (...parts: string[]) => join(FIXTURES, ...parts);
/** The bundled worker, as the extension and the CLI load it. */
export const WORKER_PATH = join(REPO_ROOT, 'dist', 'classifierWorker.js');

/** A scratch copy of a fixture model directory, to damage or rearrange in a test. */
export function copyModelDir(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'qr-model-')), name);
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
}
