import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'data/', 'coverage/', 'test-artifacts/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['client/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Layering (docs/development.md): each driver is imported in one folder only.
    files: ['**/*.ts'],
    ignores: ['server/jira/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'jira.js', message: 'jira.js is used only under server/jira/.' }] },
      ],
    },
  },
  {
    files: ['server/**/*.ts', 'jobs/**/*.ts'],
    ignores: ['server/store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'mongoose', message: 'mongoose is used only under server/store/.' },
            { name: 'jira.js', message: 'jira.js is used only under server/jira/.' },
          ],
        },
      ],
    },
  },
  {
    // The tab: teams-js only behind client/src/teams-sdk.ts (used by teams.ts); server code as types only.
    files: ['client/src/**/*.ts'],
    ignores: ['client/src/teams-sdk.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@microsoft/teams-js', message: 'teams-js is used only through client/src/teams.ts.' }],
          patterns: [
            {
              group: ['**/server/**'],
              allowTypeImports: true,
              message: 'The tab imports server code as types only (import type).',
            },
          ],
        },
      ],
    },
  },
  {
    // Entry points stand apart (docs/development.md): the server never imports jobs/, and a
    // jobs/ file imports the server only, never another entry point.
    files: ['server/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/jobs', '**/jobs/**'],
              message: 'server/ never imports jobs/: jobs/ holds entry points only; move shared code under server/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['jobs/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./*', '**/jobs', '**/jobs/**'],
              message: 'A jobs/ file is an entry point: it imports server code, never another jobs/ file.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/jira/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'mongoose', message: 'mongoose is used only under server/store/.' }] },
      ],
    },
  },
);
