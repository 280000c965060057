import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdder, parameterCount } from '../../src/architecture';
import { useWasmBackend } from '../../train/backend';
import { drawPairs, mulberry32 } from '../../train/data';
import { answerTensor, queryTensor } from '../../train/evaluate';
import { adderVariables, batchLoss, fastBatch } from '../../train/fast';
import { loadModel, writeModel } from '../../train/files';

let model: tfl.LayersModel;
let dir: string;

beforeAll(async () => {
  await useWasmBackend();
  model = buildAdder(5, { seed: 11 });
  dir = await mkdtemp(path.join(tmpdir(), 'adder-model-'));
});

afterAll(async () => {
  model.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('architecture', () => {
  it('matches the reference: shapes and 205,324 parameters', () => {
    expect(model.countParams()).toBe(205324);
    expect(parameterCount()).toBe(205324);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['LSTM', 'RepeatVector', 'LSTM', 'Dense']);
    expect(model.layers.map((l) => l.countParams())).toEqual([72192, 0, 131584, 1548]);
    expect(model.inputs[0].shape).toEqual([null, 11, 12]);
    expect(model.outputs[0].shape).toEqual([null, 6, 12]);
  });

  it('has the same parameter count whatever the number of digits', () => {
    const small = buildAdder(2, { seed: 1 });
    expect(small.countParams()).toBe(205324);
    expect(small.outputs[0].shape).toEqual([null, 3, 12]);
    small.dispose();
  });

  it('uses the Keras defaults, not tfjs-layers ones', () => {
    const config = model.layers[0].getConfig();
    expect(config.recurrentActivation).toBe('sigmoid');
    expect(config.unitForgetBias).toBe(true);
    // glorot-uniform serialises as the variance scaling it is.
    expect(config.kernelInitializer).toMatchObject({
      className: 'VarianceScaling',
      config: { scale: 1, mode: 'fanAvg', distribution: 'uniform' },
    });
    const bias = model.getLayer('encoder').getWeights()[2].dataSync();
    expect(Array.from(bias.slice(128, 256)).every((x) => x === 1)).toBe(true);
    expect(Array.from(bias.slice(0, 128)).every((x) => x === 0)).toBe(true);
  });

  it('outputs a probability distribution per answer position', () => {
    const pairs = drawPairs(mulberry32(1), 8, { digits: 5, heldOut: false });
    const sums = tf.tidy(() => (model.predict(queryTensor(pairs, 5)) as tf.Tensor).sum(-1).dataSync());
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
  });
});

describe('save and load', () => {
  it('gives identical predictions after a round trip through the Layers format', async () => {
    await writeModel(model, dir);
    const loaded = await loadModel(dir);
    const x = queryTensor(drawPairs(mulberry32(2), 64, { digits: 5, heldOut: false }), 5);
    const before = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    const after = tf.tidy(() => (loaded.predict(x) as tf.Tensor).dataSync());
    expect(Array.from(after)).toEqual(Array.from(before));
    x.dispose();
    loaded.dispose();
  });

  it('loads with a stock tf.loadLayersModel from the files alone', async () => {
    const { readFile } = await import('node:fs/promises');
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const weights = await readFile(path.join(dir, 'weights.bin'));
    const handler = tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    });
    const loaded = await tfl.loadLayersModel(handler);
    expect(loaded.countParams()).toBe(205324);
    loaded.dispose();
  });
});

describe('inference', () => {
  it('leaks no tensors', () => {
    const pairs = drawPairs(mulberry32(3), 16, { digits: 5, heldOut: false });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        model.predict(queryTensor(pairs, 5));
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fast training engine', () => {
  it('computes the same loss and gradients as the layers model', () => {
    const pairs = drawPairs(mulberry32(4), 32, { digits: 5, heldOut: false });
    const v = adderVariables(model);
    const batch = fastBatch(pairs, 0, 32, 5);
    const x = queryTensor(pairs, 5);
    const y = answerTensor(pairs, 5);
    const layersLoss = () => tfl.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar;
    const fast = tf.variableGrads(() => batchLoss(v, batch, 5).loss, v.list);
    const reference = tf.variableGrads(layersLoss, v.list);
    expect(fast.value.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0], 5);
    for (const name of Object.keys(reference.grads)) {
      const scale = tf.tidy(() => tf.max(tf.abs(reference.grads[name])).dataSync()[0]);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(fast.grads[name], reference.grads[name]))).dataSync()[0]);
      expect(diff, name).toBeLessThan(1e-4 * scale + 1e-7);
    }
    tf.dispose([x, y, batch.queries, batch.answers, fast.value, reference.value, ...Object.values(fast.grads), ...Object.values(reference.grads)]);
  });
});
