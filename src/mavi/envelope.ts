import type { DecodeError } from './decode.js';
import {
  errorForMaviCode,
  type GatewayError,
  maviCodeForHttpStatus,
  SUCCESS_CODE,
  UpstreamError,
} from './errors.js';
import { scrubSecrets } from './scrub.js';

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
 *
 * The HTTP status decides first: a non-2xx status that stands for a MAVI code (401, 403, 409,
 * 429) is that code's error whatever the body says; any other non-2xx is UPSTREAM_HTTP_ERROR
 * (retryable for 5xx), with the body's code as upstreamCode when it carried one. Only a 2xx
 * answer is read as MAVI's business answer.
 */
export function openEnvelope(answer: RawAnswer, endpoint: string): unknown {
  const parsed = parseBody(answer.body);
  return openParsed(parsed, answer, endpoint, () => {
    const what = describeBody(answer.body, parsed);
    return `MAVI ${endpoint} answered HTTP ${answer.httpStatus} with ${what}, not its {code, msg, data} envelope.`;
  });
}

/**
 * {@link openEnvelope} for an answer already parsed (undefined: not JSON), such as a streamed
 * chat chunk; `notEnvelope` words the UPSTREAM_BAD_RESPONSE of a 2xx answer without a code.
 */
export function openParsed(
  parsed: unknown,
  answer: Omit<RawAnswer, 'body'>,
  endpoint: string,
  notEnvelope: () => string,
): unknown {
  const { httpStatus } = answer;
  const code = readCode(parsed);
  if (httpStatus < 200 || httpStatus >= 300) {
    const statusCode = maviCodeForHttpStatus(httpStatus);
    // MAVI's msg belongs to its code: it is shown only when the body agrees with the status.
    if (statusCode) return fail(statusCode, code === statusCode ? messageOf(parsed) : null, answer);
    const also = code === null ? '' : ` with code ${code}`;
    throw new UpstreamError('UPSTREAM_HTTP_ERROR', `MAVI ${endpoint} answered HTTP ${httpStatus}${also}.`, {
      httpStatus,
      upstreamCode: code,
    });
  }
  if (code === null) throw new UpstreamError('UPSTREAM_BAD_RESPONSE', notEnvelope(), { httpStatus });
  if (code === SUCCESS_CODE) return (parsed as Record<string, unknown>).data;
  return fail(code, messageOf(parsed), answer);
}

function messageOf(parsed: unknown): string | null {
  const msg = (parsed as Record<string, unknown>).msg;
  return typeof msg === 'string' ? msg : null;
}

function fail(code: string, msg: string | null, answer: Omit<RawAnswer, 'body'>): never {
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

/**
 * MAVI's code as a four-digit string, or null when the value is not an envelope. A code is one
 * to four digits, as a string or a number (MAVI's are "0000" to "0429"; clients have seen them
 * without leading zeros): anything else in `code` is not echoed anywhere, as it could be
 * anything MAVI put there, the caller's credential included.
 */
export function readCode(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const code = (value as Record<string, unknown>).code;
  if (typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 9999) {
    return String(code).padStart(4, '0');
  }
  if (typeof code === 'string' && /^\d{1,4}$/.test(code)) return code.padStart(4, '0');
  return null;
}

/**
 * MAVI's msg, fit to show a client: stripped of control characters, of anything shaped like a
 * credential (the caller's own is already gone: the transport scrubs the raw answer), and
 * shortened.
 */
function sanitizeMessage(msg: string | null): string | null {
  if (!msg) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = scrubSecrets(msg.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim());
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
