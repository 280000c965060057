/**
 * The HTTP API: `GET /add?q=535+61` and `POST /add` (a batch) answer with the model's prediction,
 * `GET /model` describes the model and its evaluation, `GET /health` says whether it is ready.
 * Every answer is the model's decoded output; `expected` and `correct` are the arithmetic check
 * beside it. Errors are thrown as `ApiError`s (or the codec's `QueryError`s) and shaped by
 * `src/errors.ts`.
 */
import { type Context, Hono } from 'hono';
import { accepts } from 'hono/accepts';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { AdderSource, Prediction } from './adder';
import type { AppEnv } from './bindings';
import { DEFAULT_DIGITS, formatSum, parseSum, QueryError, type Sum } from './codec';
import { ApiError, type ErrorBody, errorResponse, toApiError } from './errors';
import { backendName, tensorCount } from './tf';
import { ANSWER_MAX_AGE_SECONDS, answerCacheKey, answerEtag, matchesEtag, openAnswerCache } from './cache';

/** Lets `work` finish after the response; awaits it where there is no execution context (`app.fetch` without one). */
async function afterResponse(c: Context<AppEnv>, work: Promise<unknown>): Promise<void> {
  let context: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    context = c.executionCtx;
  } catch {
    // Hono throws when the app was called without an execution context.
  }
  if (context) context.waitUntil(work);
  else await work;
}

/** Most queries in one `POST /add`. */
export const MAX_BATCH = 1000;
/**
 * Largest `POST /add` body, in bytes: `MAX_BATCH` queries of `MAX_QUERY_LENGTH` characters fit, even
 * pretty-printed (about 72,000 bytes; 64 KiB did not).
 */
export const MAX_BODY_BYTES = 80 * 1024;
/**
 * Deepest nesting of arrays and objects in a `POST /add` body (`{"queries": ["1+1"]}` is 2). Items
 * are echoed back, and serialising a value nested thousands deep overflows the stack.
 */
export const MAX_BODY_DEPTH = 32;

/** The methods each API path answers, for the `Allow` header of a 405. */
const ALLOWED_METHODS = {
  '/add': 'GET, HEAD, POST, OPTIONS',
  '/model': 'GET, HEAD, OPTIONS',
  '/health': 'GET, HEAD, OPTIONS',
} as const;

const EXAMPLE = 'like GET /add?q=535+61 (or q=535%2B61)';

export interface SumResult {
  /** The sum as the model read it: `"a+b"` without spaces or leading zeros. */
  q: string;
  /** The model's answer, decoded; not computed. */
  answer: string;
  /** The product of `digits[].probability`. */
  confidence: number;
  /** The model's chosen character and its probability at every output position, padding included. */
  digits: Prediction['positions'];
  /** Check: `a + b` by arithmetic. */
  expected: string;
  /** Check: whether `answer` equals `expected`. */
  correct: boolean;
}

export interface ItemError extends ErrorBody {
  /** The item as it was sent. */
  q: unknown;
}

export type BatchResult = SumResult | ItemError;

function sumResult(sum: Sum, prediction: Prediction): SumResult {
  const expected = String(sum.a + sum.b);
  return {
    q: formatSum(sum.a, sum.b),
    answer: prediction.answer,
    confidence: prediction.confidence,
    digits: prediction.positions,
    expected,
    correct: prediction.answer === expected,
  };
}

/** How deeply arrays and objects nest in a parsed JSON value (`"x"` is 0, `[]` is 1), without recursion; stops past `limit`. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0 && deepest <= limit) {
    const [node, depth] = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** The API's routes; `adders` provides the model (loaded once per isolate in the Worker). */
