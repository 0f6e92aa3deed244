// The VSIX allow-list logic of scripts/packaging.mjs, without packaging: which native files each
// target ships (checked against the real node_modules), the refused targets, and the VSIX checks.
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  NATIVE_DIR, TARGETS, globToRegExp, listZip, readZipEntry, resolveTarget, selectNativeFiles, shipsNativeFile,
  unshippedRequires, vscodeignoreFor, vsixProblems,
} from '../../scripts/packaging.mjs';

const repoRoot = resolve(__dirname, '..', '..', '..');
const nodeModules = join(repoRoot, 'node_modules');
const BINARY = /\.(node|so(\.\d+)*|dll|dylib)$/;

/** The part of yazl's ZipFile this test uses. */
interface YazlZip {
  addBuffer(buffer: Buffer, name: string, options?: { compress?: boolean }): void;
  end(): void;
  outputStream: NodeJS.ReadableStream;
}

describe('packaging: targets', () => {
  it('packages linux-x64 by default and knows the five supported targets', () => {
    assert.equal(resolveTarget().target, 'linux-x64');
    assert.deepEqual(Object.keys(TARGETS).sort(), ['darwin-arm64', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64']);
  });

  it('refuses darwin-x64, saying onnxruntime-node has no Intel-mac binary', () => {
    assert.throws(() => resolveTarget('darwin-x64'), /darwin-x64.*no Intel-mac/);
    assert.throws(() => resolveTarget('solaris-sparc'), /unknown target "solaris-sparc"\. Supported targets: linux-x64/);
  });
});

describe('packaging: native files per target', () => {
  for (const [target, { ort, tokenizers }] of Object.entries(TARGETS)) {
    it(`${target}: only ${ort} onnxruntime binaries and tokenizers.${tokenizers}.node`, () => {
      const files = selectNativeFiles(nodeModules, target);
      const paths = files.map(({ pkg, rel }) => `${pkg}/${rel}`);
      const binaries = paths.filter((p) => BINARY.test(p));
      assert.ok(paths.includes(`onnxruntime-node/bin/napi-v6/${ort}/onnxruntime_binding.node`), 'the onnxruntime binding');
      assert.ok(paths.includes(`tokenizers/tokenizers.${tokenizers}.node`), 'the tokenizers binary');
      assert.ok(paths.includes('onnxruntime-common/dist/cjs/index.js'), "onnxruntime-common's CommonJS entry");
      assert.ok(paths.includes('onnxruntime-node/dist/index.js') && paths.includes('tokenizers/index.js'));
      for (const binary of binaries) {
        assert.ok(binary.startsWith(`onnxruntime-node/bin/napi-v6/${ort}/`) || binary === `tokenizers/tokenizers.${tokenizers}.node`, `foreign binary ${binary}`);
      }
      assert.deepEqual(paths.filter((p) => /\.(map|ts)$/.test(p) || p.includes('/script/') || p.includes('/lib/')), []);
    });
  }

  it('skips the duplicate versioned dylib on macOS but keeps the one the binding loads', () => {
    assert.equal(shipsNativeFile('onnxruntime-node', 'bin/napi-v6/darwin/arm64/libonnxruntime.1.dylib', 'darwin-arm64'), true);
    assert.equal(shipsNativeFile('onnxruntime-node', 'bin/napi-v6/darwin/arm64/libonnxruntime.1.30.0.dylib', 'darwin-arm64'), false);
    assert.equal(shipsNativeFile('onnxruntime-node', 'bin/napi-v6/win32/x64/DirectML.dll', 'win32-x64'), true);
  });

  it('writes the target\'s re-include lines into the .vscodeignore', () => {
    const text = vscodeignoreFor(readFileSync(join(repoRoot, '.vscodeignore'), 'utf8'), 'win32-arm64');
    assert.match(text, /^\*\*$/m);
    assert.match(text, new RegExp(`^!${NATIVE_DIR}/onnxruntime-node/bin/napi-v6/win32/arm64/\\*$`, 'm'));
    assert.match(text, new RegExp(`^!${NATIVE_DIR}/tokenizers/tokenizers\\.win32-arm64-msvc\\.node$`, 'm'));
    assert.deepEqual(text.split('\n').filter((line) => line.startsWith('!') && /linux|darwin|win32\/x64|win32-x64/.test(line)), []);
  });

  it('globs: * stays within a segment, ** crosses them', () => {
    assert.ok(globToRegExp('dist/*.js').test('dist/cli.js'));
    assert.ok(!globToRegExp('dist/*.js').test('dist/cli.js.map'));
    assert.ok(!globToRegExp('dist/*.js').test('dist/webview/chat.js'));
    assert.ok(globToRegExp('dist/cjs/**/*.js').test('dist/cjs/index.js'));
    assert.ok(globToRegExp('dist/cjs/**/*.js').test('dist/cjs/a/b.js'));
    assert.ok(globToRegExp('media/**').test('media/codicons/codicon.ttf'));
    assert.ok(!globToRegExp('package.nls.*.json').test('package.nls.json'));
  });
});

describe('packaging: checks', () => {
  const good = [
    'extension.vsixmanifest', '[Content_Types].xml', 'extension/package.json', 'extension/LICENSE.txt',
    'extension/dist/extension.js', 'extension/dist/classifierWorker.js', 'extension/dist/cli.js',
    'extension/dist/webview/chat.js', 'extension/dist/webview/stats.js', 'extension/media/chat.css',
    `extension/${NATIVE_DIR}/onnxruntime-node/package.json`, `extension/${NATIVE_DIR}/onnxruntime-node/dist/index.js`,
    `extension/${NATIVE_DIR}/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node`,
    `extension/${NATIVE_DIR}/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1`,
    `extension/${NATIVE_DIR}/onnxruntime-common/dist/cjs/index.js`,
    `extension/${NATIVE_DIR}/tokenizers/index.js`, `extension/${NATIVE_DIR}/tokenizers/tokenizers.linux-x64-gnu.node`,
  ];

  it('accepts a complete linux-x64 listing', () => {
    assert.deepEqual(vsixProblems(good, 'linux-x64'), []);
  });

  it('flags sources, tests, maps, foreign binaries and missing bundles', () => {
    const bad = [
      ...good.filter((p) => p !== 'extension/dist/classifierWorker.js'),
      'extension/src/extension.ts', 'extension/test/unit/x.test.ts', 'extension/dist/extension.js.map',
      `extension/${NATIVE_DIR}/tokenizers/tokenizers.linux-x64-musl.node`,
      `extension/${NATIVE_DIR}/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll`,
    ];
    const problems = vsixProblems(bad, 'linux-x64');
    assert.equal(problems.length, 6, problems.join('\n'));
    assert.ok(problems.some((p) => p === 'missing extension/dist/classifierWorker.js'));
    assert.ok(problems.some((p) => p.includes('linux-x64-musl')));
    assert.ok(problems.some((p) => p.includes('win32/x64/onnxruntime.dll')));
    // The same listing is wrong for another target: its binaries are missing, linux's are foreign.
    assert.ok(vsixProblems(good, 'darwin-arm64').some((p) => p.includes('darwin/arm64/onnxruntime_binding.node')));
  });

  it('finds require() calls of modules the VSIX would not have', () => {
    const bundle = 'const a=require("fs"),b=require("node:path"),c=require("onnxruntime-node"),d=require("tokenizers"),'
      + 'e=require("vscode"),f=require("./local"),g=require("openai"),h=require(`left-pad`);';
    assert.deepEqual(unshippedRequires(bundle), ['left-pad', 'openai']);
  });

  it('reads zip listings and entries (a VSIX is a zip), as written by the zip writer vsce packs with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qwen-router-zip-'));
    try {
      // yazl is what @vscode/vsce writes a VSIX with: resolve it from vsce, not from our own dependencies.
      const vsceRequire = createRequire(require.resolve('@vscode/vsce/package.json'));
      const yazl = vsceRequire('yazl') as { ZipFile: new () => YazlZip };
      const zip = new yazl.ZipFile();
      zip.addBuffer(Buffer.from('hello '.repeat(100)), 'a.txt');
      zip.addBuffer(Buffer.from([1, 2, 3]), 'b.bin', { compress: false });
      zip.end();
      const chunks: Buffer[] = [];
      for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
      writeFileSync(join(dir, 'x.zip'), Buffer.concat(chunks));
      const buffer = readFileSync(join(dir, 'x.zip'));
      const entries = listZip(buffer);
      assert.deepEqual(entries.map((e) => [e.name, e.size]), [['a.txt', 600], ['b.bin', 3]]);
      assert.equal(readZipEntry(buffer, entries[0]).toString(), 'hello '.repeat(100));
      assert.deepEqual([...readZipEntry(buffer, entries[1])], [1, 2, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
