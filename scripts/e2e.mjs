#!/usr/bin/env node
// `npm run test:e2e`: the packaged extension, used as a person would, in a real VS Code in a browser.
//
//  1. Builds test/e2e/index.ts (the scenarios and the DashScope stand-in) into out/e2e-run/.
//  2. `npm run package` for this machine's platform (scripts/package.mjs), unless --vsix/--skip-package.
//  3. Starts the stand-in on 127.0.0.1 (it insists on a random API key), and a throw-away code-server
//     with the VSIX installed into its extensions folder (not as an extension under development),
//     DASHSCOPE_API_KEY in its environment, and user settings pointing the extension at the stand-in
//     (qwenRouter.baseUrl) and at the tiny test classifier (qwenRouter.classifier.modelPath).
//  4. Opens the workbench in headless Chromium and runs the scenarios in test/e2e/scenarios.ts in
//     order, each with its own time limit. Screenshots go to test-results/screenshots/ (a failing
//     scenario leaves failed-<name>.png); the page's console goes to test-results/e2e-console.log.
//  5. Prints `N passed, N failed`; exits 1 on any failure.
//
//   npm run test:e2e -- [--skip-package] [--vsix FILE] [--only palette,chat,...] [--verbose]
//     --skip-package  reuse the VSIX the last `npm run package` wrote (qwen-router-<version>-<target>.vsix)
//     --vsix FILE     install this VSIX
//     --only A,B      run only these scenarios (palette, chat, palette-draft, stop, stats, xss, secret,
//                     native, native-model-picker, native-participant, native-explain, native-signals)
//     --verbose       forward the workbench's console and code-server's output
// Environment: QWEN_ROUTER_E2E_SCENARIO_TIMEOUT_MS (default 90000), QWEN_ROUTER_CHROMIUM.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, SetupError, ensureCodeServer, repoRoot, requireChromium, startCodeServer } from './code-server.mjs';
import { CHROMIUM_ARGS, consoleText } from './host-tests.mjs';
import { describeVsix, packageVsix } from './package.mjs';
import { DEFAULT_TARGET } from './packaging.mjs';

const SCENARIO_TIMEOUT_MS = Number(process.env.QWEN_ROUTER_E2E_SCENARIO_TIMEOUT_MS || 90_000);
const resultsDir = join(repoRoot, 'test-results');
const screenshotsDir = join(resultsDir, 'screenshots');
const consoleLogPath = join(resultsDir, 'e2e-console.log');
const TINY_MODEL = join(repoRoot, 'test', 'fixtures', 'tiny-model-json');

function parseArgs(argv) {
  const options = { only: undefined, skipPackage: false, verbose: Boolean(process.env.QWEN_ROUTER_TEST_VERBOSE) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--skip-package') options.skipPackage = true;
    else if (arg === '--vsix') options.vsix = resolve(value());
    else if (arg === '--only') options.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--verbose') options.verbose = true;
    else throw new Error(`unknown option ${arg} (see the head of scripts/e2e.mjs)`);
  }
  return options;
}

/** This machine's VS Code target, for the VSIX to install here. */
function hostTarget() {
  const target = `${process.platform}-${process.arch}`;
  return target === 'linux-x64' || target === 'linux-arm64' ? target : DEFAULT_TARGET;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Compiles the scenarios and the stand-in into one CommonJS file and loads it. */
async function loadScenarios() {
  const esbuild = await import('esbuild');
  const outfile = join(repoRoot, 'out', 'e2e-run', 'index.js');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'test', 'e2e', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['playwright-core'],
    logLevel: 'warning',
  });
  process.setSourceMapsEnabled(true);
  return createRequire(import.meta.url)(outfile);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

function firstLines(error, n = 12) {
  const text = error?.stack || String(error);
  return text.split('\n').filter((line) => !/node:internal|node_modules\/playwright-core/.test(line)).slice(0, n).join('\n');
}

