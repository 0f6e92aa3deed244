// What goes into a platform VSIX, as data and small pure functions, shared by scripts/package.mjs
// (which stages and packs), scripts/e2e.mjs (which installs the result) and test/unit/packaging.test.ts.
//
// The extension's own code is bundled by esbuild into dist/. Only three packages stay outside the
// bundle because they load native binaries: onnxruntime-node (with its JS half, onnxruntime-common)
// and tokenizers. They ship in dist/node_modules/, next to the bundles that require them: vsce's
// --no-dependencies mode never packs a top-level node_modules/, and Node's lookup from
// dist/extension.js finds dist/node_modules/ first. Each VSIX keeps only its own platform's binaries.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { builtinModules } from 'node:module';

/** VS Code targets we build, with the onnxruntime-node binary folder and the tokenizers binary of each. */
export const TARGETS = Object.freeze({
  'linux-x64': { ort: 'linux/x64', tokenizers: 'linux-x64-gnu' },
  'linux-arm64': { ort: 'linux/arm64', tokenizers: 'linux-arm64-gnu' },
  'win32-x64': { ort: 'win32/x64', tokenizers: 'win32-x64-msvc' },
  'win32-arm64': { ort: 'win32/arm64', tokenizers: 'win32-arm64-msvc' },
  'darwin-arm64': { ort: 'darwin/arm64', tokenizers: 'darwin-arm64' },
});

export const DEFAULT_TARGET = 'linux-x64';

/** Targets vsce knows that we cannot serve, and why. */
export const REFUSED_TARGETS = Object.freeze({
  'darwin-x64': 'onnxruntime-node ships no Intel-mac (darwin/x64) binary, so the classifier could not load there. '
    + 'Build darwin-arm64 for Apple silicon; Intel Macs are not supported.',
  'alpine-x64': 'onnxruntime-node ships no musl (Alpine) binary.',
  'alpine-arm64': 'onnxruntime-node ships no musl (Alpine) binary.',
  'linux-armhf': 'onnxruntime-node ships no 32-bit ARM binary.',
  web: 'the extension runs the classifier with native Node modules; there is no web build.',
});

export class TargetError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TargetError';
  }
}

/** Checks a --target value; returns { target, ort, tokenizers } or throws a TargetError saying why not. */
export function resolveTarget(name = DEFAULT_TARGET) {
  if (Object.hasOwn(TARGETS, name)) return { target: name, ...TARGETS[name] };
  const supported = Object.keys(TARGETS).join(', ');
  if (Object.hasOwn(REFUSED_TARGETS, name)) {
    throw new TargetError(`cannot package for ${name}: ${REFUSED_TARGETS[name]} Supported targets: ${supported}.`);
  }
  throw new TargetError(`unknown target "${name}". Supported targets: ${supported}.`);
}

/** The packages that stay external to the esbuild bundles and ship as files. */
export const NATIVE_PACKAGES = Object.freeze(['onnxruntime-node', 'onnxruntime-common', 'tokenizers']);

/** Where the native packages live inside the extension folder (and the VSIX, under extension/). */
export const NATIVE_DIR = 'dist/node_modules';

/**
 * The files of each native package to ship for a target, as globs relative to the package folder
 * (`*` within one path segment, `**` across segments). Everything else in the package (TypeScript
 * sources, type declarations, source maps, install scripts, other platforms' binaries) stays out.
 */
export function nativeFileGlobs(targetName) {
  const { ort, tokenizers } = resolveTarget(targetName);
  // On macOS the binding loads @rpath/libonnxruntime.1.dylib; the npm package also carries an
  // identical copy under the full version number (a symlink before npm packed it): 44 MB we skip.
  const ortBinaries = ort.startsWith('darwin/')
    ? [`bin/napi-v6/${ort}/onnxruntime_binding.node`, `bin/napi-v6/${ort}/libonnxruntime.1.dylib`]
    : [`bin/napi-v6/${ort}/*`];
  return {
    'onnxruntime-node': ['package.json', 'dist/*.js', ...ortBinaries],
    // The bundles are CommonJS: only the package's `require` export (dist/cjs) is ever loaded.
    'onnxruntime-common': ['package.json', 'dist/cjs/package.json', 'dist/cjs/**/*.js'],
    tokenizers: ['package.json', 'index.js', 'LICENSE', `tokenizers.${tokenizers}.node`],
  };
}

