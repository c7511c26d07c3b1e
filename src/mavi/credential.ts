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
 * The credentials of recent requests, by id (never by the secret: no cache is keyed by a
 * credential in clear text): an application sends the same key on every request, and one object
 * per key lets what is derived from a credential (the transport's scrubber of it) be built once.
 * Bounded, in memory.
 */
const recent = new LRUCache<string, Credential>({ max: 1024 });

export class Credential {
  readonly #secret: string;
  /** 128 bits of SHA-256 over the secret, hex: stable across instances, safe to log. */
  readonly id: string;

  private constructor(secret: string, id: string) {
    this.#secret = secret;
    this.id = id;
  }

  /** The id of a secret: 128 bits of SHA-256, hex. */
  static idOf(secret: string): string {
    return createHash('sha256').update(secret).digest('hex').slice(0, 32);
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
    const id = Credential.idOf(raw);
    let credential = recent.get(id);
    // A different secret under the same 128-bit id cannot be found in practice; checked anyway,
    // since handing one caller another's credential is the one mistake this must never make.
    if (credential === undefined || credential.#secret !== raw) {
      credential = new Credential(raw, id);
      recent.set(id, credential);
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
