// The layer rule of eslint.config.mjs (scripts/eslint-layers.mjs), run through ESLint's Node API on
// small in-memory sources placed at paths in each layer: every forbidden import is reported, and
// the imports the architecture relies on are not.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { REPO_ROOT } from '../support/fixtures';

const RULE = 'layers/imports';
let eslint: ESLint;

/** The layer-rule messages ESLint reports for `code` as if it were the file at `path`. */
async function layerProblems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, path) });
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${path} did not parse`);
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

async function assertReported(path: string, code: string, pattern: RegExp): Promise<void> {
  const problems = await layerProblems(path, code);
  assert.equal(problems.length, 1, `${path}: expected one layer problem for ${JSON.stringify(code)}, got ${JSON.stringify(problems)}`);
  assert.match(problems[0], pattern);
}

async function assertClean(path: string, code: string): Promise<void> {
  assert.deepEqual(await layerProblems(path, code), [], `${path}: ${JSON.stringify(code)} should be allowed`);
}

describe('lint: the layers of src/', function () {
  this.timeout(60_000);

  before(() => {
    eslint = new ESLint({ cwd: REPO_ROOT, overrideConfigFile: join(REPO_ROOT, 'eslint.config.mjs') });
  });

  describe('src/core imports neither vscode nor the layers above it', () => {
    const file = 'src/core/routing/lintProbe.ts';
    it('reports vscode', () => assertReported(file, "import * as vscode from 'vscode';\nexport const v = vscode;\n", /src\/core\/ must not import `vscode`/));
    it('reports a type-only vscode import too', () => assertReported(file, "import type { Uri } from 'vscode';\nexport type U = Uri;\n", /must not import `vscode`/));
    for (const [layer, specifier] of [
      ['vscode', '../../vscode/statusBar'],
      ['node', '../../node/classifierService'],
      ['webview', '../../webview/shared/format'],
      ['protocol', '../../protocol/common'],
      ['worker', '../../worker/protocol'],
      ['cli', '../../cli/runner'],
    ]) {
      it(`reports src/${layer}/`, () => assertReported(file, `import { x } from '${specifier}';\nexport const y = x;\n`, new RegExp(`src/core/ must not import src/${layer}/`)));
    }
    it('reports require() and dynamic import() as well', async () => {
      await assertReported(file, "export const v = require('vscode');\n", /must not import `vscode`/);
      await assertReported(file, "export const m = () => import('../../vscode/statusBar');\n", /must not import src\/vscode\//);
    });
    it('allows the core, npm packages and Node modules', () => assertClean(file, [
      "import { readFileSync } from 'node:fs';",
      "import OpenAI from 'openai';",
      "import { pyRound } from '../pyround';",
      "import { TIERS } from './policy';",
      'export const all = [readFileSync, OpenAI, pyRound, TIERS];',
    ].join('\n')));
  });

  describe('src/webview imports no Node module and not vscode', () => {
    const file = 'src/webview/stats/lintProbe.ts';
    for (const specifier of ['node:fs', 'fs', 'path', 'node:worker_threads', 'fs/promises']) {
      it(`reports ${specifier}`, () => assertReported(file, `import * as m from '${specifier}';\nexport const x = m;\n`, /must not import the Node module/));
    }
    it('reports vscode', () => assertReported(file, "import * as vscode from 'vscode';\nexport const v = vscode;\n", /src\/webview\/ must not import `vscode`/));
    it('reports the host side', () => assertReported(file, "import { x } from '../../vscode/statsPanel';\nexport const y = x;\n", /src\/webview\/ must not import src\/vscode\//));
    it('takes only types from the core', async () => {
      await assertReported(file, "import { TIERS } from '../../core/routing/policy';\nexport const t = TIERS;\n", /may import only types from src\/core\//);
      await assertClean(file, "import type { Tier } from '../../core/routing/policy';\nexport type T = Tier;\n");
      await assertClean(file, "import { type Tier } from '../../core/routing/policy';\nexport type T = Tier;\n");
    });
    it('allows the protocol, its own modules and browser packages', () => assertClean(file, [
      "import DOMPurify from 'dompurify';",
      "import { dispatch } from '../../protocol/common';",
      "import { el } from '../shared/dom';",
      'export const all = [DOMPurify, dispatch, el];',
    ].join('\n')));
  });

  describe('src/protocol (shared by the host and the webviews) stays portable', () => {
    const file = 'src/protocol/lintProbe.ts';
    it('reports a Node module', () => assertReported(file, "import { join } from 'node:path';\nexport const j = join;\n", /src\/protocol\/ must not import the Node module `node:path`/));
    it('reports vscode', () => assertReported(file, "import * as vscode from 'vscode';\nexport const v = vscode;\n", /must not import `vscode`/));
    it('reports a value import from the core, allows a type-only one', async () => {
      await assertReported(file, "import { tierForValue } from '../core/routing/policy';\nexport const f = tierForValue;\n", /may import only types from src\/core\//);
      await assertClean(file, "import type { Thresholds } from '../core/routing/policy';\nexport type { Tier } from '../core/routing/policy';\nexport type T = Thresholds;\n");
    });
    it('reports the webviews', () => assertReported(file, "import { el } from '../webview/shared/dom';\nexport const e = el;\n", /must not import src\/webview\//));
  });

  describe('only src/vscode and src/extension.ts import vscode', () => {
    for (const file of ['src/node/lintProbe.ts', 'src/worker/lintProbe.ts', 'src/cli/lintProbe.ts', 'src/cli/commands/lintProbe.ts']) {
      it(`reports vscode in ${file}`, () => assertReported(file, "import * as vscode from 'vscode';\nexport const v = vscode;\n", /must not import `vscode`: only src\/vscode\/ and src\/extension.ts/));
    }
    it('reports the VS Code layer imported from the CLI', () => assertReported('src/cli/lintProbe.ts', "import { x } from '../vscode/routerService';\nexport const y = x;\n", /src\/cli\/ must not import src\/vscode\//));
    it('reports the webview protocol imported from the worker', () => assertReported('src/worker/lintProbe.ts', "import { x } from '../protocol/chat';\nexport const y = x;\n", /src\/worker\/ must not import src\/protocol\//));
    it('allows vscode in src/vscode/ and src/extension.ts', async () => {
      await assertClean('src/vscode/commands/lintProbe.ts', "import * as vscode from 'vscode';\nimport { AUTO_MODEL } from '../../protocol/chat';\nimport { TIERS } from '../../core/routing/policy';\nexport const all = [vscode, AUTO_MODEL, TIERS];\n");
      await assertClean('src/extension.ts', "import * as vscode from 'vscode';\nimport { x } from './vscode/routerService';\nexport const all = [vscode, x];\n");
    });
  });

  it('finds no layer problem in the repository as it is', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const problems = results.flatMap((r) => r.messages.filter((m) => m.ruleId === RULE || m.fatal).map((m) => `${r.filePath}:${m.line} ${m.message}`));
    assert.deepEqual(problems, []);
    assert.ok(results.length > 50, `linted ${results.length} files`);
  });
});
