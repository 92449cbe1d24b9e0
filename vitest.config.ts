import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Database-backed tests each create their own database, so files can run in parallel,
    // but the machine has two cores: keep the pool small to avoid starving PostgreSQL.
    maxWorkers: 2,
  },
});
