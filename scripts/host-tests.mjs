// Runs the extension-host test suite (out/test/host/index.js) inside a real VS Code: a throw-away
// code-server, with the workbench opened by headless Debian Chromium through playwright-core.
// The workbench loads the extension under development and its tests from the URL payload; when
// run() settles it calls window.codeAutomationExit(code), which we expose to get the verdict, and
// test/host/index.ts writes the detailed results to $QWEN_ROUTER_TEST_RESULTS.
//
//   import { runHostTests } from './host-tests.mjs';
//   const { passed, failed, failures } = await runHostTests({ env: { QWEN_ROUTER_API_BASE: ... } });
//
// As a CLI: node scripts/host-tests.mjs  (expects a build in out/; prints the results as JSON)
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHROMIUM_PATH, SetupError, VSCODE_VERSION, ensureCodeServer, repoRoot, requireChromium, startCodeServer,
} from './code-server.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const DEFAULT_TIMEOUT_MS = Number(process.env.QWEN_ROUTER_HOST_TIMEOUT_MS || 5 * 60_000);

/**
 * Turns a page console message into text. Log lines arrive as ('%c INFO', <css>, <args>...) (also
 * seen with '%s' placeholders): expand the placeholders, drop the CSS and the INFO tag.
 */
export async function consoleText(message) {
  let values;
  try {
    values = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => String(arg))));
  } catch {
    return message.text();
  }
  if (values.length === 0) return message.text();
  const [first, ...rest] = values;
  if (typeof first !== 'string' || !first.includes('%')) return values.map(show).join(' ');
  // Expand printf-style placeholders in the first argument, as the console would.
  let index = 0;
  const head = first.replace(/%[csdifoO%]/g, (token) => {
    if (token === '%%') return '%';
    const value = rest[index++];
    return token === '%c' ? '' : show(value);
  });
  return [head, ...rest.slice(index).map(show)].join(' ').replace(/^\s*INFO\s+/, '').replace(/^\s+/, '');
}

