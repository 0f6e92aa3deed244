#!/usr/bin/env node
// `npm run package`: an installable VSIX for one platform, holding only that platform's native binaries.
//
//   npm run package                               # linux-x64
//   npm run package -- --target darwin-arm64      # or win32-x64, win32-arm64, linux-arm64
//   npm run package -- --out build/my.vsix --keep-stage --skip-build
//
// Steps:
//  1. `node esbuild.config.mjs --production`: minified bundles in dist/, no source maps.
//  2. Stage a clean folder (in $TMPDIR): package.json without its scripts, the files the allow-list in
//     .vscodeignore re-includes, and the native packages (onnxruntime-node, onnxruntime-common,
//     tokenizers) reduced to the target's files, under dist/node_modules/ (see scripts/packaging.mjs).
//     Check the bundles: production build, and every require() they make is shipped or built in.
//  3. `vsce package --no-dependencies --target <target>` in the stage, with .vscodeignore plus the
//     target's native re-include lines.
//  4. Read the VSIX back and check it: required files present; no src/, test/, source maps, or other
//     platforms' binaries. Prints the VSIX path and size; exits non-zero on any problem.
//
// As a module: packageVsix({ target, out, skipBuild, keepStage, log }) -> { vsix, bytes, entries, seconds }.
import { spawn } from 'node:child_process';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_TARGET, NATIVE_DIR, TargetError, globToRegExp, listFiles, listZip, resolveTarget,
  selectNativeFiles, unshippedRequires, vscodeignoreFor, vsixProblems,
} from './packaging.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vsceBin = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');

export class PackagingError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PackagingError';
  }
}

function run(command, args, { cwd = repoRoot, log }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) log(`  ${line.trimEnd()}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** The re-include globs of the allow-list (lines starting with `!`), without the `!`. */
export function allowListGlobs(text) {
  return text.split(/\r?\n/).map((line) => line.trim())
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1));
}

/**
 * Repository files matching the allow-list. Only the top-level folder each glob names is walked
 * (never node_modules/ or .vscode-test/ as a whole).
 */
function allowListedFiles(globs) {
  const found = new Set();
  for (const glob of globs) {
    const regex = globToRegExp(glob);
    const top = glob.split('/')[0];
    let candidates;
    if (!glob.includes('/')) {
      candidates = readdirSync(repoRoot).filter((name) => statSync(join(repoRoot, name)).isFile());
    } else if (!/[*]/.test(top) && existsSync(join(repoRoot, top)) && statSync(join(repoRoot, top)).isDirectory()) {
      candidates = listFiles(join(repoRoot, top)).map((rel) => `${top}/${rel}`);
    } else {
      candidates = [];
    }
    for (const path of candidates) if (regex.test(path)) found.add(path);
  }
  return [...found].sort();
}

function copyInto(stage, rel, from) {
  const to = join(stage, rel);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export async function packageVsix({
  target = DEFAULT_TARGET,
  out,
  skipBuild = false,
  keepStage = false,
  log = (line) => process.stdout.write(`${line}\n`),
} = {}) {
  const started = Date.now();
  const plan = resolveTarget(target); // throws TargetError for darwin-x64 and friends
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const vsix = resolve(out ?? join(repoRoot, `${manifest.name}-${manifest.version}-${plan.target}.vsix`));
  if (!existsSync(vsceBin)) throw new PackagingError(`@vscode/vsce is not installed (${vsceBin}); run: npm install`);

  // 1. Production build.
  if (!skipBuild) {
    log('building (production)…');
    const build = await run(process.execPath, ['esbuild.config.mjs', '--production'], { log });
    if (build.code !== 0) throw new PackagingError(`the production build failed (exit ${build.code})`);
  }

  // 2. Stage.
  const stage = mkdtempSync(join(tmpdir(), `qwen-router-package-${plan.target}-`));
  const removeStage = () => rmSync(stage, { recursive: true, force: true });
  if (!keepStage) process.on('exit', removeStage); // also when interrupted (the CLI exits on signals)
  try {
    const ignoreText = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8');
    const files = allowListedFiles(allowListGlobs(ignoreText)).filter((path) => path !== 'package.json');
    for (const rel of files) copyInto(stage, rel, join(repoRoot, rel));
    // The packaged manifest: the repository's, less its scripts (vsce would run a vscode:prepublish
    // script in the stage, where there are no sources; we built already).
    const { scripts: _scripts, ...packagedManifest } = manifest;
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(packagedManifest, null, 2)}\n`);
    const natives = selectNativeFiles(join(repoRoot, 'node_modules'), plan.target);
    for (const { pkg, rel } of natives) copyInto(stage, `${NATIVE_DIR}/${pkg}/${rel}`, join(repoRoot, 'node_modules', pkg, rel));
    writeFileSync(join(stage, '.vscodeignore'), vscodeignoreFor(ignoreText, plan.target));
    log(`staged ${files.length + 1} files and ${natives.length} native files for ${plan.target} in ${stage}`);

    // The bundles must be the production build and need nothing that is not shipped.
    const bundles = files.filter((path) => /^dist\/[^/]+\.js$/.test(path));
    for (const name of ['dist/extension.js', 'dist/classifierWorker.js', 'dist/cli.js']) {
      if (!bundles.includes(name)) throw new PackagingError(`${name} was not built`);
    }
    for (const rel of files.filter((path) => /^dist\/.*\.js$/.test(path))) {
      const source = readFileSync(join(stage, rel), 'utf8');
      if (/\/\/# sourceMappingURL=/.test(source.slice(-400))) {
        throw new PackagingError(`${rel} is a development build (it names a source map): another build wrote dist/ meanwhile? Run npm run package again.`);
      }
      if (rel.startsWith('dist/webview/')) continue;
      const missing = unshippedRequires(source);
      if (missing.length) {
        throw new PackagingError(`${rel} requires ${missing.join(', ')} at run time, which the VSIX does not ship: `
          + 'bundle it (drop it from the esbuild externals) or add it to NATIVE_PACKAGES in scripts/packaging.mjs');
      }
    }

    // 3. vsce.
    log(`vsce package --no-dependencies --target ${plan.target}…`);
    mkdirSync(dirname(vsix), { recursive: true });
    rmSync(vsix, { force: true });
    const packed = await run(process.execPath, [
      vsceBin, 'package',
      '--no-dependencies',
      '--target', plan.target,
      '--out', vsix,
      // No public repository yet; README links stay as written (they point into the repository).
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
    ], { cwd: stage, log });
    if (packed.code !== 0 || !existsSync(vsix)) throw new PackagingError(`vsce package failed (exit ${packed.code})`);
  } finally {
    if (keepStage) log(`stage kept: ${stage}`);
    else {
      process.off('exit', removeStage);
      removeStage();
    }
  }

  // 4. Check what was packed.
  const buffer = readFileSync(vsix);
  const entries = listZip(buffer);
  const problems = vsixProblems(entries.map((e) => e.name), plan.target);
  if (problems.length) {
    throw new PackagingError(`${vsix} is not right:\n  ${problems.join('\n  ')}`);
  }
  return { vsix, bytes: buffer.length, entries, target: plan.target, seconds: (Date.now() - started) / 1000 };
}

