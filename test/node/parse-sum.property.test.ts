/**
 * Property tests of `parseSum`, the one gate between a person's text and the model: on any string at
 * all it either returns a pair or throws its own `QueryError`, and it accepts exactly the strings a
 * plain regular expression of the documented grammar accepts. Seeded, so a failure reproduces; the
 * counterexample fast-check prints is already shrunk.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSum, MAX_QUERY_LENGTH, parseSum, QueryError, type QueryErrorCode, type Sum } from '../../src/codec';

const SEED = 20260404;
const CODES: readonly QueryErrorCode[] = [
  'empty_query',
  'query_too_long',
  'invalid_character',
  'wrong_operand_count',
  'empty_operand',
  'operand_too_long',
];

/**
 * The grammar of the codec's doc comment, written independently: optional whitespace (JavaScript's
 * `trim` and `\s` cover the same characters) around two operands of 1 to 5 ASCII digits, joined by
 * a `+` with optional spaces or by spaces alone; at most `MAX_QUERY_LENGTH` UTF-16 units in all.
 */
const GRAMMAR = /^\s*(?:([0-9]{1,5}) *\+ *([0-9]{1,5})|([0-9]{1,5}) +([0-9]{1,5}))\s*$/;

function grammarReads(query: string): Sum | undefined {
  const match = query.length <= MAX_QUERY_LENGTH ? GRAMMAR.exec(query) : null;
  if (match === null) return undefined;
  return { a: Number(match[1] ?? match[3]), b: Number(match[2] ?? match[4]) };
}

/** What `parseSum` made of `query`: the pair, or the `QueryError`; anything else thrown fails the test. */
function outcome(query: string): Sum | QueryError {
  try {
    return parseSum(query);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw new Error(`parseSum(${JSON.stringify(query.slice(0, 100))}) threw something other than a QueryError: ${String(error)}`);
  }
}

function checkAgainstGrammar(query: string): void {
  const result = outcome(query);
  const expected = grammarReads(query);
  if (result instanceof QueryError) {
    expect(expected, `refused ${JSON.stringify(query)} (${result.code}) that the grammar accepts`).toBeUndefined();
    expect(CODES).toContain(result.code);
    expect(result.message).toMatch(/^\S.*\.$/s);
    // The message quotes at most one offending character or operand, never the whole input.
    expect(result.message.length).toBeLessThan(300);
  } else {
    expect(result, JSON.stringify(query)).toEqual(expected);
  }
}

/** One UTF-16 unit of any value, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const controlCharacter = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })).map((c) => String.fromCharCode(c));
/** Mostly the characters of valid sums, with the look-alikes and separators a person or a URL brings. */
const nearlyValid = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'0123456789+ ') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u200b', '-', '.', ',', '%', '＋', '０', '٣', '𝟙', 'e', 'x'),
  },
);
const percentGarbage = fc.oneof(
  fc.constantFrom('%', '%2B', '%2b', '%20', '%25', '%00', '%ZZ', '%E2%80', '%ED%A0%80', '%C0%AF', '%u002B', '+', '&', '=', '#'),
  fc.constantFrom(...'0123456789abcdefABCDEF'),
);

describe('parseSum on arbitrary input', () => {
  const strings: [string, fc.Arbitrary<string>][] = [
    ['any code points', fc.string({ unit: 'binary', maxLength: 80 })],
    ['any UTF-16 units, lone surrogates included', fc.string({ unit: codeUnit, maxLength: 80 })],
    ['control characters among digits', fc.string({ unit: fc.oneof(controlCharacter, fc.constantFrom(...'0123456789+ ')), maxLength: 40 })],
    ['nearly valid sums', fc.string({ unit: nearlyValid, maxLength: 30 })],
    ['nearly valid sums near the length limit', fc.string({ unit: nearlyValid, minLength: 55, maxLength: 75 })],
    ['percent-encoding garbage, undecoded', fc.string({ unit: percentGarbage, maxLength: 30 })],
  ];
  it.each(strings)('returns a pair or throws a QueryError, as the grammar says, for %s', (_name, arbitrary) => {
    fc.assert(fc.property(arbitrary, checkAgainstGrammar), { seed: SEED, numRuns: 2000 });
  });

  it('does the same for percent-encoding garbage after a lenient URL decoding', () => {
    const decoded = fc.string({ unit: percentGarbage, maxLength: 30 }).map((s) => new URLSearchParams(`q=${s}`).get('q') ?? '');
    fc.assert(fc.property(decoded, checkAgainstGrammar), { seed: SEED, numRuns: 2000 });
  });

  it('refuses very long input by its length, up to 100,000 characters', () => {
    const long = fc.tuple(fc.integer({ min: MAX_QUERY_LENGTH + 1, max: 100_000 }), fc.constantFrom('1', ' ', '1+1', '\u0000', '😀'));
    fc.assert(
      fc.property(long, ([length, unit]) => {
        const query = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        const result = outcome(query);
        expect(result).toBeInstanceOf(QueryError);
        expect((result as QueryError).code).toBe('query_too_long');
        expect((result as QueryError).message).toContain(`${query.length} characters`);
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});

describe('parseSum on every kind of valid pair', () => {
  // Biased towards the digit-count boundaries, where an off-by-one would show.
  const operand = fc.oneof(fc.constantFrom(0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999), fc.integer({ min: 0, max: 99999 }));
  const spaces = (max: number) => fc.integer({ min: 0, max }).map((n) => ' '.repeat(n));
  const pair = fc.tuple(operand, operand);

  it('gives the pair back from its canonical text', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(parseSum(formatSum(a, b))).toEqual({ a, b });
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('gives it back with spaces around the operands and the plus, and with leading zeros', () => {
    const spaced = fc.tuple(pair, spaces(10), spaces(5), spaces(5), spaces(10), fc.boolean(), fc.boolean());
    fc.assert(
      fc.property(spaced, ([[a, b], before, left, right, after, padA, padB]) => {
        const text = (n: number, pad: boolean) => (pad ? String(n).padStart(5, '0') : String(n));
        expect(parseSum(`${before}${text(a, padA)}${left}+${right}${text(b, padB)}${after}`)).toEqual({ a, b });
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('gives it back with the plus given as one or more spaces, as a URL query string delivers "a+b"', () => {
    fc.assert(
      fc.property(pair, spaces(10), fc.integer({ min: 1, max: 5 }), spaces(10), ([a, b], before, gap, after) => {
        expect(parseSum(`${before}${a}${' '.repeat(gap)}${b}${after}`)).toEqual({ a, b });
        expect(parseSum(new URLSearchParams(`q=${a}+${b}`).get('q')!)).toEqual({ a, b });
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
