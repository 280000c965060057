/**
 * The model's dimensions and layer names, without TensorFlow.js, for code that needs to know the
 * model's shape but not to build it (the serving forward pass, the weight reader).
 */
import { answerLength, queryLength, VOCABULARY_SIZE } from './codec';

export const HIDDEN_UNITS = 128;

/** Layer names, fixed so that weight names are stable across builds and processes. */
export const LAYER_NAMES = {
  encoder: 'encoder',
  repeat: 'repeat',
  decoder: 'decoder',
  output: 'output',
} as const;

export interface AdderShape {
  digits: number;
  /** Query characters (time steps of the encoder). */
  inputLength: number;
  /** Answer characters (time steps of the decoder). */
  outputLength: number;
  units: number;
  vocabularySize: number;
}

export function adderShape(digits: number, units = HIDDEN_UNITS): AdderShape {
  return {
    digits,
    inputLength: queryLength(digits),
    outputLength: answerLength(digits),
    units,
    vocabularySize: VOCABULARY_SIZE,
  };
}

/** Number of trainable parameters of the model for any number of digits (205,324 for 128 units). */
export function parameterCount(units = HIDDEN_UNITS, vocabularySize = VOCABULARY_SIZE): number {
  const shape = { ...adderShape(1, units), vocabularySize };
  return layerSummaries(shape).reduce((n, layer) => n + layer.parameters, 0);
}


export interface LayerSummary {
  name: string;
  type: string;
  /** Output shape; the batch dimension is null. */
  outputShape: (number | null)[];
  parameters: number;
}

/** The layers as Keras's `model.summary()` lists them: name, class, output shape and parameters. */
export function layerSummaries(shape: AdderShape): LayerSummary[] {
  const { units, outputLength, vocabularySize } = shape;
  const lstm = (inputDim: number) => 4 * units * (inputDim + units + 1);
  return [
    { name: LAYER_NAMES.encoder, type: 'LSTM', outputShape: [null, units], parameters: lstm(vocabularySize) },
    { name: LAYER_NAMES.repeat, type: 'RepeatVector', outputShape: [null, outputLength, units], parameters: 0 },
    { name: LAYER_NAMES.decoder, type: 'LSTM', outputShape: [null, outputLength, units], parameters: lstm(units) },
    { name: LAYER_NAMES.output, type: 'Dense', outputShape: [null, outputLength, vocabularySize], parameters: (units + 1) * vocabularySize },
  ];
}
