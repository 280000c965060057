import { describe, expect, it } from 'vitest';
import { MAX_QUERY_LENGTH, type QueryErrorCode } from '../../src/codec';
import { expectError, request } from './helpers';

describe('bad queries on GET /add', () => {
  it('refuses a missing q and says what to send', async () => {
    expect(await expectError(await request('/add'), 400, 'missing_query')).toContain('q=535+61');
  });

  const cases: [string, string, QueryErrorCode, RegExp][] = [
    ['an empty q', '', 'empty_query', /empty/],
    ['a blank q', '%20%20', 'empty_query', /empty/],
    ['letters', 'abc%2B1', 'invalid_character', /"a"/],
    ['a minus sign', '5-3', 'invalid_character', /minus/],
    ['a negative operand', '-5%2B3', 'invalid_character', /minus/],
    ['a plus sign before one number', '%2B5', 'empty_operand', /first operand is missing/],
    ['a plus sign before the first operand', '%2B5%2B3', 'wrong_operand_count', /3 operands/],
    ['a decimal point', '1.5%2B2', 'invalid_character', /decimal/],
    ['a decimal comma', '1,5%2B2', 'invalid_character', /decimal/],
    ['an operand of six digits', '123456%2B1', 'operand_too_long', /6 digits; at most 5/],
    ['one number', '535', 'wrong_operand_count', /one number/],
    ['three operands', '1%2B2%2B3', 'wrong_operand_count', /3 operands/],
    ['three numbers with spaces', '1+2+3', 'wrong_operand_count', /3 operands/],
    ['a missing second operand', '535%2B', 'empty_operand', /second operand is missing/],
    ['a space inside an operand', '5%203%2B1', 'invalid_character', /space inside/],
    ['a query that is too long', '1'.repeat(MAX_QUERY_LENGTH + 1), 'query_too_long', new RegExp(`at most ${MAX_QUERY_LENGTH}`)],
  ];
  it.each(cases)('refuses %s', async (_name, q, code, says) => {
    const message = await expectError(await request(`/add?q=${q}`), 400, code);
    expect(message).toMatch(says);
    expect(message).toContain('two whole numbers of 1 to 5 digits joined by "+"');
  });
});

describe('unknown paths and wrong methods', () => {
  it('answers an unknown path with 404 in the same shape', async () => {
    expect(await expectError(await request('/subtract?q=1+1'), 404, 'not_found')).toContain('/subtract');
    await expectError(await request('/add/more'), 404, 'not_found');
  });

  it.each([
    ['PUT', '/add', 'GET, HEAD, POST, OPTIONS'],
    ['DELETE', '/add', 'GET, HEAD, POST, OPTIONS'],
    ['POST', '/model', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/health', 'GET, HEAD, OPTIONS'],
  ])('answers %s %s with 405 and an Allow header', async (method, path, allow) => {
    const response = await request(path, { method });
    expect(response.headers.get('Allow')).toBe(allow);
    expect(await expectError(response, 405, 'method_not_allowed')).toContain(method);
  });
});
