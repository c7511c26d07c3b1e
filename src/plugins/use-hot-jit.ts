import { useGraphQlJit } from '@envelop/graphql-jit';
import { BREAK, type DocumentNode, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface HotJitOptions {
  /**
   * Executions of one parsed document before it is compiled. Default 20: compiling costs tens
   * of executions' worth of CPU (2.4 ms for operations/videos.graphql ListVideos against about
   * 0.07 ms saved per execution), so only documents clients repeat are worth it, and a client
   * sending ever-new documents never makes the gateway compile.
   */
  threshold?: number;
  /**
   * Largest document source compiled, in characters. Default 8192: compile time grows much
   * faster than execution time with the number of fields (200 aliased lookups, about 30 KB,
   * take 73 ms to compile).
   */
  maxSourceLength?: number;
}

/** Whether the document asks for incremental delivery, which graphql-jit does not implement. */
function incremental(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Executes the documents clients repeat with graphql-jit (through @envelop/graphql-jit):
 * compiled once, the execution of a query or mutation skips most of graphql-js's per-field
 * interpretation. Everything else runs on graphql-js as before: subscriptions, documents with
 * several operations (the plugin's compiled-query cache is keyed by document only, so an
 * operationName could pick the wrong compiled operation), documents with @defer or @stream
 * (graphql-jit would answer them in one piece, or not at all), large documents, and documents
 * not yet executed `threshold` times. Compiled queries live as long as yoga's cache keeps their
 * parsed document.
 */
export function useHotJit(opts: HotJitOptions = {}): Plugin {
  const threshold = opts.threshold ?? 20;
  const maxSourceLength = opts.maxSourceLength ?? 8192;
  // Per parsed document: executions so far, then whether it runs compiled (decided once).
  const state = new WeakMap<DocumentNode, number | boolean>();
  const eligible = (document: DocumentNode): boolean => {
    let operations = 0;
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      if (definition.operation === 'subscription' || ++operations > 1) return false;
    }
    return (
      operations === 1 &&
      (document.loc?.source.body.length ?? Number.POSITIVE_INFINITY) <= maxSourceLength &&
      !incremental(document)
    );
  };
  return useGraphQlJit(
    {},
    {
      enableIf: ({ document }) => {
        const known = state.get(document);
        if (typeof known === 'boolean') return known;
        const seen = (known ?? 0) + 1;
        if (seen < threshold) {
          state.set(document, seen);
          return false;
        }
        const compiled = eligible(document);
        state.set(document, compiled);
        return compiled;
      },
    },
  ) as Plugin;
}
