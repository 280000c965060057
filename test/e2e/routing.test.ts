import { describe, expect, inject, it } from 'vitest';
import type { SumResult } from '../../src/api';

const get = (path: string, init?: RequestInit) => fetch(`${inject('server')}${path}`, init);

describe('wrangler dev: the page and the model files from the static assets, the API from the Worker', () => {
  it('serves the page at / with nosniff', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(await response.text()).toContain('<form id="form">');
  });

  it('serves the model files', async () => {
    const response = await get('/model/model.json');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { format: string }).format).toBe('layers-model');
  });

  it('routes the API paths to the Worker', async () => {
    const add = await get('/add?q=535+61');
    expect(add.status).toBe(200);
    const result = (await add.json()) as SumResult;
    expect(result.answer).toBe(inject('reference').predictions['535+61'].answer);
    const model = await get('/model');
    expect(model.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(((await model.json()) as { digits: number }).digits).toBe(inject('reference').digits);
    expect((await get('/health')).status).toBe(200);
    const missing = await get('/nowhere');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
