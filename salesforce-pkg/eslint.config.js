const lwcConfig = require('@salesforce/eslint-config-lwc');
const jestPlugin = require('eslint-plugin-jest');
const globals = require('globals');

module.exports = [
  { ignores: ['node_modules/**', '.sf-convert-out/**', 'coverage/**'] },
  ...lwcConfig.configs.recommended,
  {
    files: ['**/__tests__/**/*.js'],
    ...jestPlugin.configs['flat/recommended'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } }
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } }
  }
];
