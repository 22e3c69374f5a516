import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.serverless/**', '.esbuild/**', 'bench/results/**', 'coverage/**', 'ui/dist/**', 'ui/.dist-*/**', '.screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Every AWS call goes through an adapter of layers/adapters/ (a narrow interface per service that keeps to the
    // API's batch sizes and pages), so no feature builds an SDK Command or depends on a whole client. The SDK's data
    // shapes (Task, Service, HistoryEvent, ...) may still be imported as types.
    files: ['layers/**/*.ts', 'functions/**/*.ts', 'cli/**/*.ts'],
    ignores: ['layers/adapters/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/client-*'],
              allowTypeImports: true,
              message: 'AWS SDK clients and Commands are used in layers/adapters/ only: call the service through its adapter (layers/adapters/<service>.ts).',
            },
          ],
        },
      ],
      // A type import passes the rule above (typescript-eslint lets every type of an allowed pattern through), so the
      // client classes are refused by name here, type imports included.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[source.value=/^@aws-sdk\\u002Fclient-/] ImportSpecifier[imported.name=/Client$/]',
          message: "Depend on the adapter's narrow interface (a Pick of SsmApi, SfnApi, EcsApi, ...), not on a whole SDK client.",
        },
      ],
    },
  },
  {
    // The dashboard runs in the browser (ui/, built by Vite).
    files: ['ui/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', localStorage: 'readonly', HTMLElement: 'readonly', HTMLInputElement: 'readonly', HTMLSelectElement: 'readonly', HTMLTextAreaElement: 'readonly', Event: 'readonly', RequestInit: 'readonly' } },
  },
);
