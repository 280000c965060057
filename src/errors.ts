/**
 * The API's one error shape, `{"error": {"code", "message"}}`, for every failure: bad queries (the
 * codec's `QueryError` codes), bad requests, unknown paths, wrong methods, an unavailable model and
 * unexpected errors. `code` is stable and machine-readable; `message` says what is allowed. No stack
 * traces leave the Worker.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { QueryError, type QueryErrorCode } from './codec';
import { AdderLoadError } from './adder';
import type { AppEnv } from './bindings';

export type ErrorCode =
  | QueryErrorCode
  | 'missing_query'
  | 'invalid_query'
  | 'invalid_json'
  | 'invalid_body'
  | 'too_many_queries'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | 'model_unavailable'
  | 'internal_error';

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** A failure with its HTTP status; thrown by handlers and answered by `onError`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

export function errorResponse(c: Context<AppEnv>, error: ApiError): Response {
  return c.json(errorBody(error.code, error.message), error.status, error.headers);
}

/**
 * Sent with every 503: the next request tries to load the model again, so a client may come back
 * soon; nothing on the way may keep the failure.
 */
const UNAVAILABLE_HEADERS: Readonly<Record<string, string>> = { 'Retry-After': '5', 'Cache-Control': 'no-store' };

/** The API error that an exception stands for: the codec's and loader's errors map to 400 and 503. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof QueryError) return new ApiError(400, error.code, error.message);
  if (error instanceof AdderLoadError) return new ApiError(503, 'model_unavailable', error.message, UNAVAILABLE_HEADERS);
  return new ApiError(500, 'internal_error', 'Something went wrong on the server. Please try again.');
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const apiError = toApiError(error);
  // A failed model load is logged where it happens, once per attempt; anything else unexpected here.
  if (apiError.code === 'internal_error') console.error(error);
  return errorResponse(c, apiError);
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(
    c,
    new ApiError(404, 'not_found', `There is nothing at ${c.req.path}. The API has GET /add?q=535+61, POST /add, GET /model and GET /health.`),
  );
