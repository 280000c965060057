import { describe, expect, it } from 'vitest';
import { type BatchResult, MAX_BATCH, MAX_BODY_BYTES, type SumResult } from '../../src/api';
import type { ErrorBody } from '../../src/errors';
import { expectError, expectModelAnswer, postJson, request } from './helpers';

async function batch(queries: unknown[]): Promise<BatchResult[]> {
  const response = await postJson({ queries });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { results: BatchResult[] };
  expect(body.results).toHaveLength(queries.length);
  return body.results;
}

describe('POST /add', () => {
  it('answers every query in order, with the same predictions as single queries', async () => {
    const queries = ['535+61', '7+5', '99999+99999', '0+0', '12345+678'];
    const results = (await batch(queries)) as SumResult[];
    results.forEach((result, i) => expectModelAnswer(result, queries[i]));
  });

  it('gives an invalid item its own error and still answers the others', async () => {
    const results = await batch(['535+61', '5-3', 42, '123456+1', '', '1+2+3', '7 + 5', null]);
    expectModelAnswer(results[0] as SumResult, '535+61');
    expectModelAnswer(results[6] as SumResult, '7+5');
    const errors = [1, 2, 3, 4, 5, 7].map((i) => results[i] as ErrorBody & { q: unknown });
    expect(errors.map((e) => e.q)).toEqual(['5-3', 42, '123456+1', '', '1+2+3', null]);
    expect(errors.map((e) => e.error.code)).toEqual([
      'invalid_character',
      'invalid_query',
      'operand_too_long',
      'empty_query',
      'wrong_operand_count',
      'invalid_query',
    ]);
    for (const e of errors) expect(e.error.message.length).toBeGreaterThan(10);
  });

  it('answers a batch of only invalid items, and an empty batch', async () => {
    const results = await batch(['x+1']);
    expect((results[0] as ErrorBody).error.code).toBe('invalid_character');
    expect(await batch([])).toEqual([]);
  });

  it(`takes up to ${MAX_BATCH} queries and refuses more`, async () => {
    const full = Array.from({ length: MAX_BATCH }, (_, i) => `${i}+${MAX_BATCH - i}`);
    const results = (await batch(full)) as SumResult[];
    expect(results[0].q).toBe(`0+${MAX_BATCH}`);
    expect(results[MAX_BATCH - 1].expected).toBe(String(MAX_BATCH));
    const message = await expectError(await postJson({ queries: [...full, '1+1'] }), 400, 'too_many_queries');
    expect(message).toContain(String(MAX_BATCH));
  });

  it('refuses a body over the size limit with 413', async () => {
    const big = JSON.stringify({ queries: ['1+1'], padding: 'x'.repeat(MAX_BODY_BYTES) });
    const message = await expectError(await postJson(big), 413, 'body_too_large');
    expect(message).toContain(String(MAX_BODY_BYTES));
  });

  it('refuses malformed JSON and a body of the wrong shape with 400', async () => {
    expect(await expectError(await postJson('{"queries": ["1+1"'), 400, 'invalid_json')).toContain('"queries"');
    await expectError(await postJson(['1+1']), 400, 'invalid_body');
    await expectError(await postJson({ query: '1+1' }), 400, 'invalid_body');
    await expectError(await postJson('null'), 400, 'invalid_body');
    await expectError(await postJson({ queries: '1+1' }), 400, 'invalid_body');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const form = await request('/add', { method: 'POST', body: 'queries=1%2B1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(await expectError(form, 415, 'unsupported_media_type')).toContain('application/json');
    const text = await request('/add', { method: 'POST', body: '{"queries": ["1+1"]}', headers: { 'Content-Type': 'text/plain' } });
    await expectError(text, 415, 'unsupported_media_type');
  });

  it('accepts a JSON content type with parameters', async () => {
    const response = await postJson({ queries: ['7+5'] }, { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(response.status).toBe(200);
  });
});
