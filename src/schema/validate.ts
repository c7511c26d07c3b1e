import { InvalidParameterError } from '../mavi/errors.js';

/**
 * Argument checks made before MAVI is called. Each failure is an InvalidParameterError naming
 * the argument path and stating the rule and what was received.
 */

/** Longest prompt the gateway forwards. MAVI documents none; this bounds abuse, not use. */
export const MAX_PROMPT_LENGTH = 2000;
/** Longest chat message or history turn. */
export const MAX_CHAT_TEXT_LENGTH = 8000;
/** Most turns of history sent along with a chat message. */
export const MAX_CHAT_HISTORY = 50;
/** Longest id (videoNo, taskNo) accepted; MAVI's are about 30 characters. */
const MAX_ID_LENGTH = 128;

function shown(value: string): string {
  return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
}

/** Non-blank text of at most `max` characters, trimmed. */
export function text(value: string, field: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new InvalidParameterError(`${field} must not be empty or blank.`, field);
  if (trimmed.length > max) {
    throw new InvalidParameterError(
      `${field} must be at most ${max} characters; got ${trimmed.length}.`,
      field,
    );
  }
  return trimmed;
}

/** One id: non-empty, no whitespace, at most 128 characters. */
export function id(value: string, field: string): string {
  if (value === '' || value.length > MAX_ID_LENGTH || /\s/.test(value)) {
    throw new InvalidParameterError(
      `${field} must be a non-empty id of at most ${MAX_ID_LENGTH} characters without spaces; got ${shown(value)}.`,
      field,
    );
  }
  return value;
}

/** A list of ids: non-empty, each valid, no duplicates, at most `max`. */
export function idList(values: readonly string[], field: string, max = Number.POSITIVE_INFINITY): string[] {
  if (values.length === 0) throw new InvalidParameterError(`${field} must name at least one video.`, field);
  if (values.length > max) {
    throw new InvalidParameterError(`${field} may name at most ${max} videos; got ${values.length}.`, field);
  }
  const seen = new Set<string>();
  values.forEach((value, i) => {
    id(value, `${field}[${i}]`);
    if (seen.has(value)) {
      throw new InvalidParameterError(`${field} names ${shown(value)} more than once.`, `${field}[${i}]`);
    }
    seen.add(value);
  });
  return [...values];
}

/** An integer in [min, max], or `fallback` when not given. */
export function intInRange(
  value: number | null | undefined,
  field: string,
  min: number,
  max: number,
  fallback: number,
) {
  if (value == null) return fallback;
  if (value < min || value > max) {
    throw new InvalidParameterError(`${field} must be from ${min} to ${max}; got ${value}.`, field);
  }
  return value;
}
