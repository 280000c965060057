import { describe, expect, inject, it } from 'vitest';
import type { ModelInfo } from '../../src/adder';
import { parameterCount } from '../../src/architecture';
import { postJson, request } from './helpers';

interface Health {
  status: string;
  backend: string | null;
  model: boolean;
  tensors: number | null;
}

async function health(): Promise<Health> {
  const response = await request('/health');
  expect(response.status).toBe(200);
  return response.json();
}

describe('GET /model', () => {
  it('describes the architecture, the parameters, the recipe and the test accuracy from metrics.json', async () => {
    const response = await request('/model');
    expect(response.status).toBe(200);
    const info = (await response.json()) as ModelInfo;
    const { digits } = inject('reference');
    expect(info.digits).toBe(digits);
    expect(info.inputLength).toBe(2 * digits + 1);
    expect(info.outputLength).toBe(digits + 1);
    expect(info.parameters).toBe(parameterCount());
    expect(info.layers).toEqual([
      { name: 'encoder', type: 'LSTM', outputShape: [null, 128], parameters: 72192 },
      { name: 'repeat', type: 'RepeatVector', outputShape: [null, digits + 1, 128], parameters: 0 },
      { name: 'decoder', type: 'LSTM', outputShape: [null, digits + 1, 128], parameters: 131584 },
      { name: 'output', type: 'Dense', outputShape: [null, digits + 1, 12], parameters: 1548 },
    ]);
    expect(info.training.recipe).toMatchObject({ digits, epochs: expect.any(Number), batchSize: expect.any(Number) });
    expect(info.training.epochsDone).toBeGreaterThan(0);
    expect(info.test.count).toBeGreaterThan(0);
    for (const accuracy of [info.test.perCharacterAccuracy, info.test.exactMatchAccuracy]) {
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
    }
  });
});

describe('GET /health', () => {
  it('reports the WASM backend, the loaded model and the live tensor count', async () => {
    const status = await health();
    expect(status).toEqual({ status: 'ok', backend: 'wasm', model: true, tensors: expect.any(Number) });
  });

  it('keeps the tensor count flat across requests', async () => {
    await request('/add?q=1+1');
    const before = (await health()).tensors;
    for (let i = 0; i < 20; i++) {
      await request(`/add?q=${i}+${2 * i}`);
      await request('/add?q=1-1');
      await postJson({ queries: ['535+61', 'bad', `${i}+9`] });
    }
    expect((await health()).tensors).toBe(before);
  });
});

describe('headers', () => {
  it('answers a CORS preflight from any origin', async () => {
    const response = await request('/add', {
      method: 'OPTIONS',
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(response.headers.get('Access-Control-Allow-Methods')).toContain('GET');
    expect(response.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('content-type');
  });

  it('allows any origin and sets nosniff on answers and errors', async () => {
    for (const response of [await request('/add?q=1+1', { headers: { Origin: 'https://elsewhere.example' } }), await request('/add?q=x'), await request('/nowhere')]) {
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
  });
});
