/**
 * The trained adder in the Worker: loading the model shipped in `assets/model/` (the tfjs Layers
 * files `model.json` and `weights.bin`, and the training run's `metrics.json`) and running it on
 * batches of sums. No HTTP here; `src/api.ts` turns requests into `predictSums` calls.
 *
 * The forward pass is tfjs-layers' `predict`; it sits behind the `Adder` interface so that a faster
 * implementation can replace it without touching the routes.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { adderShape, type AdderShape, oneHotBatch } from './architecture';
import { decodeAnswer, encodeQuery, type Sum, VOCABULARY, VOCABULARY_SIZE } from './codec';
import { initBackend } from './tf';

/** The probability the model gave to the character it chose at one output position. */
export interface CharacterProbability {
  char: string;
  probability: number;
}

/** What the model answered for one sum. */
export interface Prediction {
  /** The decoded answer: the chosen characters up to the first pad (`decodeAnswer`). */
  answer: string;
  /** The product of the chosen characters' probabilities over all output positions. */
  confidence: number;
  /** One entry per output position, padding included. */
  positions: CharacterProbability[];
}

export interface LayerSummary {
  name: string;
  type: string;
  /** Output shape; the batch dimension is null. */
  outputShape: (number | null)[];
  parameters: number;
}

/** Accuracy over one group of test sums (by operand lengths or by carries). */
export interface Bucket {
  count: number;
  accuracy: number;
  exactMatch: number;
}

/** The parts of `metrics.json` (train/train.ts `Metrics`) that the service reports. */
export interface TrainingMetrics {
  /** The training configuration (train/train.ts `TrainConfig`), passed on as written. */
  config: { digits: number } & Record<string, unknown>;
  parameters: number;
  epochsDone: number;
  bestEpoch: number;
  exported: { epoch: number; weights: string };
  test: {
    loss: number;
    accuracy: number;
    exactMatch: number;
    count: number;
    byLengths: Record<string, Bucket>;
    byCarries: Record<string, Bucket>;
    mistakes: { query: string; expected: string; answer: string; confidence: number }[];
    mistakeCount: number;
  };
}

/** Everything `GET /model` reports. */
export interface ModelInfo {
  name: string;
  digits: number;
  vocabulary: string;
  inputLength: number;
  outputLength: number;
  layers: LayerSummary[];
  parameters: number;
  training: {
    recipe: TrainingMetrics['config'];
    epochsDone: number;
    bestEpoch: number;
    exported: TrainingMetrics['exported'];
  };
  test: {
    count: number;
    loss: number;
    /** Fraction of output characters right, padding included (Keras's `accuracy`). */
    perCharacterAccuracy: number;
    /** Fraction of sums whose whole answer is right. */
    exactMatchAccuracy: number;
    byLengths: Record<string, Bucket>;
    byCarries: Record<string, Bucket>;
    mistakeCount: number;
    mistakes: TrainingMetrics['test']['mistakes'];
  };
}

export interface Adder {
  /** Operands may have at most this many digits. */
  readonly digits: number;
  readonly info: ModelInfo;
  /** Runs the model once on all `sums` and returns one prediction per sum, in order. */
  predictSums(sums: readonly Sum[]): Prediction[];
}

/** Why the model could not be made ready; the message says what failed, for people. */
export class AdderLoadError extends Error {
  override readonly name = 'AdderLoadError';
}

/** Where the model files are, as paths of the static assets. */
const MODEL_PATHS = {
  model: '/model/model.json',
  metrics: '/model/metrics.json',
} as const;

// The assets binding serves by path; the host of the URL is not looked at.
const ASSET_ORIGIN = 'https://assets.invalid';

/** Where a Worker gets its adder: `lazyAdder()` in production, something else in tests. */
export type AdderSource = (assets: Fetcher) => Promise<Adder>;

/**
 * An adder loaded on first use and then kept (for the isolate, when it is the Worker's). Concurrent
 * callers share one load; a failed load rejects all of them with an `AdderLoadError` and is
 * forgotten, so that a later call tries again.
 */
export function lazyAdder(load: AdderSource = loadAdder): AdderSource {
  let loading: Promise<Adder> | undefined;
  return (assets) => {
    loading ??= load(assets).catch((error: unknown) => {
      loading = undefined;
      console.error('Loading the model failed:', error);
      const reason = error instanceof Error ? error.message : String(error);
      throw new AdderLoadError(`The model could not be loaded: ${reason}`, { cause: error });
    });
    return loading;
  };
}

