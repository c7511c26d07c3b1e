/**
 * Automatic persisted queries and trusted documents, in one plugin because they share the
 * lookup by hash: a trusted manifest is a read-only APQ store, and in the refusing mode APQ
 * must register nothing.
 *
 * Written here rather than with @graphql-yoga/plugin-apq: its last release (3.6.2) declares a
 * peer dependency on @graphql-tools/utils 10, which yoga 5.24's own dependency (11) fails, so
 * npm refuses to install it without an override that then flags other packages as invalid; and
 * it stores a document before it is parsed or validated, under whatever key it is sent with.
 * @graphql-yoga/plugin-persisted-operations decides from the request alone whether a
 * document may run, not from the document, so it cannot run a listed document sent in full.
 */
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { GatewayMetrics } from '../metrics.js';
import {
  type DocumentStore,
  normalizeHash,
  sha256Hex,
  type TrustedDocuments,
} from '../persisted-documents.js';
import { preview } from './use-variable-check.js';

export interface PersistedDocumentsOptions {
  /** Where APQ keeps registered documents; null turns APQ off. */
  apq: DocumentStore | null;
  /** Manifests and what to do with documents they do not list; null runs every document. */
  trusted: { documents: TrustedDocuments; mode: 'log' | 'enforce' } | null;
  logger: Logger;
  metrics: GatewayMetrics;
}

/** The request parameter GraphQL over HTTP's persisted documents appendix names: `sha256:<hex>`. */
export const DOCUMENT_ID_PARAM = 'documentId';

/** Distinct unknown documents logged (each once); further ones are only counted. */
const LOGGED_HASHES = 10_000;

type Params = GraphQLParams & { documentId?: unknown };

function requestError(message: string, code: string, status: number, headers?: Record<string, string>) {
  return createGraphQLError(message, {
    extensions: { code, http: { status, spec: false, ...(headers ? { headers } : {}) } },
  });
}

/** The messages are the protocol: Apollo Client and urql match on them (or on the code). */
const notFound = () =>
  // A GET for a hash must not be cached as missing: the client registers the document next.
  requestError('PersistedQueryNotFound', 'PERSISTED_QUERY_NOT_FOUND', 404, { 'Cache-Control': 'no-store' });
const notSupported = () => requestError('PersistedQueryNotSupported', 'PERSISTED_QUERY_NOT_SUPPORTED', 400);

function notTrusted(hash: string | null): Error {
  return requestError(
    hash === null
      ? 'This gateway runs trusted documents only, and no manifest lists this document.'
      : `This gateway runs trusted documents only, and no manifest lists a document with the hash ${hash}.`,
    'DOCUMENT_NOT_TRUSTED',
    400,
  );
}

/** The document's hash from `documentId` or `extensions.persistedQuery`, or null when neither is sent. */
function requestedHash(params: Params, request: Request): string | null {
  let documentId = params.documentId;
  // Yoga's GET parser keeps only the four standard parameters.
  if (documentId === undefined && request.method === 'GET') {
    documentId = new URL(request.url).searchParams.get(DOCUMENT_ID_PARAM) ?? undefined;
  }
  if (documentId !== undefined && documentId !== null) {
    const hash = typeof documentId === 'string' ? normalizeHash(documentId) : null;
    if (hash === null) {
      throw requestError(
        `documentId must be "sha256:" and 64 hex digits; got ${preview(documentId)}.`,
        'PERSISTED_QUERY_INVALID',
        400,
      );
    }
    return hash;
  }
  const persisted = (params.extensions as Record<string, unknown> | undefined)?.persistedQuery;
  if (persisted === undefined || persisted === null) return null;
  const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
  const hash = typeof sha256Hash === 'string' ? normalizeHash(sha256Hash) : null;
  if (version !== 1 || hash === null) {
    throw requestError(
      `extensions.persistedQuery must be {"version": 1, "sha256Hash": <64 hex digits>}; got version ${preview(version)} and sha256Hash ${preview(sha256Hash)}.`,
      'PERSISTED_QUERY_INVALID',
      400,
    );
  }
  return hash;
}

