/**
 * The serving forward pass: the addition LSTM evaluated on its trained weights with as few tfjs
 * ops as possible, giving the same answers as tfjs-layers' `model.predict`.
 *
 * Why it is shaped this way: the model is tiny (about 3 MFLOP a sum), so a stock `predict` of one
 * sum is almost all per-op overhead, about 5 us an op on the WASM backend, times some 200 ops.
 * Here each time step is two tfjs ops, a matMul and a sigmoid, and the rest of the step is one
 * JavaScript loop:
 * - the step's input and recurrent products and its bias are one matMul of `[x, h, 1]` with the
 *   stacked kernels;
 *   the encoder's input is one-hot, so `x` is 12 numbers, and the decoder's is the encoder output
 *   repeated (RepeatVector);
 * - one sigmoid gives all four gates at once: the candidate's tanh is `2 sigmoid(2z) - 1`, so
 *   its kernel columns and bias are doubled when the model is loaded, leaving one tanh (of the cell)
 *   per unit to JavaScript;
 * - the reversed, space-padded query starts with pad characters, and the encoder state after k
 *   leading pads is the same for every query: it is computed once per model for every k, and a batch
 *   starts from the state after the fewest leading pads in it (a one-digit sum skips 8 of 11 steps);
 * - the output layer is one matMul over all decoder steps of the batch, then a softmax per position.
 */
import * as tf from '@tensorflow/tfjs-core';
import { answerLength, encodeQuery, PAD, queryLength, VOCABULARY, VOCABULARY_SIZE } from './codec';
import type { AdderWeights } from './weights';

/** One batch's prediction: per output position the chosen vocabulary index and the full distribution. */
export interface ForwardResult {
  /** [rows * answerLength], the argmax per position. */
  indices: Uint8Array;
  /** [rows * answerLength * 12], the softmax per position. */
  probabilities: Float32Array;
}

const PAD_INDEX = VOCABULARY.indexOf(PAD);

/**
 * `[input; recurrent; bias]` stacked into one `[inputDim + u + 1, 4u]` kernel, for inputs
 * `[x, h, 1]`: the bias rides in the matMul, which is faster on the WASM backend than its fused
 * bias add. The candidate gate's columns are doubled so that a sigmoid yields its tanh as `2 s - 1`.
 */
function stackedGates(input: Float32Array, inputDim: number, recurrent: Float32Array, bias: Float32Array, u: number): tf.Tensor2D {
  const rows = inputDim + u + 1;
  const kernel = new Float32Array(rows * 4 * u);
  kernel.set(input, 0);
  kernel.set(recurrent, inputDim * 4 * u);
  kernel.set(bias, (inputDim + u) * 4 * u);
  for (let row = 0; row < rows; row++) {
    for (let j = 2 * u; j < 3 * u; j++) kernel[row * 4 * u + j] *= 2;
  }
  return tf.tensor2d(kernel, [rows, 4 * u]);
}

export class AdderForward {
  readonly digits: number;
  readonly units: number;
  private readonly inputLength: number;
  private readonly outputLength: number;
  /** Stacked gate kernels: rows `[x, h, 1]`. */
  private readonly encoder: tf.Tensor2D;
  private readonly decoder: tf.Tensor2D;
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
    this.encoder = stackedGates(weights.encoderKernel, VOCABULARY_SIZE, weights.encoderRecurrent, weights.encoderBias, u);
    this.decoder = stackedGates(weights.decoderKernel, u, weights.decoderRecurrent, weights.decoderBias, u);
    this.outputKernel = tf.tensor2d(weights.outputKernel, [u, VOCABULARY_SIZE]);
    this.outputBias = weights.outputBias;

