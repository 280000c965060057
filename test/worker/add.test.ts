import { describe, expect, inject, it } from 'vitest';
import type { SumResult } from '../../src/api';
import { formatSum } from '../../src/codec';
import { REFERENCE_SUMS } from '../reference';
import { expectModelAnswer, request } from './helpers';

async function add(q: string, init?: RequestInit): Promise<SumResult> {
  const response = await request(`/add?q=${q}`, init);
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  return response.json();
}

describe('GET /add', () => {
  it('answers with the model prediction, its confidence and its per-digit probabilities', async () => {
    expectModelAnswer(await add('535%2B61'), '535+61');
  });

  it('reads a "+" that arrives as a space (q=535+61) as the plus', async () => {
    expectModelAnswer(await add('535+61'), '535+61');
  });

  it.each(REFERENCE_SUMS.map((sum) => formatSum(sum.a, sum.b)))('agrees with the reference prediction for %s', async (q) => {
    expectModelAnswer(await add(encodeURIComponent(q)), q);
  });

  it('echoes the canonical sum for spaced and zero-padded queries', async () => {
    expectModelAnswer(await add(encodeURIComponent(' 535 + 061 ')), '535+61');
    expectModelAnswer(await add('00007%2B5'), '7+5');
  });

  it('labels the arithmetic check beside the answer', async () => {
    for (const [q, expected] of [['1+1', '2'], ['7+5', '12'], ['0+0', '0'], ['99999+99999', '199998'], ['500+500', '1000']]) {
      const result = await add(encodeURIComponent(q));
      expect(result.expected).toBe(expected);
      expect(result.correct).toBe(result.answer === expected);
    }
  });

  it('returns one probability per output position, whose product is the confidence', async () => {
    const result = await add('12345%2B678');
    expect(result.digits).toHaveLength(inject('reference').digits + 1);
    const product = result.digits.reduce((p, d) => p * d.probability, 1);
    expect(result.confidence).toBeCloseTo(product, 12);
    for (const d of result.digits) {
      expect(d.char).toMatch(/^[0-9+ ]$/);
      expect(d.probability).toBeGreaterThan(0);
      expect(d.probability).toBeLessThanOrEqual(1);
    }
  });

  it('gives just the answer as text for Accept: text/plain', async () => {
    const response = await request('/add?q=535+61', { headers: { Accept: 'text/plain' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(response.headers.get('Vary')).toMatch(/Accept/);
    expect(await response.text()).toBe(`${inject('reference').predictions['535+61'].answer}\n`);
  });

  it('prefers JSON when the client accepts anything', async () => {
    expectModelAnswer(await add('535+61', { headers: { Accept: '*/*' } }), '535+61');
    expectModelAnswer(await add('535+61', { headers: { Accept: 'text/plain;q=0.5, application/json' } }), '535+61');
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await request('/add?q=535+61', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});
