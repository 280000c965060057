/**
 * Shared by the fuzz tests (`fuzz-*.test.ts`): the one check every generated request must pass,
 * the codec's own verdict on a query, and the generators. The tests are split into files of a few
 * hundred requests each because under the Workers pool every `SELF.fetch` gets slower the more
 * requests that workerd instance has served (workers-sdk issue 15446; `wrangler dev` stays flat).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { formatSum, parseSum, QueryError } from '../../src/codec';
import type { ErrorBody, ErrorCode } from '../../src/errors';

/** One seed for every property, so that a failure reproduces; fast-check prints it with the shrunk input. */
export const SEED = 20260404;
/** A property's whole run; generous, because CI machines may be busy. */
export const TIMEOUT = 60_000;

const ERROR_CODES: readonly ErrorCode[] = [
  'empty_query',
  'query_too_long',
  'invalid_character',
  'wrong_operand_count',
  'empty_operand',
  'operand_too_long',
  'missing_query',
  'invalid_query',
  'invalid_json',
  'invalid_body',
  'too_many_queries',
  'unsupported_media_type',
  'body_too_large',
  'not_found',
  'method_not_allowed',
  'model_unavailable',
];

/**
 * Checks that a response is 200 or 204, or a 4xx with exactly `{"error": {"code", "message"}}` and
 * a known code, and that it carries `nosniff`; returns the parsed body (text for `text/plain`).
 */
export async function expectAnswerOrClientError(response: Response, what: string): Promise<unknown> {
  expect([200, 204].includes(response.status) || (response.status >= 400 && response.status < 500), `${what}: HTTP ${response.status}`).toBe(true);
  expect(response.headers.get('X-Content-Type-Options'), what).toBe('nosniff');
  if (response.status === 204) return undefined;
  const type = response.headers.get('Content-Type') ?? '';
  if (type.startsWith('text/plain')) return response.text();
  expect(type, what).toMatch(/^application\/json/);
  const text = await response.text();
  if (text === '') return undefined; // HEAD
  const body: unknown = JSON.parse(text);
  if (response.status >= 400) {
    expect(Object.keys(body as object), what).toEqual(['error']);
    const { error } = body as ErrorBody;
    expect(Object.keys(error), what).toEqual(['code', 'message']);
    expect(ERROR_CODES, what).toContain(error.code);
    expect(typeof error.message === 'string' && error.message.length > 0, what).toBe(true);
  }
  return body;
}

/** What the codec says of a query: the canonical `"a+b"` and the sum, or the `QueryError` code. */
export function verdict(q: string): { q: string; sum: number } | { code: string } {
  try {
    const { a, b } = parseSum(q);
    return { q: formatSum(a, b), sum: a + b };
  } catch (error) {
    if (error instanceof QueryError) return { code: error.code };
    throw error;
  }
}

export const visibleAscii = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

/** Mostly the characters of sums, with the look-alikes, separators and controls people and URLs bring. */
export const nearlyValid = fc.string({
  unit: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...'0123456789+ ') },
    { weight: 1, arbitrary: fc.constantFrom('\t', '\n', '\u00a0', '\u3000', '-', '.', '%', '＋', '٣', 'x', '\u0000') },
  ),
  maxLength: 20,
});

export const validSum = fc
  .tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99999 }))
  .map(([a, b]) => formatSum(a, b));
