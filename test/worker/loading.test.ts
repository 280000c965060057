/**
 * Loading the model: once per isolate, shared by concurrent requests, retried after a failure, with
 * a 503 that says why in between. The app is built around its own `lazyAdder` reading assets
 * through a switch that can break them, so this file's isolate starts with no model loaded.
 */
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { SumResult } from '../../src/api';
import { lazyAdder, loadAdder } from '../../src/adder';
import type { Env } from '../../src/bindings';
import { createApp } from '../../src/index';
import { expectError, expectModelAnswer, ORIGIN } from './helpers';

const assets = env as unknown as Env;
let broken = true;
let loads = 0;
const flakyAssets: Fetcher = {
  fetch: (input: RequestInfo | URL, init?: RequestInit) =>
    broken ? Promise.resolve(new Response('unavailable', { status: 500 })) : assets.ASSETS.fetch(input, init),
  connect: () => {
    throw new Error('not used');
  },
};
const app = createApp(
  lazyAdder(() => {
    loads++;
    return loadAdder(flakyAssets);
  }),
);

// Each failed attempt is logged once; keep the expected failures out of the test output.
const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
afterAll(() => logged.mockRestore());

function call(path: string): Promise<Response> {
  return Promise.resolve(app.fetch(new Request(`${ORIGIN}${path}`), assets));
}

describe('loading the model', () => {
  it('answers 503 with the reason while the model cannot be loaded, trying once for concurrent requests', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, (_, i) => call(`/add?q=${i}+1`)));
    for (const response of responses) {
      expect(response.headers.get('Retry-After')).toBe('5');
      expect(response.headers.get('Cache-Control')).toBe('no-store');
      const message = await expectError(response, 503, 'model_unavailable');
      expect(message).toContain('/model/model.json answered HTTP 500');
    }
    expect(loads).toBe(1);
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it('says why in /health, and tries again on every later request', async () => {
    const response = await call('/health');
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('5');
    const body = (await response.json()) as { status: string; model: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ status: 'unavailable', model: false, error: { code: 'model_unavailable' } });
    expect(body.error.message).toContain('could not be loaded');
    await expectError(await call('/model'), 503, 'model_unavailable');
    expect(loads).toBe(3);
    expect(logged).toHaveBeenCalledTimes(3);
  });

  it('recovers when the assets come back, and then loads no more', async () => {
    broken = false;
    const responses = await Promise.all([call('/add?q=535+61'), call('/add?q=7+5'), call('/health')]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expectModelAnswer((await responses[0].json()) as SumResult, '535+61');
    expectModelAnswer((await responses[1].json()) as SumResult, '7+5');
    expect(await responses[2].json()).toEqual({ status: 'ok', backend: 'wasm', model: true, tensors: expect.any(Number) });
    await call('/model');
    expect(loads).toBe(4);
  });
});