export function createApi(adders: AdderSource): Hono<AppEnv> {
  const api = new Hono<AppEnv>();

  api.use(
    '*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Accept'],
      maxAge: 86400,
    }),
  );

  api.get('/add', async (c) => {
    const q = c.req.query('q');
    if (q === undefined) {
      throw new ApiError(400, 'missing_query', `The query parameter "q" is missing. Send a sum of two whole numbers, ${EXAMPLE}.`);
    }
    // The query is checked before the model is needed, so a bad one is a 400 even while the model
    // is unavailable; a model for other than the default digits checks it again.
    let sum = parseSum(q, DEFAULT_DIGITS);
    const adder = await adders(c.env.ASSETS);
    if (adder.digits !== DEFAULT_DIGITS) sum = parseSum(q, adder.digits);
    const type = accepts(c, { header: 'Accept', supports: ['application/json', 'text/plain'], default: 'application/json' });
    const representation = type === 'text/plain' ? 'text' : 'json';
    const etag = answerEtag(adder.version, representation);
    const headers = { ETag: etag, 'Cache-Control': `public, max-age=${ANSWER_MAX_AGE_SECONDS}`, Vary: 'Accept' };
    if (matchesEtag(c.req.header('If-None-Match'), etag)) return c.body(null, 304, headers);

    const cache = await openAnswerCache();
    const key = answerCacheKey(new URL(c.req.url).origin, formatSum(sum.a, sum.b), representation, adder.version);
    const hit = await cache?.match(key);
    if (hit) {
      const response = new Response(hit.body, hit);
      response.headers.set('X-Cache', 'hit');
      return response;
    }
    const [prediction] = adder.predictSums([sum]);
    const response =
      representation === 'text' ? c.text(`${prediction.answer}\n`, 200, headers) : c.json(sumResult(sum, prediction), 200, headers);
    if (cache) {
      const stored = cache.put(key, response.clone());
      await afterResponse(c, stored.catch(() => {})); // A failed cache write only costs a later recomputation.
    }
    response.headers.set('X-Cache', 'miss');
    return response;
  });

  api.post(
    '/add',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        errorResponse(
          c,
          new ApiError(413, 'body_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes; send at most ${MAX_BATCH} queries in one request.`),
        ),
    }),
    async (c) => {
      const shape = `{"queries": ["535+61", "7+5"]} with at most ${MAX_BATCH} queries`;
      const type = c.req.header('Content-Type') ?? '';
      if (type.split(';')[0].trim().toLowerCase() !== 'application/json') {
        throw new ApiError(
          415,
          'unsupported_media_type',
          `The body must be JSON sent with "Content-Type: application/json", not ${type === '' ? 'no content type' : `"${type}"`}. Send ${shape}.`,
        );
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new ApiError(400, 'invalid_json', `The body is not valid JSON. Send ${shape}.`);
      }
      if (nestingDepth(body, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
        throw new ApiError(400, 'invalid_body', `The body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep. Send ${shape}.`);
      }
      const queries: unknown = typeof body === 'object' && body !== null ? (body as { queries?: unknown }).queries : undefined;
      if (!Array.isArray(queries)) {
        throw new ApiError(400, 'invalid_body', `The body must be an object with a "queries" array. Send ${shape}.`);
      }
      if (queries.length > MAX_BATCH) {
        throw new ApiError(400, 'too_many_queries', `The body has ${queries.length} queries; at most ${MAX_BATCH} are allowed in one request.`);
      }

      const adder = await adders(c.env.ASSETS);
      const parsed = queries.map((q): Sum | ItemError => {
        if (typeof q !== 'string') {
          return { q, error: { code: 'invalid_query', message: `Each query must be a string like "535+61", not ${JSON.stringify(q)}.` } };
        }
        try {
          return parseSum(q, adder.digits);
        } catch (error) {
          if (!(error instanceof QueryError)) throw error;
          return { q, error: { code: error.code, message: error.message } };
        }
      });
      const isSum = (item: Sum | ItemError): item is Sum => !('error' in item);
      // One model call for all the valid queries; the results are put back in the order sent.
      const predictions = adder.predictSums(parsed.filter(isSum));
      let next = 0;
      const results: BatchResult[] = parsed.map((item) => (isSum(item) ? sumResult(item, predictions[next++]) : item));
      return c.json({ results });
    },
  );

  api.get('/model', async (c) => c.json((await adders(c.env.ASSETS)).info));

  api.get('/health', async (c) => {
    try {
      await adders(c.env.ASSETS);
    } catch (error) {
      const { code, message, status, headers } = toApiError(error);
      return c.json(
        { status: 'unavailable', backend: backendName(), model: false, tensors: tensorCount(), error: { code, message } },
        status,
        headers,
      );
    }
    return c.json({ status: 'ok', backend: backendName(), model: true, tensors: tensorCount() });
  });

  for (const [path, allow] of Object.entries(ALLOWED_METHODS)) {
    api.all(path, (c) => {
      throw new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed on ${path}; use ${allow}.`, { Allow: allow });
    });
  }

  return api;
}
