/**
 * The model, shared by training and by anything that needs the reference tfjs-layers graph (the
 * save/load tests, the equivalence check of the serving forward pass). It is the Keras "addition
 * RNN": LSTM(128) encoder -> RepeatVector(digits + 1) -> LSTM(128, return sequences) ->
 * Dense(12, softmax) on every output step.
 *
 * tfjs-layers' LSTM defaults are not Keras's, so the Keras defaults are spelled out: sigmoid (not
 * hard sigmoid) gates, glorot-uniform (not glorot-normal) kernels, orthogonal recurrent kernels, and
 * a forget-gate bias initialised to one.
 *
 * tfjs-layers calls chained tensor methods (`t.flatten()`): the importer must register them, as
 * `@tensorflow/tfjs` does for training in Node (train/backend.ts). The Worker does not use this
 * module: it serves through `src/forward.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { VOCABULARY_SIZE } from './codec';
import { adderShape, LAYER_NAMES } from './spec';

export { adderShape, type AdderShape, HIDDEN_UNITS, LAYER_NAMES, parameterCount } from './spec';

/** Builds the untrained model for operands of up to `digits` digits. `seed` makes the initial weights reproducible. */
export function buildAdder(digits: number, options: { units?: number; seed?: number } = {}): tfl.LayersModel {
  const shape = adderShape(digits, options.units);
  let seed = options.seed;
  // Each initializer gets its own seed derived from the run's, so that layers differ from each other.
  const next = () => (seed === undefined ? undefined : (seed = (seed * 48271 + 1) % 2147483647));
  const lstmDefaults = () => ({
    units: shape.units,
    activation: 'tanh' as const,
    recurrentActivation: 'sigmoid' as const,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: next() }),
    recurrentInitializer: tfl.initializers.orthogonal({ gain: 1, seed: next() }),
    biasInitializer: 'zeros' as const,
    unitForgetBias: true,
  });
  const model = tfl.sequential({ name: 'adder' });
  model.add(
    tfl.layers.lstm({
      ...lstmDefaults(),
      name: LAYER_NAMES.encoder,
      inputShape: [shape.inputLength, shape.vocabularySize],
    }),
  );
  model.add(tfl.layers.repeatVector({ n: shape.outputLength, name: LAYER_NAMES.repeat }));
  model.add(tfl.layers.lstm({ ...lstmDefaults(), name: LAYER_NAMES.decoder, returnSequences: true }));
  model.add(
    tfl.layers.dense({
      units: shape.vocabularySize,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: next() }),
      name: LAYER_NAMES.output,
    }),
  );
  return model;
}

/** One-hot encodes rows of vocabulary indices into a `[rows, steps, vocabularySize]` float32 tensor. */
export function oneHotBatch(rows: ArrayLike<number>[], steps: number): tf.Tensor3D {
  const data = new Float32Array(rows.length * steps * VOCABULARY_SIZE);
  rows.forEach((row, r) => {
    for (let t = 0; t < steps; t++) data[(r * steps + t) * VOCABULARY_SIZE + row[t]] = 1;
  });
  return tf.tensor3d(data, [rows.length, steps, VOCABULARY_SIZE]);
}
