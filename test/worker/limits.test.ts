/**
 * The service's limits, at and just past each one, through the real runtime (`SELF`): the length
 * of `q`, the size of a `POST /add` body with and without Content-Length, the batch length, the
 * nesting depth and the content type. (Over real HTTP, a URL too long for the runtime's request
 * line is refused before the Worker: `test/e2e/limits.test.ts`.)
 */
import { describe, expect, it } from 'vitest';
import { type BatchResult, MAX_BATCH, MAX_BODY_BYTES, MAX_BODY_DEPTH } from '../../src/api';
import { MAX_QUERY_LENGTH } from '../../src/codec';
import type { ErrorBody } from '../../src/errors';
import { expectError, postJson, request } from './helpers';

const encoder = new TextEncoder();

/** A sum padded with spaces to exactly `length` characters. */
function paddedSum(length: number): string {
  const sum = '99999+99999';
  const left = Math.floor((length - sum.length) / 2);
  return `${' '.repeat(left)}${sum}`.padEnd(length, ' ');
}

/** A JSON body of exactly `bytes` bytes: one query, padded out in a key the Worker ignores. */
function bodyOfSize(bytes: number): string {
  const start = '{"queries":["1+1"],"padding":"';
  const end = '"}';
  return `${start}${'x'.repeat(bytes - start.length - end.length)}${end}`;
}

/**
 * A request body that arrives in chunks without a Content-Length, as a chunked upload does, and
 * would go on for `cap` bytes; `pulled()` says how much of it the server has asked for.
 */
function streamedBody(head: string, filler: string, cap: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  const first = encoder.encode(head);
  const chunk = encoder.encode(filler);
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= cap) return controller.close();
        const next = pulled === 0 ? first : chunk;
        pulled += next.length;
        controller.enqueue(next);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled };
}

function postStream(body: ReadableStream<Uint8Array>): Promise<Response> {
  return request('/add', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
}

describe(`q: at most ${MAX_QUERY_LENGTH} characters`, () => {
  it(`answers a q of exactly ${MAX_QUERY_LENGTH} characters, spaces included`, async () => {
    const response = await request(`/add?q=${encodeURIComponent(paddedSum(MAX_QUERY_LENGTH))}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ q: '99999+99999' });
  });

  it.each([MAX_QUERY_LENGTH + 1, 10_000, 100 * 1024])('refuses a q of %i characters with 400 query_too_long', async (length) => {
    const message = await expectError(await request(`/add?q=${encodeURIComponent(paddedSum(length))}`), 400, 'query_too_long');
    expect(message).toContain(`${length} characters`);
    expect(message.length).toBeLessThan(300); // The query is not echoed.
  });
});

describe(`POST /add body: at most ${MAX_BODY_BYTES} bytes`, () => {
  it(`takes ${MAX_BATCH} queries of ${MAX_QUERY_LENGTH} characters each: the per-query limits fit in the body limit`, async () => {
    const queries = Array.from({ length: MAX_BATCH }, () => paddedSum(MAX_QUERY_LENGTH));
    const text = JSON.stringify({ queries }, null, 2);
    expect(encoder.encode(text).length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const response = await postJson(text);
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: BatchResult[] };
    expect(results).toHaveLength(MAX_BATCH);
    expect(results.every((r) => r.q === '99999+99999')).toBe(true);
  });

  it(`takes a body of exactly ${MAX_BODY_BYTES} bytes and refuses one byte more with 413`, async () => {
    expect((await postJson(bodyOfSize(MAX_BODY_BYTES))).status).toBe(200);
    const message = await expectError(await postJson(bodyOfSize(MAX_BODY_BYTES + 1)), 413, 'body_too_large');
    expect(message).toContain(String(MAX_BODY_BYTES));
  });

  it('reads a body streamed without Content-Length that stays inside the limit', async () => {
    const queries = Array.from({ length: MAX_BATCH }, (_, i) => `${i}+${i}`);
    const text = JSON.stringify({ queries });
    const pieces = text.match(/[^]{1,1000}/g)!;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pieces.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(encoder.encode(next));
      },
    });
    const response = await postStream(body);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { results: BatchResult[] }).results).toHaveLength(MAX_BATCH);
  });

  it('refuses a streamed body without Content-Length at the limit, after reading little more than the limit', async () => {
    const cap = 64 * 1024 * 1024; // What the client would send if nobody stopped it.
    const { body, pulled } = streamedBody('{"queries":["1+1"],"padding":"', 'x'.repeat(16 * 1024), cap);
    const response = await postStream(body);
    await expectError(response, 413, 'body_too_large');
    // workerd reads ahead a little (about 96 KiB in all here); what matters is that it stops far
    // short of the whole upload. It then logs "read end of pipe was aborted": the upload was cut off.
    expect(pulled()).toBeGreaterThan(MAX_BODY_BYTES);
    expect(pulled()).toBeLessThan(MAX_BODY_BYTES + 1024 * 1024);
  });

  it('checks the size before the content type: a large body that is not JSON gets 413', async () => {
    const response = await request('/add', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    await expectError(response, 413, 'body_too_large');
  });
});

describe(`POST /add batch: at most ${MAX_BATCH} queries`, () => {
  it(`refuses ${MAX_BATCH + 1} short queries with 400 too_many_queries, whatever they hold`, async () => {
    for (const item of ['1+1', 0, null]) {
      const message = await expectError(await postJson({ queries: Array(MAX_BATCH + 1).fill(item) }), 400, 'too_many_queries');
      expect(message).toContain(`${MAX_BATCH + 1} queries; at most ${MAX_BATCH}`);
    }
  });
});

describe(`POST /add body: nested at most ${MAX_BODY_DEPTH} deep`, () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it(`answers an item nested to the limit with its own error`, async () => {
    // {"queries": [ <item> ]} puts the item two levels down.
    const response = await postJson(`{"queries":["1+1",${nested(MAX_BODY_DEPTH - 2)}]}`);
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: BatchResult[] };
    expect((results[1] as ErrorBody).error.code).toBe('invalid_query');
  });

  it.each([MAX_BODY_DEPTH - 1, 1000, Math.floor((MAX_BODY_BYTES - 40) / 2)])(
    'refuses an item nested %i deep with 400 invalid_body, not a stack overflow',
    async (depth) => {
      const message = await expectError(await postJson(`{"queries":["1+1",${nested(depth)}]}`), 400, 'invalid_body');
      expect(message).toContain(`more than ${MAX_BODY_DEPTH} levels`);
    },
  );

  it('refuses deep nesting anywhere in the body, and at the top', async () => {
    const deep = nested(20_000);
    for (const text of [`{"queries":["1+1"],"x":${deep}}`, `{"queries":${deep}}`, deep, `{"a":`.repeat(5000) + '1' + '}'.repeat(5000)]) {
      await expectError(await postJson(text), 400, 'invalid_body');
    }
  });
});

describe('POST /add content type', () => {
  it('refuses a body without a Content-Type with 415, and says so', async () => {
    // A string body would get "text/plain;charset=UTF-8" by default; bytes get no Content-Type.
    const response = await request('/add', { method: 'POST', body: encoder.encode('{"queries":["1+1"]}') });
    expect(await expectError(response, 415, 'unsupported_media_type')).toContain('no content type');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json'])(
    'refuses %s with 415',
    async (type) => {
      const response = await request('/add', { method: 'POST', headers: { 'Content-Type': type }, body: '{"queries":["1+1"]}' });
      expect(await expectError(response, 415, 'unsupported_media_type')).toContain(type);
    },
  );
});
