/**
 * The serving forward pass: the addition LSTM evaluated on its trained weights with as few tfjs
 * ops as possible, giving the same answers as tfjs-layers' `model.predict`.
 *
 * Why it is shaped this way: the model is tiny (about 3 MFLOP a sum), so a stock `predict` of one
 * sum is almost all per-op overhead, about 5 us an op on the WASM backend, times some 200 ops.
 * Here the only tfjs op per time step is the recurrent matMul `h @ U`, where the WASM backend's SIMD
 * kernels pay off; everything else is done in plain JavaScript on Float32Arrays, fused into one loop
 * per step:
 * - the encoder's input is one-hot, so its input projection `x W + b` is a row lookup in a 12-row
 *   table;
 * - the reversed, space-padded query starts with pad characters, and the encoder state after k
 *   leading pads is the same for every query: it is computed once per model for every k, and a batch
 *   starts from the state after the fewest leading pads in it (a one-digit sum skips 8 of 11 steps);
 * - the decoder reads the same vector at every step (RepeatVector), so its input projection is one
 *   matMul per batch, and its first step, from a zero state, needs no recurrent product;
 * - the four gates are evaluated in one pass over the pre-activations, and the output layer is one
 *   matMul over all decoder steps of the batch, followed by a softmax per position.
 */
import * as tf from '@tensorflow/tfjs-core';
import { answerLength, encodeQuery, PAD, queryLength, VOCABULARY, VOCABULARY_SIZE } from './codec';
import type { AdderWeights } from './weights';

/** One sum's prediction: per output position the chosen vocabulary index and the full distribution. */
export interface ForwardResult {
  /** [rows * answerLength], the argmax per position. */
  indices: Uint8Array;
  /** [rows * answerLength * 12], the softmax per position. */
  probabilities: Float32Array;
}

