// eslint.config.js - lint rules of the web app (run by tests/web/test_web_lint.sh
// under ctest; by hand: `cd web && npx eslint .`). The app is browser ES
// modules without a bundler, so an import names its file with the extension and
// must resolve; /vendor/ files are served by explainer, not from this folder.
// The layering is checked here: app.js -> pages/ -> lib/, a page never imports
// another page, lib/ never imports a page or the shell, a page keeps no state in
// module variables, and styles live in the style sheets (style.css,
// pages/<id>.css), not in JS strings.
import js from '@eslint/js';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';

// Style attributes only for values computed from data (a class colour, a bar's
// width): a constant belongs in a style sheet as a class.
const NO_CONSTANT_STYLES = [
  {
    selector: "CallExpression[callee.name='el'][arguments.0.value='style']",
    message: 'No <style> elements from JS: put the rules in a style sheet (style.css or pages/<id>.css).',
  },
  {
    selector: "MemberExpression[property.name='cssText']",
    message: 'No style.cssText: use a class from a style sheet.',
  },
  {
    selector: "Property[key.name='style'] ObjectExpression > Property > Literal.value",
    message: 'A constant inline style: make it a class in a style sheet (only data-driven values stay in JS).',
  },
  {
    selector: "AssignmentExpression[left.object.property.name='style'] > Literal.right",
    message: 'A constant inline style: toggle a class (or the hidden attribute) instead.',
  },
];

// A page's state lives in render()'s closure: a module variable would be shared
// by every render of the page and outlive leaving it.
const NO_MODULE_STATE = [
  {
    selector: "Program > VariableDeclaration[kind='let'], Program > ExportNamedDeclaration > VariableDeclaration[kind='let']",
    message: 'No module-level let in a page: keep page state inside render().',
  },
  {
    selector: 'Program > VariableDeclaration > VariableDeclarator > NewExpression.init',
    message: 'No module-level object in a page: create it inside render().',
  },
];

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
      'no-restricted-syntax': ['error', ...NO_CONSTANT_STYLES],
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
    files: ['pages/*.js'],
    rules: {
      'no-restricted-syntax': ['error', ...NO_CONSTANT_STYLES, ...NO_MODULE_STATE],
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(?!\\.\\./lib/)',
          message: 'A page imports only from web/lib/: move what pages share into lib/.',
        }],
      }],
    },
  },
  {
    files: ['lib/*.js'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^\\.\\./',
          message: 'lib/ stands alone: it must not import the shell (app.js) or a page.',
        }],
      }],
    },
  },
  {
    // These files run in Node, not in the browser: this one and the build's tools/.
    files: ['eslint.config.js', 'tools/*.mjs'],
    languageOptions: {globals: globals.node},
    rules: {'no-restricted-syntax': 'off'},
  },
];
