#!/usr/bin/env node
// A real VS Code for this project without downloading anything but npm packages:
// code-server 4.117.0 (VS Code 1.117 served to a browser) installed from the npm registry into
// .vscode-test/code-server-4.117.0/, run by its own Node 22 (the registry package node-<os>-<cpu>,
// installed into .vscode-test/node-22.x.y/; the system Node stays as it is), started as a
// throw-away server per run. Each version has its own folder, so an older install keeps working
// for whoever still uses it.
//
// As a module:  ensureCodeServer(), startCodeServer({ port, env, ... }), installExtension(vsix, dirs),
//               workbenchUrl(serverUrl, { folder, extensionDevelopmentPath, extensionTestsPath }).
// As a CLI:     node scripts/code-server.mjs install
//               node scripts/code-server.mjs start [--port N] [--folder DIR] [--vsix FILE]...
//               node scripts/code-server.mjs install-extension FILE --extensions-dir DIR [--user-data-dir DIR]
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, closeSync,
  accessSync, statSync, constants as fsConstants,
} from 'node:fs';
import { createServer } from 'node:net';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, delimiter } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  RIPGREP_PACKAGE_VERSION, codeServerNodePackage, findChromium, ripgrepArchiveName,
} from './platform.mjs';

export const CODE_SERVER_VERSION = '4.117.0';
/** The VS Code inside it: engines.vscode must not be newer, or the host skips the extension. */
export const VSCODE_VERSION = '1.117.0';
/** code-server 4.117 needs Node 22; this exact build, from the npm registry. */
export const NODE_VERSION = '22.23.3';
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheRoot = join(repoRoot, '.vscode-test');
export const codeServerDir = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
export const entryPath = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const markerPath = join(codeServerDir, 'installed.json');
const installLogPath = join(codeServerDir, 'install.log');
export const nodeDir = join(cacheRoot, `node-${NODE_VERSION}`);
const nodeMarkerPath = join(nodeDir, 'installed.json');

// @vscode/ripgrep (a dependency of VS Code inside code-server) downloads rg from GitHub in its
// postinstall unless it finds this archive in its cache; we hand it Debian's rg instead.
const RIPGREP_CACHE_DIR = `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`;


/** A problem the developer fixes on the machine (a missing package); its message is one actionable line. */
export class SetupError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

const APT_PACKAGES = 'chromium libkrb5-dev ripgrep';
const aptHint = (pkg) => process.platform === 'darwin'
  ? `run: brew install ${pkg === 'ripgrep' ? 'ripgrep' : pkg}`
  : `run: apt-get update && apt-get install -y ${pkg}  (everything the tests need: apt-get install -y ${APT_PACKAGES})`;

/** Finds an executable on PATH (like `which`), or undefined. */
export function which(name) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch { /* keep looking */ }
  }
  return undefined;
}

const chromium = findChromium();
/** The Chromium the host and end-to-end tests drive (scripts/platform.mjs: $QWEN_ROUTER_CHROMIUM, Playwright's, the OS's usual places). */
export const CHROMIUM_PATH = chromium.path;

/** Throws a SetupError saying how to get a Chromium when none was found. */
export function requireChromium() {
  if (!chromium.path) throw new SetupError(`${chromium.problem} The host and end-to-end tests drive it headless.`);
}

