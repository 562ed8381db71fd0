// One lint configuration for the workspace (each package runs `eslint .`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**', '**/dist-bench/**', '**/wasm/**', '**/node_modules/**', '**/test-results/**',
      // AssemblyScript: its own compiler checks it (decorators and types ESLint does not know).
      '**/assembly/**',
      '**/bench/_explore/**', '**/*.generated.ts', '**/public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
