import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';

/** A document's SHA-256 as 64 lowercase hex digits: what APQ and the manifests key documents by. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `abc…` or `sha256:abc…` (GraphQL over HTTP's document identifier), 64 hex digits, any case. */
const DOCUMENT_HASH = /^(?:sha256:)?([0-9a-fA-F]{64})$/;

/** The bare lowercase hex of a document hash or identifier, or null when it is not one. */
export function normalizeHash(value: string): string | null {
  const match = DOCUMENT_HASH.exec(value);
  return match ? (match[1] as string).toLowerCase() : null;
}

/**
 * Where automatic persisted queries keep the documents clients registered, by hash. A get
 * that fails (Redis down) answers undefined: the client then sends the document again.
 */
export interface DocumentStore {
  get(hash: string): Promise<string | undefined>;
  set(hash: string, document: string): Promise<void>;
}

/** Heap a cached entry costs beyond its document: the 64-character key and the cache's own slots. */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * Documents in this process, bounded in bytes (a count alone would let a few huge documents
 * take gigabytes): least recently used first out, and none larger than `maxDocumentBytes`.
 */
export class MemoryDocumentStore implements DocumentStore {
  readonly #cache: LRUCache<string, string> | null;
  readonly #maxDocumentBytes: number;

  constructor(opts: { maxBytes: number; maxDocumentBytes: number }) {
    this.#maxDocumentBytes = opts.maxDocumentBytes;
    this.#cache =
      opts.maxBytes > 0
        ? new LRUCache<string, string>({
            maxSize: opts.maxBytes,
            // Documents are mostly ASCII, which V8 keeps one byte per character.
            sizeCalculation: (document) => document.length + ENTRY_OVERHEAD_BYTES,
          })
        : null;
  }

  /** Estimated bytes held now. */
  get bytes(): number {
    return this.#cache?.calculatedSize ?? 0;
  }

  async get(hash: string): Promise<string | undefined> {
    return this.#cache?.get(hash);
  }

  async set(hash: string, document: string): Promise<void> {
    if (Buffer.byteLength(document) > this.#maxDocumentBytes) return;
    this.#cache?.set(hash, document);
  }
}

const REDIS_KEY_PREFIX = 'mavi:apq:';
/** Long enough for a loaded Redis; a request waits no longer than this for a document. */
const REDIS_COMMAND_TIMEOUT_MS = 250;
/** At most one warning per this interval when Redis fails: a request path must not flood the log. */
const WARN_EVERY_MS = 10_000;

/**
 * Documents shared by every instance through Redis, with this instance's memory in front (a
 * hash names one document forever, so a copy is never stale). Each document lives
 * `ttlSeconds` after its last registration and is at most `maxDocumentBytes`; Redis's own
 * memory policy bounds the rest. A Redis that fails or is slow costs a request its
 * registration or lookup, never an error: the client sends the document again.
 */
export class RedisDocumentStore implements DocumentStore {
  readonly #redis: Redis;
  readonly #local: MemoryDocumentStore;
  readonly #ttlSeconds: number;
  readonly #maxDocumentBytes: number;
  readonly #logger: Logger;
  #lastWarn = 0;

  constructor(
    redis: Redis,
    opts: { maxBytes: number; maxDocumentBytes: number; ttlSeconds: number; logger: Logger },
  ) {
    this.#redis = redis;
    this.#local = new MemoryDocumentStore(opts);
    this.#ttlSeconds = opts.ttlSeconds;
    this.#maxDocumentBytes = opts.maxDocumentBytes;
    this.#logger = opts.logger;
  }

  async get(hash: string): Promise<string | undefined> {
    const local = await this.#local.get(hash);
    if (local !== undefined) return local;
    try {
      const shared = await this.#redis.get(REDIS_KEY_PREFIX + hash);
      // A hash names one document: a value that does not match it was not written by us.
      if (shared === null || sha256Hex(shared) !== hash) return undefined;
      await this.#local.set(hash, shared);
      return shared;
    } catch (error) {
      this.#warn(error);
      return undefined;
    }
  }

