import { describe, expect, it } from 'vitest';
import {
  carryCount,
  defaultTestSize,
  distinctPairs,
  drawPairs,
  fullLengthOperand,
  isHeldOut,
  keysOf,
  maxSetSize,
  mulberry32,
  pairKey,
  type Pairs,
  randomOperand,
  testSet,
  trainValidationSplit,
} from '../../train/data';
import { REFERENCE_RECIPE } from '../../train/config';
import { runData } from '../../train/train';

describe('mulberry32', () => {
  it('is deterministic by seed and differs across seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(xs);
    expect(Array.from({ length: 5 }, c)).not.toEqual(xs);
  });

  it('does not cycle within a training run worth of draws', () => {
    const random = mulberry32(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200000; i++) seen.add(random());
    expect(seen.size).toBeGreaterThan(199990);
  });
});

describe('operands', () => {
  it('draws full-length operands with all their digits, uniformly', () => {
    const random = mulberry32(5);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const x = fullLengthOperand(random, 5);
      expect(x).toBeGreaterThanOrEqual(10000);
      expect(x).toBeLessThanOrEqual(99999);
      sum += x;
    }
    expect(sum / 20000 / 55000).toBeCloseTo(1, 2);
    const one = new Set(Array.from({ length: 1000 }, () => fullLengthOperand(random, 1)));
    expect([...one].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('draws lengths uniformly in 1..digits and digits uniformly, as the reference', () => {
    const random = mulberry32(3);
    const lengths = new Map<number, number>();
    const n = 50000;
    for (let i = 0; i < n; i++) {
      const x = randomOperand(random, 5);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(99999);
      const length = String(x).length;
      lengths.set(length, (lengths.get(length) ?? 0) + 1);
    }
    // A length-L draw lands below 10^(L-1) one time in ten (leading zero collapses), so the share
    // of numbers with exactly 5 digits is 0.2 * 0.9 = 0.18, of 1 digit 0.2 + 0.02 + ... = 0.2222.
    expect(lengths.get(5)! / n).toBeCloseTo(0.18, 2);
    expect(lengths.get(1)! / n).toBeCloseTo(0.2222, 2);
  });
});

describe('pair sets', () => {
  it('holds distinct pairs, a pair and its mirror counting once', () => {
    const pairs = drawPairs(mulberry32(1), 3000, { digits: 3, heldOut: false });
    expect(keysOf(pairs).size).toBe(3000);
    expect(pairKey(3, 5)).toBe(pairKey(5, 3));
  });

  it('refuses a set larger than the space it draws from allows', () => {
    expect(() => drawPairs(mulberry32(1), maxSetSize(1, false) + 1, { digits: 1, heldOut: false })).toThrow(/at most/);
    expect(distinctPairs(1)).toBe(55);
  });

  it('is reproducible from its seed', () => {
    const one = trainValidationSplit(mulberry32(9), 2000, 0.1, 5);
    const two = trainValidationSplit(mulberry32(9), 2000, 0.1, 5);
    expect(two.train.a).toEqual(one.train.a);
    expect(two.validation.b).toEqual(one.validation.b);
    expect(one.train.a.length).toBe(1800);
    expect(one.validation.a.length).toBe(200);
  });

  it('splits training and validation without overlap', () => {
    const { train, validation } = trainValidationSplit(mulberry32(4), 20000, 0.1, 5);
    const trainKeys = keysOf(train);
    for (const key of keysOf(validation)) expect(trainKeys.has(key)).toBe(false);
  });

  it('holds out about 1 in 20 pairs whatever their order', () => {
    let held = 0;
    for (let a = 0; a < 300; a++) {
      for (let b = 0; b < 300; b++) {
        expect(isHeldOut(a, b)).toBe(isHeldOut(b, a));
        if (isHeldOut(a, b)) held++;
      }
    }
    expect(held / 90000).toBeCloseTo(0.05, 2);
  });

  it('keeps the test set disjoint from training data, fixed and fresh', () => {
    const test = testSet(5);
    expect(test.a.length).toBe(defaultTestSize(5));
    expect(test.a.length).toBeGreaterThanOrEqual(10000);
    const testKeys = keysOf(test);
    const split = trainValidationSplit(mulberry32(1), 50000, 0.1, 5);
    for (const set of [split.train, split.validation]) {
      for (let i = 0; i < set.a.length; i++) {
        expect(isHeldOut(set.a[i], set.b[i])).toBe(false);
        expect(testKeys.has(pairKey(set.a[i], set.b[i]))).toBe(false);
      }
    }
    for (let i = 0; i < test.a.length; i++) expect(isHeldOut(test.a[i], test.b[i])).toBe(true);
    expect(testSet(5).a).toEqual(test.a);
  });

  it('draws fresh training data every epoch, never the validation sums', () => {
    const config = { ...REFERENCE_RECIPE, digits: 3, trainingSize: 2000, freshData: true };
    const data = runData(config);
    const validation = keysOf(data.validation);
    const first = data.trainFor(0);
    const second = data.trainFor(1);
    expect(first.a.length).toBe(1800);
    expect(second.a).not.toEqual(first.a);
    expect(data.trainFor(1).a).toEqual(second.a);
    for (const key of keysOf(first)) expect(validation.has(key)).toBe(false);
  });

  it('skews fresh training data towards full-length sums by the share asked, and only the training data', () => {
    const reference = { ...REFERENCE_RECIPE, digits: 5, trainingSize: 20000, freshData: true };
    const plain = runData(reference);
    const skewed = runData({ ...reference, fullLengthShare: 0.5 });
    // A share of 0 draws as before the option existed; the validation set never changes.
    expect(runData({ ...reference, fullLengthShare: 0 }).trainFor(3).a).toEqual(plain.trainFor(3).a);
    expect(skewed.validation.a).toEqual(plain.validation.a);
    const fullShare = (pairs: Pairs) => {
      let full = 0;
      for (let i = 0; i < pairs.a.length; i++) if (pairs.a[i] >= 10000 && pairs.b[i] >= 10000) full++;
      return full / pairs.a.length;
    };
    // The reference's own share is about 0.18^2 (a little more, as repeated short pairs are dropped);
    // with a share of 0.5, half the draws are full-length and the other half follow the reference
    // (again a little more, as that half has repeats of short pairs to drop).
    const referenceShare = fullShare(plain.trainFor(0));
    expect(referenceShare).toBeGreaterThan(0.03);
    expect(referenceShare).toBeLessThan(0.045);
    const share = fullShare(skewed.trainFor(0));
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(0.56);
    const validation = keysOf(skewed.validation);
    const train = skewed.trainFor(0);
    for (let i = 0; i < train.a.length; i++) {
      expect(isHeldOut(train.a[i], train.b[i])).toBe(false);
      expect(validation.has(pairKey(train.a[i], train.b[i]))).toBe(false);
    }
  });

  it('skews towards one full-length operand, on either side, when asked', () => {
    const random = mulberry32(8);
    const pairs = drawPairs(random, 20000, { digits: 5, heldOut: false, fullLengthShare: 0.5, fullLengthOperands: 1 });
    let one = 0;
    let firstFull = 0;
    let both = 0;
    for (let i = 0; i < pairs.a.length; i++) {
      const a = pairs.a[i] >= 10000;
      const b = pairs.b[i] >= 10000;
      if (a || b) one++;
      if (a) firstFull++;
      if (a && b) both++;
    }
    // Half the draws have one full-length operand, and the reference half has one in about a third
    // of its draws (1 - 0.82^2); the other operand is full-length as often as in the reference.
    expect(one / pairs.a.length).toBeGreaterThan(0.5 + 0.5 * 0.33 - 0.02);
    expect(one / pairs.a.length).toBeLessThan(0.5 + 0.5 * 0.33 + 0.04);
    expect(firstFull / one).toBeCloseTo(0.55, 1);
    expect(both / pairs.a.length).toBeLessThan(0.5 * 0.18 + 0.5 * 0.04 + 0.02);
  });

  it('reshuffles a fixed training set every epoch', () => {
    const data = runData({ ...REFERENCE_RECIPE, digits: 3, trainingSize: 2000 });
    const first = data.trainFor(0);
    const second = data.trainFor(1);
    expect(second.a).not.toEqual(first.a);
    expect(keysOf(second)).toEqual(keysOf(first));
  });
});

describe('carryCount', () => {
  it('counts column carries', () => {
    expect(carryCount(0, 0)).toBe(0);
    expect(carryCount(535, 61)).toBe(0);
    expect(carryCount(5, 5)).toBe(1);
    expect(carryCount(99999, 1)).toBe(5);
    expect(carryCount(19, 1)).toBe(1);
  });
});
