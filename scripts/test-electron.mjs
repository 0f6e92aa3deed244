#!/usr/bin/env node
// The same host test suite (test/host/**, entry out/test/host/index.js) under desktop VS Code via
// @vscode/test-electron, for machines that can download VS Code (it fetches a build from Microsoft
// into .vscode-test/ on first use, so it does NOT work on the offline development machines or in
// our CI; `npm test` uses code-server instead, see docs/testing.md).
//
//   node scripts/test-electron.mjs                       (needs a display; on a headless Linux box:)
//   xvfb-run -a node scripts/test-electron.mjs
//   VSCODE_TEST_VERSION=stable node scripts/test-electron.mjs   (default: 1.100.3, like code-server)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  const build = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed (node esbuild.config.mjs)');
  const extensionTestsPath = join(repoRoot, 'out', 'test', 'host', 'index.js');
  if (!existsSync(extensionTestsPath)) throw new Error(`${extensionTestsPath} is missing after the build`);

  const scratch = mkdtempSync(join(tmpdir(), 'qwen-router-test-electron-'));
  const workspace = join(scratch, 'workspace');
  mkdirSync(workspace);
  const resultsFile = join(scratch, 'results.json');
  let exitCode = 1;
  try {
    exitCode = await runTests({
      version: process.env.VSCODE_TEST_VERSION || '1.100.3',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      extensionTestsEnv: { QWEN_ROUTER_TEST_RESULTS: resultsFile },
      // A fresh profile: no other extensions, no trust prompt, the scratch folder as workspace.
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    }).then(() => 0, (error) => {
      console.error(`VS Code test run failed: ${error.message || error}`);
      return 1;
    });
  } finally {
    const results = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : undefined;
    rmSync(scratch, { recursive: true, force: true });
    if (results) {
      console.log(`${results.passed} passed, ${results.failed} failed`);
      if (results.failed > 0) exitCode = 1;
    } else {
      console.log('0 passed, 1 failed');
      exitCode = 1;
    }
  }
  process.exit(exitCode);
}

main().catch((error) => {
  console.error(error.stack || String(error));
  console.log('0 passed, 1 failed');
  process.exit(1);
});
