/**
 * Vitest global setup, run in Node before any test: loads `assets/model` with tfjs (the training
 * side's loader and WASM backend, not the Worker's code), predicts `REFERENCE_SUMS` and provides the
 * decoded answers and per-position probabilities to the tests as `inject('reference')`.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { TestProject } from 'vitest/node';
import { oneHotBatch } from '../../src/architecture';
import { answerLength, decodeAnswer, encodeQuery, formatSum, queryLength, VOCABULARY, VOCABULARY_SIZE } from '../../src/codec';
import { useWasmBackend } from '../../train/backend';
import { loadModel } from '../../train/files';
import { type Reference, REFERENCE_SUMS } from '../reference';

export const MODEL_DIR = path.resolve(import.meta.dirname, '../../assets/model');

export default async function setup(project: TestProject): Promise<void> {
  await useWasmBackend();
  const model = await loadModel(MODEL_DIR);
  const inputLength = model.inputs[0].shape[1];
  if (typeof inputLength !== 'number') throw new Error(`${MODEL_DIR}: the model has no fixed input length`);
  const digits = (inputLength - 1) / 2;
  if (queryLength(digits) !== inputLength) throw new Error(`${MODEL_DIR}: input length ${inputLength} is not 2 * digits + 1`);
  const steps = answerLength(digits);

  const x = oneHotBatch(
    REFERENCE_SUMS.map(({ a, b }) => encodeQuery(a, b, digits)),
    inputLength,
  );
  const y = model.predict(x) as tf.Tensor;
  const p = await y.data();
  tf.dispose([x, y]);
  model.dispose();

  const reference: Reference = { digits, predictions: {} };
  REFERENCE_SUMS.forEach(({ a, b }, r) => {
    const indices: number[] = [];
    const probabilities: number[] = [];
    for (let t = 0; t < steps; t++) {
      const row = Array.from(p.subarray((r * steps + t) * VOCABULARY_SIZE, (r * steps + t + 1) * VOCABULARY_SIZE));
      const best = row.indexOf(Math.max(...row));
      indices.push(best);
      probabilities.push(row[best]);
    }
    reference.predictions[formatSum(a, b)] = {
      answer: decodeAnswer(indices),
      confidence: probabilities.reduce((product, q) => product * q, 1),
      chars: indices.map((i) => VOCABULARY[i]),
      probabilities,
    };
  });
  project.provide('reference', reference);
}
