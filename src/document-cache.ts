import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Heap a parsed document keeps per lexical token (its Token and AST objects), measured on graphql 16. */
const BYTES_PER_TOKEN = 300;

/** The source, plus every token and AST node of the document (they stay linked to one another). */
export function documentCost(source: string, document: DocumentNode): number {
  let tokens = 0;
  for (let token = document.loc?.startToken ?? null; token; token = token.next) tokens++;
  return source.length + tokens * BYTES_PER_TOKEN;
}

const MiB = 1024 * 1024;

/**
 * Caches for yoga's `parserAndValidationCache`, bounded by the memory they keep: up to 32 MiB
 * of parsed documents (hundreds of the operations real clients send) and 8 MiB of parse
 * errors, 1024 entries each, least recently used first out.
 *
 * Yoga's own keep 1024 entries each for an hour, keyed by the whole source, with no bound on
 * size: a document at the 10,000-token limit keeps about 2.5 MiB of AST, so 1024 distinct
 * ones (some 35 MiB of requests) pinned 2.5 GiB, and documents padded to the 1 MiB body limit
 * pinned 1 MiB each in either cache. An entry costing more than an eighth of the budget is
 * not kept: it would push out most of the documents real clients repeat.
 */
export function documentCaches() {
  return {
    documentCache: new LRUCache<string, DocumentNode>({
      max: 1024,
      maxSize: 32 * MiB,
      maxEntrySize: 4 * MiB,
      sizeCalculation: (document, source) => documentCost(source, document),
    }),
    errorCache: new LRUCache<string, Error>({
      max: 1024,
      maxSize: 8 * MiB,
      maxEntrySize: MiB,
      // The error keeps the source (and little else).
      sizeCalculation: (_error, source) => source.length + 1024,
    }),
  };
}
