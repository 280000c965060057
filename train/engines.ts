/**
 * One epoch of training. `fit` is tfjs-layers' own `model.fit`, the stock path the reference
 * recipe runs on; `fast` (train/fast.ts) computes the same loss and gradients with fewer ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Engine } from './config';
import type { Pairs } from './data';
import { answerTensor, queryTensor } from './evaluate';
import { fastEpoch } from './fast';


export interface EpochResult {
  /** Mean training loss over the epoch's batches (what Keras prints as `loss`). */
  loss: number;
  /** Mean per-character training accuracy over the batches. */
  accuracy: number;
}

export interface BatchListener {
  batchEnd(batch: number, loss: number, accuracy: number): void;
}

/** Trains `model` (compiled with `optimizer`) for one pass over `examples`, in their order. */
export async function fitEpoch(
  engine: Engine,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  examples: Pairs,
  config: { digits: number; batchSize: number },
  listener: BatchListener,
): Promise<EpochResult> {
  if (engine === 'fast') {
    return fastEpoch(model, optimizer, examples, config, (b, loss, acc) => listener.batchEnd(b, loss, acc));
  }
  const x = queryTensor(examples, config.digits);
  const y = answerTensor(examples, config.digits);
  try {
    let lossSum = 0;
    let accuracySum = 0;
    let batches = 0;
    await model.fit(x, y, {
      batchSize: config.batchSize,
      epochs: 1,
      shuffle: false,
      verbose: 0,
      yieldEvery: 'never',
      callbacks: {
        onBatchEnd: async (batch, logs) => {
          lossSum += logs?.loss ?? NaN;
          accuracySum += logs?.acc ?? NaN;
          batches++;
          listener.batchEnd(batch + 1, lossSum / batches, accuracySum / batches);
        },
      },
    });
    return { loss: lossSum / batches, accuracy: accuracySum / batches };
  } finally {
    x.dispose();
    y.dispose();
  }
}