/** Turns one of our globs into a RegExp over '/'-separated relative paths. */
export function globToRegExp(glob) {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // '**/' matches zero or more whole segments; a trailing '**' matches anything below.
      if (glob[i + 2] === '/') {
        source += '(?:[^/]+/)*';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') {
      source += '[^/]*';
    } else {
      source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** True when a file of a native package (path relative to the package folder) ships for the target. */
export function shipsNativeFile(pkg, relPath, targetName) {
  const globs = nativeFileGlobs(targetName)[pkg];
  if (!globs) return false;
  const path = relPath.split(sep).join('/');
  return globs.some((glob) => globToRegExp(glob).test(path));
}

/** Files of a folder, recursively, as '/'-separated paths relative to it. */
export function listFiles(dir) {
  const out = [];
  const walk = (current) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** The native files to stage for a target: [{ pkg, rel }] found under nodeModulesDir. */
export function selectNativeFiles(nodeModulesDir, targetName) {
  return NATIVE_PACKAGES.flatMap((pkg) => listFiles(join(nodeModulesDir, pkg))
    .filter((rel) => shipsNativeFile(pkg, rel, targetName))
    .map((rel) => ({ pkg, rel })));
}

/**
 * The .vscodeignore for a target: the repository's allow-list (`base`, ignore everything then
 * re-include) plus one re-include line per native glob of that target. vsce applies it in the staged
 * folder as a second fence behind the staging itself.
 */
export function vscodeignoreFor(base, targetName) {
  const lines = Object.entries(nativeFileGlobs(targetName))
    .flatMap(([pkg, globs]) => globs.map((glob) => `!${NATIVE_DIR}/${pkg}/${glob}`));
  return `${base.trimEnd()}\n\n# Native files for ${targetName}, added by scripts/package.mjs\n${lines.join('\n')}\n`;
}

/** Bare module names a bundle may require at run time: Node's own, VS Code's, and the native packages. */
export function allowedRuntimeRequire(name) {
  if (name === 'vscode') return true;
  const bare = name.startsWith('node:') ? name.slice(5) : name;
  if (builtinModules.includes(bare) || builtinModules.includes(bare.split('/')[0])) return true;
  return NATIVE_PACKAGES.includes(name) || NATIVE_PACKAGES.some((pkg) => name.startsWith(`${pkg}/`));
}

/** Literal `require("x")` calls of a bundle that no shipped module satisfies. */
export function unshippedRequires(source) {
  const names = new Set();
  for (const match of source.matchAll(/\brequire\(\s*(["'`])([^"'`]+)\1\s*\)/g)) {
    const name = match[2];
    if (name.startsWith('.') || name.startsWith('/')) continue;
    if (!allowedRuntimeRequire(name)) names.add(name);
  }
  return [...names].sort();
}

const BINARY = /\.(node|so(\.\d+)*|dll|dylib)$/;

/**
 * What is wrong with a VSIX's file list (paths as stored, under extension/), for a target.
 * Returns messages; empty when it holds what it must and nothing it must not.
 */
export function vsixProblems(entries, targetName, { webviews = ['chat', 'stats'] } = {}) {
  const { ort, tokenizers } = resolveTarget(targetName);
  const problems = [];
  const has = new Set(entries);
  const required = [
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/classifierWorker.js',
    'extension/dist/cli.js',
    ...webviews.map((name) => `extension/dist/webview/${name}.js`),
    `extension/${NATIVE_DIR}/onnxruntime-node/package.json`,
    `extension/${NATIVE_DIR}/onnxruntime-node/dist/index.js`,
    `extension/${NATIVE_DIR}/onnxruntime-node/bin/napi-v6/${ort}/onnxruntime_binding.node`,
    `extension/${NATIVE_DIR}/onnxruntime-common/dist/cjs/index.js`,
    `extension/${NATIVE_DIR}/tokenizers/index.js`,
    `extension/${NATIVE_DIR}/tokenizers/tokenizers.${tokenizers}.node`,
  ];
  for (const path of required) if (!has.has(path)) problems.push(`missing ${path}`);

  const ortPrefix = `extension/${NATIVE_DIR}/onnxruntime-node/bin/napi-v6/${ort}/`;
  const tokenizersBinary = `extension/${NATIVE_DIR}/tokenizers/tokenizers.${tokenizers}.node`;
  for (const entry of entries) {
    if (/^extension\/(src|test|out|bench|scripts|\.vscode-test|\.ci|node_modules)\//.test(entry)) {
      problems.push(`should not ship ${entry}`);
    } else if (/\.map$/.test(entry)) {
      problems.push(`source map in the package: ${entry}`);
    } else if (/\.(m|c)?ts$/.test(entry) && !entry.endsWith('.d.ts')) {
      problems.push(`TypeScript source in the package: ${entry}`);
    } else if (BINARY.test(entry) && !entry.startsWith(ortPrefix) && entry !== tokenizersBinary) {
      problems.push(`native binary for another platform: ${entry}`);
    } else if (/\.vsix$/.test(entry)) {
      problems.push(`a VSIX inside the VSIX: ${entry}`);
    }
  }
  return problems;
}

/**
 * The entries of a zip file (a VSIX is one): [{ name, size, compressedSize }], read from its central
 * directory. Enough for listing; `readZipEntry` inflates one entry.
 */
export function listZip(buffer) {
  // End of central directory record: signature 0x06054b50, at most 64 KiB of comment after it.
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory record)');
  const count = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory entry at ${offset}`);
    const method = buffer.readUInt16LE(offset + 10);
    const compressedSize = buffer.readUInt32LE(offset + 20);
    const size = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const localHeader = buffer.readUInt32LE(offset + 42);
    const name = buffer.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({ name, size, compressedSize, method, localHeader });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The contents of one entry from listZip (stored or deflated). */
export function readZipEntry(buffer, entry) {
  const at = entry.localHeader;
  if (buffer.readUInt32LE(at) !== 0x04034b50) throw new Error(`bad local header for ${entry.name}`);
  const start = at + 30 + buffer.readUInt16LE(at + 26) + buffer.readUInt16LE(at + 28);
  const data = buffer.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`unsupported compression method ${entry.method} for ${entry.name}`);
}
