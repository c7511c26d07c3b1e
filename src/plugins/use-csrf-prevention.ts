import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * Headers any of which, non-empty, marks a request as sent by a script that could have set
 * it only after a CORS preflight. `graphql-preflight` is this gateway's; the other two are
 * what graphql-yoga's and Apollo's clients (apollo-upload-client included) already send.
 */
export const DEFAULT_PREFLIGHT_HEADERS = [
  'graphql-preflight',
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
];

/** The content types a browser sends cross-origin without asking first (a "simple" request). */
const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/** Whether a browser would have sent a CORS preflight (which CORS_ORIGINS then governs). */
function preflighted(request: Request, headers: readonly string[]): boolean {
  const contentType = request.headers.get('content-type');
  if (contentType !== null && contentType.trim() !== '') {
    const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!SIMPLE_CONTENT_TYPES.has(essence)) return true;
  }
  return headers.some((name) => (request.headers.get(name) ?? '') !== '');
}

/**
 * Cross-site request forgery prevention, as yoga's and Apollo's plugins do it: a GraphQL
 * request a browser could send from another site without a CORS preflight (a GET, or a POST
 * of a form, multipart or text/plain body) is refused unless it carries one of
 * `preflightHeaders`. JSON POSTs, GraphiQL's included, always preflight and pass as they are;
 * multipart uploads must send `graphql-preflight: 1`.
 *
 * The gateway reads credentials from the Authorization header, which a browser never adds
 * by itself, so a forged request could not act as anyone; this is defence in depth (and
 * keeps forged requests from reaching MAVI at all).
 *
 * GETs that ask for text/event-stream pass: EventSource cannot set headers, a GET cannot
 * run a mutation (yoga refuses it), and the forger cannot read the stream.
 */
export function useCSRFPrevention(preflightHeaders: readonly string[] = DEFAULT_PREFLIGHT_HEADERS): Plugin {
  return {
    onRequestParse({ request }) {
      const method = request.method.toUpperCase();
      if (method === 'OPTIONS') return;
      if (method === 'GET' && (request.headers.get('accept') ?? '').includes('text/event-stream')) return;
      if (preflighted(request, preflightHeaders)) return;
      throw createGraphQLError(
        `Refused as a possible cross-site request forgery: a ${method} request with ${
          request.headers.get('content-type') ? 'this Content-Type' : 'no Content-Type'
        } must carry a non-empty ${preflightHeaders[0]} header (or be sent as application/json).`,
        { extensions: { code: 'CSRF_PREVENTED', http: { status: 403 } } },
      );
    },
  };
}
