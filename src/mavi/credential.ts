import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { LRUCache } from 'lru-cache';

/** A header value MAVI can receive: visible ASCII, no spaces or control characters. */
const CREDENTIAL_SHAPE = /^[\x21-\x7e]{1,4096}$/;

/**
 * The caller's MAVI credential (an API key or an access token).
 *
 * The secret is held in a private field and only {@link reveal} returns it, for the one place
 * that writes the upstream Authorization header. Everything else (cache keys, pollers,
 * governor buckets, logs) uses {@link id}, a SHA-256 digest that cannot be turned back into
 * the secret. Printing, logging or JSON-encoding a Credential shows only the id.
 */
/**
 * The credentials of recent requests, by secret: an application sends the same key on every
 * request, and one object per key spares each request the SHA-256 of its id and lets what is
 * derived from a credential (the transport's scrubber of it) be built once. In memory only,
 * bounded, like the secrets the requests in flight hold anyway.
 */
const recent = new LRUCache<string, Credential>({ max: 1024 });

export class Credential {
  readonly #secret: string;
  /** 128 bits of SHA-256 over the secret, hex: stable across instances, safe to log. */
  readonly id: string;

  private constructor(secret: string) {
    this.#secret = secret;
    this.id = createHash('sha256').update(secret).digest('hex').slice(0, 32);
  }

  /**
   * Reads an Authorization value: a raw key or token, or `Bearer <token>` (MAVI's docs show
   * both; MAVI is sent the raw form, which every working client uses).
   */
  static parse(value: string | null | undefined): CredentialParse {
    if (value == null) return { credential: null, problem: 'missing' };
    let raw = value.trim();
    if (/^bearer\s/i.test(raw)) raw = raw.slice(6).trim();
    if (raw === '') return { credential: null, problem: 'missing' };
    if (!CREDENTIAL_SHAPE.test(raw)) return { credential: null, problem: 'malformed' };
    let credential = recent.get(raw);
    if (credential === undefined) {
      credential = new Credential(raw);
      recent.set(raw, credential);
    }
    return { credential, problem: null };
  }

  /** The secret itself. Only the upstream transport may call this. */
  reveal(): string {
    return this.#secret;
  }

  toString(): string {
    return `Credential(${this.id})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

export type CredentialParse =
  | { credential: Credential; problem: null }
  | { credential: null; problem: 'missing' | 'malformed' };
