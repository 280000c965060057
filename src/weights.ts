/**
 * Reads the trained weights out of the files `npm run train` writes (`model.json` and its weights
 * file, TensorFlow.js Layers format) without tfjs-layers: serving needs the eight weight arrays and
 * the number of digits, not a layers graph. Every check a broken or mismatched file could fail is
 * made here, so that a bad deployment is reported with a reason instead of producing nonsense.
 */
import { LAYER_NAMES } from './spec';
import { VOCABULARY_SIZE } from './codec';

/** The weights of the addition LSTM, row-major, in tfjs-layers' layout (LSTM gates i, f, c, o). */
export interface AdderWeights {
  digits: number;
  units: number;
  /** [12, 4 * units] */
  encoderKernel: Float32Array;
  /** [units, 4 * units] */
  encoderRecurrent: Float32Array;
  /** [4 * units] */
  encoderBias: Float32Array;
  /** [units, 4 * units] */
  decoderKernel: Float32Array;
  /** [units, 4 * units] */
  decoderRecurrent: Float32Array;
  /** [4 * units] */
  decoderBias: Float32Array;
  /** [units, 12] */
  outputKernel: Float32Array;
  /** [12] */
  outputBias: Float32Array;
}

export class ModelFormatError extends Error {
  override readonly name = 'ModelFormatError';
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
}

/** The weight files `model.json` refers to, in order; serving fetches them from the assets. */
export function weightPaths(modelJson: unknown): string[] {
  const manifest = (modelJson as ModelJson | null)?.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) {
    throw new ModelFormatError('model.json has no weightsManifest');
  }
  const paths = manifest.flatMap((group) => (Array.isArray(group?.paths) ? group.paths : []));
  if (paths.length === 0 || paths.some((p) => typeof p !== 'string' || p.includes('..') || p.startsWith('/'))) {
    throw new ModelFormatError('model.json lists no usable weight file paths');
  }
  return paths;
}

/** The encoder's input length from the topology: `[null, 2 * digits + 1, 12]`. */
function digitsOf(modelJson: ModelJson): number {
  const text = JSON.stringify(modelJson.modelTopology ?? null);
  const match = /"batch_input_shape":\[null,(\d+),(\d+)\]/.exec(text);
  if (!match) throw new ModelFormatError('model.json has no input shape [null, steps, 12]');
  const steps = Number(match[1]);
  if (Number(match[2]) !== VOCABULARY_SIZE || steps % 2 !== 1 || steps < 3) {
    throw new ModelFormatError(`model.json has input shape [null, ${match[1]}, ${match[2]}], not [null, 2 * digits + 1, ${VOCABULARY_SIZE}]`);
  }
  return (steps - 1) / 2;
}

/**
 * Decodes and checks the weights. `buffers` are the contents of `weightPaths(modelJson)`, in order.
 */
export function parseWeights(modelJson: unknown, buffers: ArrayBuffer[]): AdderWeights {
  const json = modelJson as ModelJson;
  if (json?.format !== 'layers-model') throw new ModelFormatError('model.json is not a TensorFlow.js Layers model');
  const digits = digitsOf(json);
  const specs = json.weightsManifest!.flatMap((group) => group.weights ?? []);
  // One buffer is the usual case and is read in place; several are joined first.
  let bytes: ArrayBuffer;
  if (buffers.length === 1) {
    bytes = buffers[0];
  } else {
    const joined = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
    let at = 0;
    for (const buffer of buffers) {
      joined.set(new Uint8Array(buffer), at);
      at += buffer.byteLength;
    }
    bytes = joined.buffer;
  }
  const total = bytes.byteLength;

  const arrays = new Map<string, { shape: number[]; data: Float32Array }>();
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'float32' || spec.quantization !== undefined) {
      throw new ModelFormatError(`weight ${spec.name} is ${spec.dtype}${spec.quantization ? ', quantized' : ''}; float32 is expected`);
    }
    const size = spec.shape.reduce((n, d) => n * d, 1);
    if (offset + size * 4 > total) {
      throw new ModelFormatError(`the weights file is ${total} bytes, too short for the weights model.json lists (truncated?)`);
    }
    // float32 weights are packed back to back, so every offset is a multiple of 4 and a view will do.
    const data = new Float32Array(bytes, offset, size);
    arrays.set(spec.name, { shape: spec.shape, data });
    offset += size * 4;
  }
  if (offset !== total) {
    throw new ModelFormatError(`the weights file is ${total} bytes, but model.json accounts for ${offset}`);
  }

  const encoder = arrays.get(`${LAYER_NAMES.encoder}/recurrent_kernel`);
  if (encoder === undefined) throw new ModelFormatError(`model.json has no weight ${LAYER_NAMES.encoder}/recurrent_kernel`);
  const units = encoder.shape[0];
  const take = (name: string, shape: number[]): Float32Array => {
    const entry = arrays.get(name);
    if (entry === undefined) throw new ModelFormatError(`model.json has no weight ${name}`);
    if (entry.shape.join() !== shape.join()) {
      throw new ModelFormatError(`weight ${name} has shape [${entry.shape}], expected [${shape}]`);
    }
    const data = entry.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new ModelFormatError(`weight ${name} holds a value that is not finite`);
    }
    return entry.data;
  };
  const { encoder: enc, decoder: dec, output: out } = LAYER_NAMES;
  return {
    digits,
    units,
    encoderKernel: take(`${enc}/kernel`, [VOCABULARY_SIZE, 4 * units]),
    encoderRecurrent: take(`${enc}/recurrent_kernel`, [units, 4 * units]),
    encoderBias: take(`${enc}/bias`, [4 * units]),
    decoderKernel: take(`${dec}/kernel`, [units, 4 * units]),
    decoderRecurrent: take(`${dec}/recurrent_kernel`, [units, 4 * units]),
    decoderBias: take(`${dec}/bias`, [4 * units]),
    outputKernel: take(`${out}/kernel`, [units, VOCABULARY_SIZE]),
    outputBias: take(`${out}/bias`, [VOCABULARY_SIZE]),
  };
}
