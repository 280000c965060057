/**
 * `POST /add` on generated bodies and content types through the real runtime (`SELF`): 200 or a
 * 4xx in the one error shape, never a 5xx; each batch item answered as the codec reads it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatchResult, MAX_BATCH, type SumResult } from '../../src/api';
import type { ErrorBody } from '../../src/errors';
import { expectAnswerOrClientError, nearlyValid, SEED, TIMEOUT, validSum, verdict, visibleAscii } from './fuzz';
import { postJson, request } from './helpers';

/** The server's rule, restated: the media type before any parameters, case-insensitive. */
function isJsonType(type: string | null): boolean {
  return type !== null && type.split(';')[0].trim().toLowerCase() === 'application/json';
}

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/json;',
      'application/json ; charset=latin1',
      'text/plain',
      'text/json',
      'application/jsonx',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/*',
      '*/*',
    ),
    fc.string({ unit: visibleAscii, maxLength: 30 }),
  ),
  { nil: undefined },
);

const item = fc.oneof(
  { weight: 3, arbitrary: validSum },
  { weight: 3, arbitrary: nearlyValid },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

describe('POST /add on generated bodies', () => {
  it("answers every batch item in order: the sum, the codec's error, or invalid_query for a non-string", async () => {
    const extraKeys = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 25 }), extraKeys, async (queries, extra) => {
        // Other top-level keys are ignored; the JSON round trip is what the Worker sees (-0 becomes 0).
        const sent = JSON.parse(JSON.stringify({ ...extra, queries })) as { queries: unknown[] };
        const response = await postJson(sent);
        const what = `body ${JSON.stringify(sent).slice(0, 300)}`;
        const reply = (await expectAnswerOrClientError(response, what)) as { results: BatchResult[] };
        expect(response.status, what).toBe(200);
        expect(reply.results, what).toHaveLength(sent.queries.length);
        reply.results.forEach((result, i) => {
          const q = sent.queries[i];
          if (typeof q !== 'string') {
            expect(result, what).toEqual({ q, error: { code: 'invalid_query', message: expect.any(String) } });
            return;
          }
          const expected = verdict(q);
          if ('q' in expected) expect((result as SumResult).q, what).toBe(expected.q);
          else expect(result, what).toEqual({ q, error: { code: expected.code, message: expect.any(String) } });
        });
      }),
      { seed: SEED, numRuns: 100 },
    );
  }, TIMEOUT);

  it('answers any JSON value as the body: 200 only for an object with a "queries" array, else 400 invalid_body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const text = JSON.stringify(value);
        const response = await postJson(text);
        const what = `body ${text.slice(0, 300)}`;
        const body = await expectAnswerOrClientError(response, what);
        const queries = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { queries?: unknown }).queries : undefined;
        if (Array.isArray(queries) && queries.length <= MAX_BATCH) expect(response.status, what).toBe(200);
        else expect((body as ErrorBody).error.code, what).toBe('invalid_body');
      }),
      { seed: SEED, numRuns: 100 },
    );
  }, TIMEOUT);

  it('answers arbitrary bytes under any content type with 200 or a 4xx; 415 exactly when the type is not JSON', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
      fc.json({ maxDepth: 3 }).map((s) => new TextEncoder().encode(s)),
      fc.array(item, { maxLength: 5 }).map((queries) => new TextEncoder().encode(JSON.stringify({ queries }))),
    );
    await fc.assert(
      fc.asyncProperty(bytes, contentType, async (body, type) => {
        // A byte body gets no default Content-Type, so "no header" really sends none.
        const headers = new Headers(type === undefined ? {} : { 'Content-Type': type });
        const response = await request('/add', { method: 'POST', headers, body });
        const what = `${body.length} bytes as ${JSON.stringify(type)}`;
        const reply = await expectAnswerOrClientError(response, what);
        if (isJsonType(headers.get('Content-Type'))) {
          expect([200, 400], what).toContain(response.status);
        } else {
          expect(response.status, what).toBe(415);
          expect((reply as ErrorBody).error.code, what).toBe('unsupported_media_type');
        }
      }),
      { seed: SEED, numRuns: 120 },
    );
  }, TIMEOUT);
});
