import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The boundary of the local cloud, its own workspace package (local/, `@consul-mesh/local-cloud`, public index
 * local/index.ts): it knows AWS and Consul, not the product, and the product does not know it.
 * - local/** imports nothing outside local/ (the product passes its conventions in as options);
 * - the product (layers/, functions/, cli/, bin/) does not import the local cloud, except its one wiring module,
 *   cli/local-cloud.ts;
 * - tests and benchmarks use the public index only, except the local cloud's own tests (tests/unit/local/,
 *   tests/integration/local/), which test its internals.
 * no-restricted-imports matches import strings, not resolved files: a relative import reaches the root's local/ from
 * a file `depth` folders deep only through exactly `depth` times `../` (tests/integration/x/ has a local/ of its own).
 */
const LOCAL_PACKAGE = '@consul-mesh/local-cloud';
const SOURCE = '{ts,tsx,js,cjs,mjs}';
/** Files exactly `depth` folders below the root, under `top`. */
const filesAtDepth = (top, depth) => [`${top}/${'*/'.repeat(depth - 1)}*.${SOURCE}`];
const upTo = (depth) => `^(\\./)?(\\.\\./){${depth}}`;
const intoRootLocal = (depth) => ({ regex: `${upTo(depth)}local(/|$)`, message: `import the local cloud through its public index, '${LOCAL_PACKAGE}'` });
const localBoundary = [
  // local/: nothing above local/ (from local/a/b.ts, `../../x` leaves the package).
  ...[1, 2, 3, 4, 5].map((depth) => ({
    files: filesAtDepth('local', depth),
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: `${upTo(depth)}`, message: 'the local cloud imports nothing of the product: take what it needs as an option (local/conventions.ts)' }] }],
    },
  })),
  // The product: not the local cloud, but for its wiring module.
  ...['layers', 'functions', 'cli', 'bin'].flatMap((top) =>
    [1, 2, 3, 4].map((depth) => ({
      files: filesAtDepth(top, depth),
      ignores: ['cli/local-cloud.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: [{ name: LOCAL_PACKAGE, message: 'product code does not depend on the local cloud; cli/local-cloud.ts is the one module that starts it' }],
            patterns: [{ regex: `^${LOCAL_PACKAGE}/`, message: 'product code does not depend on the local cloud' }, { ...intoRootLocal(depth), message: 'product code does not depend on the local cloud' }],
          },
        ],
      },
    })),
  ),
  // Tests and benchmarks: the public index only.
  ...['tests', 'bench'].flatMap((top) =>
    [1, 2, 3, 4, 5, 6].map((depth) => ({
      files: filesAtDepth(top, depth),
      ignores: ['tests/unit/local/**', 'tests/integration/local/**'],
      rules: {
        'no-restricted-imports': ['error', { patterns: [intoRootLocal(depth), { regex: `^${LOCAL_PACKAGE}/`, message: `import the local cloud through its public index, '${LOCAL_PACKAGE}'` }] }],
      },
    })),
  ),
];

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
  ...localBoundary,
);
