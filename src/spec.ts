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
  const lstm = (inputDim: number) => 4 * units * (inputDim + units + 1);
  return lstm(vocabularySize) + lstm(units) + (units + 1) * vocabularySize;
}

