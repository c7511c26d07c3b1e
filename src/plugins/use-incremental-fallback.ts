import { type DocumentNode, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The Accept ranges under which yoga can deliver an incremental result (multipart/mixed or SSE). */
function acceptsIncremental(request: Request | undefined): boolean {
  const accept = request?.headers.get('accept');
  if (!accept) return true; // Missing means */*.
  return accept.split(',').some((range) => {
    const type = range.split(';')[0]?.trim().toLowerCase() ?? '';
    return ['*/*', 'multipart/*', 'multipart/mixed', 'text/*', 'text/event-stream'].includes(type);
  });
}

/** The document without @defer and @stream: the same fields, delivered at once. */
function withoutIncremental(document: DocumentNode): DocumentNode {
  return visit(document, {
    Directive(node) {
      return node.name.value === 'defer' || node.name.value === 'stream' ? null : undefined;
    },
  });
}

/**
 * Runs @defer and @stream as plain selections for a client that cannot take an incremental
 * answer (it accepts only application/json or application/graphql-response+json): the
 * directives say a client may get the data later, not that it must. Yoga would answer such a
 * request with an empty 406. Over WebSocket and SSE, results stay incremental.
 */
export function useIncrementalFallback(): Plugin {
  const stripped = new WeakMap<DocumentNode, DocumentNode | null>();
  const plain = (document: DocumentNode): DocumentNode | null => {
    let known = stripped.get(document);
    if (known === undefined) {
      let found = false;
      visit(document, {
        Directive(node) {
          if (node.name.value === 'defer' || node.name.value === 'stream') found = true;
        },
      });
      known = found ? withoutIncremental(document) : null;
      stripped.set(document, known);
    }
    return known;
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (acceptsIncremental(request)) return;
      const document = plain(args.document);
      if (document) setExecuteFn((a) => executeFn({ ...a, document }));
    },
  };
}
