import type { FetchAPI, Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { DecodeError, nonEmptyString, object, string } from '../mavi/decode.js';
import { readCode } from '../mavi/envelope.js';
import { decodeTranscription } from '../mavi/transcription.js';
import { decodeStatus } from '../mavi/videos.js';
import type { LiveService } from './live.js';
import type { CallbackPurpose, CallbackSigner } from './tokens.js';

/** Callback bodies are a few hundred bytes; a transcription with many segments, some KiB. */
const MAX_CALLBACK_BYTES = 1024 * 1024;
const ROUTE = /^\/webhooks\/mavi\/(upload|transcription)\/([0-9a-f]{32})\/([A-Za-z0-9_-]{10,100})$/;

/**
 * A JSON answer made with the server's own Response class (yoga's fetchAPI): Node's global
 * Response (undici's) would have to be read back through a web stream to be written out,
 * which cost more than the rest of a callback.
 */
function reply(fetchAPI: FetchAPI, status: number, body: Record<string, unknown>): Response {
  return new fetchAPI.Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

async function readJson(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > MAX_CALLBACK_BYTES)
    throw new DecodeError(`the body is larger than ${MAX_CALLBACK_BYTES} bytes`);
  const text = await request.text();
  if (text.length > MAX_CALLBACK_BYTES)
    throw new DecodeError(`the body is larger than ${MAX_CALLBACK_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new DecodeError('the body is not JSON');
  }
}

/**
 * MAVI's callbacks: POST /webhooks/mavi/upload/<credential id>/<token> with
 * `{videoNo, clientId, status}`, and POST /webhooks/mavi/transcription/<credential id>/<token>
 * with getTranscription's `data` (bare or in its envelope; MAVI leaves that open).
 *
 * A missing or wrong token is refused with 401, a body of the wrong shape with 400, and
 * neither publishes anything. A valid callback answers 200 at once; a repeated one publishes
 * nothing new (the live state compares it with the last status).
 */
export function useMaviWebhooks(opts: { live: LiveService; signer: CallbackSigner; logger: Logger }): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith('/webhooks/')) return;
      const match = ROUTE.exec(url.pathname);
      if (!match) {
        endResponse(reply(fetchAPI, 404, { error: 'No such webhook.' }));
        return;
      }
      if (request.method !== 'POST') {
        endResponse(reply(fetchAPI, 405, { error: 'Webhooks take POST.' }));
        return;
      }
      const [, purpose, credentialId, token] = match as unknown as [string, CallbackPurpose, string, string];
      if (!opts.signer.verify(purpose, credentialId, token)) {
        opts.logger.warn({ purpose }, 'callback refused: bad token');
        endResponse(reply(fetchAPI, 401, { error: 'The callback token is not valid.' }));
        return;
      }
      try {
        const body = await readJson(request);
        if (purpose === 'upload') {
          const o = object(body, 'body');
          const videoNo = nonEmptyString(o.videoNo, 'body.videoNo');
          string(o.clientId, 'body.clientId');
          const status = decodeStatus(o.status, 'body.status');
          const published = await opts.live.recordVideoStatus(credentialId, videoNo, status);
          endResponse(reply(fetchAPI, 200, { ok: true, published }));
        } else {
          const wrapped = readCode(body) !== null ? (body as { data?: unknown }).data : body;
          const record = decodeTranscription(wrapped, 'body');
          const published = await opts.live.recordTranscription(credentialId, record);
          endResponse(reply(fetchAPI, 200, { ok: true, published }));
        }
      } catch (error) {
        if (error instanceof DecodeError) {
          endResponse(
            reply(fetchAPI, 400, { error: `The callback body is not what MAVI sends: ${error.message}.` }),
          );
          return;
        }
        opts.logger.error({ err: (error as Error).message, purpose }, 'callback could not be recorded');
        endResponse(reply(fetchAPI, 503, { error: 'The callback could not be recorded; send it again.' }));
      }
    },
  };
}
