/**
 * `npm run bench`: the serving path's speed and size, each figure beside its baseline measured in
 * the same run. Model timings come from bench/worker.ts inside workerd; cold start and HTTP figures
 * from the real Worker (wrangler.toml) started as `wrangler dev` starts it, on loopback.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { unstable_startWorker } from 'wrangler';

const root = path.resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const scale = (n: number) => (quick ? Math.max(10, Math.round(n / 10)) : n);

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;

async function start(config: string): Promise<{ worker: Worker; origin: string }> {
  const worker = await unstable_startWorker({
    config: path.join(root, config),
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, logLevel: 'error' },
  });
  await worker.ready;
  return { worker, origin: (await worker.url).origin };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Gzipped size of what `wrangler deploy` uploads for a config, static assets excluded. */
function bundleBytes(config: string): { raw: number; gzip: number } {
  const out = mkdtempSync(path.join(tmpdir(), 'adder-bundle-'));
  try {
    execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out, '-c', config], { cwd: root, stdio: 'pipe' });
    const files = readdirSync(out).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
    const bytes = files.map((f) => readFileSync(path.join(out, f)));
    return { raw: bytes.reduce((n, b) => n + b.length, 0), gzip: bytes.reduce((n, b) => n + gzipSync(b).length, 0) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** `count` requests at `concurrency` at once; latency percentiles and requests per second. */
async function load(urls: () => string, count: number, concurrency: number) {
  const times: number[] = [];
  let unexpected = 0;
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < count) {
        issued++;
        const t = performance.now();
        const response = await fetch(urls());
        await response.arrayBuffer();
        times.push(performance.now() - t);
        if (response.status !== 200) unexpected++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  times.sort((x, y) => x - y);
  return { rps: count / seconds, p50: quantile(times, 0.5), p99: quantile(times, 0.99), unexpected };
}

const ms = (x: number) => `${x.toFixed(3)} ms`;
const rows: [string, string, string, string][] = [];
const row = (what: string, value: string, baseline: string, note = '') => {
  rows.push([what, value, baseline, note]);
  process.stderr.write(`  ${what}: ${value} (baseline ${baseline}) ${note}\n`);
};

async function main(): Promise<void> {
  process.stderr.write(`Benchmarking${quick ? ' (quick)' : ''}...\n`);
  const bench = await start('bench/wrangler.toml');
  try {
    type Timing = { p50: number; p99: number; mean: number };
    const single = await getJson<{ block: number; forward: Timing; layers: Timing }>(`${bench.origin}/single?n=${scale(4000)}`);
    const blocks = `(blocks of ${single.block} queries: workerd's clock ticks in ms)`;
    row('model time, one query, p50', ms(single.forward.p50), `${ms(single.layers.p50)} layers predict`, `${(single.layers.p50 / single.forward.p50).toFixed(1)}x ${blocks}`);
    row('model time, one query, p99', ms(single.forward.p99), `${ms(single.layers.p99)} layers predict`, `${(single.layers.p99 / single.forward.p99).toFixed(1)}x`);
    const batch = await getJson<{ forward: number; layers: number }>(`${bench.origin}/batch?size=1000`);
    row('throughput, batch of 1000', `${Math.round(batch.forward)} sums/s`, `${Math.round(batch.layers)} sums/s layers predict`, `${(batch.forward / batch.layers).toFixed(1)}x`);
    type State = { tensors: number; heapBytes: number };
    const memory = await getJson<{ after100: State; afterN: State; n: number }>(`${bench.origin}/memory?n=${scale(100000)}`);
    row(
      `memory after ${memory.n} queries`,
      `${memory.afterN.tensors} tensors, ${(memory.afterN.heapBytes / 2 ** 20).toFixed(1)} MiB WASM heap`,
      `${memory.after100.tensors} tensors, ${(memory.after100.heapBytes / 2 ** 20).toFixed(1)} MiB after 100`,
    );
  } finally {
    await bench.worker.dispose();
  }

  const colds: number[] = [];
  const warms: number[] = [];
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    const { worker, origin } = await start('wrangler.toml');
    try {
      // A request that does not touch the model starts the isolate; the clock then covers backend
      // initialisation, model load and the first query.
      await (await fetch(`${origin}/no-such-path`)).arrayBuffer();
      let t = performance.now();
      const first = await fetch(`${origin}/add?q=535+61`);
      await first.arrayBuffer();
      colds.push(performance.now() - t);
      t = performance.now();
      await (await fetch(`${origin}/add?q=535+61`)).arrayBuffer();
      warms.push(performance.now() - t);
    } finally {
      await worker.dispose();
    }
  }
  colds.sort((x, y) => x - y);
  warms.sort((x, y) => x - y);
  row('cold start: first answer of a fresh isolate, median', ms(quantile(colds, 0.5)), `${ms(quantile(warms, 0.5))} second request`, `(${colds.length} isolates; backend init + model load + first query, over HTTP)`);

  const { worker, origin } = await start('wrangler.toml');
  try {
    const random = () => Math.floor(Math.random() * 100000);
    const count = scale(3000);
    await load(() => `${origin}/health`, 100, 10);
    const add = await load(() => `${origin}/add?q=${random()}+${random()}`, count, 50);
    const repeat = await load(() => `${origin}/add?q=535+61`, count, 50);
    const health = await load(() => `${origin}/health`, count, 50);
    const figures = (r: Awaited<ReturnType<typeof load>>) => `${Math.round(r.rps)} req/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`;
    const baseline = `${figures(health)} GET /health`;
    const failed = add.unexpected + repeat.unexpected + health.unexpected;
    row('HTTP GET /add, distinct sums (cache misses), 50 concurrent', figures(add), baseline, failed ? `${failed} non-200!` : '');
    row('HTTP GET /add, one repeated sum (cache hits), 50 concurrent', figures(repeat), baseline);
  } finally {
    await worker.dispose();
  }

  const serving = bundleBytes('wrangler.toml');
  const stock = bundleBytes('bench/wrangler.toml');
  row('Worker bundle, gzip (JS + WASM)', `${(serving.gzip / 1024).toFixed(0)} KiB`, `${(stock.gzip / 1024).toFixed(0)} KiB with tfjs-layers`, `(${(serving.raw / 1024).toFixed(0)} KiB raw)`);

  process.stdout.write(`\n| Measure | Serving path | Baseline (same run) | |\n|---|---:|---:|---|\n`);
  for (const [what, value, baseline, note] of rows) process.stdout.write(`| ${what} | ${value} | ${baseline} | ${note} |\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