async function main() {
  const started = Date.now();
  const options = parseArgs(process.argv.slice(2));
  const log = (line) => process.stdout.write(`${line}\n`);
  const results = []; // { name, title, ok, ms, error }
  const timings = {};
  let selected = [];
  let standIn;
  let server;
  let browser;
  const consoleLines = [];
  const scratch = mkdtempSync(join(tmpdir(), 'qwen-router-e2e-'));
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  process.on('exit', removeScratch);

  try {
    requireChromium();
    const playwright = await import('playwright-core').catch((error) => {
      throw new SetupError(`playwright-core is not installed (${error.message}); run: npm install`);
    });

    // Scenarios first: a typo in them should not cost a packaging run.
    let phase = Date.now();
    const bundle = await loadScenarios();
    const known = bundle.scenarios.map((s) => s.name);
    if (options.only) {
      const unknown = options.only.filter((name) => !known.includes(name));
      if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
    }
    selected = bundle.scenarios.filter((s) => !options.only || options.only.includes(s.name));

    // 1. The VSIX.
    const target = hostTarget();
    let vsix = options.vsix;
    if (vsix && !existsSync(vsix)) throw new Error(`--vsix: ${vsix} does not exist`);
    if (!vsix && options.skipPackage) {
      const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
      vsix = join(repoRoot, `${manifest.name}-${manifest.version}-${target}.vsix`);
      if (!existsSync(vsix)) throw new Error(`--skip-package: ${vsix} does not exist; run npm run package first`);
    }
    if (!vsix) {
      log(`== packaging (${target})`);
      phase = Date.now();
      const packed = await packageVsix({ target, log: options.verbose ? log : () => {} });
      timings.package = Date.now() - phase;
      log(describeVsix(packed));
      vsix = packed.vsix;
    }
    log(`== installing ${relative(repoRoot, vsix) || vsix} into a throw-away code-server`);

    // 2. The stand-in and code-server.
    phase = Date.now();
    await ensureCodeServer({ log });
    const apiKey = `sk-e2e-${randomBytes(12).toString('hex')}`;
    standIn = await bundle.DashScopeStandIn.start({ apiKey });
    const workspace = join(scratch, 'workspace');
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, 'notes.md'), '# Scratch workspace for the Qwen Router e2e run\n');
    server = await startCodeServer({
      vsix: [vsix],
      env: { DASHSCOPE_API_KEY: apiKey },
      settings: {
        'qwenRouter.baseUrl': standIn.baseUrl,
        'qwenRouter.classifier.modelPath': TINY_MODEL,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'workbench.tips.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'extensions.ignoreRecommendations': true,
        'chat.commandCenter.enabled': false,
        'window.restoreWindows': 'none',
      },
      onOutput: options.verbose ? (text) => log(text.trimEnd().replace(/^/gm, '[code-server] ')) : undefined,
    });
    const installed = readdirSync(server.extensionsDir).filter((name) => name.startsWith('qwen-router.'));
    if (installed.length === 0) throw new Error(`the VSIX was not installed: ${server.extensionsDir} holds ${readdirSync(server.extensionsDir).join(', ') || 'nothing'}`);
    timings.server = Date.now() - phase;
    log(`code-server ${server.url} with ${installed.join(', ')}; stand-in ${standIn.baseUrl} (${seconds(timings.server)})`);

    // 3. The workbench.
    phase = Date.now();
    browser = await playwright.chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const dialogs = [];
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    page.on('console', async (message) => {
      const text = await consoleText(message);
      consoleLines.push(`[${message.type()}] ${text}`);
      if (options.verbose) log(`[page] ${text}`);
    });
    page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
    await page.goto(server.workbenchUrl({ folder: workspace }), { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await bundle.waitForWorkbench(page);
    await bundle.waitForActivity(page, bundle.UI.activity);
    timings.workbench = Date.now() - phase;
    log(`workbench up (${seconds(timings.workbench)})`);

    mkdirSync(screenshotsDir, { recursive: true });
    // Pictures of an earlier run's failures would mislead.
    for (const name of readdirSync(screenshotsDir)) if (/^failed-.*\.png$/.test(name)) rmSync(join(screenshotsDir, name));
    const ctx = {
      page,
      standIn,
      apiKey,
      dialogs,
      consoleLines,
      serverDir: server.baseDir,
      extensionsDir: server.extensionsDir,
      log,
      async screenshot(name) {
        const path = join(screenshotsDir, `${name}.png`);
        await page.screenshot({ path });
        log(`    screenshot ${relative(repoRoot, path)}`);
        return path;
      },
    };

    // 4. The scenarios.
    log(`== ${selected.length} scenario(s)`);
    for (const scenario of selected) {
      const t0 = Date.now();
      log(`-- ${scenario.name}: ${scenario.title}`);
      try {
        await withTimeout(scenario.run(ctx), SCENARIO_TIMEOUT_MS, `scenario ${scenario.name}`);
        results.push({ name: scenario.name, title: scenario.title, ok: true, ms: Date.now() - t0 });
        log(`   ok (${seconds(Date.now() - t0)})`);
      } catch (error) {
        results.push({ name: scenario.name, title: scenario.title, ok: false, ms: Date.now() - t0, error });
        log(`   FAILED (${seconds(Date.now() - t0)}): ${firstLines(error)}`);
        await page.screenshot({ path: join(screenshotsDir, `failed-${scenario.name}.png`) }).catch(() => {});
        // Leave the window as the next scenario expects it: no palette or input box open.
        await page.keyboard.press('Escape').catch(() => {});
      }
    }
  } catch (error) {
    log(`\nerror: ${error instanceof SetupError ? error.message : firstLines(error, 20)}`);
    results.push({ name: 'setup', title: 'packaging, code-server and the workbench', ok: false, ms: 0, error });
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (standIn) await standIn.close().catch(() => {});
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(consoleLogPath, `${consoleLines.join('\n')}\n`);
    process.off('exit', removeScratch);
    removeScratch();
  }

  // 5. Summary. Scenarios that never ran (setup failed) count as failed.
  const ran = new Set(results.map((r) => r.name));
  for (const scenario of selected) {
    if (!ran.has(scenario.name)) results.push({ name: scenario.name, title: scenario.title, ok: false, ms: 0, error: new Error('not run (setup failed)') });
  }
  const scenarioResults = results.filter((r) => r.name !== 'setup' || selected.length === 0);
  const passed = scenarioResults.filter((r) => r.ok).length;
  const failed = scenarioResults.length - passed;
  log('\n== e2e summary');
  for (const r of scenarioResults) log(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.name.padEnd(8)} ${seconds(r.ms).padStart(7)}  ${r.ok ? r.title : String(r.error?.message ?? r.error).split('\n')[0]}`);
  const phases = Object.entries(timings).map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ');
  log(`  total ${seconds(Date.now() - started)}${phases ? ` (${phases})` : ''}; console: ${relative(repoRoot, consoleLogPath)}; screenshots: ${relative(repoRoot, screenshotsDir)}/`);
  log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(firstLines(error, 30));
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
}
