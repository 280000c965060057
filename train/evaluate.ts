/**
 * Scoring a model on a set of sums: the per-character accuracy the Keras reference reports, the
 * whole-answer exact match we publish, and (for the held-out test set) the breakdowns by operand
 * length and by number of carries.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { answerLength, decodeAnswer, encodeAnswer, encodeQuery, formatSum, queryLength, VOCABULARY_SIZE } from '../src/codec';
import { oneHotBatch } from '../src/architecture';
import type { Mistake, Score, TestReport } from '../src/report';
import { carryCount, type Pairs, pairsLength, slicePairs } from './data';

/** Keras clips probabilities to [1e-7, 1 - 1e-7] in categorical cross-entropy. */
const EPSILON = 1e-7;
const PREDICT_BATCH = 1024;

/** Encodes a set of sums as one-hot model inputs `[n, queryLength, 12]`. */
export function queryTensor(pairs: Pairs, digits: number): tf.Tensor3D {
  const rows = Array.from(pairs.a, (a, i) => encodeQuery(a, pairs.b[i], digits));
  return oneHotBatch(rows, queryLength(digits));
}

/** Encodes the answers of a set of sums as one-hot targets `[n, answerLength, 12]`. */
export function answerTensor(pairs: Pairs, digits: number): tf.Tensor3D {
  const rows = Array.from(pairs.a, (a, i) => encodeAnswer(a + pairs.b[i], digits));
  return oneHotBatch(rows, answerLength(digits));
}

/**
 * Runs the model over a set in batches and calls `visit` for every sum with its predicted
 * indices and the probability the model gave to the right character at each position.
 */
function forEachPrediction(
  model: tfl.LayersModel,
  pairs: Pairs,
  digits: number,
  visit: (i: number, predicted: Int32Array, target: number[], targetProbability: Float32Array, best: Float32Array) => void,
): void {
  const steps = answerLength(digits);
  for (let start = 0; start < pairsLength(pairs); start += PREDICT_BATCH) {
    const batch = slicePairs(pairs, start, Math.min(start + PREDICT_BATCH, pairsLength(pairs)));
    const probabilities = tf.tidy(() => {
      const x = queryTensor(batch, digits);
      return model.predict(x) as tf.Tensor3D;
    });
    const p = probabilities.dataSync() as Float32Array;
    probabilities.dispose();
    for (let r = 0; r < pairsLength(batch); r++) {
      const target = encodeAnswer(batch.a[r] + batch.b[r], digits);
      const predicted = new Int32Array(steps);
      const targetProbability = new Float32Array(steps);
      const best = new Float32Array(steps);
      for (let t = 0; t < steps; t++) {
        const row = (r * steps + t) * VOCABULARY_SIZE;
        let arg = 0;
        for (let k = 1; k < VOCABULARY_SIZE; k++) if (p[row + k] > p[row + arg]) arg = k;
        predicted[t] = arg;
        best[t] = p[row + arg];
        targetProbability[t] = p[row + target[t]];
      }
      visit(start + r, predicted, target, targetProbability, best);
    }
  }
}

/** Loss, per-character accuracy and exact match of `model` on `pairs` (what validation reports). */
export function score(model: tfl.LayersModel, pairs: Pairs, digits: number): Score {
  const { loss, accuracy, exactMatch, count } = evaluate(model, pairs, digits, 0);
  return { loss, accuracy, exactMatch, count };
}

/** The full report on a set of sums (what `metrics.json` stores as `test`), in one pass of the model over it. */
export function evaluate(model: tfl.LayersModel, pairs: Pairs, digits: number, showMistakes = 10): TestReport {
  const steps = answerLength(digits);
  let loss = 0;
  let rightChars = 0;
  const lengths = new Map<string, { count: number; chars: number; sums: number }>();
  const carries = new Map<string, { count: number; chars: number; sums: number }>();
  const mistakes: Mistake[] = [];
  let mistakeCount = 0;
  forEachPrediction(model, pairs, digits, (i, predicted, target, targetProbability, best) => {
    const a = pairs.a[i];
    const b = pairs.b[i];
    let chars = 0;
    for (let t = 0; t < steps; t++) {
      loss -= Math.log(Math.min(Math.max(targetProbability[t], EPSILON), 1 - EPSILON));
      if (predicted[t] === target[t]) chars++;
    }
    rightChars += chars;
    const right = chars === steps;
    const la = String(a).length;
    const lb = String(b).length;
    for (const [map, key] of [
      [lengths, `${Math.max(la, lb)}+${Math.min(la, lb)}`],
      [carries, String(carryCount(a, b))],
    ] as const) {
      const bucket = map.get(key) ?? { count: 0, chars: 0, sums: 0 };
      bucket.count++;
      bucket.chars += chars;
      bucket.sums += right ? 1 : 0;
      map.set(key, bucket);
    }
    if (!right) {
      mistakeCount++;
      if (mistakes.length < showMistakes) {
        mistakes.push({
          query: formatSum(a, b),
          expected: String(a + b),
          answer: decodeAnswer(predicted),
          confidence: best.reduce((product, p) => product * p, 1),
        });
      }
    }
  });
  const buckets = (map: Map<string, { count: number; chars: number; sums: number }>) =>
    Object.fromEntries(
      [...map.entries()]
        .sort(([x], [y]) => x.localeCompare(y, 'en', { numeric: true }))
        .map(([key, v]) => [key, { count: v.count, accuracy: v.chars / (v.count * steps), exactMatch: v.sums / v.count }]),
    );
  const n = pairsLength(pairs);
  return {
    loss: loss / (n * steps),
    accuracy: rightChars / (n * steps),
    exactMatch: (n - mistakeCount) / n,
    count: n,
    byLengths: buckets(lengths),
    byCarries: buckets(carries),
    mistakes,
    mistakeCount,
  };
}
