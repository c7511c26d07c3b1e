import { AUTH_INVALID, MaviError, requireObject, requireString, success } from './envelope.js';
import { ACCESS_TOKEN_TTL_S } from './library.js';
import type { Handler } from './state.js';

/** O2O: trade the latest authorization code of a clientId for tokens (v1.0.md §6.9). */
export const getAccessToken: Handler = (ex, state) => {
  const body = requireObject(ex.body);
  const clientId = requireString(body, 'clientId');
  const code = requireString(body, 'code');
  const tokens = state.library.exchangeCode(clientId, code);
  if (!tokens) {
    throw new MaviError(
      AUTH_INVALID,
      `code must be the latest unused authorization code of clientId ${clientId}; received ${JSON.stringify(code)}`,
    );
  }
  return success(tokens);
};

/** A new access token for a refresh token; no new refresh token (v1.0.md §6.10). */
export const refreshAccessToken: Handler = (ex, state) => {
  const body = requireObject(ex.body);
  const refreshToken = requireString(body, 'refreshToken');
  const accessToken = state.library.refreshAccess(refreshToken);
  if (!accessToken) throw new MaviError(AUTH_INVALID, 'refreshToken is unknown or expired');
  return success({ accessToken, expiresIn: ACCESS_TOKEN_TTL_S, type: 'Bearer' });
};