function requireInstallPrerequisites() {
  const rg = which('rg');
  if (!rg) throw new SetupError(`ripgrep (rg) not found on PATH; code-server's install needs it. ${aptHint('ripgrep')}`);
  // Linux builds kerberos against libkrb5-dev; macOS has the headers in its SDK.
  if (process.platform === 'linux' && !existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/gssapi/gssapi.h')) {
    throw new SetupError(`Kerberos headers not found (/usr/include/krb5.h); code-server's kerberos module builds from source. ${aptHint('libkrb5-dev')}`);
  }
  if (!which('tar')) throw new SetupError(`tar not found on PATH. ${aptHint('tar')}`);
  return rg;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The Node that runs code-server: { bin, nodedir (its headers, for native modules), override }.
 * $QWEN_ROUTER_CODE_SERVER_NODE (a Node 22 executable) replaces the registry package, for a
 * platform npm has no package of (macOS on Apple silicon).
 */
export function codeServerNode(env = process.env) {
  if (env.QWEN_ROUTER_CODE_SERVER_NODE) {
    const bin = resolve(env.QWEN_ROUTER_CODE_SERVER_NODE);
    return { bin, nodedir: dirname(dirname(bin)), override: true };
  }
  const pkg = codeServerNodePackage();
  const nodedir = join(nodeDir, 'node_modules', pkg);
  return { bin: join(nodedir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node'), nodedir, pkg, override: false };
}

export function isCodeServerInstalled() {
  const marker = readJson(markerPath);
  return Boolean(marker && marker.version === CODE_SERVER_VERSION && existsSync(entryPath) && isNodeInstalled());
}

function isNodeInstalled() {
  const node = codeServerNode();
  if (node.override) return existsSync(node.bin);
  const marker = readJson(nodeMarkerPath);
  return Boolean(marker && marker.version === NODE_VERSION && existsSync(node.bin));
}

function seedRipgrepCache(rgPath) {
  const cacheDir = join(tmpdir(), RIPGREP_CACHE_DIR);
  const archive = join(cacheDir, ripgrepArchiveName());
  if (existsSync(archive)) return archive;
  mkdirSync(cacheDir, { recursive: true });
  // `rg` must sit at the archive's root; -h follows a symlinked rg.
  const partial = `${archive}.${process.pid}.partial`;
  const tar = spawnSync('tar', ['-czhf', partial, '-C', dirname(rgPath), 'rg'], { encoding: 'utf8' });
  if (tar.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`could not create ${archive}: ${tar.stderr || tar.error}`);
  }
  renameSync(partial, archive);
  return archive;
}

function tail(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

/**
 * Installs Node 22 into .vscode-test/node-<version>/ and code-server into
 * .vscode-test/code-server-<version>/ unless the pinned versions are already there.
 * Returns the path of code-server's entry script. Logs progress to `log` (stderr by default).
 */
export async function ensureCodeServer({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  if (isCodeServerInstalled()) return entryPath;
  const node = codeServerNode();
  if (node.override && !existsSync(node.bin)) {
    throw new SetupError(`QWEN_ROUTER_CODE_SERVER_NODE is set to ${node.bin}, which does not exist; point it at a Node 22 executable.`);
  }
  const rg = requireInstallPrerequisites();
  // Several engineers (or test runs) share this tree: one installs, the others wait for it.
  if (!node.override) await withInstallLock(nodeDir, log, () => (isNodeInstalled() ? undefined : installNode(node, log)));
  return withInstallLock(codeServerDir, log, () => (isCodeServerInstalled() ? entryPath : install(rg, node, log)));
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function withInstallLock(dir, log, fn) {
  const lock = `${dir}.lock`;
  const pidFile = join(lock, 'pid');
  mkdirSync(dirname(lock), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(pidFile, String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const pid = Number(readJson(pidFile));
      let age = 0;
      try { age = Date.now() - statSync(lock).mtimeMs; } catch { continue; }
      if ((pid && !processAlive(pid)) || (!pid && age > 30_000)) {
        rmSync(lock, { recursive: true, force: true }); // left by an install that died
        continue;
      }
      if (!announced) log(`waiting for another install (pid ${pid || '?'}, lock ${lock})`);
      announced = true;
      await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * `npm install --no-package-lock <spec>` in `dir`, a folder with a package.json of its own (so npm
 * neither walks up into the project nor touches its lockfile); output goes to `logPath`.
 * Resolves to npm's exit code.
 */
async function npmInstall(dir, spec, { env, logPath, description }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({
    name: `qwen-router-${spec.replace(/[@/]/g, '-').replace(/^-+/, '')}`,
    private: true,
    description: `${description}; installed by scripts/code-server.mjs`,
    dependencies: {},
  }, null, 2)}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const logFd = openSync(logPath, 'w');
  const code = await new Promise((resolvePromise) => {
    const child = spawn(npm, ['install', '--no-package-lock', spec], {
      cwd: dir,
      env: {
        ...env,
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
      },
      stdio: ['ignore', logFd, logFd],
    });
    child.on('error', (error) => {
      writeFileSync(logPath, `\n${error.stack}\n`, { flag: 'a' });
      resolvePromise(-1);
    });
    child.on('exit', (status, signal) => resolvePromise(status ?? (signal ? 128 : -1)));
  });
  closeSync(logFd);
  if (code !== 0) {
    const text = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    throw new Error(`npm install ${spec} failed (exit ${code}); last lines of ${logPath}:\n${tail(text)}`);
  }
}

function writeMarker(path, version, started) {
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(path, `${JSON.stringify({ version, installedAt: new Date().toISOString(), seconds }, null, 2)}\n`);
  return seconds;
}

async function installNode(node, log) {
  const started = Date.now();
  const spec = `${node.pkg}@${NODE_VERSION}`;
  log(`installing Node ${NODE_VERSION} for code-server (${spec} from the npm registry) into ${nodeDir}`);
  rmSync(nodeMarkerPath, { force: true });
  await npmInstall(nodeDir, spec, { env: process.env, logPath: join(nodeDir, 'install.log'), description: `Node ${NODE_VERSION}, which runs code-server` });
  const version = spawnSync(node.bin, ['--version'], { encoding: 'utf8' });
  if (version.stdout?.trim() !== `v${NODE_VERSION}`) {
    throw new Error(`${node.bin} --version printed ${JSON.stringify(version.stdout || version.stderr || String(version.error))}, not v${NODE_VERSION}`);
  }
  log(`Node ${NODE_VERSION} installed in ${writeMarker(nodeMarkerPath, NODE_VERSION, started)} s`);
}

async function install(rg, node, log) {
  const started = Date.now();
  mkdirSync(codeServerDir, { recursive: true });
  rmSync(markerPath, { force: true });
  const archive = seedRipgrepCache(rg);
  log(`installing code-server ${CODE_SERVER_VERSION} into ${codeServerDir} (about 2-3 min; log: ${installLogPath}; rg from ${archive})`);
  const env = {
    ...process.env,
    // Lifecycle scripts (node-gyp among them) run on code-server's Node and build native modules
    // against its headers, not the system Node's.
    PATH: `${dirname(node.bin)}${delimiter}${process.env.PATH || ''}`,
    npm_config_nodedir: node.nodedir,
    TMPDIR: tmpdir(),
    npm_config_unsafe_perm: 'true', // root runs lifecycle scripts as root
    npm_config_yes: 'true', // node-pty's postinstall calls npx, which must not prompt
  };
  await npmInstall(codeServerDir, `code-server@${CODE_SERVER_VERSION}`, { env, logPath: installLogPath, description: 'code-server for running Qwen Router in a real VS Code' });
  if (!existsSync(entryPath)) throw new Error(`npm install code-server@${CODE_SERVER_VERSION} left no ${entryPath}; see ${installLogPath}`);
  log(`code-server ${CODE_SERVER_VERSION} installed in ${writeMarker(markerPath, CODE_SERVER_VERSION, started)} s`);
  return entryPath;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function findFreePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

function healthy(url) {
  return new Promise((resolvePromise) => {
    const request = httpGet(`${url}/healthz`, (response) => {
      response.resume();
      resolvePromise(response.statusCode === 200);
    });
    request.on('error', () => resolvePromise(false));
    request.setTimeout(2000, () => {
      request.destroy();
      resolvePromise(false);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The environment for code-server processes: ours, less a surrounding VS Code's, plus private XDG dirs. */
function serverEnv(base, extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_RUN_AS_NODE$|CODE_SERVER_)/.test(key)) continue;
    env[key] = value;
  }
  Object.assign(env, {
    XDG_CONFIG_HOME: join(base, 'xdg-config'),
    XDG_DATA_HOME: join(base, 'xdg-data'),
    XDG_CACHE_HOME: join(base, 'xdg-cache'),
    XDG_STATE_HOME: join(base, 'xdg-state'),
  }, extra);
  return env;
}

function baseArgs(dirs) {
  return [
    '--user-data-dir', dirs.userDataDir,
    '--extensions-dir', dirs.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
  ];
}

/**
 * Installs a .vsix into an extensions dir with code-server's own CLI (`--install-extension`).
 * Use the dirs of a started server (server.userDataDir, server.extensionsDir); a running workbench
 * picks the extension up on reload.
 */
export async function installExtension(vsixPath, { extensionsDir, userDataDir, env = {} } = {}) {
  if (!extensionsDir) throw new Error('installExtension needs an extensionsDir');
  await ensureCodeServer();
  const base = mkdtempSync(join(tmpdir(), 'qwen-router-vsix-'));
  try {
    const dirs = { extensionsDir, userDataDir: userDataDir || join(base, 'user-data') };
    const result = spawnSync(codeServerNode().bin, [entryPath, ...baseArgs(dirs), '--install-extension', resolve(vsixPath), '--force'], {
      env: serverEnv(base, env),
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0) {
      throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${result.status}): ${result.stderr || result.stdout || result.error}`);
    }
    return result.stdout.trim();
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/**
 * The workbench address that opens `folder` with an extension under development and, optionally,
 * its tests: code-server has no CLI flags for these, the browser URL carries them as a `payload`.
 */
export function workbenchUrl(serverUrl, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const { host } = new URL(serverUrl);
  const remote = (path) => `vscode-remote://${host}${pathToFileURL(resolve(path)).pathname}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const query = new URLSearchParams();
  if (folder) query.set('folder', resolve(folder));
  if (payload.length) query.set('payload', JSON.stringify(payload));
  const search = query.toString();
  return `${serverUrl}/${search ? `?${search}` : ''}`;
}

const liveServers = new Set();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when our process ends without stop(): the servers run in their own process groups,
  // so neither our exit nor the terminal's Ctrl+C reaches them.
  process.on('exit', () => {
    for (const server of liveServers) server.killNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      // Someone else handles it (stopOnSignal, Playwright closing its browser): they stop or exit.
      if (process.listenerCount(signal) > 1) return;
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Starts a throw-away code-server: temp user-data, extensions and XDG dirs, quiet settings.
 * Resolves once /healthz answers, to { url, port, pid, logFile, userDataDir, extensionsDir,
 * workbenchUrl(opts), installExtension(vsix), stop() }.
 * Options: port (default: a free one), host (default 127.0.0.1), env (extra environment for the
 * server and so for the extension host), settings (extra user settings), vsix (files to install
 * before starting), onOutput (gets the server's output chunks), startTimeoutMs.
 */
export async function startCodeServer({
  port, host = '127.0.0.1', env = {}, settings = {}, vsix = [], onOutput, startTimeoutMs = 90_000,
} = {}) {
  await ensureCodeServer();
  const base = mkdtempSync(join(tmpdir(), 'qwen-router-code-server-'));
  const dirs = { userDataDir: join(base, 'user-data'), extensionsDir: join(base, 'extensions') };
  mkdirSync(join(dirs.userDataDir, 'User'), { recursive: true });
  mkdirSync(dirs.extensionsDir, { recursive: true });
  writeFileSync(join(dirs.userDataDir, 'User', 'settings.json'), `${JSON.stringify({
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'security.workspace.trust.enabled': false,
    'update.mode': 'none',
    ...settings,
  }, null, 2)}\n`);
  try {
    for (const file of vsix) await installExtension(file, { ...dirs, env });
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }

  const chosenPort = port ?? await findFreePort();
  const configPath = join(base, 'config.yaml');
  writeFileSync(configPath, `bind-addr: ${host}:${chosenPort}\nauth: none\ncert: false\n`);
  const logFile = join(base, 'server.log');
  const logFd = openSync(logFile, 'a');
  const args = [
    entryPath,
    '--bind-addr', `${host}:${chosenPort}`,
    '--auth', 'none',
    '--config', configPath,
    ...baseArgs(dirs),
  ];
  const child = spawn(codeServerNode().bin, args, {
    cwd: base,
    env: serverEnv(base, env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() also ends the extension host and watchers
  });
  let output = '';
  const onData = (chunk) => {
    const text = chunk.toString();
    output = (output + text).slice(-20_000);
    try { writeFileSync(logFd, text); } catch { /* log is best effort */ }
    if (onOutput) onOutput(text);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  const exitPromise = new Promise((r) => child.on('exit', (status, signal) => {
    exited = true;
    r({ status, signal });
  }));

  const killGroup = (signal) => {
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  };
  let stopped = false;
  const server = {
    url: `http://${host}:${chosenPort}`,
    port: chosenPort,
    pid: child.pid,
    logFile,
    ...dirs,
    baseDir: base,
    exited: exitPromise,
    workbenchUrl: (options) => workbenchUrl(server.url, options),
    installExtension: (file) => installExtension(file, { ...dirs, env }),
    killNow() {
      killGroup('SIGKILL');
      try { closeSync(logFd); } catch { /* closed */ }
      rmSync(base, { recursive: true, force: true });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      liveServers.delete(server);
      if (!exited) {
        killGroup('SIGTERM');
        let timer;
        const finished = await Promise.race([
          exitPromise.then(() => true),
          new Promise((r) => { timer = setTimeout(() => r(false), 5000); }),
        ]);
        clearTimeout(timer);
        if (!finished) killGroup('SIGKILL');
      }
      // Children of the server (extension host, pty host) may outlive it briefly.
      killGroup('SIGKILL');
      try { closeSync(logFd); } catch { /* closed */ }
      rmSync(base, { recursive: true, force: true });
    },
  };
  liveServers.add(server);
  installExitHook();

  const deadline = Date.now() + startTimeoutMs;
  while (!(await healthy(server.url))) {
    if (exited) {
      await server.stop();
      throw new Error(`code-server exited before it was ready; its output:\n${tail(output)}`);
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer ${server.url}/healthz within ${startTimeoutMs / 1000} s; its output:\n${tail(output)}`);
    }
    await sleep(250);
  }
  return server;
}

// ---- CLI ----

function parseArgs(argv) {
  const options = { _: [], vsix: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--port') options.port = Number(value());
    else if (arg === '--folder') options.folder = value();
    else if (arg === '--vsix') options.vsix.push(value());
    else if (arg === '--extensions-dir') options.extensionsDir = value();
    else if (arg === '--user-data-dir') options.userDataDir = value();
    else if (arg === '--extension-development-path') options.extensionDevelopmentPath = value();
    else options._.push(arg);
  }
  return options;
}

/** Runs until Ctrl+C or SIGTERM, then stops the server. */
export function stopOnSignal(server, log = console.log) {
  return new Promise((resolvePromise) => {
    let stopping = false;
    const finish = async (signal) => {
      if (stopping) return;
      stopping = true;
      log(`\n${signal}: stopping code-server…`);
      await server.stop();
      resolvePromise();
    };
    process.on('SIGINT', () => finish('SIGINT'));
    process.on('SIGTERM', () => finish('SIGTERM'));
    server.exited.then(({ status, signal }) => {
      if (stopping) return;
      log(`code-server exited (${signal || `status ${status}`}); its log was ${server.logFile}`);
      stopping = true;
      server.stop().then(resolvePromise);
    });
  });
}

async function main(argv) {
  const options = parseArgs(argv);
  const [command, ...rest] = options._;
  if (command === 'install') {
    const entry = await ensureCodeServer();
    console.log(entry);
  } else if (command === 'start') {
    const server = await startCodeServer({ port: options.port, vsix: options.vsix });
    const url = server.workbenchUrl({
      folder: options.folder ? resolve(options.folder) : process.cwd(),
      extensionDevelopmentPath: options.extensionDevelopmentPath,
    });
    console.log(`code-server ${CODE_SERVER_VERSION} (VS Code ${VSCODE_VERSION}) is up; open:\n  ${url}\n(Ctrl+C stops it)`);
    await stopOnSignal(server);
  } else if (command === 'install-extension') {
    if (!rest[0] || !options.extensionsDir) throw new Error('usage: install-extension FILE.vsix --extensions-dir DIR [--user-data-dir DIR]');
    console.log(await installExtension(rest[0], options));
  } else {
    console.log('usage: node scripts/code-server.mjs install | start [--port N] [--folder DIR] [--vsix FILE] [--extension-development-path DIR] | install-extension FILE.vsix --extensions-dir DIR');
    process.exitCode = command ? 2 : 0;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof SetupError ? `error: ${error.message}` : error.stack || String(error));
    process.exit(1);
  });
}
