// Which Chromium the tests drive headless (host tests, end-to-end, the webview DOM tests), on any OS:
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
    const require = createRequire(import.meta.url);
    const path = require('playwright-core').chromium.executablePath();
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
