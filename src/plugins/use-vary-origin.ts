import type { Plugin } from 'graphql-yoga';

/**
 * Adds `Vary: Origin` to every response when CORS_ORIGINS lists origins. The CORS headers
 * then depend on the request's Origin (an unlisted one gets none), and yoga writes `Vary` only
 * when several origins are configured: with one, a shared cache could hand a response with
 * that origin's headers to another origin, or one without them to the listed origin.
 */
export function useVaryOrigin(): Plugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (vary === null) response.headers.set('vary', 'Origin');
      else if (!/(^|,)\s*origin\s*(,|$)/i.test(vary)) response.headers.set('vary', `${vary}, Origin`);
    },
  };
}
