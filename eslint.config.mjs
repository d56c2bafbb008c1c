// make lint: typescript-eslint's strict type-checked rules on every TypeScript source, and the
// house rules: functions of at most 80 lines in packages/*/src (tests aside).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', '.venv-test/**', 'coverage/**', 'bench/**', 'tools/go-dump/**'],
  },
  // Build and test-runner configuration, not product code.
  { ignores: ['**/*.mjs', '**/*.cjs', '**/*.js', '**/tsup.config.ts', 'tsup.base.ts', 'vitest.config.ts'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // noUncheckedIndexedAccess makes every indexed read optional; `!` marks the reads whose bounds
      // the surrounding loop or a length check guarantees (typed-array decoders are full of them).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Numbers and booleans read well in messages; objects, undefined and null do not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // The Forecaster and Stage contracts are async; implementations with nothing to await keep them so.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // vitest's asymmetric matchers (expect.objectContaining, expect.any, …) are typed `any`.
    files: ['**/*.test.ts', '**/*.test-util.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test-util.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
);
