/**
 * The training configuration and its defaults, the reference recipe. Kept free of tfjs imports so
 * that the command line can check its flags before loading TensorFlow.js.
 */

export type Engine = 'fit' | 'fast';
/** `fit` is tfjs-layers' `model.fit`; `fast` computes the same gradients with fewer ops (train/fast.ts). */
export const ENGINES: readonly Engine[] = ['fit', 'fast'];

export type FullLengthOperands = 1 | 2;

export interface TrainConfig {
  digits: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** `constant`, or `cosine` from `learningRate` down to `minLearningRate` over the epochs. */
  schedule: 'constant' | 'cosine';
  minLearningRate: number;
  /** Distinct pairs generated, validation included (the reference's TRAINING_SIZE). */
  trainingSize: number;
  validationSplit: number;
  /** Draw a new training set every epoch instead of reusing one. */
  freshData: boolean;
  /**
   * With fresh data, the fraction of each epoch's training sums with full-length operands (see
   * `fullLengthOperands`); the rest are drawn as the reference draws them. 0 (or absent, in runs
   * from before it existed) is the reference's distribution. Validation and test sums are never
   * skewed.
   */
  fullLengthShare?: number;
  /**
   * How many operands of those sums have all `digits` digits: 2 (both), or 1 (one of them, either
   * side with equal chance; the other drawn as the reference draws it). Absent: 2.
   */
  fullLengthOperands?: FullLengthOperands;
  seed: number;
  engine: Engine;
  /** Which weights to export at the end: the last epoch's, or the best by validation exact match. */
  export: 'last' | 'best';
  /** Size of the held-out test set evaluated at the end (default: `defaultTestSize(digits)`). */
  testSize?: number;
}


/** The reference recipe: Keras's addition RNN as its model card trains it. */
export const REFERENCE_RECIPE: TrainConfig = {
  digits: 5,
  epochs: 30,
  batchSize: 32,
  learningRate: 0.001,
  schedule: 'constant',
  minLearningRate: 0,
  trainingSize: 50000,
  validationSplit: 0.1,
  freshData: false,
  fullLengthShare: 0,
  fullLengthOperands: 2,
  seed: 1,
  engine: 'fast',
  export: 'last',
};

/**
 * The settings a resumed run may change: how long and how fast it trains, and how its fresh
 * training sums are weighted (a curriculum), but not its digits, seed, validation or test sets.
 */
export function resumableOverrides(config: Partial<TrainConfig>): Partial<TrainConfig> {
  const keys = ['epochs', 'batchSize', 'learningRate', 'schedule', 'minLearningRate', 'fullLengthShare', 'fullLengthOperands', 'engine', 'export'] as const;
  return Object.fromEntries(keys.filter((k) => config[k] !== undefined).map((k) => [k, config[k]]));
}
