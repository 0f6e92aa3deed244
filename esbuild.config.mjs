// Bundles every runtime entry point into dist/, and transpiles the tests into out/.
// Native modules (onnxruntime-node, tokenizers) stay external: they load their own .node binaries.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const nativeExternals = ['vscode', 'onnxruntime-node', 'tokenizers'];

function listTs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listTs(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: nativeExternals,
  logLevel: 'warning',
};

const webviewEntries = ['src/webview/chat/main.ts', 'src/webview/stats/main.ts'].filter(existsSync);

const builds = [
  { ...nodeBundle, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...nodeBundle, entryPoints: { classifierWorker: 'src/worker/classifierWorker.ts' }, outdir: 'dist' },
  { ...nodeBundle, entryPoints: { quantizeWorker: 'src/node/quantizeWorker.ts' }, outdir: 'dist' },
  { ...nodeBundle, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  ...(webviewEntries.length
    ? [{
        bundle: true,
        platform: 'browser',
        target: 'es2022',
        format: 'iife',
        sourcemap: !production,
        minify: production,
        entryPoints: Object.fromEntries(webviewEntries.map((p) => [p.split('/')[2], p])),
        outdir: 'dist/webview',
        logLevel: 'warning',
      }]
    : []),
  // Tests and benchmarks: bundled per file so they run under plain Node and inside the extension host.
  {
    ...nodeBundle,
    entryPoints: [...listTs('test'), ...listTs('bench')],
    outbase: '.',
    outdir: 'out',
    external: [...nativeExternals, 'mocha', 'playwright-core', 'eslint'],
  },
];

// The webviews' icon font: copied from @vscode/codicons into media/codicons/ (gitignored), so the
// webviews load it from media/ (their only resource root besides dist/webview/) and the VSIX ships it.
function copyCodicons() {
  const from = 'node_modules/@vscode/codicons';
  if (!existsSync(from)) throw new Error('@vscode/codicons is missing: run npm install');
  mkdirSync('media/codicons', { recursive: true });
  copyFileSync(join(from, 'dist', 'codicon.css'), join('media', 'codicons', 'codicon.css'));
  copyFileSync(join(from, 'dist', 'codicon.ttf'), join('media', 'codicons', 'codicon.ttf'));
  copyFileSync(join(from, 'LICENSE'), join('media', 'codicons', 'LICENSE'));
}
copyCodicons();

if (watch) {
  for (const options of builds) (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
