import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'coverage/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly', AbortController: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // DESIGN.md: nothing reads process.env except config.ts.
    files: ['src/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/config.ts reads process.env.' }],
    },
  },
  {
    // DESIGN.md: runbooks and the engine never call got directly; ops never imports Slack code.
    files: ['src/ops/**/*.ts', 'src/status/**/*.ts', 'src/store/**/*.ts'],
    ignores: ['src/ops/heroku/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [
        { name: 'got', message: 'HTTP to Heroku goes through src/ops/heroku clients.' },
        { name: '@slack/bolt', message: 'Slack code lives in src/bot.' },
        { name: '@slack/web-api', message: 'Slack code lives in src/bot.' },
      ] }],
    },
  },
);
