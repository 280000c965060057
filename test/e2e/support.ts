/**
 * For end-to-end tests that need a Worker of their own over a static assets directory they choose,
 * and for those that drive headless Chromium.
 *
 * `wrangler dev` restarts the Worker whenever a file in its assets directory changes, which would
 * hide whether the Worker itself retries a failed model load. So these Workers run on Miniflare
 * directly: the bundle `wrangler deploy --dry-run` makes, with the options `wrangler.toml` gives
 * Miniflare (assets binding, `run_worker_first` routing, `_headers`), over real HTTP on loopback.
 * The assets server reads each file from disk when it is requested.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { type Browser, chromium } from 'playwright-core';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFIG = path.join(ROOT, 'wrangler.toml');

/** A temporary directory; `remove()` deletes it. */
export interface TempDir {
  dir: string;
  remove(): void;
}

function tempDir(name: string): TempDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), `adder-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bundles the Worker as `npm test` and deploys do (`wrangler deploy --dry-run`), into a temporary directory. */
export async function bundleWorker(): Promise<TempDir> {
  const out = tempDir('bundle');
  await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out.dir], { cwd: ROOT });
  return out;
}

/** A copy of `assets/` for a test to break. */
export function copyAssets(name: string): TempDir {
  const copy = tempDir(name);
  cpSync(path.join(ROOT, 'assets'), copy.dir, { recursive: true });
  return copy;
}

export interface Server {
  /** The origin, `http://127.0.0.1:port`. */
  url: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Runs the bundled Worker in workerd over `assets`. Its logs (the expected "Loading the model
 * failed" lines, one per failed attempt) are dropped to keep the test output readable.
 */
export async function startWorker(bundle: string, assets: string): Promise<Server> {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG, undefined, { overrides: { assets: { directory: assets } } });
  const miniflare = new Miniflare({
    ...workerOptions,
    modules: true,
    modulesRoot: bundle,
    scriptPath: path.join(bundle, 'index.js'),
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio: (stdout, stderr) => {
      stdout.resume();
      stderr.resume();
    },
  } as ConstructorParameters<typeof Miniflare>[0]);
  const url = (await miniflare.ready).origin;
  return { url, get: (p, init) => fetch(`${url}${p}`, init), stop: () => miniflare.dispose() };
}

/** Debian's Chromium, headless, launched as `test/e2e/page.test.ts` launches it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--headless'],
  });
}
