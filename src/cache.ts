/**
 * Caching of answers. For one model the answer to a sum is fixed, so `GET /add` responses carry an
 * `ETag` derived from the model's version (a hash of its files) and are kept in the edge cache
 * (Workers Cache API) under a key made of the canonical sum, the representation and that version:
 * `?q=535+61` and `?q=0535%2B61` share an entry, and a new model never serves an old answer.
 */

/** How long clients and the edge may reuse an answer without asking again. */
export const ANSWER_MAX_AGE_SECONDS = 3600;

const CACHE_NAME = 'answers';

/** The entity tag of an answer: the model version and the representation. */
export function answerEtag(version: string, representation: 'json' | 'text'): string {
  return `"${version}-${representation}"`;
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, as RFC 9110 asks for it). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** The cache key of an answer, on the request's own origin so that it stays within the zone. */
export function answerCacheKey(origin: string, canonical: string, representation: 'json' | 'text', version: string): Request {
  const key = new URL('/add', origin);
  key.searchParams.set('q', canonical);
  key.searchParams.set('as', representation);
  key.searchParams.set('model', version);
  return new Request(key);
}

/** The edge cache of answers, or null where the runtime has none (the cache is an optimisation). */
export async function openAnswerCache(): Promise<Cache | null> {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(CACHE_NAME);
  } catch {
    return null;
  }
}
