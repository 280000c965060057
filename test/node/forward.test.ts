/**
 * The serving forward pass (src/forward.ts) against tfjs-layers' `model.predict` on the shipped
 * weights: the same answers on 10,000 held-out sums, the same probabilities to 1e-5.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAnswer, VOCABULARY_SIZE } from '../../src/codec';
import { AdderForward } from '../../src/forward';
import { ModelFormatError, parseWeights, weightPaths } from '../../src/weights';
import { useWasmBackend } from '../../train/backend';
import { testSet } from '../../train/data';
import { queryTensor } from '../../train/evaluate';
import { loadModel } from '../../train/files';

const dir = path.resolve(import.meta.dirname, '../../assets/model');
let model: tfl.LayersModel;
let forward: AdderForward;
let json: unknown;
let weights: ArrayBuffer;

beforeAll(async () => {
  await useWasmBackend();
  json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  const bytes = await readFile(path.join(dir, weightPaths(json)[0]));
  weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  model = await loadModel(dir);
  forward = new AdderForward(parseWeights(json, [weights]));
});

afterAll(() => {
  model.dispose();
  forward.dispose();
});

describe('serving forward pass', () => {
  it('gives the answers and probabilities of model.predict on 10,000 held-out sums', () => {
    const pairs = testSet(5, 10000);
    const steps = 6;
    const sums = Array.from(pairs.a, (a, i) => ({ a, b: pairs.b[i] }));
    let maxDifference = 0;
    let differentAnswers = 0;
    let nearTies = 0;
    let compared = 0;
    for (let start = 0; start < sums.length; start += 500) {
      const batch = sums.slice(start, start + 500);
      const fast = forward.predict(batch);
      const reference = tf.tidy(() => {
        const x = queryTensor({ a: pairs.a.subarray(start, start + 500), b: pairs.b.subarray(start, start + 500) }, 5);
        return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
      });
      for (let i = 0; i < reference.length; i++) maxDifference = Math.max(maxDifference, Math.abs(reference[i] - fast.probabilities[i]));
      for (let r = 0; r < batch.length; r++) {
        const indices: number[] = [];
        let tie = false;
        for (let t = 0; t < steps; t++) {
          const row = reference.subarray((r * steps + t) * VOCABULARY_SIZE, (r * steps + t + 1) * VOCABULARY_SIZE);
          const sorted = Array.from(row).sort((x, y) => y - x);
          tie ||= sorted[0] - sorted[1] < 1e-5;
          indices.push(row.indexOf(sorted[0]));
        }
        // Where the two best characters are within float rounding of each other, either is the
        // model's answer; such sums are counted, and every other answer must be identical.
        if (tie) {
          nearTies++;
          continue;
        }
        compared++;
        const fastAnswer = decodeAnswer(fast.indices.subarray(r * steps, (r + 1) * steps));
        if (fastAnswer !== decodeAnswer(indices)) differentAnswers++;
      }
    }
    expect(maxDifference).toBeLessThan(1e-5);
    expect(nearTies).toBeLessThan(10);
    expect(compared).toBe(sums.length - nearTies);
    expect(differentAnswers).toBe(0);
  });

  it('starts a batch of mixed lengths from the right state', () => {
    const mixed = [{ a: 0, b: 0 }, { a: 99999, b: 99999 }, { a: 535, b: 61 }, { a: 7, b: 12345 }];
    const together = forward.predict(mixed);
    mixed.forEach((sum, r) => {
      const alone = forward.predict([sum]);
      for (let i = 0; i < alone.probabilities.length; i++) {
        expect(alone.probabilities[i]).toBeCloseTo(together.probabilities[r * alone.probabilities.length + i], 6);
      }
    });
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    forward.predict([{ a: 1, b: 2 }]);
    forward.predict(Array.from({ length: 100 }, (_, i) => ({ a: i, b: 2 * i })));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('weight files', () => {
  it('refuses a truncated weights file', () => {
    expect(() => parseWeights(json, [weights.slice(0, weights.byteLength - 4)])).toThrow(ModelFormatError);
    expect(() => parseWeights(json, [weights.slice(0, weights.byteLength - 4)])).toThrow(/too short|truncated/);
  });

  it('refuses a weights file longer than the manifest says', () => {
    const longer = new Uint8Array(weights.byteLength + 4);
    longer.set(new Uint8Array(weights));
    expect(() => parseWeights(json, [longer.buffer])).toThrow(/accounts for/);
  });

  it('refuses a manifest whose shapes do not match the model', () => {
    const changed = structuredClone(json) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
    const bias = changed.weightsManifest[0].weights.find((w) => w.name === 'output/bias')!;
    const kernel = changed.weightsManifest[0].weights.find((w) => w.name === 'output/kernel')!;
    kernel.shape = [129, 12];
    bias.shape = [0];
    expect(() => parseWeights(changed, [weights])).toThrow(/output\/kernel has shape \[129,12\]/);
  });

  it('refuses files that are not a Layers model', () => {
    expect(() => parseWeights({ format: 'graph-model' }, [weights])).toThrow(/not a TensorFlow.js Layers model/);
    expect(() => weightPaths({})).toThrow(/no weightsManifest/);
    expect(() => weightPaths({ weightsManifest: [{ paths: ['../secret'], weights: [] }] })).toThrow(/no usable weight file/);
  });
});
