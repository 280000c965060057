/**
 * `npm run load`: a bounded load and soak run against the Worker as `wrangler dev` runs it, on a
 * free loopback port that this script starts and stops. It sends a seeded mix of valid sums (GET),
 * valid batches (POST) and invalid requests of every error class, `--concurrency` at a time, checks
 * each answer's status (and error code) against what its request must get, and compares the live
 * tensor count from /health before and after. Prints throughput, latency percentiles and counts by
 * status; exits 1 on any unexpected answer, a changed tensor count or the time limit. Not part of
 * `npm test`: it is a measurement, and it loads both cores.
 *
 *   npm run load -- [--requests 3000] [--concurrency 50] [--seed 1] [--time-limit 300]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { unstable_startWorker } from 'wrangler';
import { mulberry32 as prng } from '../../train/data';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    'time-limit': { type: 'string', default: '300' },
  },
});
const REQUESTS = positive('requests');
const CONCURRENCY = positive('concurrency');
const TIME_LIMIT_MS = positive('time-limit') * 1000;
const REQUEST_TIMEOUT_MS = 15_000;

function positive(name: keyof typeof flags): number {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, not ${flags[name]}`);
  return value;
}

interface Probe {
  /** The request's class, for the summary. */
  kind: string;
  path: string;
  init?: RequestInit;
  status: number;
  /** The error code a 4xx must carry. */
  code?: string;
}

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** The invalid requests, one per error class the API has (the model's 503 aside). */
const INVALID: Probe[] = [
  { kind: 'missing_query', path: '/add', status: 400, code: 'missing_query' },
  { kind: 'empty_query', path: '/add?q=', status: 400, code: 'empty_query' },
  { kind: 'query_too_long', path: `/add?q=${'1'.repeat(100)}`, status: 400, code: 'query_too_long' },
  { kind: 'invalid_character', path: '/add?q=5-3', status: 400, code: 'invalid_character' },
  { kind: 'wrong_operand_count', path: '/add?q=1%2B2%2B3', status: 400, code: 'wrong_operand_count' },
  { kind: 'empty_operand', path: '/add?q=535%2B', status: 400, code: 'empty_operand' },
  { kind: 'operand_too_long', path: '/add?q=123456%2B1', status: 400, code: 'operand_too_long' },
  { kind: 'invalid_json', path: '/add', init: json('{"queries": ['), status: 400, code: 'invalid_json' },
  { kind: 'invalid_body', path: '/add', init: json({ query: '1+1' }), status: 400, code: 'invalid_body' },
  { kind: 'too_many_queries', path: '/add', init: json({ queries: Array(1001).fill('1+1') }), status: 400, code: 'too_many_queries' },
  {
    kind: 'unsupported_media_type',
    path: '/add',
    init: { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"queries":["1+1"]}' },
    status: 415,
    code: 'unsupported_media_type',
  },
  { kind: 'body_too_large', path: '/add', init: json({ queries: ['1+1'], padding: 'x'.repeat(100 * 1024) }), status: 413, code: 'body_too_large' },
  { kind: 'not_found', path: '/subtract?q=1+1', status: 404, code: 'not_found' },
  { kind: 'method_not_allowed', path: '/add', init: { method: 'DELETE' }, status: 405, code: 'method_not_allowed' },
];

/** The run's requests: about 60% single sums, 15% batches of 1 to 50, 25% invalid, shuffled by the seed. */
function plan(count: number, random: () => number): Probe[] {
  const operand = () => Math.floor(random() * 10 ** (1 + Math.floor(random() * 5)));
  return Array.from({ length: count }, (): Probe => {
    const r = random();
    if (r < 0.6) return { kind: 'GET sum', path: `/add?q=${operand()}+${operand()}`, status: 200 };
    if (r < 0.75) {
      const queries = Array.from({ length: 1 + Math.floor(random() * 50) }, () => `${operand()}+${operand()}`);
      return { kind: 'POST batch', path: '/add', init: json({ queries }), status: 200 };
    }
    return INVALID[Math.floor(random() * INVALID.length)];
  });
}

interface Outcome {
  probe: Probe;
  status: number | 'error';
  ms: number;
  problem?: string;
}

async function send(origin: string, probe: Probe): Promise<Outcome> {
  const start = performance.now();
  try {
    const response = await fetch(`${origin}${probe.path}`, { ...probe.init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = await response.text();
    const ms = performance.now() - start;
    let problem: string | undefined;
    if (response.status !== probe.status) problem = `HTTP ${response.status}, expected ${probe.status}: ${body.slice(0, 200)}`;
    else if (probe.code !== undefined && (JSON.parse(body) as { error?: { code?: string } }).error?.code !== probe.code) {
      problem = `error code other than ${probe.code}: ${body.slice(0, 200)}`;
    }
    return { probe, status: response.status, ms, problem };
  } catch (error) {
    return { probe, status: 'error', ms: performance.now() - start, problem: String(error) };
  }
}

async function health(origin: string): Promise<{ status: string; tensors: number | null }> {
  const response = await fetch(`${origin}/health`);
  const body = (await response.json()) as { status: string; tensors: number | null };
  if (response.status !== 200) throw new Error(`/health answered HTTP ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<number> {
  const worker = await unstable_startWorker({
    config: path.resolve(import.meta.dirname, '../../wrangler.toml'),
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, logLevel: 'error' },
  });
  const stop = () => void worker.dispose().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  try {
    await worker.ready;
    const origin = (await worker.url).origin;
    const before = await health(origin); // Also loads the model, so that it is not timed below.
    const probes = plan(REQUESTS, prng(Number(flags.seed)));
    console.log(`${probes.length} requests, ${CONCURRENCY} at a time, to ${origin} (seed ${flags.seed})`);

    const outcomes: Outcome[] = [];
    let next = 0;
    let timedOut = false;
    const deadline = performance.now() + TIME_LIMIT_MS;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < probes.length) {
          if (performance.now() > deadline) {
            timedOut = true;
            return;
          }
          outcomes.push(await send(origin, probes[next++]));
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const after = await health(origin);

    const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const byStatus = new Map<string, number>();
    for (const o of outcomes) byStatus.set(String(o.status), (byStatus.get(String(o.status)) ?? 0) + 1);
    const byKind = new Map<string, { count: number; ms: number[] }>();
    for (const o of outcomes) {
      const entry = byKind.get(o.probe.kind) ?? { count: 0, ms: [] };
      entry.count++;
      entry.ms.push(o.ms);
      byKind.set(o.probe.kind, entry);
    }
    const unexpected = outcomes.filter((o) => o.problem !== undefined);

    console.log(`\n${outcomes.length} requests in ${seconds.toFixed(1)} s: ${(outcomes.length / seconds).toFixed(0)} requests/s`);
    const ms = (p: number) => `${percentile(latencies, p).toFixed(1)} ms`;
    console.log(`latency p50 ${ms(50)}, p90 ${ms(90)}, p99 ${ms(99)}, max ${latencies.at(-1)!.toFixed(1)} ms`);
    console.log(`by status: ${[...byStatus].sort().map(([s, n]) => `${s}: ${n}`).join(', ')}`);
    console.log('by kind (count, median latency):');
    for (const [kind, { count, ms: times }] of [...byKind].sort()) {
      console.log(`  ${kind.padEnd(24)} ${String(count).padStart(5)}  ${percentile(times.sort((a, b) => a - b), 50).toFixed(1)} ms`);
    }
    console.log(`unexpected answers: ${unexpected.length}`);
    for (const o of unexpected.slice(0, 10)) console.log(`  ${o.probe.kind} ${o.probe.init?.method ?? 'GET'} ${o.probe.path.slice(0, 60)}: ${o.problem}`);
    console.log(`tensors (from /health): ${before.tensors} before, ${after.tensors} after`);

    const failures = [
      ...(unexpected.length > 0 ? [`${unexpected.length} unexpected answers`] : []),
      ...(before.tensors !== after.tensors ? [`the tensor count changed from ${before.tensors} to ${after.tensors}`] : []),
      ...(timedOut ? [`stopped at the ${TIME_LIMIT_MS / 1000} s time limit after ${outcomes.length} of ${probes.length} requests`] : []),
    ];
    console.log(failures.length === 0 ? '\nOK' : `\nFAILED: ${failures.join('; ')}`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', stop);
    await worker.dispose();
  }
}

process.exitCode = await main();
