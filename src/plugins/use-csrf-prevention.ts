import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { Credential } from '../mavi/credential.js';

/**
 * Headers any of which, non-empty, marks a request as sent by a script that could have set
 * it only after a CORS preflight: `graphql-preflight` is this gateway's, `x-graphql-yoga-csrf`
 * what yoga's CSRF plugin asks for, and `apollo-require-preflight` and
 * `x-apollo-operation-name` what Apollo Server's asks for. No client sends one by itself:
 * apollo-upload-client and urql send none unless told to (Apollo's docs tell people to add
 * `Apollo-Require-Preflight: true`), which is why a MAVI credential counts as well (below).
 */
export const DEFAULT_PREFLIGHT_HEADERS = [
  'graphql-preflight',
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'x-apollo-operation-name',
];

/** The content types a browser sends cross-origin without asking first (a "simple" request). */
const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/**
 * Whether the Authorization header holds a MAVI credential. A browser adds an Authorization
 * header by itself only for HTTP authentication (Basic, Digest, NTLM, Negotiate: always a
 * scheme, a space and its parameters, which is never a MAVI credential), and a script that
 * sets one makes the request non-simple, so a browser sends it only after a preflight that
 * CORS_ORIGINS allowed. A request carrying a credential was therefore preflighted or did not
 * come from a browser.
 */
function carriesCredential(request: Request): boolean {
  return Credential.parse(request.headers.get('authorization')).credential !== null;
}

/** Whether a browser would have sent a CORS preflight (which CORS_ORIGINS then governs). */
function preflighted(request: Request, headers: readonly string[]): boolean {
  const contentType = request.headers.get('content-type');
  if (contentType !== null && contentType.trim() !== '') {
    const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!SIMPLE_CONTENT_TYPES.has(essence)) return true;
  }
  return headers.some((name) => (request.headers.get(name) ?? '') !== '') || carriesCredential(request);
}

/**
 * Cross-site request forgery prevention: a GraphQL request a browser could send from another
 * site without a CORS preflight (a GET, or a POST of a form, multipart or text/plain body) is
 * refused unless it shows it was preflighted anyway: it carries a MAVI credential in its
 * Authorization header, or one of `preflightHeaders`. JSON POSTs, GraphiQL's included,
 * always preflight and pass as they are; so do uploads and GETs that carry the caller's key
 * (apollo-upload-client and urql send the headers they are given on every request).
 *
 * This is Apollo Server's rule (a non-simple Content-Type, or a non-empty header from a list),
 * with two differences. Yoga's own plugin differs more: it asks for its one header on every
 * request whose Content-Type is missing or simple, and takes it even when empty.
 * - A MAVI credential counts as a preflight (see carriesCredential). The gateway reads
 *   credentials from that header only, never from cookies, so a forged request, having none,
 *   could not act as anyone anyway; refusing it is defence in depth, and keeps forged
 *   requests from reaching MAVI at all.
 * - GETs that ask for text/event-stream pass: EventSource cannot set headers, a GET cannot
 *   run a mutation (yoga refuses it), and the forger cannot read the stream. urql sends its
 *   queries as GETs within the URL limit, with `text/event-stream` among its Accept types, so
 *   those pass here too.
 */
export function useCSRFPrevention(preflightHeaders: readonly string[] = DEFAULT_PREFLIGHT_HEADERS): Plugin {
  const accepted = preflightHeaders.join(', ');
  return {
    onRequestParse({ request }) {
      const method = request.method.toUpperCase();
      if (method === 'OPTIONS') return;
      if (method === 'GET' && (request.headers.get('accept') ?? '').includes('text/event-stream')) return;
      if (preflighted(request, preflightHeaders)) return;
      throw createGraphQLError(
        `Refused as a possible cross-site request forgery: a ${method} request with ${
          request.headers.get('content-type') ? 'this Content-Type' : 'no Content-Type'
        } must carry a MAVI credential in its Authorization header, or a non-empty header among ${accepted} (e.g. graphql-preflight: 1), or be sent as application/json.`,
        { extensions: { code: 'CSRF_PREVENTED', http: { status: 403 } } },
      );
    },
  };
}
