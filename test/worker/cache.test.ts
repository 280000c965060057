/**
 * Answers are cacheable: for one model a sum's answer is fixed, so `GET /add` carries an ETag tied
 * to the model's version, revalidates to 304, and repeats come from the edge cache (Cache API),
 * shared by every spelling of the same sum and kept apart per representation.
 */
import { describe, expect, it } from 'vitest';
import type { SumResult } from '../../src/api';
import type { ModelInfo } from '../../src/adder';
import { expectModelAnswer, request } from './helpers';

describe('caching answers', () => {
  it('tags an answer with the model version and lets it be cached', async () => {
    const { version } = (await (await request('/model')).json()) as ModelInfo;
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    const response = await request('/add?q=42+58');
    expect(response.status).toBe(200);
    expect(response.headers.get('ETag')).toBe(`"${version}-json"`);
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=3600');
    expect(response.headers.get('Vary')).toBe('Accept');
    expectModelAnswer((await response.json()) as SumResult, '42+58');
  });

  it('answers 304 to a request that already holds the answer', async () => {
    const first = await request('/add?q=5+6');
    const etag = first.headers.get('ETag')!;
    await first.arrayBuffer();
    for (const tag of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await request('/add?q=5+6', { headers: { 'If-None-Match': tag } });
      expect(again.status, tag).toBe(304);
      expect(await again.text()).toBe('');
      expect(again.headers.get('ETag')).toBe(etag);
    }
    const stale = await request('/add?q=5+6', { headers: { 'If-None-Match': '"0000000000000000-json"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it('serves a repeat of the same sum, however it is spelled, from the edge cache', async () => {
    const first = await request('/add?q=535+61');
    expect(first.headers.get('X-Cache')).toBe('miss');
    const body = await first.text();
    for (const spelling of ['535+61', '535%2B61', '0535+061', '%20535%20%2B%2061']) {
      const again = await request(`/add?q=${spelling}`);
      expect(again.headers.get('X-Cache'), spelling).toBe('hit');
      expect(await again.text()).toBe(body);
      expect(again.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(again.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
  });

  it('keeps JSON and plain-text answers apart', async () => {
    const json = await request('/add?q=70+7');
    await json.arrayBuffer();
    const text = await request('/add?q=70+7', { headers: { Accept: 'text/plain' } });
    expect(text.headers.get('X-Cache')).toBe('miss');
    expect(text.headers.get('ETag')).toBe(json.headers.get('ETag')!.replace('-json', '-text'));
    const answer = await text.text();
    expect(answer).toMatch(/^[0-9+]*\n$/);
    const again = await request('/add?q=70+7', { headers: { Accept: 'text/plain' } });
    expect(again.headers.get('X-Cache')).toBe('hit');
    expect(await again.text()).toBe(answer);
  });

  it('does not cache refusals', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await request('/add?q=1-2');
      expect(response.status).toBe(400);
      expect(response.headers.get('X-Cache')).toBeNull();
      expect(response.headers.get('ETag')).toBeNull();
      await response.arrayBuffer();
    }
  });
});
