/**
 * Every failure a client can receive as data, and the one table that maps MAVI's response
 * codes to them.
 *
 * MAVI answers HTTP 200 with a four-digit business code in the body. Each code MAVI v1.0
 * documents has its own class here; everything else that can go wrong between the gateway and
 * MAVI is an UpstreamError carrying a gateway code. The schema registers these classes with
 * the Pothos errors plugin, so throwing one from a resolver becomes a typed union member.
 * Nothing in this file knows about GraphQL.
 */

/** Base of every expected failure. `code` and `retryable` come from {@link FAILURES}. */
export abstract class GatewayError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
}

/** 0001: a parameter is incorrect. Raised by MAVI, or by the gateway before calling it. */
export class InvalidParameterError extends GatewayError {
  override readonly name = 'InvalidParameterError';
  readonly code = FAILURES.INVALID_PARAMETER.code;
  readonly retryable = FAILURES.INVALID_PARAMETER.retryable;
  /** The argument path at fault (`first`, `input.history[1].user`), when the gateway knows it. */
  readonly field: string | null;
  constructor(message: string, field: string | null = null) {
    super(message);
    this.field = field;
  }
}

/** 0401: authorization missing, invalid or expired. */
export class UnauthorizedError extends GatewayError {
  override readonly name = 'UnauthorizedError';
  readonly code = FAILURES.UNAUTHORIZED.code;
  readonly retryable = FAILURES.UNAUTHORIZED.retryable;
}

/** 0403: the developer account is disabled. */
export class AccountDisabledError extends GatewayError {
  override readonly name = 'AccountDisabledError';
  readonly code = FAILURES.ACCOUNT_DISABLED.code;
  readonly retryable = FAILURES.ACCOUNT_DISABLED.retryable;
}

/** 0409: a duplicate request is not allowed (deleting a video twice). */
export class DuplicateRequestError extends GatewayError {
  override readonly name = 'DuplicateRequestError';
  readonly code = FAILURES.DUPLICATE_REQUEST.code;
  readonly retryable = FAILURES.DUPLICATE_REQUEST.retryable;
}

