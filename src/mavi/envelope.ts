import type { DecodeError } from './decode.js';
import {
  errorForMaviCode,
  type GatewayError,
  maviCodeForHttpStatus,
  SUCCESS_CODE,
  UpstreamError,
} from './errors.js';

/** What a MAVI answer looked like on the wire, before decoding. */
export interface RawAnswer {
  httpStatus: number;
  /** The Retry-After header, if any. */
  retryAfter: string | null;
  body: string;
}

/**
 * Reads MAVI's `{code, msg, data}` envelope and returns `data`, or throws the typed error for
 * the answer. Tolerates the documented quirks: a `data:` prefix before the JSON (chat), codes
 * sent as numbers or without leading zeros, and failures signalled by HTTP status alone.
 */
export function openEnvelope(answer: RawAnswer, endpoint: string): unknown {
  const { httpStatus } = answer;
  const ok = httpStatus >= 200 && httpStatus < 300;
  const parsed = parseBody(answer.body);
  const code = parsed === undefined ? null : readCode(parsed);

  if (code === null) {
    // Not an envelope. A status that stands for a MAVI code (429, 401...) still means that.
    const statusCode = maviCodeForHttpStatus(httpStatus);
    if (statusCode) return fail(statusCode, null, answer);
    if (!ok) {
      throw new UpstreamError('UPSTREAM_HTTP_ERROR', `MAVI ${endpoint} answered HTTP ${httpStatus}.`, {
        httpStatus,
      });
    }
    throw new UpstreamError(
      'UPSTREAM_BAD_RESPONSE',
      `MAVI ${endpoint} answered HTTP ${httpStatus} with ${describeBody(answer.body, parsed)}, not its {code, msg, data} envelope.`,
      { httpStatus },
    );
  }

  if (code === SUCCESS_CODE) {
    if (!ok) {
      throw new UpstreamError(
        'UPSTREAM_HTTP_ERROR',
        `MAVI ${endpoint} answered HTTP ${httpStatus} with a success code.`,
        { httpStatus, upstreamCode: code },
      );
    }
    return (parsed as Record<string, unknown>).data;
  }

  const msg = (parsed as Record<string, unknown>).msg;
  return fail(code, typeof msg === 'string' ? msg : null, answer);
}

function fail(code: string, msg: string | null, answer: RawAnswer): never {
  throw errorForMaviCode(code, sanitizeMessage(msg), {
    httpStatus: answer.httpStatus,
    retryAfterSeconds: parseRetryAfter(answer.retryAfter),
  });
}

/** Parses the body as JSON, after removing an SSE `data:` prefix; undefined when it is not JSON. */
export function parseBody(body: string): unknown {
  let text = body.trim();
  if (text.startsWith('data:')) text = text.slice(5).trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** MAVI's code as a four-digit string, or null when the value is not an envelope. */
export function readCode(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const code = (value as Record<string, unknown>).code;
  if (typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 9999) {
    return String(code).padStart(4, '0');
  }
  if (typeof code === 'string' && /^\d{1,4}$/.test(code)) return code.padStart(4, '0');
  if (typeof code === 'string' && code.length > 0 && code.length <= 32) return code;
  return null;
}

/** MAVI's msg, shortened and stripped of control characters, fit to show a client. */
function sanitizeMessage(msg: string | null): string | null {
  if (!msg) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = msg.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean || null;
}

/** Retry-After in seconds (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function describeBody(body: string, parsed: unknown): string {
  if (body.trim() === '') return 'an empty body';
  if (parsed === undefined) {
    return /^\s*</.test(body) ? 'an HTML or XML page' : 'a body that is not JSON';
  }
  return Array.isArray(parsed) ? 'a JSON array' : `JSON of type ${typeof parsed}`;
}

/** Wraps a decoder failure as the UpstreamError clients see. */
export function badData(endpoint: string, error: DecodeError): GatewayError {
  return new UpstreamError(
    'UPSTREAM_BAD_RESPONSE',
    `MAVI ${endpoint} answered with malformed data: ${error.message}.`,
    {
      httpStatus: 200,
      upstreamCode: SUCCESS_CODE,
    },
  );
}
