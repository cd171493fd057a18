import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['device/**/*.test.ts', 'gateway/**/*.test.ts', 'electron-app/**/*.test.ts', 'hardware/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    // Suites start real processes, brokers, simavr and Chromium: give them room, and keep files
    // from fighting over the 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
    // The PostgreSQL run (npm run test:pg, test/pg/vitest.config.ts) has its own cluster for these.
    exclude: ['**/node_modules/**', 'test/pg/**'],
  },
});
