/**
 * The training loop: data per epoch, one epoch of Adam, validation, a checkpoint after every
 * epoch, and at the end the exported model with its metrics and model card. `train/cli.ts` is the
 * command line around it; tests call `train()` directly on tiny configurations.
 *
 * A checkpoint directory holds `state.json` (configuration and history), `last/` (the model after
 * the latest epoch, with the optimizer's state) and `best/` (the model with the best validation exact
 * match so far). It is replaced as a whole after every epoch, so a run killed at any point resumes
 * from the last finished epoch.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildAdder, parameterCount } from '../src/architecture';
import {
  keysOf,
  mulberry32,
  drawPairs,
  type Pairs,
  pairsLength,
  permutation,
  selectPairs,
  testSet,
  trainValidationSplit,
  defaultTestSize,
} from './data';
import type { TestReport } from '../src/report';
import { evaluate, score } from './evaluate';
import { loadModel, readJson, recoverDirectory, replaceDirectory, writeJson, writeModel } from './files';
import { fitEpoch } from './engines';
import { type Engine, type FullLengthOperands, REFERENCE_RECIPE, resumableOverrides, type TrainConfig } from './config';
import { writeModelCard } from './card';

export interface EpochMetrics {
  epoch: number;
  learningRate: number;
  batchSize: number;
  /** `TrainConfig.fullLengthShare` in this epoch (absent in runs from before it existed: 0). */
  fullLengthShare?: number;
  /** `TrainConfig.fullLengthOperands` in this epoch (absent: 2). */
  fullLengthOperands?: FullLengthOperands;
  engine: Engine;
  samples: number;
  seconds: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  validationExactMatch: number;
}

export interface RunState {
  config: TrainConfig;
  parameters: number;
  epochsDone: number;
  bestEpoch: number;
  history: EpochMetrics[];
}

export interface Metrics extends RunState {
  exported: { epoch: number; weights: 'last' | 'best' };
  test: TestReport;
  comparisons: { name: string; metrics: Metrics }[];
}

export interface ProgressReporter {
  epochStart(epoch: number, epochs: number, batches: number): void;
  batchEnd(batch: number, loss: number, accuracy: number): void;
  epochEnd(metrics: EpochMetrics, epochs: number, best: boolean): void;
  message(text: string): void;
}

export interface TrainOptions {
  /** The configuration of a new run; when resuming, only `resumableOverrides` of it are applied. */
  config: Partial<TrainConfig>;
  checkpointDir: string;
  outDir: string;
  resume: boolean;
  progress: ProgressReporter;
  /** Earlier runs whose metrics the model card shows beside this one (name -> metrics.json). */
  compare?: Record<string, string>;
}

