// Temporary directories for tests, removed after the suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function tempDirs(prefix = 'qwen-router-test-'): { make(): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A path under test/fixtures, from a compiled test in out/test/unit (or out/test/support). */
export function fixturePath(...parts: string[]): string {
  return resolve(__dirname, '../../../test/fixtures', ...parts);
}
