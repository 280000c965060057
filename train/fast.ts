/**
 * The `fast` training engine: the same model, loss and Adam updates as `model.fit`, with the forward
 * pass written directly in tfjs-core ops so that autodiff records far fewer, larger ops.
 *
 * Where `model.fit` spends its time: tfjs-layers runs each LSTM step through its generic RNN loop
 * (per-step kernel and recurrent products, bias add, a four-way split, reshapes and state
 * bookkeeping), and every op costs a fixed few microseconds on the WASM backend however small it is.
 * Here the inputs are laid out time-major, the encoder's input projection for all steps is one
 * matMul, the decoder's (repeated, hence constant) input is projected once, and a step is one matMul
 * plus the gate arithmetic. The weights are the layers model's own variables, so checkpoints,
 * export and the optimizer state are shared with the `fit` engine.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { answerLength, encodeAnswer, encodeQuery, queryLength, VOCABULARY_SIZE } from '../src/codec';
import { LAYER_NAMES } from '../src/architecture';
import { type Pairs, pairsLength } from './data';

/** The model's trainable variables by role, in the order `model.fit` hands them to the optimizer. */
export interface AdderVariables {
  encoderKernel: tf.Variable;
  encoderRecurrent: tf.Variable;
  encoderBias: tf.Variable;
  decoderKernel: tf.Variable;
  decoderRecurrent: tf.Variable;
  decoderBias: tf.Variable;
  outputKernel: tf.Variable;
  outputBias: tf.Variable;
  /** All of the above, in `model.trainableWeights` order. */
  list: tf.Variable[];
}

export function adderVariables(model: tfl.LayersModel): AdderVariables {
  const list = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const byName = new Map(model.trainableWeights.map((w, i) => [w.originalName, list[i]]));
  const get = (layer: string, weight: string) => {
    const v = byName.get(`${layer}/${weight}`);
    if (v === undefined) throw new Error(`the model has no weight ${layer}/${weight}`);
    return v;
  };
  return {
    encoderKernel: get(LAYER_NAMES.encoder, 'kernel'),
    encoderRecurrent: get(LAYER_NAMES.encoder, 'recurrent_kernel'),
    encoderBias: get(LAYER_NAMES.encoder, 'bias'),
    decoderKernel: get(LAYER_NAMES.decoder, 'kernel'),
    decoderRecurrent: get(LAYER_NAMES.decoder, 'recurrent_kernel'),
    decoderBias: get(LAYER_NAMES.decoder, 'bias'),
    outputKernel: get(LAYER_NAMES.output, 'kernel'),
    outputBias: get(LAYER_NAMES.output, 'bias'),
    list,
  };
}

/** One-hot rows laid out time-major: `[steps * rows, 12]`, row `t * rows + r` is step t of row r. */
export function timeMajorOneHot(rows: ArrayLike<number>[], steps: number): tf.Tensor2D {
  const data = new Float32Array(steps * rows.length * VOCABULARY_SIZE);
  rows.forEach((row, r) => {
    for (let t = 0; t < steps; t++) data[(t * rows.length + r) * VOCABULARY_SIZE + row[t]] = 1;
  });
  return tf.tensor2d(data, [steps * rows.length, VOCABULARY_SIZE]);
}

/**
 * `a @ b` whose gradient uses plain matMuls of explicitly transposed operands. The WASM backend's
 * matMul is an order of magnitude slower with `transposeA`/`transposeB` set (measured: 4.4 ms
 * against 0.6 ms for a [128x32]x[32x512] product), and those are what the stock gradient of
 * `matMul` uses.
 */
