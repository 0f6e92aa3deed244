import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHAT_STRINGS } from '../../src/protocol/chat';
import { STATS_STRINGS } from '../../src/protocol/stats';
import { REPO_ROOT } from '../support/fixtures';

const read = (...parts: string[]) => readFileSync(join(REPO_ROOT, ...parts), 'utf8');
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The first argument of every vscode.l10n.t call with a literal message. */
function l10nMessages(): { file: string; message: string }[] {
  const pattern = /l10n\.t\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;
  return sources(join(REPO_ROOT, 'src')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(pattern)].map((match) => ({ file, message: (match[1] ?? match[2]).replace(/\\(['"\\])/g, '$1') })),
  );
}

describe('every UI string exists in English and zh-CN', () => {
  it('finds the host strings it checks', () => {
    assert.ok(l10nMessages().length > 50);
  });

  it('has a zh-CN translation for every vscode.l10n.t message', () => {
    const bundle: Record<string, string> = JSON.parse(read('l10n', 'bundle.l10n.zh-cn.json'));
    const missing = l10nMessages().filter(({ message }) => typeof bundle[message] !== 'string' || !bundle[message].trim());
    assert.deepEqual(missing, []);
  });

  it('has a zh-CN translation for every string the webviews show', () => {
    const bundle: Record<string, string> = JSON.parse(read('l10n', 'bundle.l10n.zh-cn.json'));
    const english = [...Object.values(CHAT_STRINGS), ...Object.values(STATS_STRINGS)];
    assert.ok(english.length > 50);
    assert.deepEqual(english.filter((message) => !bundle[message]), []);
  });

  it('has every %key% of package.json in package.nls.json and package.nls.zh-cn.json', () => {
    const keys = new Set([...read('package.json').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
    assert.ok(keys.size > 20);
    for (const file of ['package.nls.json', 'package.nls.zh-cn.json']) {
      const table: Record<string, string> = JSON.parse(read(file));
      assert.deepEqual([...keys].filter((key) => !table[key]), [], file);
    }
  });
});
