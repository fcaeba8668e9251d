import { truncate } from './bounds.js';

/**
 * One catalogue of coded errors (after fastify's lib/errors.js). Each carries the HTTP status
 * it maps to at the API boundary; `expose` says whether its message is safe to show a client.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, expose: true },
  INVALID_JSON: { status: 400, expose: true },
  INVALID_QUERY: { status: 400, expose: true },
  UNAUTHORIZED: { status: 401, expose: true },
  FORBIDDEN: { status: 403, expose: true },
  NOT_FOUND: { status: 404, expose: true },
  PAYLOAD_TOO_LARGE: { status: 413, expose: true },
  TOO_MANY_EVENTS: { status: 413, expose: true },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, expose: true },
  RATE_LIMITED: { status: 429, expose: true },
  DB_UNAVAILABLE: { status: 503, expose: true },
  CONFIG_INVALID: { status: 500, expose: false },
  INPUT_UNREADABLE: { status: 500, expose: false },
  MODEL_INVALID: { status: 500, expose: false },
  INTERNAL: { status: 500, expose: false },
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    // Bounded: messages built from hostile input (issue lists, echoed values) must not grow with it.
    super(truncate(message), options);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.expose = ERROR_CODES[code].expose;
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
