/**
 * The sums whose answers the tests check against the model's own predictions, made outside the
 * Worker (in Node, by `test/setup/reference-predictions.ts`) from the same `assets/model` files.
 * The tests then depend on the service reading the model faithfully, not on the model being right.
 */
import type { Sum } from '../src/codec';

/** Canonical `"a+b"` of each sum; chosen to cover 1 to 5 digits, carries and the largest sum. */
export const REFERENCE_SUMS: readonly Sum[] = [
  { a: 535, b: 61 },
  { a: 7, b: 5 },
  { a: 0, b: 0 },
  { a: 1, b: 1 },
  { a: 99999, b: 99999 },
  { a: 12345, b: 678 },
  { a: 1, b: 99999 },
  { a: 500, b: 500 },
  { a: 42, b: 58 },
  { a: 10000, b: 1 },
  { a: 31415, b: 92653 },
  { a: 8, b: 76543 },
];

/** What the model answered, by the reference implementation: tfjs-layers in Node on the same weights. */
export interface ReferencePrediction {
  answer: string;
  confidence: number;
  chars: string[];
  probabilities: number[];
}

export interface Reference {
  digits: number;
  /** Keyed by canonical `"a+b"`. */
  predictions: Record<string, ReferencePrediction>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    reference: Reference;
  }
}

/** Tolerance between the service's and the reference's probabilities (same backend, same weights). */
export const TOLERANCE = 1e-5;
