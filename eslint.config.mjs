// ESLint (flat config): `npm run lint`, also a step of `npm test`.
// The point is the layer rule (scripts/eslint-layers.mjs): it makes the architecture described in
// CONTRIBUTING.md something the build checks. On top of it, typescript-eslint's recommended rules.
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint-layers.mjs';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'out/', '.vscode-test/', 'test-results/', '.bench/', 'test/fixtures/', 'models/'],
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    extends: [tseslint.configs.recommended],
    rules: {
      // Untyped JSON (records as read from disk, stand-ins' request bodies) is handled as `any` in a
      // few deliberate places.
      '@typescript-eslint/no-explicit-any': 'off',
      // A leading underscore marks a binding kept on purpose (a destructured-away field, a callback
      // parameter the signature needs).
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_',
      }],
      // `let x; ...closures that read x...; x = ...` is how a server handler reaches its own instance.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { layers },
    rules: {
      'layers/imports': 'error',
      // The extension logs to its "Qwen Router" LogOutputChannel (src/vscode/log.ts), the core through
      // the Logger it is given (src/core/log.ts), the worker through its protocol, the CLI to
      // process.stdout/stderr. A console line in the extension host reaches nobody.
      'no-console': 'error',
    },
  },
);
