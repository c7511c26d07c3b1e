/** MAVI's response envelope and business codes (v1.0.md §3.1, §5). */

export interface Envelope {
  code: string;
  msg: string;
  /** Absent on errors and on delete, as upstream. */
  data?: unknown;
}

export const SUCCESS = '0000';
export const PARAM_ERROR = '0001';
export const AUTH_INVALID = '0401';
export const ACCOUNT_DISABLED = '0403';
export const DUPLICATE = '0409';
export const RATE_LIMITED = '0429';

const DEFAULT_MESSAGES: Record<string, string> = {
  [SUCCESS]: 'success',
  [PARAM_ERROR]: 'a parameter is incorrect',
  [AUTH_INVALID]: 'Authorization invalid or incorrect',
  [ACCOUNT_DISABLED]: 'developer account disabled',
  [DUPLICATE]: 'duplicate request not allowed',
  // The one msg the doc quotes verbatim (Rate limits page).
  [RATE_LIMITED]: 'Request has exceeded the limit.',
};

export function defaultMessage(code: string): string {
  return DEFAULT_MESSAGES[code] ?? `error ${code}`;
}

export function success(data?: unknown): Envelope {
  return data === undefined ? { code: SUCCESS, msg: 'success' } : { code: SUCCESS, msg: 'success', data };
}

/** A business error: answered as HTTP 200 with this code, as MAVI does. */
export class MaviError extends Error {
  readonly code: string;
  constructor(code: string, message?: string) {
    super(message ?? defaultMessage(code));
    this.name = 'MaviError';
    this.code = code;
  }

  toEnvelope(): Envelope {
    return { code: this.code, msg: this.message };
  }
}

export function paramError(message: string): MaviError {
  return new MaviError(PARAM_ERROR, message);
}

/** A short rendering of a received value for error messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw paramError(`the request body must be a JSON object; received ${show(body)}`);
  return body;
}

/** A required, non-empty string field. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw paramError(`${field} must be a non-empty string; received ${show(value)}`);
  }
  return value;
}

/** An array of non-empty strings with `min`..`max` items. */
export function requireStringArray(value: unknown, field: string, min: number, max: number): string[] {
  if (!Array.isArray(value))
    throw paramError(`${field} must be an array of strings; received ${show(value)}`);
  if (value.length < min || value.length > max) {
    throw paramError(`${field} must hold ${min} to ${max} items; received ${value.length}`);
  }
  const bad = value.find((item) => typeof item !== 'string' || item === '');
  if (bad !== undefined) throw paramError(`${field} must hold non-empty strings; received ${show(bad)}`);
  return value as string[];
}

/** An optional http(s) URL (callback targets). */
export function optionalUrl(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && /^https?:\/\//i.test(value) && URL.canParse(value)) return value;
  throw paramError(`${field} must be an http(s) URL; received ${show(value)}`);
}