/** A few lines describing a packed VSIX: path, size, and what it holds by kind. */
export function describeVsix({ vsix, bytes, entries, target }) {
  const groups = new Map();
  const add = (label, entry) => {
    const group = groups.get(label) ?? { count: 0, size: 0 };
    group.count += 1;
    group.size += entry.size;
    groups.set(label, group);
  };
  for (const entry of entries) {
    const name = entry.name.replace(/^extension\//, '');
    if (name.startsWith(`${NATIVE_DIR}/onnxruntime-node/bin/`)) add('onnxruntime-node binaries', entry);
    else if (/^dist\/node_modules\/tokenizers\/.*\.node$/.test(name)) add('tokenizers binary', entry);
    else if (name.startsWith(`${NATIVE_DIR}/`)) add('native packages\' JS', entry);
    else if (name.startsWith('dist/webview/')) add('webview bundles', entry);
    else if (name.startsWith('dist/')) add('extension bundles', entry);
    else if (name.startsWith('media/')) add('media', entry);
    else add('manifest, docs, nls', entry);
  }
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  const lines = [`${vsix}`, `  ${target}: ${mib(bytes)} on disk (${mib(total)} unpacked), ${entries.length} files`];
  for (const [label, { count, size }] of groups) lines.push(`  ${label.padEnd(26)} ${String(count).padStart(4)} files ${mib(size).padStart(10)}`);
  const binaries = entries.filter((e) => /\.(node|so(\.\d+)*|dll|dylib)$/.test(e.name)).map((e) => e.name.replace(/^extension\//, ''));
  lines.push(`  native binaries: ${binaries.join(', ')}`);
  return lines.join('\n');
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new TargetError(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === '--target' || flag === '-t') options.target = value();
    else if (flag === '--out' || flag === '-o') options.out = value();
    else if (flag === '--skip-build') options.skipBuild = true;
    else if (flag === '--keep-stage') options.keepStage = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new TargetError(`unknown option ${arg} (usage: npm run package -- [--target T] [--out FILE] [--skip-build] [--keep-stage])`);
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`error: ${error.message}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 8).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    process.exit(0);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  packageVsix(options).then((result) => {
    console.log(`packaged in ${result.seconds.toFixed(1)} s:`);
    console.log(describeVsix(result));
  }, (error) => {
    const expected = error instanceof TargetError || error instanceof PackagingError;
    console.error(`error: ${expected ? error.message : error.stack || error}`);
    process.exit(expected && error instanceof TargetError ? 2 : 1);
  });
}
