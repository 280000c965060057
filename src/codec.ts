/**
 * The data format shared by training (`train/`) and serving (`src/`): the vocabulary, the sequence
 * lengths, how a sum is turned into the model's input and how the model's output is read back, and
 * how a person's query string is parsed. Pure TypeScript with no Node, Workers or tfjs imports, so
 * both sides (and the tests) use exactly the same rules.
 *
 * The encoding is the Keras "addition RNN" example's: the query `"535+61"` is right-padded with
 * spaces to `2 * digits + 1` characters and then reversed, so the encoder reads the least significant
 * digits last, closest to the decoder. The answer `"596"` is right-padded with spaces to
 * `digits + 1` characters and not reversed. The space is the pad character because it is already in
 * the vocabulary and cannot be confused with a digit.
 */

/** The 12 symbols, in the order of the one-hot positions. */
export const VOCABULARY = '0123456789+ ';
export const VOCABULARY_SIZE = VOCABULARY.length;
export const PAD = ' ';
export const PLUS = '+';

/** The number of digits the shipped model is trained for; queries allow at most this many. */
export const DEFAULT_DIGITS = 5;

const INDEX: ReadonlyMap<string, number> = new Map([...VOCABULARY].map((ch, i) => [ch, i]));

/** Length of the (padded, reversed) query: `a`, `+`, `b` with up to `digits` digits each. */
export function queryLength(digits: number): number {
  return 2 * digits + 1;
}

/** Length of the (padded) answer: the sum of two `digits`-digit numbers has at most `digits + 1`. */
export function answerLength(digits: number): number {
  return digits + 1;
}

/** The largest operand a model for `digits` digits accepts. */
export function maxOperand(digits: number): number {
  return 10 ** digits - 1;
}

/** The canonical query text for a pair, as the model was trained on: `"535+61"`. */
export function formatSum(a: number, b: number): string {
  return `${a}${PLUS}${b}`;
}

/** The padded, reversed query string the model reads, e.g. `"16+535     "` reversed from the padded form. */
export function queryText(a: number, b: number, digits: number): string {
  return [...formatSum(a, b).padEnd(queryLength(digits), PAD)].reverse().join('');
}

/** The padded answer string the model is trained to write: `"596   "`. */
export function answerText(sum: number, digits: number): string {
  return String(sum).padEnd(answerLength(digits), PAD);
}

/** Vocabulary indices of the model input for `a + b`, one per time step (length `queryLength`). */
export function encodeQuery(a: number, b: number, digits: number): number[] {
  return [...queryText(a, b, digits)].map(indexOf);
}

/** Vocabulary indices of the target answer for `sum` (length `answerLength`). */
export function encodeAnswer(sum: number, digits: number): number[] {
  return [...answerText(sum, digits)].map(indexOf);
}

function indexOf(ch: string): number {
  const i = INDEX.get(ch);
  if (i === undefined) throw new Error(`character ${JSON.stringify(ch)} is not in the vocabulary`);
  return i;
}

/**
 * Reads the model's answer from one vocabulary index per output position: the characters up to the
 * first pad. Whatever the model wrote after that first pad is ignored, as padding. The result may
 * be any string over the vocabulary (an untrained model can write `"+1"`); `isWellFormedAnswer`
 * says whether it is a number.
 */
export function decodeAnswer(indices: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < indices.length; i++) {
    const ch = VOCABULARY[indices[i]];
    if (ch === undefined) throw new RangeError(`index ${indices[i]} is outside the vocabulary`);
    if (ch === PAD) break;
    text += ch;
  }
  return text;
}

/** Whether a decoded answer is a plain decimal number (no sign, no leading zero unless it is 0). */
export function isWellFormedAnswer(text: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(text);
}

/** Why a query was refused; `code` is stable and machine-readable, `message` is for people. */
export type QueryErrorCode =
  | 'empty_query'
  | 'query_too_long'
  | 'invalid_character'
  | 'wrong_operand_count'
  | 'empty_operand'
  | 'operand_too_long';

export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    readonly code: QueryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface Sum {
  a: number;
  b: number;
}

/** Longest raw query accepted before any other check; generous for surrounding whitespace. */
export const MAX_QUERY_LENGTH = 64;

/**
 * Parses a person's query into two operands. Allowed: two non-negative integers of 1 to `digits`
 * decimal digits joined by one `+`, with optional spaces around the operands (`"535 + 61"`).
 * Leading zeros are allowed within the digit limit (`"007+1"` is 7 + 1). Everything else throws a
 * `QueryError` that says what was wrong and what is allowed.
 *
 * A space alone between two numbers (`"535 61"`) is read as the `+`, because in a URL query string
 * a literal `+` arrives as a space: `?q=535+61` and `?q=535%2B61` both mean 535 + 61.
 */
export function parseSum(query: string, digits: number = DEFAULT_DIGITS): Sum {
  const allowed = `two whole numbers of 1 to ${digits} digits joined by "+", like "535+61"`;
  if (query.length > MAX_QUERY_LENGTH) {
    throw new QueryError(
      'query_too_long',
      `The query is ${query.length} characters long; at most ${MAX_QUERY_LENGTH} are allowed. Send ${allowed}.`,
    );
  }
  const trimmed = query.trim();
  if (trimmed === '') throw new QueryError('empty_query', `The query is empty. Send ${allowed}.`);

  const bad = [...trimmed].find((ch) => !/[0-9+ ]/.test(ch));
  if (bad !== undefined) {
    throw new QueryError('invalid_character', `${describeCharacter(bad)} Send ${allowed}.`);
  }

  let parts = trimmed.split(PLUS);
  if (parts.length === 1) {
    // No "+": a URL-decoded "535+61" reads "535 61"; the space is the operator.
    parts = trimmed.split(/ +/);
  }
  if (parts.length !== 2) {
    const found = parts.length === 1 ? 'one number' : `${parts.length} operands`;
    throw new QueryError('wrong_operand_count', `Found ${found}; exactly two are needed. Send ${allowed}.`);
  }

  const [a, b] = parts.map((part, i) => {
    const operand = part.trim();
    const which = i === 0 ? 'first' : 'second';
    if (operand === '') {
      throw new QueryError('empty_operand', `The ${which} operand is missing. Send ${allowed}.`);
    }
    if (!/^[0-9]+$/.test(operand)) {
      throw new QueryError(
        'invalid_character',
        `The ${which} operand "${operand}" has a space inside it. Send ${allowed}.`,
      );
    }
    if (operand.length > digits) {
      throw new QueryError(
        'operand_too_long',
        `The ${which} operand has ${operand.length} digits; at most ${digits} are allowed. Send ${allowed}.`,
      );
    }
    return Number(operand);
  });
  return { a, b };
}

function describeCharacter(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === '-') return 'A minus sign ("-") is not allowed: only non-negative numbers can be added.';
  if (ch === '.' || ch === ',') return `A decimal separator ("${ch}") is not allowed: only whole numbers can be added.`;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return `The control character ${hex} is not allowed.`;
  if (/\s/u.test(ch)) return `The whitespace character ${hex} is not allowed.`;
  return `The character "${ch}" (${hex}) is not allowed.`;
}