/** Initialises the backend and loads the model and its metrics from the static assets. */
export async function loadAdder(assets: Fetcher): Promise<Adder> {
  await initBackend();
  const [json, metrics] = await Promise.all([
    fetchAsset(assets, MODEL_PATHS.model).then((r) => r.json<tf.io.ModelJSON>()),
    fetchAsset(assets, MODEL_PATHS.metrics).then(async (r) => readMetrics(await r.json())),
  ]);
  const modelUrl = new URL(MODEL_PATHS.model, ASSET_ORIGIN);
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers = await Promise.all(
      manifest
        .flatMap((group) => group.paths)
        .map(async (file) => (await fetchAsset(assets, new URL(file, modelUrl).pathname)).arrayBuffer()),
    );
    return [specs, buffers.length === 1 ? buffers[0] : buffers];
  });
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  let shape: AdderShape;
  try {
    shape = checkShape(model, metrics.config.digits);
  } catch (error) {
    model.dispose(); // A later attempt loads it again.
    throw error;
  }
  return {
    digits: shape.digits,
    info: describe(model, shape, metrics),
    predictSums: (sums) => predict(model, shape, sums),
  };
}

async function fetchAsset(assets: Fetcher, path: string): Promise<Response> {
  const response = await assets.fetch(new URL(path, ASSET_ORIGIN));
  if (!response.ok) throw new Error(`${path} answered HTTP ${response.status}`);
  return response;
}

/** The model must read and write exactly what the codec produces for the digits it was trained for. */
function checkShape(model: tfl.LayersModel, digits: number): AdderShape {
  const shape = adderShape(digits);
  const expected = {
    input: [null, shape.inputLength, shape.vocabularySize],
    output: [null, shape.outputLength, shape.vocabularySize],
  };
  const actual = { input: model.inputs[0].shape, output: model.outputs[0].shape };
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `the model's input and output shapes ${JSON.stringify(actual)} are not those of a ${digits}-digit adder ${JSON.stringify(expected)}`,
    );
  }
  return shape;
}

function predict(model: tfl.LayersModel, shape: AdderShape, sums: readonly Sum[]): Prediction[] {
  if (sums.length === 0) return [];
  const rows = sums.map(({ a, b }) => encodeQuery(a, b, shape.digits));
  const output = tf.tidy(() => model.predict(oneHotBatch(rows, shape.inputLength)) as tf.Tensor3D);
  let p: Float32Array;
  try {
    p = output.dataSync() as Float32Array;
  } finally {
    output.dispose();
  }
  return sums.map((_sum, r) => {
    const indices: number[] = [];
    const positions: CharacterProbability[] = [];
    let confidence = 1;
    for (let t = 0; t < shape.outputLength; t++) {
      const row = (r * shape.outputLength + t) * VOCABULARY_SIZE;
      let best = 0;
      for (let k = 1; k < VOCABULARY_SIZE; k++) if (p[row + k] > p[row + best]) best = k;
      indices.push(best);
      positions.push({ char: VOCABULARY[best], probability: p[row + best] });
      confidence *= p[row + best];
    }
    return { answer: decodeAnswer(indices), confidence, positions };
  });
}

function describe(model: tfl.LayersModel, shape: AdderShape, metrics: TrainingMetrics): ModelInfo {
  const { test } = metrics;
  return {
    name: model.name,
    digits: shape.digits,
    vocabulary: VOCABULARY,
    inputLength: shape.inputLength,
    outputLength: shape.outputLength,
    layers: model.layers.map((layer) => ({
      name: layer.name,
      type: layer.getClassName(),
      outputShape: layer.outputShape as (number | null)[],
      parameters: layer.countParams(),
    })),
    parameters: model.countParams(),
    training: {
      recipe: metrics.config,
      epochsDone: metrics.epochsDone,
      bestEpoch: metrics.bestEpoch,
      exported: metrics.exported,
    },
    test: {
      count: test.count,
      loss: test.loss,
      perCharacterAccuracy: test.accuracy,
      exactMatchAccuracy: test.exactMatch,
      byLengths: test.byLengths,
      byCarries: test.byCarries,
      mistakeCount: test.mistakeCount,
      mistakes: test.mistakes,
    },
  };
}

/** Checks the fields of `metrics.json` the service relies on; a file of another shape fails the load. */
function readMetrics(value: unknown): TrainingMetrics {
  const numbers = [
    'config.digits',
    'parameters',
    'epochsDone',
    'bestEpoch',
    'exported.epoch',
    'test.loss',
    'test.accuracy',
    'test.exactMatch',
    'test.count',
    'test.mistakeCount',
  ];
  const objects = ['test.byLengths', 'test.byCarries'];
  const at = (path: string): unknown =>
    path.split('.').reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);
  const missing = [
    ...numbers.filter((path) => typeof at(path) !== 'number'),
    ...objects.filter((path) => !isRecord(at(path))),
    ...(Array.isArray(at('test.mistakes')) ? [] : ['test.mistakes']),
  ];
  if (missing.length > 0) throw new Error(`${MODEL_PATHS.metrics} lacks ${missing.join(', ')}`);
  return value as TrainingMetrics;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