const PAD_INDEX = VOCABULARY.indexOf(PAD);

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class AdderForward {
  readonly digits: number;
  readonly units: number;
  private readonly inputLength: number;
  private readonly outputLength: number;
  /** Encoder input projection per vocabulary symbol: [12, 4u] = kernel row + bias. */
  private readonly inputTable: Float32Array;
  private readonly encoderRecurrent: tf.Tensor2D;
  private readonly decoderKernel: tf.Tensor2D;
  private readonly decoderRecurrent: tf.Tensor2D;
  private readonly decoderBias: Float32Array;
  private readonly outputKernel: tf.Tensor2D;
  private readonly outputBias: Float32Array;
  /** Encoder state (h, c) after k leading pads, for k = 0 .. inputLength - 1. */
  private readonly padStates: { h: Float32Array; c: Float32Array }[];

  constructor(weights: AdderWeights) {
    const u = weights.units;
    this.digits = weights.digits;
    this.units = u;
    this.inputLength = queryLength(weights.digits);
    this.outputLength = answerLength(weights.digits);
    this.inputTable = new Float32Array(VOCABULARY_SIZE * 4 * u);
    for (let s = 0; s < VOCABULARY_SIZE; s++) {
      for (let j = 0; j < 4 * u; j++) {
        this.inputTable[s * 4 * u + j] = weights.encoderKernel[s * 4 * u + j] + weights.encoderBias[j];
      }
    }
    this.encoderRecurrent = tf.tensor2d(weights.encoderRecurrent, [u, 4 * u]);
    this.decoderKernel = tf.tensor2d(weights.decoderKernel, [u, 4 * u]);
    this.decoderRecurrent = tf.tensor2d(weights.decoderRecurrent, [u, 4 * u]);
    this.decoderBias = weights.decoderBias;
    this.outputKernel = tf.tensor2d(weights.outputKernel, [u, VOCABULARY_SIZE]);
    this.outputBias = weights.outputBias;

    this.padStates = [{ h: new Float32Array(u), c: new Float32Array(u) }];
    const padOffset = [PAD_INDEX * 4 * u];
    for (let k = 1; k < this.inputLength; k++) {
      const previous = this.padStates[k - 1];
      const h = Float32Array.from(previous.h);
      const c = Float32Array.from(previous.c);
      this.step(h, c, 1, k === 1 ? null : h, this.encoderRecurrent, this.inputTable, padOffset);
      this.padStates.push({ h, c });
    }
  }

  /** Releases the weight tensors. */
  dispose(): void {
    tf.dispose([this.encoderRecurrent, this.decoderKernel, this.decoderRecurrent, this.outputKernel]);
  }

  /** `h @ U` for `rows` rows, through the WASM backend. */
  private recurrent(h: Float32Array, rows: number, weights: tf.Tensor2D): Float32Array {
    const hT = tf.tensor2d(h, [rows, this.units]);
    const zT = tf.matMul(hT, weights);
    const z = zT.dataSync() as Float32Array;
    tf.dispose([hT, zT]);
    return z;
  }

  /**
   * One LSTM step in place on `h` and `c` ([rows, u]). `previous` is the h that feeds the recurrent
   * product through `weights`, or null when the state is zero. Row r's input projection is the 4u
   * values of `inputs` from `offsets[r]`.
   */
  private step(
    h: Float32Array,
    c: Float32Array,
    rows: number,
    previous: Float32Array | null,
    weights: tf.Tensor2D,
    inputs: Float32Array,
    offsets: ArrayLike<number>,
  ): void {
    const u = this.units;
    const z = previous === null ? null : this.recurrent(previous, rows, weights);
    for (let r = 0; r < rows; r++) {
      const x = offsets[r];
      const hc = r * u;
      if (z === null) {
        for (let j = 0; j < u; j++) {
          const cell = sigmoid(inputs[x + j]) * Math.tanh(inputs[x + 2 * u + j]) + sigmoid(inputs[x + u + j]) * c[hc + j];
          c[hc + j] = cell;
          h[hc + j] = sigmoid(inputs[x + 3 * u + j]) * Math.tanh(cell);
        }
      } else {
        const zr = r * 4 * u;
        for (let j = 0; j < u; j++) {
          const zi = inputs[x + j] + z[zr + j];
          const zf = inputs[x + u + j] + z[zr + u + j];
          const zc = inputs[x + 2 * u + j] + z[zr + 2 * u + j];
          const zo = inputs[x + 3 * u + j] + z[zr + 3 * u + j];
          const cell = sigmoid(zf) * c[hc + j] + sigmoid(zi) * Math.tanh(zc);
          c[hc + j] = cell;
          h[hc + j] = sigmoid(zo) * Math.tanh(cell);
        }
      }
    }
  }

  /** Runs the model on a batch of sums. Creates and disposes its own tensors; leaks none. */
  predict(sums: readonly { a: number; b: number }[]): ForwardResult {
    const rows = sums.length;
    if (rows === 0) return { indices: new Uint8Array(0), probabilities: new Float32Array(0) };
    const symbols = sums.map(({ a, b }) => encodeQuery(a, b, this.digits));
    let skip = this.inputLength - 1;
    for (const row of symbols) {
      let pads = 0;
      while (pads < row.length - 1 && row[pads] === PAD_INDEX) pads++;
      skip = Math.min(skip, pads);
    }
    const logits = this.logits(symbols, skip);
    return softmax(logits, rows * this.outputLength);
  }

  /** Output logits `[rows * outputLength, 12]`, starting from the state after `skip` leading pads. */
  private logits(symbols: number[][], skip: number): Float32Array {
    const rows = symbols.length;
    const u = this.units;
    const T = this.outputLength;
    const start = this.padStates[skip];
    const h = new Float32Array(rows * u);
    const c = new Float32Array(rows * u);
    for (let r = 0; r < rows; r++) {
      h.set(start.h, r * u);
      c.set(start.c, r * u);
    }
    const offsets = new Int32Array(rows);
    for (let t = skip; t < this.inputLength; t++) {
      for (let r = 0; r < rows; r++) offsets[r] = symbols[r][t] * 4 * u;
      this.step(h, c, rows, t === 0 ? null : h, this.encoderRecurrent, this.inputTable, offsets);
    }

    const projected = this.recurrent(h, rows, this.decoderKernel);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < 4 * u; j++) projected[r * 4 * u + j] += this.decoderBias[j];
    }
    const hd = new Float32Array(rows * u);
    const cd = new Float32Array(rows * u);
    const outputs = new Float32Array(T * rows * u);
    for (let r = 0; r < rows; r++) offsets[r] = r * 4 * u;
    for (let t = 0; t < T; t++) {
      this.step(hd, cd, rows, t === 0 ? null : hd, this.decoderRecurrent, projected, offsets);
      // Row-major [rows, T, u], so that the logits come out in the model's output order.
      for (let r = 0; r < rows; r++) outputs.set(hd.subarray(r * u, (r + 1) * u), (r * T + t) * u);
    }
    const logits = this.recurrent(outputs, rows * T, this.outputKernel);
    for (let p = 0; p < rows * T; p++) {
      for (let k = 0; k < VOCABULARY_SIZE; k++) logits[p * VOCABULARY_SIZE + k] += this.outputBias[k];
    }
    return logits;
  }
}

/** Softmax and argmax per position of `[positions, 12]` logits. */
function softmax(logits: Float32Array, positions: number): ForwardResult {
  const probabilities = new Float32Array(positions * VOCABULARY_SIZE);
  const indices = new Uint8Array(positions);
  for (let p = 0; p < positions; p++) {
    const o = p * VOCABULARY_SIZE;
    let max = -Infinity;
    for (let k = 0; k < VOCABULARY_SIZE; k++) max = Math.max(max, logits[o + k]);
    let sum = 0;
    for (let k = 0; k < VOCABULARY_SIZE; k++) sum += Math.exp(logits[o + k] - max);
    let best = 0;
    for (let k = 0; k < VOCABULARY_SIZE; k++) {
      probabilities[o + k] = Math.exp(logits[o + k] - max) / sum;
      if (probabilities[o + k] > probabilities[o + best]) best = k;
    }
    indices[p] = best;
  }
  return { indices, probabilities };
}
