// eslint.config.js - lint rules of the web app (run by tests/web/test_web_lint.sh
// under ctest; by hand: `cd web && npx eslint .`). The app is browser ES
// modules without a bundler, so an import names its file with the extension and
// must resolve; /vendor/ files are served by explainer, not from this folder.
import js from '@eslint/js';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';

export default [
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: globals.browser,
    },
    plugins: {'import-x': importX},
    settings: {'import-x/extensions': ['.js']},
    rules: {
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
      'no-var': 'error',
      'no-unused-vars': ['error', {args: 'after-used', caughtErrors: 'none'}],
      // Browser globals that are easy to use by mistake for a missing local.
      'no-restricted-globals': ['error', 'event', 'name', 'status', 'length', 'top', 'parent', 'close', 'open'],
      'import-x/no-unresolved': ['error', {ignore: ['^/vendor/']}],
      'import-x/named': 'error',
      'import-x/extensions': ['error', 'always'],
      'import-x/no-duplicates': 'error',
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/first': 'error',
    },
  },
  {
    // This file runs in Node, not in the browser.
    files: ['eslint.config.js'],
    languageOptions: {globals: globals.node},
  },
];
