// Every relative link in the documentation points at a file that exists (and at a heading that
// exists, when it names one), every docs path the code cites exists, and the README's images are
// PNG files the VSIX ships (its page in VS Code shows them from the installed extension).
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { globToRegExp } from '../../scripts/packaging.mjs';
import { REPO_ROOT } from '../support/fixtures';

const DOCS = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'models/README.md',
  ...readdirSync(join(REPO_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** The text outside fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '``');
}

/** Inline links and images: `[text](target)` / `![alt](target)`. */
function links(markdown: string): { image: boolean; target: string }[] {
  return [...prose(markdown).matchAll(/(!?)\[(?:[^\]\n]|\][^(])*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => ({ image: m[1] === '!', target: m[2] }));
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as dashes. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, text] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count ? `${base}-${count}` : base);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs|js|py)$/.test(name) ? [path] : [];
  });
}

describe('documentation links', () => {
  for (const doc of DOCS) {
    it(`${doc}: every relative link resolves`, () => {
      const text = readFileSync(join(REPO_ROOT, doc), 'utf8');
      const broken: string[] = [];
      for (const { target } of links(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split('#', 2) as [string, string | undefined];
        const file = path ? resolve(dirname(join(REPO_ROOT, doc)), decodeURI(path)) : join(REPO_ROOT, doc);
        if (!existsSync(file)) {
          broken.push(`${target}: no such file`);
          continue;
        }
        if (anchor && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(anchor)) {
          broken.push(`${target}: no heading with the anchor #${anchor} in ${relative(REPO_ROOT, file)}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }

  it('keeps the README a product page: at most 250 lines, with the two setup commands', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const lines = readme.trimEnd().split('\n').length;
    assert.ok(lines <= 250, `README.md has ${lines} lines; move reference material to docs/`);
    assert.match(readme, /npm install\s*\n\s*npm start\s+# or: npm test/);
  });

  it('finds the links it checks', () => {
    const readme = links(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    assert.ok(readme.some((l) => l.target === 'CONTRIBUTING.md'));
    assert.ok(readme.some((l) => l.image));
    assert.ok(anchors('# Scenarios (`test/e2e/scenarios.ts`)\n## A\n## A').has('a-1'));
  });

  it('every docs/ path cited in the code exists', () => {
    const missing: string[] = [];
    let cited = 0;
    for (const dir of ['src', 'scripts', 'test', 'bench', '.ci']) {
      for (const file of sourceFiles(join(REPO_ROOT, dir))) {
        for (const [path] of readFileSync(file, 'utf8').matchAll(/(?<![\w/.-])docs\/[\w./-]*\w\.md\b/g)) {
          cited++;
          if (!existsSync(join(REPO_ROOT, path))) missing.push(`${relative(REPO_ROOT, file)} cites ${path}`);
        }
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(cited >= 3, `found ${cited} citations`);
  });

  it("the README's images are PNG files the VSIX ships", () => {
    const shipped = readFileSync(join(REPO_ROOT, '.vscodeignore'), 'utf8').split(/\r?\n/)
      .filter((line) => line.startsWith('!')).map((line) => globToRegExp(line.slice(1)));
    const images = links(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).filter((l) => l.image).map((l) => l.target);
    assert.ok(images.length >= 2, 'the README shows screenshots');
    for (const image of images) {
      assert.match(image, /^media\/.+\.png$/, `${image}: vsce refuses SVG, and only media/ ships`);
      assert.ok(shipped.some((glob) => glob.test(image)), `${image} is not in the .vscodeignore allow-list`);
      assert.ok(statSync(join(REPO_ROOT, image)).size < 300_000, `${image} is large for a VSIX`);
    }
  });
});