  async set(hash: string, document: string): Promise<void> {
    if (Buffer.byteLength(document) > this.#maxDocumentBytes) return;
    await this.#local.set(hash, document);
    try {
      await this.#redis.set(REDIS_KEY_PREFIX + hash, document, 'EX', this.#ttlSeconds);
    } catch (error) {
      this.#warn(error);
    }
  }

  #warn(error: unknown): void {
    const now = Date.now();
    if (now - this.#lastWarn < WARN_EVERY_MS) return;
    this.#lastWarn = now;
    this.#logger.warn({ reason: (error as Error).message }, 'APQ Redis command failed');
  }
}

/**
 * Redis for the APQ store: a command waits at most REDIS_COMMAND_TIMEOUT_MS (queued while the
 * connection opens, then failing), so a Redis outage never stalls requests.
 */
export function createDocumentRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: 'mavi-gw-apq',
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  });
  let lastWarn = 0;
  redis.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastWarn < WARN_EVERY_MS) return;
    lastWarn = now;
    logger.warn({ reason: error.message }, 'APQ Redis connection error');
  });
  return redis;
}

/**
 * The documents of one or more manifests, by hash and by text. Two formats are read, both as
 * their tools write them:
 * - GraphQL Code Generator's client preset (`persistedDocuments`): `{ "sha256:<hex>": "<document>" }`
 *   (plain `<hex>` keys too);
 * - Apollo's persisted query manifest: `{ "format": "apollo-persisted-query-manifest",
 *   "version": 1, "operations": [{ "id": "<hex>", "body": "<document>", … }] }`.
 * Every key must be the SHA-256 of its document, so a manifest hashed otherwise (sha1, a
 * custom hash) is refused at start rather than matching nothing.
 */
export class TrustedDocuments {
  readonly #byHash = new Map<string, string>();
  readonly #byText = new Map<string, string>();

  get size(): number {
    return this.#byHash.size;
  }

  /** The trusted document with this hash (bare lowercase hex). */
  byHash(hash: string): string | undefined {
    return this.#byHash.get(hash);
  }

  /** Whether this exact document text is trusted. */
  has(text: string): boolean {
    return this.#byText.has(text);
  }

  add(hash: string, document: string): void {
    this.#byHash.set(hash, document);
    this.#byText.set(document, hash);
  }

  /** Reads manifests; throws one Error naming every file and entry that is wrong. */
  static load(files: readonly string[]): TrustedDocuments {
    const documents = new TrustedDocuments();
    const problems: string[] = [];
    for (const file of files) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        problems.push(`${file}: cannot be read as JSON (${(error as Error).message.slice(0, 200)}).`);
        continue;
      }
      const entries = manifestEntries(parsed);
      if (entries === null) {
        problems.push(
          `${file}: is neither a client preset manifest ({"sha256:<hex>": "<document>"}) nor an Apollo persisted query manifest.`,
        );
        continue;
      }
      let wrong = 0;
      for (const [key, document] of entries) {
        const hash = typeof key === 'string' ? normalizeHash(key) : null;
        if (hash === null || typeof document !== 'string' || sha256Hex(document) !== hash) {
          if (++wrong <= 3) {
            problems.push(
              `${file}: the entry ${JSON.stringify(String(key).slice(0, 80))} is not a document keyed by its SHA-256 (generate the manifest with hashAlgorithm 'sha256').`,
            );
          }
          continue;
        }
        documents.add(hash, document);
      }
      if (wrong > 3) problems.push(`${file}: ${wrong - 3} more entries like these.`);
    }
    if (problems.length > 0) {
      throw new Error(`Invalid TRUSTED_DOCUMENTS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    return documents;
  }
}

function manifestEntries(parsed: unknown): [unknown, unknown][] | null {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  if (record.format === 'apollo-persisted-query-manifest') {
    if (!Array.isArray(record.operations)) return null;
    return record.operations.map((operation: { id?: unknown; body?: unknown } | null) => [
      operation?.id,
      operation?.body,
    ]);
  }
  return Object.entries(record);
}
