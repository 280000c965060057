/**
 * Vitest global setup of the end-to-end tests, run in Node: starts the Worker as `wrangler dev`
 * does (local workerd, Static Assets routing, the real bundle) on a free port and provides its URL
 * as `inject('server')`.
 */
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { unstable_startWorker } from 'wrangler';

declare module 'vitest' {
  export interface ProvidedContext {
    server: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const worker = await unstable_startWorker({
    config: path.resolve(import.meta.dirname, '../../wrangler.toml'),
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, logLevel: 'warn' },
  });
  await worker.ready;
  project.provide('server', (await worker.url).origin);
  return () => worker.dispose();
}
