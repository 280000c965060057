import { describe, expect, it } from 'vitest';
import {
  answerLength,
  answerText,
  decodeAnswer,
  encodeAnswer,
  encodeQuery,
  formatSum,
  isWellFormedAnswer,
  MAX_QUERY_LENGTH,
  parseSum,
  QueryError,
  type QueryErrorCode,
  queryLength,
  queryText,
  VOCABULARY,
} from '../../src/codec';

describe('encoding', () => {
  it('pads the query with spaces and reverses it, as the reference does', () => {
    expect(queryText(535, 61, 5)).toBe('     16+535');
    expect(queryText(0, 0, 5)).toBe('        0+0');
    expect(queryText(99999, 99999, 5)).toBe('99999+99999');
    expect(queryLength(5)).toBe(11);
  });

  it('pads the answer with spaces without reversing it', () => {
    expect(answerText(596, 5)).toBe('596   ');
    expect(answerText(199998, 5)).toBe('199998');
    expect(answerLength(5)).toBe(6);
  });

  it('maps characters to vocabulary indices', () => {
    expect(VOCABULARY).toBe('0123456789+ ');
    expect(encodeQuery(1, 2, 1)).toEqual([2, 10, 1]);
    expect(encodeAnswer(3, 1)).toEqual([3, 11]);
    expect(encodeQuery(535, 61, 5)).toHaveLength(11);
  });

  it('decodes an encoded answer back to the sum, for every length', () => {
    for (const sum of [0, 7, 10, 596, 99999, 100000, 199998]) {
      expect(decodeAnswer(encodeAnswer(sum, 5))).toBe(String(sum));
    }
  });

  it('stops decoding at the first pad and reports malformed output', () => {
    expect(decodeAnswer([5, 11, 3, 11, 11, 11])).toBe('5');
    expect(decodeAnswer([11, 1, 1, 11, 11, 11])).toBe('');
    expect(decodeAnswer([10, 1, 11, 11, 11, 11])).toBe('+1');
    expect(isWellFormedAnswer('+1')).toBe(false);
    expect(isWellFormedAnswer('')).toBe(false);
    expect(isWellFormedAnswer('012')).toBe(false);
    expect(isWellFormedAnswer('0')).toBe(true);
    expect(isWellFormedAnswer('596')).toBe(true);
    expect(() => decodeAnswer([12])).toThrow(RangeError);
  });
});

describe('parseSum', () => {
  it('accepts two operands of 1 to 5 digits joined by +', () => {
    expect(parseSum('535+61')).toEqual({ a: 535, b: 61 });
    expect(parseSum('0+0')).toEqual({ a: 0, b: 0 });
    expect(parseSum('99999+99999')).toEqual({ a: 99999, b: 99999 });
    expect(parseSum(' 535 + 61 ')).toEqual({ a: 535, b: 61 });
    expect(parseSum('007+1')).toEqual({ a: 7, b: 1 });
  });

  it('reads a space between two numbers as the plus a URL query string turned into a space', () => {
    expect(parseSum('535 61')).toEqual({ a: 535, b: 61 });
  });

  it('round-trips every formatted pair', () => {
    for (const [a, b] of [[0, 0], [1, 99999], [12345, 6789], [99999, 0]]) {
      expect(parseSum(formatSum(a, b))).toEqual({ a, b });
    }
  });

  const refused: [string, QueryErrorCode, RegExp][] = [
    ['', 'empty_query', /empty/],
    ['   ', 'empty_query', /empty/],
    ['535', 'wrong_operand_count', /one number/],
    ['1+2+3', 'wrong_operand_count', /3 operands/],
    ['1 2 3', 'wrong_operand_count', /3 operands/],
    ['+61', 'empty_operand', /first operand is missing/],
    ['535+', 'empty_operand', /second operand is missing/],
    ['-5+3', 'invalid_character', /minus sign/],
    ['5-3', 'invalid_character', /minus sign/],
    ['1.5+2', 'invalid_character', /decimal separator/],
    ['1,5+2', 'invalid_character', /decimal separator/],
    ['abc+1', 'invalid_character', /"a"/],
    ['5\t+3', 'invalid_character', /control character U\+0009/],
    ['5\u00a0+3', 'invalid_character', /whitespace character U\+00A0/],
    ['٣+٤', 'invalid_character', /U\+0663/],
    ['1 2+3', 'invalid_character', /space inside/],
    ['123456+1', 'operand_too_long', /first operand has 6 digits; at most 5/],
    ['1+000000', 'operand_too_long', /second operand has 6 digits/],
    ['1'.repeat(MAX_QUERY_LENGTH + 1), 'query_too_long', /at most 64/],
  ];
  it.each(refused)('refuses %j with %s', (query, code, message) => {
    let error: unknown;
    try {
      parseSum(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe(code);
    expect((error as QueryError).message).toMatch(message);
    expect((error as QueryError).message).toMatch(/two whole numbers of 1 to 5 digits joined by "\+"/);
  });

  it('checks the digit limit of the model it is given', () => {
    expect(parseSum('99+99', 2)).toEqual({ a: 99, b: 99 });
    expect(() => parseSum('100+1', 2)).toThrow(/at most 2/);
  });
});
