/**
 * `npm run bench:train`: training throughput of the fast engine (train/fast.ts) against
 * tfjs-layers' `model.fit`, on the same model, the same batches and the same optimizer settings,
 * in one process on the WASM backend. Prints samples per second for each.
 */
import { buildAdder } from '../src/architecture';
import { useWasmBackend } from '../train/backend';
import { drawPairs, mulberry32, slicePairs } from '../train/data';
import { fitEpoch } from '../train/engines';
import { createOptimizer } from '../train/train';

const BATCH = 32;
const BATCHES = Number(process.argv[2] ?? '60');

await useWasmBackend();
const examples = drawPairs(mulberry32(7), BATCH * (BATCHES + 4), { digits: 5, heldOut: false });
const warmUp = slicePairs(examples, 0, BATCH * 4);
const timed = slicePairs(examples, BATCH * 4, BATCH * (BATCHES + 4));
const quiet = { batchEnd() {} };
const rates: Record<string, number> = {};
for (const engine of ['fit', 'fast'] as const) {
  const model = buildAdder(5, { seed: 1 });
  const optimizer = createOptimizer(0.001);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const config = { digits: 5, batchSize: BATCH };
  await fitEpoch(engine, model, optimizer, warmUp, config, quiet);
  const started = performance.now();
  await fitEpoch(engine, model, optimizer, timed, config, quiet);
  rates[engine] = timed.a.length / ((performance.now() - started) / 1000);
  model.dispose();
  optimizer.dispose();
  process.stdout.write(`${engine.padEnd(5)} ${Math.round(rates[engine])} samples/s (${BATCHES} batches of ${BATCH}, 5 digits)\n`);
}
process.stdout.write(`fast / fit: ${(rates.fast / rates.fit).toFixed(2)}x\n`);
