// The architecture as a lint rule: which folder of src/ may import which (see CONTRIBUTING.md,
// "Layout and its rules"). Used by eslint.config.mjs as the rule `layers/imports`; proved by
// test/unit/lintLayers.test.ts.
//
// Each file under src/ belongs to one layer (its first folder, or `extension` for src/extension.ts).
// An import of another project file is allowed when the target's layer is in the importer's `uses`,
// or, for `typesFrom`, when the import is type-only (it leaves no code in the bundle). `vscode` may
// be imported only where `vscode` is true; Node's built-in modules only where `node` is true.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The layers of src/. Keep CONTRIBUTING.md's table in step with this one. */
export const LAYERS = Object.freeze({
  // Pure logic shared by the extension, the CLI and the worker: no editor, no UI.
  core: { uses: ['core'], vscode: false, node: true },
  // Host <-> webview messages and UI strings: runs on both sides, so no Node and no editor.
  protocol: { uses: ['protocol'], typesFrom: ['core'], vscode: false, node: false },
  // Browser code inside the webviews.
  webview: { uses: ['webview', 'protocol'], typesFrom: ['core'], vscode: false, node: false },
  // Node-only services without the editor (the classifier's worker host, the model download).
  node: { uses: ['node', 'core', 'worker'], vscode: false, node: true },
  // The classifier's worker thread.
  worker: { uses: ['worker', 'core'], vscode: false, node: true },
  // The command-line tool.
  cli: { uses: ['cli', 'core', 'node', 'worker'], vscode: false, node: true },
  // The VS Code layer and the entry point: the only places that import `vscode`.
  vscode: { uses: ['vscode', 'core', 'node', 'worker', 'protocol'], vscode: true, node: true },
  extension: { uses: ['vscode', 'core', 'node', 'worker', 'protocol'], vscode: true, node: true },
});

const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));

/** True for `node:fs`, `fs`, `fs/promises` and the like. */
export function isNodeBuiltin(specifier) {
  if (specifier.startsWith('node:')) return true;
  return NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]);
}

/** The layer of a file (absolute path), or undefined outside src/. */
export function layerOf(file) {
  const rel = relative(repoRoot, file).split(sep).join('/');
  if (!rel.startsWith('src/')) return undefined;
  const rest = rel.slice('src/'.length);
  if (rest === 'extension.ts') return 'extension';
  const top = rest.split('/')[0];
  return Object.hasOwn(LAYERS, top) && rest.includes('/') ? top : `src/${rest}`;
}

/** True when an import or export declaration brings in types only. */
function typeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

const importsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps each layer of src/ to the imports its place in the architecture allows.' },
    schema: [],
    messages: {
      vscode: '{{layer}} must not import `vscode`: only src/vscode/ and src/extension.ts talk to the editor.',
      node: '{{layer}} must not import the Node module `{{specifier}}`: this code also runs in a webview.',
      layer: '{{layer}} must not import {{target}} ({{specifier}}); it may import {{allowed}}.',
      typesOnly: '{{layer}} may import only types from {{target}} ({{specifier}}): use `import type`.',
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    const layer = layerOf(file);
    if (!layer || !Object.hasOwn(LAYERS, layer)) return {};
    const rules = LAYERS[layer];
    const where = layer === 'extension' ? 'src/extension.ts' : `src/${layer}/`;

    const check = (node, specifier, isTypeOnly) => {
      if (typeof specifier !== 'string') return;
      if (specifier === 'vscode') {
        if (!rules.vscode) context.report({ node, messageId: 'vscode', data: { layer: where } });
        return;
      }
      if (isNodeBuiltin(specifier)) {
        if (!rules.node) context.report({ node, messageId: 'node', data: { layer: where, specifier } });
        return;
      }
      if (!specifier.startsWith('.')) return; // an npm package
      const target = layerOf(resolve(dirname(file), specifier));
      if (!target || target === layer) return;
      const targetName = Object.hasOwn(LAYERS, target) ? (target === 'extension' ? 'src/extension.ts' : `src/${target}/`) : target;
      if (rules.uses.includes(target)) return;
      if (rules.typesFrom?.includes(target)) {
        if (!isTypeOnly) context.report({ node, messageId: 'typesOnly', data: { layer: where, target: targetName, specifier } });
        return;
      }
      const allowed = [...rules.uses.filter((name) => name !== layer), ...(rules.typesFrom ?? []).map((name) => `types from ${name}`)];
      context.report({
        node,
        messageId: 'layer',
        data: { layer: where, target: targetName, specifier, allowed: allowed.length ? allowed.join(', ') : 'nothing else in src/' },
      });
    };

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value, typeOnly(node)),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value, typeOnly(node)),
      ExportAllDeclaration: (node) => check(node.source, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value, false),
      TSImportEqualsDeclaration: (node) => node.moduleReference.type === 'TSExternalModuleReference'
        && check(node.moduleReference.expression, node.moduleReference.expression.value, node.importKind === 'type'),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node.arguments[0], node.arguments[0].value, false);
        }
      },
    };
  },
};

export default { meta: { name: 'qwen-router-layers' }, rules: { imports: importsRule } };
