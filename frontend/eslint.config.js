import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const keyMessage = 'Take React Query keys from src/api/queryKeys.ts (queryKeys / mutationKeys), not an inline array.';
const inlineQueryKeys = [
  { selector: 'Property[key.name=/^(queryKey|mutationKey)$/] > ArrayExpression.value', message: keyMessage },
  {
    selector:
      'CallExpression[callee.property.name=/^(setQueryData|getQueryData|setQueriesData|getQueriesData|ensureQueryData|prefetchQuery|fetchQuery|removeQueries|resetQueries|cancelQueries|refetchQueries|invalidateQueries|isFetching)$/] > ArrayExpression.arguments',
    message: keyMessage,
  },
];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'e2e/artifacts', 'src/api/schema.d.ts'] },
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
  {
    files: ['e2e/**/*.mjs', 'scripts/**/*.mjs', 'eslint.config.js'],
    extends: [js.configs.recommended],
    // e2e callbacks passed to page.evaluate run in the browser.
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
);