/** 0429: MAVI's limit, or the gateway's own quota for this credential, is exhausted. */
export class RateLimitedError extends GatewayError {
  override readonly name = 'RateLimitedError';
  readonly code = FAILURES.RATE_LIMITED.code;
  readonly retryable = FAILURES.RATE_LIMITED.retryable;
  /** Seconds after which a retry may succeed, when known (Retry-After, or the governor's refill time). */
  readonly retryAfterSeconds: number | null;
  constructor(message: string, retryAfterSeconds: number | null = null) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** No video with this number is visible to the caller's credential. */
export class VideoNotFoundError extends GatewayError {
  override readonly name = 'VideoNotFoundError';
  readonly code = FAILURES.VIDEO_NOT_FOUND.code;
  readonly retryable = FAILURES.VIDEO_NOT_FOUND.retryable;
  readonly videoNo: string;
  constructor(videoNo: string) {
    super(`No video ${JSON.stringify(videoNo)} is visible to this credential.`);
    this.videoNo = videoNo;
  }
}

export type UpstreamFailure =
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_HTTP_ERROR'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UPSTREAM_UNKNOWN_CODE';

/** MAVI could not be reached, timed out, or answered something this gateway cannot use. */
export class UpstreamError extends GatewayError {
  override readonly name = 'UpstreamError';
  readonly code: UpstreamFailure;
  readonly retryable: boolean;
  /** The HTTP status MAVI answered, when it answered at all. */
  readonly httpStatus: number | null;
  /** MAVI's response code as received, when the body carried one. */
  readonly upstreamCode: string | null;
  constructor(
    code: UpstreamFailure,
    message: string,
    opts: { httpStatus?: number | null; upstreamCode?: string | null } = {},
  ) {
    super(message);
    this.code = code;
    this.httpStatus = opts.httpStatus ?? null;
    this.upstreamCode = opts.upstreamCode ?? null;
    this.retryable =
      code === 'UPSTREAM_HTTP_ERROR' ? isRetryableHttpStatus(this.httpStatus) : FAILURES[code].retryable;
  }
}

/** 408, 425, 429 and 5xx may pass; other 4xx answers will not change on their own. */
export function isRetryableHttpStatus(status: number | null): boolean {
  return status !== null && (status >= 500 || status === 408 || status === 425 || status === 429);
}

/**
 * The table: every failure kind, its code as clients see it, whether a retry can help, and
 * for MAVI's own codes, the message and the class that represents it.
 * `code` is MAVI's code verbatim for MAVI's failures and a gateway code otherwise.
 */
export const FAILURES = {
  INVALID_PARAMETER: { code: '0001', retryable: false, message: 'A parameter is incorrect.' },
  UNAUTHORIZED: {
    code: '0401',
    retryable: false,
    message:
      'Authorization is missing, invalid or expired: send your MAVI API key or access token in the Authorization header.',
  },
  ACCOUNT_DISABLED: { code: '0403', retryable: false, message: 'The MAVI developer account is disabled.' },
  DUPLICATE_REQUEST: { code: '0409', retryable: false, message: 'MAVI refused a duplicate request.' },
  RATE_LIMITED: { code: '0429', retryable: true, message: 'Request has exceeded the limit.' },
  VIDEO_NOT_FOUND: { code: 'VIDEO_NOT_FOUND', retryable: false, message: 'Video not found.' },
  UPSTREAM_UNREACHABLE: {
    code: 'UPSTREAM_UNREACHABLE',
    retryable: true,
    message: 'MAVI could not be reached.',
  },
  UPSTREAM_TIMEOUT: { code: 'UPSTREAM_TIMEOUT', retryable: true, message: 'MAVI did not answer in time.' },
  UPSTREAM_HTTP_ERROR: {
    code: 'UPSTREAM_HTTP_ERROR',
    retryable: true,
    message: 'MAVI answered with an HTTP error status.',
  },
  UPSTREAM_BAD_RESPONSE: {
    code: 'UPSTREAM_BAD_RESPONSE',
    retryable: true,
    message: 'MAVI answered with a body that is not its documented response.',
  },
  UPSTREAM_UNKNOWN_CODE: {
    code: 'UPSTREAM_UNKNOWN_CODE',
    retryable: false,
    message: 'MAVI answered with a response code this gateway does not know.',
  },
} as const satisfies Record<string, { code: string; retryable: boolean; message: string }>;

/** MAVI's documented non-success codes -> the error built for each. */
const BY_MAVI_CODE: Record<string, (message: string, retryAfterSeconds: number | null) => GatewayError> = {
  [FAILURES.INVALID_PARAMETER.code]: (m) => new InvalidParameterError(m),
  [FAILURES.UNAUTHORIZED.code]: (m) => new UnauthorizedError(m),
  [FAILURES.ACCOUNT_DISABLED.code]: (m) => new AccountDisabledError(m),
  [FAILURES.DUPLICATE_REQUEST.code]: (m) => new DuplicateRequestError(m),
  [FAILURES.RATE_LIMITED.code]: (m, retryAfter) => new RateLimitedError(m, retryAfter),
};

/** MAVI's success code. */
export const SUCCESS_CODE = '0000';

/** HTTP statuses that some MAVI deployments use instead of (or as well as) a body code. */
const BY_HTTP_STATUS: Record<number, string> = {
  401: FAILURES.UNAUTHORIZED.code,
  403: FAILURES.ACCOUNT_DISABLED.code,
  409: FAILURES.DUPLICATE_REQUEST.code,
  429: FAILURES.RATE_LIMITED.code,
};

const FAILURE_BY_CODE = new Map<string, { message: string }>(Object.values(FAILURES).map((f) => [f.code, f]));

/**
 * The error for a non-success MAVI code. Known codes become their class with the table's
 * message (MAVI's own `msg` appended when it adds something); unknown codes an UpstreamError.
 */
export function errorForMaviCode(
  code: string,
  maviMessage: string | null,
  opts: { httpStatus: number; retryAfterSeconds: number | null },
): GatewayError {
  const build = BY_MAVI_CODE[code];
  if (!build) {
    return new UpstreamError('UPSTREAM_UNKNOWN_CODE', `MAVI answered with unknown response code ${code}.`, {
      httpStatus: opts.httpStatus,
      upstreamCode: code,
    });
  }
  const base = FAILURE_BY_CODE.get(code)?.message ?? '';
  const detail = maviMessage && maviMessage !== base ? ` MAVI said: ${maviMessage}` : '';
  return build(`${base}${detail}`, opts.retryAfterSeconds);
}

/** The MAVI code an HTTP status stands for, when MAVI signals failures with statuses alone. */
export function maviCodeForHttpStatus(status: number): string | undefined {
  return BY_HTTP_STATUS[status];
}

/**
 * The errors any MAVI call can end in: every code MAVI documents can come back from every
 * endpoint, and so can an upstream failure. Every result union holds these.
 */
export const UPSTREAM_ERROR_CLASSES = [
  InvalidParameterError,
  UnauthorizedError,
  AccountDisabledError,
  DuplicateRequestError,
  RateLimitedError,
  UpstreamError,
] as const;

/** Every error class the schema registers, in one list. */
export const ERROR_CLASSES = [...UPSTREAM_ERROR_CLASSES, VideoNotFoundError] as const;
