// ESLint flat config: TypeScript everywhere, mini program globals for the app.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const miniprogramGlobals = {
  wx: 'readonly',
  App: 'readonly',
  Page: 'readonly',
  Component: 'readonly',
  Behavior: 'readonly',
  getApp: 'readonly',
  getCurrentPages: 'readonly',
  requirePlugin: 'readonly',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'build/',
      'coverage/',
      '.local-cloud/',
      'miniprogram/miniprogram_npm/',
      'cloudfunctions/*/index.js',
      'cloudfunctions/*/office.js',
      '.local-cloud-demo/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['miniprogram/**/*.ts'],
    languageOptions: { globals: { ...globals.es2020, ...miniprogramGlobals } },
    rules: {
      // The app has no Node: these would break at run time in WeChat.
      'no-restricted-imports': ['error', { patterns: ['fs', 'path', 'crypto', 'node:*'] }],
    },
  },
  {
    files: ['cloudfunctions/**/*.ts', 'scripts/**/*.{ts,mjs}', 'test/**/*.ts', '*.{js,mjs}'],
    ignores: ['scripts/local-cloud/console/client/**'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The local console's browser client: DOM, no Node.
    files: ['scripts/local-cloud/console/client/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.es2020 } },
    rules: {
      'no-restricted-imports': ['error', { patterns: ['fs', 'path', 'crypto', 'http', 'node:*'] }],
    },
  },
);
