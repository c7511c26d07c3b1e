import type { MaviEndpoint } from './types.js';

export interface Route {
  endpoint: MaviEndpoint;
  method: 'GET' | 'POST' | 'DELETE';
  /** How the request carries its input. */
  input: 'query' | 'json' | 'multipart';
  /** The token endpoints take no Authorization (they are how you get one). */
  auth: boolean;
}

/** The v1.0 endpoint table (v1.0.md §1); the auth paths gain the leading slash the doc omits. */
export const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/api/serve/video/upload', { endpoint: 'upload', method: 'POST', input: 'multipart', auth: true }],
  ['/api/serve/video/searchDB', { endpoint: 'searchDB', method: 'GET', input: 'query', auth: true }],
  ['/api/serve/video/searchAI', { endpoint: 'searchAI', method: 'POST', input: 'json', auth: true }],
  [
    '/api/serve/video/searchVideoFragment',
    { endpoint: 'searchVideoFragment', method: 'POST', input: 'json', auth: true },
  ],
  ['/api/serve/video/chat', { endpoint: 'chat', method: 'POST', input: 'json', auth: true }],
  [
    '/api/serve/video/subTranscription',
    { endpoint: 'subTranscription', method: 'POST', input: 'json', auth: true },
  ],
  [
    '/api/serve/video/getTranscription',
    { endpoint: 'getTranscription', method: 'GET', input: 'query', auth: true },
  ],
  ['/api/serve/video/delete', { endpoint: 'delete', method: 'DELETE', input: 'json', auth: true }],
  [
    '/auth/api/token/getAccessToken',
    { endpoint: 'getAccessToken', method: 'POST', input: 'json', auth: false },
  ],
  [
    '/auth/api/token/refreshAccessToken',
    { endpoint: 'refreshAccessToken', method: 'POST', input: 'json', auth: false },
  ],
]);

export const MAVI_ENDPOINTS: readonly MaviEndpoint[] = [...ROUTES.values()].map((route) => route.endpoint);
