/**
 * Three test projects: `node` runs the training side's tests, and the serving forward pass against
 * tfjs-layers, in Node; `worker` runs inside
 * workerd through the Workers pool (every route, through `SELF`); `e2e` runs in Node against the
 * Worker started as `wrangler dev` starts it, with the static assets, and drives the page in
 * headless Chromium. The serving tests get the model's own predictions, made in Node before the
 * tests from the same files, from `test/setup/reference-predictions.ts`.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/setup/reference-predictions.ts'],
    projects: [
      {
        test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node', testTimeout: 120_000 },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: { name: 'worker', include: ['test/worker/**/*.test.ts'] },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/setup/dev-server.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
