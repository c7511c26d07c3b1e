/**
 * Small, strict readers for MAVI's JSON. Each throws a {@link DecodeError} naming the path of
 * the field and what was found, which the transport turns into an UpstreamError; resolvers
 * never see a half-valid object.
 */

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

type Json = unknown;

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value.length > 24 ? 'a long string' : `the string ${JSON.stringify(value)}`;
  return `a ${typeof value}`;
}

function fail(path: string, expected: string, value: Json): never {
  throw new DecodeError(`${path} should be ${expected} but is ${describe(value)}`);
}

export function object(value: Json, path: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as Record<string, Json>;
}

export function array(value: Json, path: string): Json[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

/** An array that MAVI may leave out or send as null (it documents some as not required). */
export function optionalArray(value: Json, path: string): Json[] {
  return value == null ? [] : array(value, path);
}

export function string(value: Json, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string', value);
  return value;
}

export function nonEmptyString(value: Json, path: string): string {
  const s = string(value, path);
  if (s === '') fail(path, 'a non-empty string', value);
  return s;
}

export function optionalString(value: Json, path: string): string | null {
  return value == null ? null : string(value, path);
}

const NUMERIC = /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * A number MAVI may send as a JSON number or, as it documents for uploadTime, duration and
 * fragment times, as a string of digits.
 */
export function numeric(value: Json, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
  return fail(path, 'a number or a numeric string', value);
}

/** Like {@link numeric}, but absent, null and "" mean "not known". */
export function optionalNumeric(value: Json, path: string): number | null {
  if (value == null || value === '') return null;
  return numeric(value, path);
}

export function optionalInteger(value: Json, path: string): number | null {
  const n = optionalNumeric(value, path);
  if (n !== null && !Number.isInteger(n)) fail(path, 'an integer', value);
  return n;
}

export function oneOf<T extends string>(value: Json, path: string, mapping: Readonly<Record<string, T>>): T {
  const s = string(value, path);
  const mapped = mapping[s];
  if (mapped === undefined) fail(path, `one of ${Object.keys(mapping).join(', ')}`, value);
  return mapped;
}
