/**
 * MAVI v1.0's endpoints: where each lives, and what the gateway may do with it.
 * `idempotent` endpoints are reads: safe to retry and to share between concurrent callers.
 */
export const ENDPOINTS = {
  upload: { method: 'POST', path: '/api/serve/video/upload', idempotent: false, needsCredential: true },
  searchDB: { method: 'GET', path: '/api/serve/video/searchDB', idempotent: true, needsCredential: true },
  searchAI: { method: 'POST', path: '/api/serve/video/searchAI', idempotent: true, needsCredential: true },
  searchVideoFragment: {
    method: 'POST',
    path: '/api/serve/video/searchVideoFragment',
    idempotent: true,
    needsCredential: true,
  },
  chat: { method: 'POST', path: '/api/serve/video/chat', idempotent: false, needsCredential: true },
  subTranscription: {
    method: 'POST',
    path: '/api/serve/video/subTranscription',
    idempotent: false,
    needsCredential: true,
  },
  getTranscription: {
    method: 'GET',
    path: '/api/serve/video/getTranscription',
    idempotent: true,
    needsCredential: true,
  },
  delete: { method: 'DELETE', path: '/api/serve/video/delete', idempotent: false, needsCredential: true },
  // The docs write these paths without a leading slash; on MAVI's host they sit at the root.
  getAccessToken: {
    method: 'POST',
    path: '/auth/api/token/getAccessToken',
    idempotent: false,
    needsCredential: false,
  },
  refreshAccessToken: {
    method: 'POST',
    path: '/auth/api/token/refreshAccessToken',
    idempotent: false,
    needsCredential: false,
  },
} as const satisfies Record<
  string,
  { method: 'GET' | 'POST' | 'DELETE'; path: string; idempotent: boolean; needsCredential: boolean }
>;

export type Endpoint = keyof typeof ENDPOINTS;

export const ENDPOINT_NAMES = Object.keys(ENDPOINTS) as Endpoint[];

/** MAVI's documented limits (v1.0 §8.2). */
export const LIMITS = {
  /** searchDB pageSize maximum. */
  maxPageSize: 200,
  /** searchVideoFragment videoNos per call (free tier). */
  maxFragmentVideos: 50,
  /** delete videoNos per call. */
  maxDeleteVideos: 500,
} as const;
