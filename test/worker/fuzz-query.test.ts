/**
 * `GET /add` on generated queries through the real runtime (`SELF`): whatever `q` holds, the Worker
 * answers 200 or a 4xx in the one error shape, never a 5xx, and its verdict is the codec's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SumResult } from '../../src/api';
import type { ErrorBody } from '../../src/errors';
import { expectAnswerOrClientError, nearlyValid, SEED, TIMEOUT, validSum, verdict, visibleAscii } from './fuzz';
import { request } from './helpers';

/** Any well-formed string (encodeURIComponent refuses lone surrogates), biased towards sums. */
const query = fc.oneof(
  validSum,
  nearlyValid,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 200 }),
);

/** Accept headers a client might send, and garbage. */
const accept = fc.option(
  fc.oneof(
    fc.constantFrom('*/*', 'application/json', 'text/plain', 'text/html', 'text/plain;q=0.5, application/json', 'text/*;q=abc', ';;;', 'q=0', ',', '*/*;q=-1'),
    fc.string({ unit: visibleAscii, maxLength: 40 }),
  ),
  { nil: undefined },
);

/** Text pasted after `?q=` without encoding: broken percent escapes, separators, non-ASCII. */
const rawQuery = fc.string({
  unit: fc.oneof(
    fc.constantFrom('%', '%2B', '%2b', '%20', '%00', '%ZZ', '%E2%80', '%ED%A0%80', '%C0%AF', '%FF', '+', '&', '=', '&q=', '#', '?', '/', '\\', ';'),
    fc.constantFrom(...'0123456789abcdefABCDEF'),
    visibleAscii,
    fc.string({ unit: 'binary', maxLength: 2 }),
  ),
  maxLength: 40,
});

describe('GET /add on generated queries', () => {
  it('answers every URL-encoded query as the codec reads it: 200 with the canonical sum, or 400 with its code', async () => {
    await fc.assert(
      fc.asyncProperty(query, accept, async (q, acceptHeader) => {
        const headers: Record<string, string> = acceptHeader === undefined ? {} : { Accept: acceptHeader };
        const response = await request(`/add?q=${encodeURIComponent(q)}`, { headers });
        const what = `q=${JSON.stringify(q)}, Accept: ${JSON.stringify(acceptHeader)}`;
        const body = await expectAnswerOrClientError(response, what);
        const expected = verdict(q);
        if ('q' in expected) {
          expect(response.status, what).toBe(200);
          if (typeof body === 'string') {
            expect(body, what).toMatch(/^[0-9+]*\n$/);
          } else {
            expect((body as SumResult).q, what).toBe(expected.q);
            expect((body as SumResult).expected, what).toBe(String(expected.sum));
          }
        } else {
          expect(response.status, what).toBe(400);
          expect((body as ErrorBody).error.code, what).toBe(expected.code);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  }, TIMEOUT);

  it('answers raw, unencoded garbage after ?q= with 200 or a 4xx error, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(rawQuery, async (raw) => {
        let url: URL;
        try {
          url = new URL(`https://adder.example/add?q=${raw}`);
        } catch {
          return; // Not a URL any client could send.
        }
        await expectAnswerOrClientError(await request(`${url.pathname}${url.search}`), `raw q=${JSON.stringify(raw)}`);
      }),
      { seed: SEED, numRuns: 150 },
    );
  }, TIMEOUT);
});

describe('any method on any path', () => {
  const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
  const path = fc.oneof(
    fc.constantFrom('/add', '/model', '/health', '/', '/add/', '/ADD', '/add/x', '//add', '/model/model.json', '/%2e%2e/add', '/add%00'),
    fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  );
  it('answers 2xx, or a 4xx in the one error shape', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, fc.boolean(), async (m, p, crossOrigin) => {
        const headers: Record<string, string> = crossOrigin ? { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'POST' } : {};
        const init: RequestInit = { method: m, headers };
        if (m === 'POST' || m === 'PUT' || m === 'PATCH') {
          Object.assign(init, { body: '{"queries":["1+1"]}', headers: { ...headers, 'Content-Type': 'application/json' } });
        }
        await expectAnswerOrClientError(await request(p, init), `${m} ${p}`);
      }),
      { seed: SEED, numRuns: 60 },
    );
  }, TIMEOUT);
});
