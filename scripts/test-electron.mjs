#!/usr/bin/env node
// The same host test suite (test/host/**, entry out/test/host/index.js) under desktop VS Code via
// @vscode/test-electron: what `npm test` uses on macOS and Windows (and on Linux with
// QWEN_ROUTER_HOST_RUNNER=electron). It downloads a VS Code build from Microsoft into .vscode-test/
// on first use, so it needs the network once; CI and the offline Linux machines use code-server
// (scripts/host-tests.mjs), see docs/testing.md.
//
//   node scripts/test-electron.mjs                       (needs a display; on a headless Linux box:)
//   xvfb-run -a node scripts/test-electron.mjs
//   VSCODE_TEST_VERSION=stable node scripts/test-electron.mjs   (default: 1.117.0, like code-server)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The VS Code inside code-server (the other runner), so both runners test the same version.
import { VSCODE_VERSION } from './code-server.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs the host tests (already built into out/test/host) in desktop VS Code. Resolves with
 * `{ passed, failed, pending, failures: [{ title, error }] }` like scripts/host-tests.mjs.
 */
export async function runElectronHostTests({ version = process.env.VSCODE_TEST_VERSION || VSCODE_VERSION, env = {} } = {}) {
  const { runTests } = await import('@vscode/test-electron');
  const extensionTestsPath = join(repoRoot, 'out', 'test', 'host', 'index.js');
  if (!existsSync(extensionTestsPath)) throw new Error(`${extensionTestsPath} is missing: run node esbuild.config.mjs first`);
  const scratch = mkdtempSync(join(tmpdir(), 'qwen-router-test-electron-'));
  const workspace = join(scratch, 'workspace');
  mkdirSync(workspace);
  const resultsFile = join(scratch, 'results.json');
  try {
    let runError;
    await runTests({
      version,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      extensionTestsEnv: { ...env, QWEN_ROUTER_TEST_RESULTS: resultsFile },
      // A fresh profile: no other extensions, no trust prompt, the scratch folder as workspace.
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    }).catch((error) => {
      runError = error;
    });
    if (existsSync(resultsFile)) return JSON.parse(readFileSync(resultsFile, 'utf8'));
    throw new Error(`VS Code (${version}) wrote no test results${runError ? `: ${runError.message || runError}` : ''}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  const build = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed (node esbuild.config.mjs)');
  const results = await runElectronHostTests();
  for (const failure of results.failures ?? []) console.log(`  FAIL ${failure.title}\n${failure.error}`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed > 0 ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error.stack || String(error));
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
}
