import { nonEmptyString, object, optionalInteger, optionalString } from './decode.js';
import { REDACTED } from './scrub.js';
import type { MaviTransport } from './transport.js';
import type { AccessTokenRecord } from './types.js';

function decodeToken(data: unknown): AccessTokenRecord {
  const d = object(data, 'data');
  return {
    accessToken: nonEmptyString(d.accessToken, 'data.accessToken'),
    refreshToken: optionalString(d.refreshToken, 'data.refreshToken'),
    expiresIn: optionalInteger(d.expiresIn, 'data.expiresIn'),
    refreshExpiresIn: optionalInteger(d.refreshExpiresIn, 'data.refreshExpiresIn'),
    tokenType: optionalString(d.type, 'data.type'),
  };
}

/** getAccessToken: the O2O exchange of clientId + code for tokens. Needs no credential. */
export function obtainAccessToken(
  transport: MaviTransport,
  clientId: string,
  code: string,
  signal?: AbortSignal,
): Promise<AccessTokenRecord> {
  return transport.call('getAccessToken', {
    credential: null,
    signal,
    json: { clientId, code },
    // MAVI's 50-a-day limit is the client's: count it against the clientId.
    quotaSubject: `client:${clientId}`,
    // A code MAVI echoes back (in a refusal's msg) must not reach the answer or a log.
    secrets: [code],
    decode: decodeToken,
  });
}

/** refreshAccessToken: a new access token (MAVI issues no new refresh token). */
export function refreshAccessToken(
  transport: MaviTransport,
  refreshToken: string,
  signal?: AbortSignal,
): Promise<AccessTokenRecord> {
  return transport.call('refreshAccessToken', {
    credential: null,
    signal,
    json: { refreshToken },
    quotaSubject: `refresh:${refreshToken}`,
    secrets: [refreshToken],
    // MAVI issues no new refresh token here; the one sent, echoed back, was scrubbed.
    decode: (data) => {
      const record = decodeToken(data);
      return record.refreshToken === REDACTED ? { ...record, refreshToken: null } : record;
    },
  });
}
