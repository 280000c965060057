/**
 * The shape of a model's report on the held-out test set: written by `npm run train` and
 * `npm run eval` (train/evaluate.ts) into `metrics.json`, and read back by the Worker
 * (src/adder.ts), which passes it on in `GET /model`. One declaration, so the two cannot drift.
 */

/** Accuracy over one group of test sums (by operand lengths or by carries). */
export interface Bucket {
  count: number;
  /** Fraction of output characters right, padding included. */
  accuracy: number;
  /** Fraction of sums whose whole answer is right. */
  exactMatch: number;
}

/** One wrong answer, as the report shows a few of them. */
export interface Mistake {
  query: string;
  expected: string;
  answer: string;
  /** The product of the chosen characters' probabilities. */
  confidence: number;
}

/** Loss, per-character accuracy and exact match of a model on a set of sums. */
export interface Score {
  /** Mean categorical cross-entropy per output position, as Keras reports `loss`. */
  loss: number;
  /** Fraction of output positions (padding included) predicted right: Keras's `accuracy`. */
  accuracy: number;
  /** Fraction of sums whose whole answer is right. */
  exactMatch: number;
  count: number;
}

/** The full report on the test set. */
export interface TestReport extends Score {
  /** Keyed `"la+lb"`: digits of the longer and the shorter operand, e.g. `"5+3"`. */
  byLengths: Record<string, Bucket>;
  /** Keyed by the number of carries in the column addition. */
  byCarries: Record<string, Bucket>;
  mistakes: Mistake[];
  /** All wrong answers, of which `mistakes` shows the first few. */
  mistakeCount: number;
}