/**
 * Persisted documents as Apollo Client's PersistedQueryLink, urql's persistedExchange and
 * GraphQL Code Generator's client preset send them:
 *
 * - A hash alone (`extensions.persistedQuery.sha256Hash`, or `documentId`) runs the trusted
 *   document or the registered one with that hash; an unknown one answers
 *   PersistedQueryNotFound (HTTP 404, not cacheable), and the client sends the document.
 * - A document with its hash is checked against it (PersistedQueryMismatch otherwise) and
 *   registered once it has been validated, so junk is never stored.
 * - With trusted documents, every document that is parsed, whatever the transport (HTTP, SSE,
 *   WebSocket), is looked up by its exact text: an unknown one is logged (once per document)
 *   and counted, and refused in the `enforce` mode, where APQ neither registers nor looks up
 *   anything but the manifests.
 */
export function usePersistedDocuments(opts: PersistedDocumentsOptions): Plugin {
  const { apq, trusted, logger } = opts;
  const enforcing = trusted?.mode === 'enforce';
  const registering = apq !== null && !enforcing;
  // Keyed by yoga's per-operation context object, which onParams and onValidate both see.
  const toRegister = new WeakMap<object, { hash: string; document: string }>();
  const logged = new LRUCache<string, true>({ max: LOGGED_HASHES });
  const name = 'mavi_gateway_untrusted_documents_total';
  const untrusted =
    (opts.metrics.registry.getSingleMetric(name) as Counter<'action'> | undefined) ??
    new Counter({
      name,
      help: 'Documents no trusted manifest lists, by what the gateway did with them (allowed or refused).',
      labelNames: ['action'],
      registers: [opts.metrics.registry],
    });

  return {
    async onParams({ params, request, setParams, context }) {
      // A batch may hold anything (null, a number): yoga's own parameter check answers those.
      if (typeof params !== 'object' || params === null) return;
      const hash = requestedHash(params as Params, request);
      if (hash === null) return;
      if (params.query == null || params.query === '') {
        const document =
          trusted?.documents.byHash(hash) ?? (apq !== null && !enforcing ? await apq.get(hash) : undefined);
        if (document === undefined) {
          if (enforcing) throw notTrusted(hash);
          throw apq === null && (params as Params).documentId === undefined ? notSupported() : notFound();
        }
        setParams({ ...params, query: document });
        return;
      }
      // Not a string: yoga's own parameter check answers.
      if (typeof params.query !== 'string') return;
      if (sha256Hex(params.query) !== hash) {
        throw requestError(
          `PersistedQueryMismatch: the document's SHA-256 is not ${hash}.`,
          'PERSISTED_QUERY_MISMATCH',
          400,
        );
      }
      if (registering && trusted?.documents.byHash(hash) === undefined) {
        toRegister.set(context, { hash, document: params.query });
      }
    },
    onParse({ params, context }) {
      if (trusted === null) return;
      const text = typeof params.source === 'string' ? params.source : params.source.body;
      if (trusted.documents.has(text)) return;
      untrusted.inc({ action: enforcing ? 'refused' : 'allowed' });
      const hash = sha256Hex(text);
      if (!logged.has(hash)) {
        logged.set(hash, true);
        const operationName = (context as { params?: GraphQLParams }).params?.operationName ?? null;
        // The hash and the operation name, never the text: it may hold literal arguments.
        logger.warn(
          {
            documentHash: hash,
            operationName: typeof operationName === 'string' ? operationName.slice(0, 100) : null,
            mode: trusted.mode,
          },
          enforcing ? 'untrusted document refused' : 'untrusted document allowed',
        );
      }
      if (enforcing) throw notTrusted(null);
    },
    onValidate({ context }) {
      const pending = toRegister.get(context);
      if (!pending || apq === null) return;
      toRegister.delete(context);
      return ({ valid }) => {
        if (!valid) return;
        apq.set(pending.hash, pending.document).catch((error: unknown) => {
          logger.warn({ reason: (error as Error).message }, 'APQ registration failed');
        });
      };
    },
  };
}
