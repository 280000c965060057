/**
 * The benchmark Worker: times the serving forward pass (src/forward.ts) against the stock
 * tfjs-layers `model.predict` on the same shipped weights, in the same isolate, so that every figure
 * has its baseline from the same run. `bench/run.ts` calls it; it answers JSON.
 *
 * GET /single?n=N       per-query model time of each path, one sum at a time (in blocks)
 * GET /batch?size=N     sums per second of each path on batches of N
 * GET /memory?n=N       tensors and WASM heap after 100 queries and after N
 */
// tfjs-layers (the baseline only) calls chained tensor methods, which the serving path does not register.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { oneHotBatch } from '../src/architecture';
import type { Env } from '../src/bindings';
import { encodeQuery, queryLength } from '../src/codec';
import { AdderForward } from '../src/forward';
import { initBackend } from '../src/tf';
import { parseWeights, weightPaths } from '../src/weights';
import { drawPairs, mulberry32 } from '../train/data';

interface Paths {
  forward: AdderForward;
  layers: tfl.LayersModel;
  digits: number;
}

let loaded: Promise<Paths> | undefined;

async function load(assets: Fetcher): Promise<Paths> {
  await initBackend();
  const base = 'https://assets.invalid/model/';
  const json = await (await assets.fetch(`${base}model.json`)).json<tf.io.ModelJSON>();
  const buffers = await Promise.all(weightPaths(json).map(async (p) => (await assets.fetch(`${base}${p}`)).arrayBuffer()));
  const weights = parseWeights(json, buffers);
  const layers = await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: buffers[0] }),
  );
  return { forward: new AdderForward(weights), layers, digits: weights.digits };
}

function sums(n: number, digits: number, seed: number): { a: number; b: number }[] {
  const pairs = drawPairs(mulberry32(seed), n, { digits, heldOut: false });
  return Array.from(pairs.a, (a, i) => ({ a, b: pairs.b[i] }));
}

function layersPredict(model: tfl.LayersModel, batch: { a: number; b: number }[], digits: number): void {
  tf.tidy(() => {
    const x = oneHotBatch(batch.map(({ a, b }) => encodeQuery(a, b, digits)), queryLength(digits));
    (model.predict(x) as tf.Tensor).dataSync();
  });
}

function percentiles(times: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...times].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), mean: times.reduce((s, t) => s + t, 0) / times.length };
}

/**
 * Per-query times, measured over blocks of `block` consecutive queries: workerd's clock advances in
 * whole milliseconds, so one sub-millisecond query cannot be timed on its own.
 */
function timeEach(batch: { a: number; b: number }[], run: (sum: { a: number; b: number }) => void, block: number): number[] {
  for (const sum of batch.slice(0, 50)) run(sum); // warm-up
  const times: number[] = [];
  for (let start = 0; start + block <= batch.length; start += block) {
    const t = performance.now();
    for (let i = start; i < start + block; i++) run(batch[i]);
    times.push((performance.now() - t) / block);
  }
  return times;
}

function heapBytes(): number {
  return (tf.backend() as BackendWasm).wasm.HEAPU8.byteLength;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? url.searchParams.get('size') ?? '1000');
    loaded ??= load(env.ASSETS);
    const { forward, layers, digits } = await loaded;
    if (url.pathname === '/single') {
      const batch = sums(n, digits, 1);
      const block = Number(url.searchParams.get('block') ?? '20');
      return Response.json({
        block,
        forward: percentiles(timeEach(batch, (sum) => forward.predict([sum]), block)),
        layers: percentiles(timeEach(batch, (sum) => layersPredict(layers, [sum], digits), block)),
      });
    }
    if (url.pathname === '/batch') {
      const batch = sums(n, digits, 2);
      const rate = (run: () => void) => {
        run();
        const start = performance.now();
        const reps = 3;
        for (let i = 0; i < reps; i++) run();
        return (reps * n) / ((performance.now() - start) / 1000);
      };
      return Response.json({
        forward: rate(() => forward.predict(batch)),
        layers: rate(() => layersPredict(layers, batch, digits)),
      });
    }
    if (url.pathname === '/memory') {
      const batch = sums(1000, digits, 3);
      const state = () => ({ tensors: tf.memory().numTensors, heapBytes: heapBytes() });
      for (let i = 0; i < 100; i++) forward.predict([batch[i % batch.length]]);
      const after100 = state();
      for (let i = 100; i < n; i++) forward.predict([batch[i % batch.length]]);
      return Response.json({ after100, afterN: state(), n });
    }
    return new Response('not found', { status: 404 });
  },
};
