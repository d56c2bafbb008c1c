import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@amf-foresight/source'] },
  ssr: { resolve: { conditions: ['@amf-foresight/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tools/*/src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