    this.padStates = [{ h: new Float32Array(u), c: new Float32Array(u) }];
    const x = new Float32Array(VOCABULARY_SIZE + u + 1);
    for (let k = 1; k < this.inputLength; k++) {
      const h = Float32Array.from(this.padStates[k - 1].h);
      const c = Float32Array.from(this.padStates[k - 1].c);
      x.fill(0);
      x[PAD_INDEX] = 1;
      x.set(h, VOCABULARY_SIZE);
      x[VOCABULARY_SIZE + u] = 1;
      this.step(x, 1, this.encoder, h, c);
      this.padStates.push({ h, c });
    }
  }

  /** Releases the weight tensors. */
  dispose(): void {
    tf.dispose([this.encoder, this.decoder, this.outputKernel]);
  }

  /** `x @ kernel` (and its sigmoid) for `rows` rows of `x`, through the WASM backend. */
  private product(x: Float32Array, rows: number, kernel: tf.Tensor2D, sigmoid: boolean): Float32Array {
    const xT = tf.tensor2d(x, [rows, kernel.shape[0]]);
    const zT = tf.matMul(xT, kernel);
    const yT = sigmoid ? tf.sigmoid(zT) : zT;
    const y = yT.dataSync() as Float32Array;
    tf.dispose([xT, zT, yT]);
    return y;
  }

  /** One LSTM step, in place on `h` and `c` ([rows, u]), from the rows `[input, h, 1]` of `x`. */
  private step(x: Float32Array, rows: number, kernel: tf.Tensor2D, h: Float32Array, c: Float32Array): void {
    const u = this.units;
    const s = this.product(x, rows, kernel, true);
    for (let r = 0; r < rows; r++) {
      const g = r * 4 * u;
      const o = r * u;
      for (let j = 0; j < u; j++) {
        const candidate = 2 * s[g + 2 * u + j] - 1;
        const cell = s[g + u + j] * c[o + j] + s[g + j] * candidate;
        c[o + j] = cell;
        h[o + j] = s[g + 3 * u + j] * Math.tanh(cell);
      }
    }
  }

  /** Runs the model on a batch of sums. Creates and disposes its own tensors; leaks none. */
  predict(sums: readonly { a: number; b: number }[]): ForwardResult {
    const rows = sums.length;
    if (rows === 0) return { indices: new Uint8Array(0), probabilities: new Float32Array(0) };
    const u = this.units;
    const T = this.outputLength;
    const symbols = sums.map(({ a, b }) => encodeQuery(a, b, this.digits));
    let skip = this.inputLength - 1;
    for (const row of symbols) {
      let pads = 0;
      while (pads < row.length - 1 && row[pads] === PAD_INDEX) pads++;
      skip = Math.min(skip, pads);
    }

    // Encoder, from the state after the leading pads all rows share.
    const h = new Float32Array(rows * u);
    const c = new Float32Array(rows * u);
    for (let r = 0; r < rows; r++) {
      h.set(this.padStates[skip].h, r * u);
      c.set(this.padStates[skip].c, r * u);
    }
    const width = VOCABULARY_SIZE + u + 1;
    const x = new Float32Array(rows * width);
    for (let t = skip; t < this.inputLength; t++) {
      x.fill(0);
      for (let r = 0; r < rows; r++) {
        x[r * width + symbols[r][t]] = 1;
        x.set(h.subarray(r * u, (r + 1) * u), r * width + VOCABULARY_SIZE);
        x[r * width + VOCABULARY_SIZE + u] = 1;
      }
      this.step(x, rows, this.encoder, h, c);
    }

    // Decoder: every step reads the encoder's output beside its own state, from a zero state.
    const hd = new Float32Array(rows * u);
    const cd = new Float32Array(rows * u);
    const dWidth = 2 * u + 1;
    const xd = new Float32Array(rows * dWidth);
    const outputs = new Float32Array(rows * T * u);
    for (let t = 0; t < T; t++) {
      for (let r = 0; r < rows; r++) {
        xd.set(h.subarray(r * u, (r + 1) * u), r * dWidth);
        xd.set(hd.subarray(r * u, (r + 1) * u), r * dWidth + u);
        xd[r * dWidth + 2 * u] = 1;
      }
      this.step(xd, rows, this.decoder, hd, cd);
      // Row-major [rows, T, u], so that the logits come out in the model's output order.
      for (let r = 0; r < rows; r++) outputs.set(hd.subarray(r * u, (r + 1) * u), (r * T + t) * u);
    }
    const logits = this.product(outputs, rows * T, this.outputKernel, false);
    for (let p = 0; p < rows * T; p++) {
      for (let k = 0; k < VOCABULARY_SIZE; k++) logits[p * VOCABULARY_SIZE + k] += this.outputBias[k];
    }
    return softmax(logits, rows * T);
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
