/**
 * Training, validation and test data, generated the way the Keras example does it and reproducible
 * from a seed.
 *
 * An operand is drawn by picking its length uniformly in 1..digits and then each digit uniformly
 * (leading zeros collapse, as `int()` does in the reference), which is a uniform integer below
 * 10^length. A pair and its mirror image count as the same sum: each set holds distinct pairs by the
 * key `(min, max)`.
 *
 * A fixed 1 in 20 of all pairs, chosen by a hash of the pair, is held out: training and validation
 * never use them, and the test set is drawn only from them. Because the partition depends on the pair
 * alone, it holds for every seed, every training-set size and for data drawn fresh every epoch.
 */
import { maxOperand } from '../src/codec';
import type { FullLengthOperands } from './config';

/** Seed of the held-out test set: the same sums for every run, so every evaluation is comparable. */
export const TEST_SEED = 20261203;
export const DEFAULT_TEST_SIZE = 20000;
/** One pair in this many is held out for testing. */
export const HELD_OUT_ONE_IN = 20;

/** mulberry32: a small, fast PRNG with a full 2^32 period, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

/** A uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** One operand as the reference draws it: length uniform in 1..digits, then each digit uniform. */
export function randomOperand(random: Random, digits: number): number {
  const length = 1 + randomInt(random, digits);
  return randomInt(random, 10 ** length);
}

/** An operand with exactly `digits` digits, uniform over them (no leading zero, unless `digits` is 1). */
export function fullLengthOperand(random: Random, digits: number): number {
  const low = digits === 1 ? 0 : 10 ** (digits - 1);
  return low + randomInt(random, 10 ** digits - low);
}

/** The key that identifies a pair regardless of order. Exact for operands below 10^7. */
export function pairKey(a: number, b: number): number {
  return a < b ? a * 1e7 + b : b * 1e7 + a;
}

/** Whether the pair belongs to the held-out part of the pair space (independent of order and seed). */
export function isHeldOut(a: number, b: number): boolean {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(hi ^ 0xc2b2ae35, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % HELD_OUT_ONE_IN === 0;
}

/** A set of sums as two parallel operand arrays. */
export interface Pairs {
  a: Uint32Array;
  b: Uint32Array;
}

export function pairsLength(pairs: Pairs): number {
  return pairs.a.length;
}

/** Number of distinct unordered pairs of operands below 10^digits. */
export function distinctPairs(digits: number): number {
  const n = maxOperand(digits) + 1;
  return (n * (n + 1)) / 2;
}

/**
 * The most distinct pairs a set may ask for: a quarter of the part of the pair space it draws from.
 * Beyond that, rejection sampling of distinct pairs slows to a crawl (and past all of it, never ends).
 */
export function maxSetSize(digits: number, heldOut: boolean): number {
  const share = heldOut ? 1 / HELD_OUT_ONE_IN : 1 - 1 / HELD_OUT_ONE_IN;
  return Math.floor((distinctPairs(digits) * share) / 4);
}

export interface DrawOptions {
  digits: number;
  /** Draw from the held-out part of the space (test) or from the rest (training, validation). */
  heldOut: boolean;
  /** Keys that must not be drawn (for example the validation set, when training data is fresh). */
  exclude?: ReadonlySet<number>;
  /**
   * The fraction of draws with full-length operands (`fullLengthOperands` of them); the others
   * follow the reference. 0 (the default) draws exactly as the reference does, from the same
   * random sequence.
   */
  fullLengthShare?: number;
  /** In those draws, whether both operands have all digits (2, the default) or one of them (1). */
  fullLengthOperands?: FullLengthOperands;
}

/** Draws `count` distinct pairs. Throws if the request cannot be met. */
export function drawPairs(random: Random, count: number, options: DrawOptions): Pairs {
  const { digits, heldOut, exclude, fullLengthShare = 0, fullLengthOperands = 2 } = options;
  const limit = maxSetSize(digits, heldOut) - (exclude?.size ?? 0);
  if (count > limit) {
    throw new RangeError(
      `cannot draw ${count} distinct ${heldOut ? 'test' : 'training'} sums of up to ${digits} digits; at most ${Math.max(limit, 0)} are available`,
    );
  }
  const seen = new Set<number>();
  const a = new Uint32Array(count);
  const b = new Uint32Array(count);
  let n = 0;
  while (n < count) {
    let x: number;
    let y: number;
    if (fullLengthShare > 0 && random() < fullLengthShare) {
      x = fullLengthOperand(random, digits);
      y = fullLengthOperands === 2 ? fullLengthOperand(random, digits) : randomOperand(random, digits);
      if (fullLengthOperands === 1 && random() < 0.5) [x, y] = [y, x];
    } else {
      x = randomOperand(random, digits);
      y = randomOperand(random, digits);
    }
    if (isHeldOut(x, y) !== heldOut) continue;
    const key = pairKey(x, y);
    if (seen.has(key) || exclude?.has(key)) continue;
    seen.add(key);
    a[n] = x;
    b[n] = y;
    n++;
  }
  return { a, b };
}

export function keysOf(pairs: Pairs): Set<number> {
  const keys = new Set<number>();
  for (let i = 0; i < pairs.a.length; i++) keys.add(pairKey(pairs.a[i], pairs.b[i]));
  return keys;
}

/** Rows `[start, end)` of a set. */
export function slicePairs(pairs: Pairs, start: number, end: number): Pairs {
  return { a: pairs.a.subarray(start, end), b: pairs.b.subarray(start, end) };
}

/** Rows of a set in the given order. */
export function selectPairs(pairs: Pairs, order: ArrayLike<number>): Pairs {
  const a = new Uint32Array(order.length);
  const b = new Uint32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    a[i] = pairs.a[order[i]];
    b[i] = pairs.b[order[i]];
  }
  return { a, b };
}

/** A random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(random: Random, n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * The reference split: `size` distinct pairs, shuffled, with the last `validationSplit` of them kept
 * for validation.
 */
export function trainValidationSplit(
  random: Random,
  size: number,
  validationSplit: number,
  digits: number,
): { train: Pairs; validation: Pairs } {
  const all = selectPairs(drawPairs(random, size, { digits, heldOut: false }), permutation(random, size));
  const cut = size - Math.round(size * validationSplit);
  return { train: slicePairs(all, 0, cut), validation: slicePairs(all, cut, size) };
}

/** The held-out test set for `digits`: always the same sums for the same size. */
export function testSet(digits: number, size: number = defaultTestSize(digits)): Pairs {
  return drawPairs(mulberry32(TEST_SEED + digits), size, { digits, heldOut: true });
}

/** The default test-set size: 20,000 sums, or fewer where the held-out space is too small. */
export function defaultTestSize(digits: number): number {
  return Math.min(DEFAULT_TEST_SIZE, maxSetSize(digits, true));
}

/** Number of carries in the column addition of `a + b`. */
export function carryCount(a: number, b: number): number {
  let carries = 0;
  let carry = 0;
  while (a > 0 || b > 0) {
    carry = (a % 10) + (b % 10) + carry >= 10 ? 1 : 0;
    carries += carry;
    a = Math.floor(a / 10);
    b = Math.floor(b / 10);
  }
  return carries;
}
