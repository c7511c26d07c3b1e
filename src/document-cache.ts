import type { DocumentNode } from 'graphql';

/** Heap a parsed document keeps per lexical token (its Token and AST objects), measured on graphql 16. */
const BYTES_PER_TOKEN = 300;

export interface BoundedCacheOptions<T> {
  /** Most estimated bytes held at once; the least recently used entries go first. */
  maxBytes: number;
  /** Most entries held at once. */
  maxEntries: number;
  /** Estimated bytes an entry keeps alive. */
  cost: (key: string, value: T) => number;
}

/**
 * A least-recently-used cache within a budget of bytes, for yoga's parsed-document and
 * parse-error caches.
 *
 * Yoga's own keep 1024 entries each for an hour, keyed by the whole source, with no bound on
 * size: a document at the 10,000-token limit keeps about 2.5 MiB of AST, so 1024 distinct
 * ones (some 35 MiB of requests) pinned 2.5 GiB, and documents padded to the 1 MiB body limit
 * pinned 1 MiB each in either cache. An entry costing more than an eighth of the budget is
 * not kept: it would push out most of the documents real clients repeat.
 */
export class BoundedCache<T> {
  readonly #entries = new Map<string, { value: T; cost: number }>();
  readonly #opts: BoundedCacheOptions<T>;
  #bytes = 0;

  constructor(opts: BoundedCacheOptions<T>) {
    this.#opts = opts;
  }

  /** Estimated bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // Map order is the recency order: the most recently used last.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: T): void {
    const cost = this.#opts.cost(key, value);
    if (cost > this.#opts.maxBytes / 8) return;
    const previous = this.#entries.get(key);
    if (previous) {
      this.#entries.delete(key);
      this.#bytes -= previous.cost;
    }
    this.#entries.set(key, { value, cost });
    this.#bytes += cost;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#opts.maxBytes && this.#entries.size <= this.#opts.maxEntries) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.cost;
    }
  }
}

/** The source, plus every token and AST node of the document (they stay linked to one another). */
export function documentCost(source: string, document: DocumentNode): number {
  let tokens = 0;
  for (let token = document.loc?.startToken ?? null; token; token = token.next) tokens++;
  return source.length + tokens * BYTES_PER_TOKEN;
}

/**
 * Caches for yoga's `parserAndValidationCache`: up to 32 MiB of parsed documents (hundreds of
 * the operations real clients send) and 8 MiB of parse errors, 1024 entries each as before.
 */
export function documentCaches() {
  return {
    documentCache: new BoundedCache<DocumentNode>({
      maxBytes: 32 * 1024 * 1024,
      maxEntries: 1024,
      cost: documentCost,
    }),
    errorCache: new BoundedCache<unknown>({
      maxBytes: 8 * 1024 * 1024,
      maxEntries: 1024,
      // The error keeps the source (and little else).
      cost: (source) => source.length + 1024,
    }),
  };
}
