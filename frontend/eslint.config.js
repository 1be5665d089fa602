import js from '@eslint/js';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const keyMessage = 'Take React Query keys from src/api/queryKeys.ts (queryKeys / mutationKeys), not an inline array.';
const inlineQueryKeys = [
  { selector: 'Property[key.name=/^(queryKey|mutationKey)$/] > ArrayExpression.value', message: keyMessage },
  {
    selector:
      'CallExpression[callee.property.name=/^(setQueryData|getQueryData|setQueriesData|getQueriesData|ensureQueryData|prefetchQuery|fetchQuery|removeQueries|resetQueries|cancelQueries|refetchQueries|invalidateQueries|isFetching)$/] > ArrayExpression.arguments:first-child',
    message: keyMessage,
  },
];

/**
 * Import boundaries (eslint-plugin-boundaries). Layers: api (typed client, keys), lib (pure
 * helpers), components (shared primitives), features/<name>, app (router, providers, layout).
 * A feature may use api, lib, components and its own folder; another feature only through that
 * feature's index.ts. Nothing below app imports app, and only app (and tests) compose features.
 */
const architecture = {
  files: ['src/**/*.{ts,tsx}'],
  plugins: { boundaries },
  settings: {
    'boundaries/include': ['src/**/*'],
    // The entry point only mounts app/; it is nobody's dependency.
    'boundaries/ignore': ['src/main.tsx'],
    'boundaries/elements': [
      { type: 'api', pattern: 'src/api', partialMatch: false },
      { type: 'lib', pattern: 'src/lib', partialMatch: false },
      { type: 'components', pattern: 'src/components', partialMatch: false },
      { type: 'feature', pattern: 'src/features/*', capture: ['feature'], partialMatch: false },
      { type: 'app', pattern: 'src/app', partialMatch: false },
      { type: 'test-support', pattern: 'src/test', partialMatch: false },
    ],
    'boundaries/files': [{ category: 'test', pattern: 'src/**/*.test.{ts,tsx}' }],
    'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } },
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'disallow',
        message:
          '{{ from.type }} "{{ from.path }}" may not import {{ to.type }} "{{ to.path }}": a feature uses api, lib,' +
          ' components and other features only through their index.ts; nothing below app imports app (eslint.config.js).',
        policies: [
          { from: { element: { type: 'api' } }, allow: { to: { element: { type: 'api' } } } },
          { from: { element: { type: 'lib' } }, allow: { to: { element: { type: ['lib', 'api'] } } } },
          { from: { element: { type: 'components' } }, allow: { to: { element: { type: ['components', 'lib', 'api'] } } } },
          {
            from: { element: { type: 'feature' } },
            allow: [
              { to: { element: { type: ['api', 'lib', 'components'] } } },
              // Another feature: its public entry only.
              { to: { element: { type: 'feature', fileInternalPath: 'index.ts' } } },
            ],
          },
          {
            from: { element: { type: 'app' } },
            allow: [
              { to: { element: { type: ['app', 'api', 'lib', 'components'] } } },
              { to: { element: { type: 'feature', fileInternalPath: 'index.ts' } } },
            ],
          },
          {
            from: { element: { type: 'test-support' } },
            allow: { to: { element: { type: ['test-support', 'app', 'api', 'lib', 'components'] } } },
          },
          // Tests may also use the test helpers and render other features through their entries.
          {
            from: { file: { categories: 'test' } },
            allow: [
              { to: { element: { type: 'test-support' } } },
              { to: { element: { type: 'feature', fileInternalPath: 'index.ts' } } },
            ],
          },
        ],
      },
    ],
    // Every file under src/ belongs to a layer above.
    'boundaries/no-unknown-files': 'error',
  },
};

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'e2e/artifacts', 'test-results', 'playwright-report', 'src/api/schema.d.ts'] },
  {
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    files: ['src/**/*.{ts,tsx}', 'vite.config.ts'],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // React Query keys come from src/api/queryKeys.ts, never spelled inline.
      'no-restricted-syntax': ['error', ...inlineQueryKeys],
    },
  },
  { files: ['src/api/queryKeys.ts'], rules: { 'no-restricted-syntax': 'off' } },
  architecture,
  {
    files: ['e2e/**/*.ts', 'playwright.config.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    // e2e callbacks passed to page.evaluate run in the browser.
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
  },
);