function show(value) {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

// Lines the closed network causes in the workbench: the gallery (open-vsx) is unreachable.
const NOISE = /ENOTFOUND open-vsx|Failed to load resource|ERR_NAME_NOT_RESOLVED|^\s+at .*workbench\.js/;

/**
 * Log lines (extension host ones among them) arrive as ('%c INFO', <css>, ...), ('%c  ERR', ...),
 * ('%c WARN', ...); the workbench's own warnings and errors come without the level prefix.
 */
function isLeveled(raw) {
  return /^%c\s*(INFO|ERR|WARN|TRACE|DEBUG)\b/.test(raw);
}

/**
 * Runs the host test suite once. Options:
 *   env        extra environment for code-server and so the extension host (e.g. a stand-in API base URL)
 *   timeoutMs  overall limit for the workbench to run the suite (default 5 min, or $QWEN_ROUTER_HOST_TIMEOUT_MS)
 *   log        where progress and forwarded extension-host lines go (default stdout)
 *   verbose    also forward every page console line and code-server's own output
 *   testsPath  the extensionTestsPath (default out/test/host/index.js)
 *   onPage     async (page) => void: called with the workbench page before it opens (for a benchmark
 *              to add init scripts or bindings, and to watch the console)
 * Resolves to { passed, failed, pending, failures: [{ title, error }], exitCode, seconds }.
 * Throws (SetupError for a missing package) when the suite could not run at all.
 */
export async function runHostTests({
  env = {},
  timeoutMs = DEFAULT_TIMEOUT_MS,
  log = (line) => process.stdout.write(`${line}\n`),
  verbose = Boolean(process.env.QWEN_ROUTER_TEST_VERBOSE),
  testsPath = join(repoRoot, 'out', 'test', 'host', 'index.js'),
  onPage,
} = {}) {
  const started = Date.now();
  requireChromium();
  if (!existsSync(testsPath)) throw new Error(`${testsPath} does not exist: run the build first (node esbuild.config.mjs)`);
  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch (error) {
    throw new SetupError(`playwright-core is not installed (${error.message}); run: npm install`);
  }
  await ensureCodeServer({ log });

  const scratch = mkdtempSync(join(tmpdir(), 'qwen-router-host-tests-'));
  const resultsFile = join(scratch, 'results.json');
  const workspace = join(scratch, 'workspace');
  mkdirSync(workspace);
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  process.on('exit', removeScratch); // also on Ctrl+C, when Playwright exits the process
  let server;
  let browser;
  let timer;
  try {
    server = await startCodeServer({
      env: { ...env, QWEN_ROUTER_TEST_RESULTS: resultsFile },
      // VS Code 1.117 opens its own chat in the secondary sidebar at startup; the suite does not need it.
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      onOutput: verbose ? (text) => log(text.trimEnd().replace(/^/gm, '[code-server] ')) : undefined,
    });
    log(`code-server up at ${server.url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // launch() gives Chromium a fresh temporary --user-data-dir of its own, removed on close.
    browser = await playwright.chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();

    let settle;
    const verdict = new Promise((r) => { settle = r; });
    await page.exposeFunction('codeAutomationExit', (code) => {
      settle({ kind: 'exit', code: Number(code) });
    });
    // The extension host's console shares the workbench's log format, so without --verbose we
    // forward leveled lines from the moment the suite announces itself, less known network noise.
    let suiteStarted = false;
    page.on('console', async (message) => {
      const raw = message.text();
      if (raw.includes('[host-tests]')) suiteStarted = true;
      if (!verbose && !(suiteStarted && isLeveled(raw))) return;
      const text = (await consoleText(message)).trimEnd();
      if (!text.trim() || (!verbose && NOISE.test(text))) return;
      log(text);
    });
    page.on('pageerror', (error) => {
      if (verbose) log(`[page error] ${error.message}`);
    });
    page.on('crash', () => settle({ kind: 'error', message: 'the workbench page crashed' }));
    browser.on('disconnected', () => settle({ kind: 'error', message: 'Chromium disconnected' }));
    server.exited.then(({ status, signal }) => settle({
      kind: 'error',
      message: `code-server exited (${signal || `status ${status}`}) during the test run; log: ${server.logFile}`,
    }));
    timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
    if (onPage) await onPage(page);

    const url = server.workbenchUrl({ folder: workspace, extensionDevelopmentPath: repoRoot, extensionTestsPath: testsPath });
    if (verbose) log(`opening ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });

    const outcome = await verdict;
    const results = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : undefined;
    if (outcome.kind === 'timeout') {
      throw new Error(`host tests did not finish within ${Math.round(timeoutMs / 1000)} s (no codeAutomationExit call); `
        + `${results ? `partial results: ${results.passed} passed, ${results.failed} failed` : 'no results were written'}. `
        + 'Rerun with QWEN_ROUTER_TEST_VERBOSE=1 to see the workbench and code-server output.');
    }
    if (outcome.kind === 'error') throw new Error(outcome.message);
    if (!results) {
      throw new Error(`the workbench exited with code ${outcome.code} but ${resultsFile} was not written: the extension host `
        + `never ran test/host/index.js (is engines.vscode newer than VS Code ${VSCODE_VERSION}? rerun with QWEN_ROUTER_TEST_VERBOSE=1)`);
    }
    if (outcome.code !== 0 && results.failed === 0) {
      results.failed = 1;
      results.failures = [{ title: 'host test run', error: `the workbench exited with code ${outcome.code} although no test failed` }];
    }
    return { ...results, exitCode: outcome.code, seconds: (Date.now() - started) / 1000 };
  } finally {
    clearTimeout(timer);
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
    process.off('exit', removeScratch);
    removeScratch();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runHostTests({ verbose: process.argv.includes('--verbose') || undefined }).then((results) => {
    console.log(JSON.stringify(results, null, 2));
    process.exitCode = results.failed > 0 ? 1 : 0;
  }, (error) => {
    console.error(error instanceof SetupError ? `error: ${error.message}` : error.stack || String(error));
    process.exit(1);
  });
}
