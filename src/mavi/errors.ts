/**
 * Every failure a client can receive as data, and the one table that maps MAVI's response
 * codes and HTTP statuses to them.
 *
 * MAVI answers HTTP 200 with a four-digit business code in the body. Each code MAVI v1.0
 * documents has its own class here; everything else that can go wrong between the gateway and
 * MAVI is an UpstreamError carrying a gateway code. The schema registers these classes with
 * the Pothos errors plugin, so throwing one from a resolver becomes a typed union member.
 * Nothing in this file knows about GraphQL.
 */

/** One failure kind: everything the gateway knows about it, in one record of {@link FAILURES}. */
export interface Failure {
  /** What clients see as `code`: MAVI's code verbatim for MAVI's failures, a gateway code otherwise. */
  readonly code: string;
  /** The class that represents it, whose name is also its GraphQL type (`error.name`). */
  readonly type: string;
  /**
   * Whether the same request may succeed if sent again: what clients see as `retryable`, and
   * exactly what the retry loop (retry.ts) acts on for reads. `by-http-status`: true for HTTP
   * 5xx, 408, 425 and 429, false for other statuses, decided per answer.
   */
  readonly retryable: boolean | 'by-http-status';
  /** The message clients see (MAVI's own msg is appended when it adds something). */
  readonly message: string;
  /** The HTTP status MAVI may answer for it, instead of or as well as the body code (v1.0.md §3.2). */
  readonly httpStatus?: 401 | 403 | 409 | 429;
}

/** The table: one record per failure kind. Classes, lookups and `retryable` all come from here. */
export const FAILURES = {
  INVALID_PARAMETER: {
    code: '0001',
    type: 'InvalidParameterError',
    retryable: false,
    message: 'A parameter is incorrect.',
  },
  UNAUTHORIZED: {
    code: '0401',
    type: 'UnauthorizedError',
    retryable: false,
    message:
      'Authorization is missing, invalid or expired: send your MAVI API key or access token in the Authorization header.',
    httpStatus: 401,
  },
  ACCOUNT_DISABLED: {
    code: '0403',
    type: 'AccountDisabledError',
    retryable: false,
    message: 'The MAVI developer account is disabled.',
    httpStatus: 403,
  },
  DUPLICATE_REQUEST: {
    code: '0409',
    type: 'DuplicateRequestError',
    retryable: false,
    message: 'MAVI refused a duplicate request.',
    httpStatus: 409,
  },
  RATE_LIMITED: {
    code: '0429',
    type: 'RateLimitedError',
    retryable: true,
    message: 'Request has exceeded the limit.',
    httpStatus: 429,
  },
  VIDEO_NOT_FOUND: {
    code: 'VIDEO_NOT_FOUND',
    type: 'VideoNotFoundError',
    retryable: false,
    message: 'Video not found.',
  },
  UPSTREAM_UNREACHABLE: {
    code: 'UPSTREAM_UNREACHABLE',
    type: 'UpstreamError',
    retryable: true,
    message: 'MAVI could not be reached.',
  },
  UPSTREAM_TIMEOUT: {
    code: 'UPSTREAM_TIMEOUT',
    type: 'UpstreamError',
    retryable: true,
    message: 'MAVI did not answer in time.',
  },
  UPSTREAM_HTTP_ERROR: {
    code: 'UPSTREAM_HTTP_ERROR',
    type: 'UpstreamError',
    retryable: 'by-http-status',
    message: 'MAVI answered with an HTTP error status.',
  },
  // A body MAVI sent whole but wrong (not the envelope, malformed data, too big) would come
  // back the same on a second try.
  UPSTREAM_BAD_RESPONSE: {
    code: 'UPSTREAM_BAD_RESPONSE',
    type: 'UpstreamError',
    retryable: false,
    message: 'MAVI answered with a body that is not its documented response.',
  },
  UPSTREAM_UNKNOWN_CODE: {
    code: 'UPSTREAM_UNKNOWN_CODE',
    type: 'UpstreamError',
    retryable: false,
    message: 'MAVI answered with a response code this gateway does not know.',
  },
} as const satisfies Record<string, Failure>;

type FailureKey = keyof typeof FAILURES;

/** The gateway codes of UpstreamError: the records of that type. */
export type UpstreamFailure = {
  [K in FailureKey]: (typeof FAILURES)[K]['type'] extends 'UpstreamError'
    ? (typeof FAILURES)[K]['code']
    : never;
}[FailureKey];

/** Base of every expected failure. `code` and `retryable` come from {@link FAILURES}. */
export abstract class GatewayError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
}