/** The learning rate for a 0-based epoch. */
export function learningRateAt(config: TrainConfig, epoch: number): number {
  if (config.schedule === 'constant' || config.epochs <= 1) return config.learningRate;
  const progress = epoch / (config.epochs - 1);
  return config.minLearningRate + ((config.learningRate - config.minLearningRate) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/** A seed for one purpose within a run, so that resuming at any epoch draws the same data. */
function derivedSeed(seed: number, purpose: number, epoch = 0): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(purpose, 0x165667b1) + Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
}

interface Data {
  validation: Pairs;
  trainFor(epoch: number): Pairs;
}

/** The validation set and, per epoch, the training examples in the order they are fed. */
export function runData(config: TrainConfig): Data {
  const { digits, trainingSize, validationSplit, freshData, seed } = config;
  const split = trainValidationSplit(mulberry32(derivedSeed(seed, 1)), trainingSize, validationSplit, digits);
  if (!freshData) {
    return {
      validation: split.validation,
      trainFor: (epoch) => {
        const random = mulberry32(derivedSeed(seed, 2, epoch));
        return selectPairs(split.train, permutation(random, pairsLength(split.train)));
      },
    };
  }
  const exclude = keysOf(split.validation);
  const count = pairsLength(split.train);
  return {
    validation: split.validation,
    trainFor: (epoch) =>
      drawPairs(mulberry32(derivedSeed(seed, 3, epoch)), count, {
        digits,
        heldOut: false,
        exclude,
        fullLengthShare: config.fullLengthShare ?? 0,
        fullLengthOperands: config.fullLengthOperands ?? 2,
      }),
  };
}

const STATE_FILE = 'state.json';
const OPTIMIZER_FILE = 'optimizer.bin';
const OPTIMIZER_SPEC_FILE = 'optimizer.json';

async function saveOptimizer(optimizer: tf.Optimizer, dir: string): Promise<void> {
  const named = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(named);
  await writeFile(path.join(dir, OPTIMIZER_FILE), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
  await writeJson(path.join(dir, OPTIMIZER_SPEC_FILE), specs);
}

async function restoreOptimizer(optimizer: tf.Optimizer, dir: string): Promise<void> {
  const specs = await readJson<tf.io.WeightsManifestEntry[]>(path.join(dir, OPTIMIZER_SPEC_FILE));
  const bytes = await readFile(path.join(dir, OPTIMIZER_FILE));
  const map = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
  await optimizer.setWeights(specs.map((spec) => ({ name: spec.name, tensor: map[spec.name] })));
}

export function createOptimizer(learningRate: number): tf.AdamOptimizer {
  // Keras's Adam defaults: beta1 0.9, beta2 0.999, epsilon 1e-7.
  return tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
}

async function writeCheckpoint(
  dir: string,
  state: RunState,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  improved: boolean,
): Promise<void> {
  await replaceDirectory(dir, async (tmp) => {
    const last = path.join(tmp, 'last');
    const best = path.join(tmp, 'best');
    await mkdir(last);
    await writeModel(model, last);
    await saveOptimizer(optimizer, last);
    if (improved) {
      await mkdir(best);
      await writeModel(model, best);
    } else {
      await cp(path.join(dir, 'best'), best, { recursive: true });
    }
    await writeJson(path.join(tmp, STATE_FILE), state);
  });
}

export async function readRunState(checkpointDir: string): Promise<RunState> {
  await recoverDirectory(checkpointDir);
  return readJson<RunState>(path.join(checkpointDir, STATE_FILE));
}

/** Trains (or resumes) a run and exports the chosen weights with metrics and model card. */
export async function train(options: TrainOptions): Promise<Metrics> {
  const { checkpointDir, outDir, progress } = options;
  let state: RunState;
  let model: tfl.LayersModel;
  const optimizer = createOptimizer(REFERENCE_RECIPE.learningRate);
  if (options.resume) {
    state = await readRunState(checkpointDir);
    state.config = { ...state.config, ...resumableOverrides(options.config) };
    model = await loadModel(path.join(checkpointDir, 'last'));
    await restoreOptimizer(optimizer, path.join(checkpointDir, 'last'));
    progress.message(`Resuming from epoch ${state.epochsDone} of ${state.config.epochs} in ${checkpointDir}`);
  } else {
    state = {
      config: { ...REFERENCE_RECIPE, ...options.config },
      parameters: parameterCount(),
      epochsDone: 0,
      bestEpoch: 0,
      history: [],
    };
    model = buildAdder(state.config.digits, { seed: state.config.seed });
  }
  const { config } = state;
  config.testSize ??= defaultTestSize(config.digits);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const data = runData(config);

  for (let epoch = state.epochsDone; epoch < config.epochs; epoch++) {
    const started = performance.now();
    const learningRate = learningRateAt(config, epoch);
    // tfjs declares the rate protected, but Adam reads it afresh at every step; setting it keeps the moments.
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    const examples = data.trainFor(epoch);
    const batches = Math.ceil(pairsLength(examples) / config.batchSize);
    progress.epochStart(epoch + 1, config.epochs, batches);
    const trained = await fitEpoch(config.engine, model, optimizer, examples, config, progress);
    const validation = score(model, data.validation, config.digits);
    const metrics: EpochMetrics = {
      epoch: epoch + 1,
      learningRate,
      batchSize: config.batchSize,
      fullLengthShare: config.fullLengthShare ?? 0,
      fullLengthOperands: config.fullLengthOperands ?? 2,
      engine: config.engine,
      samples: pairsLength(examples),
      seconds: (performance.now() - started) / 1000,
      trainLoss: trained.loss,
      trainAccuracy: trained.accuracy,
      validationLoss: validation.loss,
      validationAccuracy: validation.accuracy,
      validationExactMatch: validation.exactMatch,
    };
    const bestSoFar = state.history.find((m) => m.epoch === state.bestEpoch);
    const improved = bestSoFar === undefined || metrics.validationExactMatch > bestSoFar.validationExactMatch;
    state.history.push(metrics);
    state.epochsDone = epoch + 1;
    if (improved) state.bestEpoch = epoch + 1;
    await writeCheckpoint(checkpointDir, state, model, optimizer, improved);
    progress.epochEnd(metrics, config.epochs, improved);
  }

  const exported = config.export === 'best' ? await loadModel(path.join(checkpointDir, 'best')) : model;
  const exportedEpoch = config.export === 'best' ? state.bestEpoch : state.epochsDone;
  progress.message(`Evaluating the ${config.export} weights (epoch ${exportedEpoch}) on ${config.testSize} held-out sums`);
  const test = evaluate(exported, testSet(config.digits, config.testSize), config.digits);
  const comparisons = await Promise.all(
    Object.entries(options.compare ?? {}).map(async ([name, file]) => ({ name, metrics: await readJson<Metrics>(file) })),
  );
  const metrics: Metrics = { ...state, exported: { epoch: exportedEpoch, weights: config.export }, test, comparisons };
  await replaceDirectory(outDir, async (tmp) => {
    await writeModel(exported, tmp);
    await writeJson(path.join(tmp, 'metrics.json'), metrics);
    await writeModelCard(tmp, exported, metrics);
  });
  if (exported !== model) exported.dispose();
  model.dispose();
  optimizer.dispose();
  return metrics;
}