const matMul = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, [sa, sb]: tf.Tensor[]) => [
      tf.matMul(dy, tf.transpose(sb)),
      tf.matMul(tf.transpose(sa), dy),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/** One LSTM step from pre-activations `z = x W + h U + b` (gate order i, f, c, o as in Keras). */
function lstmStep(z: tf.Tensor2D, c: tf.Tensor2D | null, units: number): [tf.Tensor2D, tf.Tensor2D] {
  const [zi, zf, zc, zo] = tf.split(z, [units, units, units, units], 1);
  const i = tf.sigmoid(zi);
  const candidate = tf.mul(i, tf.tanh(zc));
  const cNext = c === null ? candidate : tf.add(tf.mul(tf.sigmoid(zf), c), candidate);
  const h = tf.mul(tf.sigmoid(zo), tf.tanh(cNext));
  return [h as tf.Tensor2D, cNext as tf.Tensor2D];
}

/**
 * Output logits `[answerLength * rows, 12]` (time-major) for time-major one-hot queries
 * `[queryLength * rows, 12]`. Differentiable with respect to the variables.
 */
export function forwardLogits(v: AdderVariables, queries: tf.Tensor2D, digits: number): tf.Tensor2D {
  const units = v.encoderRecurrent.shape[0];
  const inSteps = queryLength(digits);
  const outSteps = answerLength(digits);
  const projected = tf.add(matMul(queries, v.encoderKernel), v.encoderBias) as tf.Tensor2D;
  const steps = tf.split(projected, inSteps, 0) as tf.Tensor2D[];
  let [h, c] = lstmStep(steps[0], null, units);
  for (let t = 1; t < inSteps; t++) {
    [h, c] = lstmStep(tf.add(steps[t], matMul(h, v.encoderRecurrent)), c, units);
  }
  // The decoder reads the encoder's last output at every step, so its input projection is computed once.
  const decoderInput = tf.add(matMul(h, v.decoderKernel), v.decoderBias) as tf.Tensor2D;
  let [hd, cd] = lstmStep(decoderInput, null, units);
  const outputs = [hd];
  for (let t = 1; t < outSteps; t++) {
    [hd, cd] = lstmStep(tf.add(decoderInput, matMul(hd, v.decoderRecurrent)), cd, units);
    outputs.push(hd);
  }
  return tf.add(matMul(tf.concat(outputs, 0), v.outputKernel), v.outputBias) as tf.Tensor2D;
}

export interface FastBatch {
  queries: tf.Tensor2D;
  answers: tf.Tensor2D;
  rows: number;
}

export function fastBatch(pairs: Pairs, start: number, end: number, digits: number): FastBatch {
  const queries: number[][] = [];
  const answers: number[][] = [];
  for (let i = start; i < end; i++) {
    queries.push(encodeQuery(pairs.a[i], pairs.b[i], digits));
    answers.push(encodeAnswer(pairs.a[i] + pairs.b[i], digits));
  }
  return {
    queries: timeMajorOneHot(queries, queryLength(digits)),
    answers: timeMajorOneHot(answers, answerLength(digits)),
    rows: end - start,
  };
}

/** Mean categorical cross-entropy per output position, as Keras's loss on the softmax outputs. */
export function batchLoss(v: AdderVariables, batch: FastBatch, digits: number): { loss: tf.Scalar; logits: tf.Tensor2D } {
  const logits = forwardLogits(v, batch.queries, digits);
  const loss = tf.losses.softmaxCrossEntropy(batch.answers, logits) as tf.Scalar;
  return { loss, logits };
}

/** Trains one pass over `examples` in their order; returns the batch-mean loss and accuracy. */
export function fastEpoch(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  examples: Pairs,
  config: { digits: number; batchSize: number },
  onBatch: (batch: number, loss: number, accuracy: number) => void,
): { loss: number; accuracy: number } {
  const v = adderVariables(model);
  const n = pairsLength(examples);
  let lossSum = 0;
  let accuracySum = 0;
  let batches = 0;
  for (let start = 0; start < n; start += config.batchSize) {
    const batch = fastBatch(examples, start, Math.min(start + config.batchSize, n), config.digits);
    const [loss, accuracy] = tf.tidy(() => {
      let logits: tf.Tensor2D | undefined;
      const cost = optimizer.minimize(
        () => {
          const out = batchLoss(v, batch, config.digits);
          logits = tf.keep(out.logits);
          return out.loss;
        },
        true,
        v.list,
      ) as tf.Scalar;
      const right = tf.equal(tf.argMax(logits!, 1), tf.argMax(batch.answers, 1));
      const acc = tf.mean(tf.cast(right, 'float32'));
      logits!.dispose();
      return [cost.dataSync()[0], acc.dataSync()[0]];
    });
    batch.queries.dispose();
    batch.answers.dispose();
    lossSum += loss;
    accuracySum += accuracy;
    batches++;
    onBatch(batches, lossSum / batches, accuracySum / batches);
  }
  return { loss: lossSum / batches, accuracy: accuracySum / batches };
}
