import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics.js';

/**
 * Serves `GET /metrics` in Prometheus's text format, through yoga so tests reach it with
 * yoga.fetch. It shows operation counts, endpoint names and response codes, never a
 * credential; keep it off the public network if even those should stay private.
 */
export function useMetricsEndpoint(metrics: GatewayMetrics, path = '/metrics'): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      const { contentType, body } = await metrics.expose();
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
          status: 200,
          headers: { 'content-type': contentType, 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
