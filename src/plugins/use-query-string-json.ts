import { createGraphQLError, type Plugin } from 'graphql-yoga';

function notJson(error: unknown): never {
  if (!(error instanceof SyntaxError)) throw error;
  throw createGraphQLError('The "variables" or "extensions" parameter is not valid JSON.', {
    extensions: { code: 'BAD_REQUEST', http: { spec: true, status: 400 } },
  });
}

/**
 * Yoga reads the `variables` and `extensions` of a GET, or of a form-encoded POST, with a bare
 * JSON.parse, so a query string whose values are not JSON was answered as an unexpected
 * error with HTTP 500. This answers 400, as yoga does for a JSON body that does not parse.
 */
export function useQueryStringJson(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      const contentType = request.headers.get('content-type') ?? '';
      const queryString =
        request.method === 'GET' ||
        (request.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded'));
      if (!queryString || !requestParser) return;
      const parse = requestParser;
      setRequestParser((req) =>
        Promise.resolve()
          .then(() => parse(req))
          .catch(notJson),
      );
    },
  };
}
