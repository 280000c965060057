/** Requests to the Worker through the real runtime (`SELF`), and checks shared by the route tests. */
import { SELF } from 'cloudflare:test';
import { expect, inject } from 'vitest';
import type { SumResult } from '../../src/api';
import type { ErrorBody, ErrorCode } from '../../src/errors';
import { TOLERANCE } from '../reference';

export const ORIGIN = 'https://adder.example';

export function request(path: string, init?: RequestInit): Promise<Response> {
  return SELF.fetch(`${ORIGIN}${path}`, init);
}

export function postJson(body: unknown, init: RequestInit = {}): Promise<Response> {
  return request('/add', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** Asserts the one error shape and returns its message. */
export async function expectError(response: Response, status: number, code: ErrorCode): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.error.message).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
  return body.error.message;
}

/** Asserts that a result is the model's own prediction for `q` (canonical `"a+b"`), as made in Node. */
export function expectModelAnswer(result: SumResult, q: string): void {
  const reference = inject('reference').predictions[q];
  expect(reference, `no reference prediction for ${q}`).toBeDefined();
  expect(result.q).toBe(q);
  expect(result.answer).toBe(reference.answer);
  expect(Math.abs(result.confidence - reference.confidence)).toBeLessThan(TOLERANCE);
  // Confidences can be tiny for an untrained model, so the absolute check above says little: the
  // confidence must also be exactly the product of the per-position probabilities, each of which
  // is checked against the reference below.
  const product = result.digits.reduce((p, d) => p * d.probability, 1);
  expect(Math.abs(result.confidence / product - 1)).toBeLessThan(1e-12);
  expect(result.digits.map((d) => d.char)).toEqual(reference.chars);
  result.digits.forEach((d, i) => expect(Math.abs(d.probability - reference.probabilities[i])).toBeLessThan(TOLERANCE));
  const [a, b] = q.split('+').map(Number);
  expect(result.expected).toBe(String(a + b));
  expect(result.correct).toBe(result.answer === result.expected);
}