/** The base class of one record: its name, code and retryable, stated once in the table. */
function failureClass<const F extends Failure & { retryable: boolean }>(failure: F) {
  abstract class FailureBase extends GatewayError {
    /** The record this class stands for. */
    static readonly failure: F = failure;
    override readonly name: F['type'] = failure.type;
    readonly code: F['code'] = failure.code;
    readonly retryable: boolean = failure.retryable;
  }
  return FailureBase;
}

/** 0001: a parameter is incorrect. Raised by MAVI, or by the gateway before calling it. */
export class InvalidParameterError extends failureClass(FAILURES.INVALID_PARAMETER) {
  /** The argument path at fault (`first`, `input.history[1].user`), when the gateway knows it. */
  readonly field: string | null;
  constructor(message: string, field: string | null = null) {
    super(message);
    this.field = field;
  }
}

/** 0401: authorization missing, invalid or expired. */
export class UnauthorizedError extends failureClass(FAILURES.UNAUTHORIZED) {}

/** 0403: the developer account is disabled. */
export class AccountDisabledError extends failureClass(FAILURES.ACCOUNT_DISABLED) {}

/** 0409: a duplicate request is not allowed (deleting a video twice). */
export class DuplicateRequestError extends failureClass(FAILURES.DUPLICATE_REQUEST) {}

/** 0429: MAVI's limit, or the gateway's own quota for this credential, is exhausted. */
export class RateLimitedError extends failureClass(FAILURES.RATE_LIMITED) {
  /** Seconds after which a retry may succeed, when known (Retry-After, or the governor's refill time). */
  readonly retryAfterSeconds: number | null;
  constructor(message: string, retryAfterSeconds: number | null = null) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** No video with this number is visible to the caller's credential. */
export class VideoNotFoundError extends failureClass(FAILURES.VIDEO_NOT_FOUND) {
  readonly videoNo: string;
  constructor(videoNo: string) {
    super(`No video ${JSON.stringify(videoNo)} is visible to this credential.`);
    this.videoNo = videoNo;
  }
}

/** MAVI could not be reached, timed out, or answered something this gateway cannot use. */
export class UpstreamError extends GatewayError {
  override readonly name = 'UpstreamError';
  readonly code: UpstreamFailure;
  readonly retryable: boolean;
  /** The HTTP status MAVI answered, when it answered at all. */
  readonly httpStatus: number | null;
  /** MAVI's response code as received, when the body carried one (always four digits). */
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
    const { retryable } = FAILURES[code];
    this.retryable = retryable === 'by-http-status' ? isRetryableHttpStatus(this.httpStatus) : retryable;
  }
}

/** 408, 425, 429 and 5xx may pass; other statuses will not change on their own. */
export function isRetryableHttpStatus(status: number | null): boolean {
  return status !== null && (status >= 500 || status === 408 || status === 425 || status === 429);
}

/** MAVI's success code. */
export const SUCCESS_CODE = '0000';

/** The classes of MAVI's documented non-success codes, by code (derived from their records). */
const BY_MAVI_CODE: ReadonlyMap<string, { readonly failure: Failure; new (message: string): GatewayError }> =
  new Map(
    [
      InvalidParameterError,
      UnauthorizedError,
      AccountDisabledError,
      DuplicateRequestError,
      RateLimitedError,
    ].map((cls) => [cls.failure.code, cls]),
  );

/** HTTP status -> the MAVI code it stands for, from the records that name one. */
const BY_HTTP_STATUS: ReadonlyMap<number, string> = new Map(
  Object.values(FAILURES).flatMap((f: Failure) => (f.httpStatus ? [[f.httpStatus, f.code] as const] : [])),
);

/**
 * The error for a non-success MAVI code. Known codes become their class with the table's
 * message (MAVI's own `msg` appended when it adds something); unknown codes an UpstreamError.
 * `code` must already be a code (four digits, see envelope.ts): it is shown to clients.
 */
export function errorForMaviCode(
  code: string,
  maviMessage: string | null,
  opts: { httpStatus: number; retryAfterSeconds: number | null },
): GatewayError {
  const cls = BY_MAVI_CODE.get(code);
  if (!cls) {
    return new UpstreamError('UPSTREAM_UNKNOWN_CODE', `MAVI answered with unknown response code ${code}.`, {
      httpStatus: opts.httpStatus,
      upstreamCode: code,
    });
  }
  const base = cls.failure.message;
  const message = maviMessage && maviMessage !== base ? `${base} MAVI said: ${maviMessage}` : base;
  return cls === RateLimitedError ? new RateLimitedError(message, opts.retryAfterSeconds) : new cls(message);
}

/** The MAVI code an HTTP status stands for (401 -> 0401...), when it stands for one. */
export function maviCodeForHttpStatus(status: number): string | undefined {
  return BY_HTTP_STATUS.get(status);
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
