#!/usr/bin/env node
// `npm start`: build, then open VS Code with the extension under development loaded.
//  - With a desktop `code` on PATH: `code --extensionDevelopmentPath=<repo> <folder>`.
//  - Otherwise: a throw-away code-server (installed on first use into .vscode-test/code-server-<version>/,
//    run by its own Node 22 from .vscode-test/node-<version>/)
//    with the extension loaded through the workbench URL; open the printed URL in a browser.
//    Runs until Ctrl+C.
//
//   npm start -- [--folder DIR] [--port N] [--code-server] [--watch]
//     --folder DIR     workspace to open (default: the scratch folder .vscode-test/workspace)
//     --port N         code-server port (default: a free one)
//     --code-server    use code-server even when `code` is on PATH
//     --watch          keep esbuild watching; reload the window (Developer: Reload Window) to pick up changes
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CODE_SERVER_VERSION, SetupError, VSCODE_VERSION, ensureCodeServer, repoRoot, startCodeServer, stopOnSignal, which,
} from './code-server.mjs';

function parseArgs(argv) {
  const options = { codeServer: false, watch: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--folder') options.folder = argv[++i];
    else if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg === '--code-server') options.codeServer = true;
    else if (arg === '--watch') options.watch = true;
    else throw new Error(`unknown option ${arg} (see the head of scripts/start.mjs)`);
  }
  return options;
}

function build() {
  const result = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the build failed (node esbuild.config.mjs); the errors are above');
}

function startWatcher() {
  const watcher = spawn(process.execPath, ['esbuild.config.mjs', '--watch'], { cwd: repoRoot, stdio: 'inherit' });
  process.on('exit', () => watcher.kill());
  return watcher;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  build();
  const folder = options.folder ? resolve(options.folder) : join(repoRoot, '.vscode-test', 'workspace');
  mkdirSync(folder, { recursive: true });

  const code = options.codeServer ? undefined : which('code');
  if (code) {
    console.log(`opening ${folder} in ${code} with the extension under development (${repoRoot})`);
    const watcher = options.watch ? startWatcher() : undefined;
    const child = spawn(code, [`--extensionDevelopmentPath=${repoRoot}`, '--new-window', folder], { stdio: 'inherit' });
    const status = await new Promise((r) => child.on('exit', (exitCode) => r(exitCode ?? 1)));
    if (!watcher) process.exit(status);
    console.log('esbuild is watching; Ctrl+C stops it');
    return;
  }

  await ensureCodeServer();
  const server = await startCodeServer({
    port: options.port,
    // The scratch workspace sits inside this repository: don't offer to open the repository.
    settings: { 'git.openRepositoryInParentFolders': 'never' },
  });
  const url = server.workbenchUrl({ folder, extensionDevelopmentPath: repoRoot });
  if (options.watch) startWatcher();
  console.log([
    '',
    `code-server ${CODE_SERVER_VERSION} (VS Code ${VSCODE_VERSION}) is running with Qwen Router loaded from ${repoRoot}.`,
    'Open this address in a browser on this machine (from elsewhere: ssh -L <port>:127.0.0.1:<port> first):',
    '',
    `  ${url}`,
    '',
    `After a rebuild${options.watch ? ' (esbuild is watching)' : ' (npm run build)'}, run "Developer: Reload Window" in the browser.`,
    `Server log: ${server.logFile}. Ctrl+C stops the server and removes its temporary profile.`,
  ].join('\n'));
  await stopOnSignal(server);
  process.exit(0);
}

main().catch((error) => {
  console.error(error instanceof SetupError ? `error: ${error.message}` : `error: ${error.stack || error}`);
  process.exit(1);
});
