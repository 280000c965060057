/**
 * The trained adder in the Worker: loading the model shipped in `assets/model/` (the tfjs Layers
 * files `model.json` and `weights.bin`, and the training run's `metrics.json`) and running it on
 * batches of sums. No HTTP here; `src/api.ts` turns requests into `predictSums` calls.
 *
 * The forward pass is `src/forward.ts` on the weights read by `src/weights.ts`: the same model as
 * tfjs-layers' `predict` (tested to give the same answers), without tfjs-layers in the Worker.
 */
import { decodeAnswer, type Sum, VOCABULARY, VOCABULARY_SIZE } from './codec';
import { AdderForward } from './forward';
import type { Bucket, TestReport } from './report';
import { adderShape, type AdderShape, type LayerSummary, layerSummaries, parameterCount } from './spec';

export type { LayerSummary };
import { initBackend } from './tf';
import { parseWeights, weightPaths } from './weights';

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

/** The parts of `metrics.json` (train/train.ts `Metrics`) that the service reports. */
export interface TrainingMetrics {
  /** The training configuration (train/train.ts `TrainConfig`), passed on as written. */
  config: { digits: number } & Record<string, unknown>;
  parameters: number;
  epochsDone: number;
  bestEpoch: number;
  exported: { epoch: number; weights: string };
  test: TestReport;
}

/** Everything `GET /model` reports. */
export interface ModelInfo {
  name: string;
  /** A hash of the model files; also the ETag prefix of `GET /add` answers. */
  version: string;
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
  /** A hash of the model files: answers are a pure function of the query for one version. */
  readonly version: string;
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

/** The weights file `npm run train` writes beside model.json. */
const USUAL_WEIGHTS_FILE = 'weights.bin';

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
  const modelUrl = new URL(MODEL_PATHS.model, ASSET_ORIGIN);
  const weightsPath = (file: string) => new URL(file, modelUrl).pathname;
  // The weights file training writes is fetched at once, beside model.json, rather than after it:
  // a fresh isolate then waits for one round of asset reads instead of two. model.json still
  // decides which files are read.
  const usual = fetchAsset(assets, weightsPath(USUAL_WEIGHTS_FILE)).then((r) => r.arrayBuffer());
  usual.catch(() => {}); // Not every model has it; its error, if it matters, is raised below.
  const [modelBytes, metrics] = await Promise.all([
    fetchAsset(assets, MODEL_PATHS.model).then((r) => r.arrayBuffer()),
    fetchAsset(assets, MODEL_PATHS.metrics).then(async (r) => readMetrics(await r.json())),
    initBackend(),
  ]);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(modelBytes));
  } catch {
    throw new Error(`${MODEL_PATHS.model} is not valid JSON`);
  }
  const buffers = await Promise.all(
    weightPaths(json).map(async (file) =>
      file === USUAL_WEIGHTS_FILE ? usual : (await fetchAsset(assets, weightsPath(file))).arrayBuffer(),
    ),
  );
  const weights = parseWeights(json, buffers);
  if (weights.digits !== metrics.config.digits) {
    throw new Error(
      `${MODEL_PATHS.model} is a ${weights.digits}-digit model but ${MODEL_PATHS.metrics} describes a ${metrics.config.digits}-digit one`,
    );
  }
  const shape = adderShape(weights.digits, weights.units);
  const forward = new AdderForward(weights);
  const version = await digest([modelBytes, ...buffers]);
  return {
    digits: shape.digits,
    info: describe(shape, metrics, version),
    version,
    predictSums: (sums) => predict(forward, shape, sums),
  };
}

/** The first 16 hex digits of the SHA-256 of the files, in order. */
async function digest(files: ArrayBuffer[]): Promise<string> {
  const total = files.reduce((n, f) => n + f.byteLength, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const f of files) {
    all.set(new Uint8Array(f), offset);
    offset += f.byteLength;
  }
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(hash.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function fetchAsset(assets: Fetcher, path: string): Promise<Response> {
  const response = await assets.fetch(new URL(path, ASSET_ORIGIN));
  if (!response.ok) throw new Error(`${path} answered HTTP ${response.status}`);
  return response;
}

function predict(forward: AdderForward, shape: AdderShape, sums: readonly Sum[]): Prediction[] {
  const { indices, probabilities } = forward.predict(sums);
  return sums.map((_sum, r) => {
    const chosen = indices.subarray(r * shape.outputLength, (r + 1) * shape.outputLength);
    const positions: CharacterProbability[] = [];
    let confidence = 1;
    chosen.forEach((index, t) => {
      const probability = probabilities[(r * shape.outputLength + t) * VOCABULARY_SIZE + index];
      positions.push({ char: VOCABULARY[index], probability });
      confidence *= probability;
    });
    return { answer: decodeAnswer(chosen), confidence, positions };
  });
}

function describe(shape: AdderShape, metrics: TrainingMetrics, version: string): ModelInfo {
  const { test } = metrics;
  return {
    name: 'adder',
    version,
    digits: shape.digits,
    vocabulary: VOCABULARY,
    inputLength: shape.inputLength,
    outputLength: shape.outputLength,
    layers: layerSummaries(shape),
    parameters: parameterCount(shape.units),
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
