// Entry point of the tests that run inside a real VS Code extension host. It follows the
// @vscode/test-electron contract (VS Code `require`s this file as extensionTestsPath and awaits
// `run()`), so the same suite runs under code-server (scripts/host-tests.mjs) and under
// @vscode/test-electron (scripts/test-electron.mjs).
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export interface HostTestResults {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

/** Every compiled `*.test.js` below this folder (out/test/host), sorted for a stable order. */
function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTestFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack || `${error.name}: ${error.message}`;
  return String(error);
}

function writeResults(results: HostTestResults): void {
  const target = process.env.QWEN_ROUTER_TEST_RESULTS;
  if (!target) return;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${JSON.stringify(results, null, 2)}\n`);
}

export function run(): Promise<void> {
  // Plain console lines: in code-server they reach the page console (and so the harness's output),
  // under test-electron they reach the terminal.
  // QWEN_ROUTER_HOST_GREP runs only the tests whose full title matches (while working on one).
  const grep = process.env.QWEN_ROUTER_HOST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: Mocha.reporters.Base, ...(grep ? { grep } : {}) });
  const results: HostTestResults = { passed: 0, failed: 0, pending: 0, failures: [] };

  return new Promise<void>((resolve, reject) => {
    try {
      const files = findTestFiles(__dirname);
      if (files.length === 0) throw new Error(`no *.test.js files under ${__dirname}`);
      for (const file of files) mocha.addFile(file);
      console.log(`[host-tests] running ${files.length} file(s) in VS Code ${vscode.version}`);

      const runner = mocha.run(() => {
        console.log(`[host-tests] done: ${results.passed} passing, ${results.failed} failing, ${results.pending} pending`);
        writeResults(results);
        if (results.failed > 0) reject(new Error(`${results.failed} host test(s) failed`));
        else resolve();
      });
      runner.on('pass', (test) => {
        results.passed++;
        console.log(`[host-tests]   ok    ${test.fullTitle()} (${test.duration ?? 0} ms)`);
      });
      runner.on('fail', (test, error) => {
        results.failed++;
        const message = describeError(error);
        results.failures.push({ title: test.fullTitle(), error: message });
        console.log(`[host-tests]   FAIL  ${test.fullTitle()}\n${message}`);
      });
      runner.on('pending', (test) => {
        results.pending++;
        console.log(`[host-tests]   skip  ${test.fullTitle()}`);
      });
    } catch (error) {
      // Loading a test file can throw (syntax, missing module): report it as one failure.
      const message = describeError(error);
      results.failed++;
      results.failures.push({ title: 'loading host tests', error: message });
      console.log(`[host-tests]   FAIL  loading host tests\n${message}`);
      writeResults(results);
      reject(error instanceof Error ? error : new Error(message));
    }
  });
}
