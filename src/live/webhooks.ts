import type { FetchAPI, Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { decodeTranscriptionCallback, decodeUploadCallback } from '../mavi/callbacks.js';
import { DecodeError } from '../mavi/decode.js';
import { inSpan, SpanKind } from '../tracing.js';
import { CALLBACK_ROUTE, type CallbackPurpose } from './callbacks.js';
import type { LiveService } from './live.js';

/** Callback bodies are a few hundred bytes; a transcription with many segments, some KiB. */
const MAX_CALLBACK_BYTES = 1024 * 1024;

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
 * MAVI's callbacks: POST /webhooks/mavi/upload/<credential id>/<nonce>/<token> with
 * `{videoNo, clientId, status}`, and POST /webhooks/mavi/transcription/<credential id>/<nonce>/<token>
 * with getTranscription's `data` (bare or in its envelope). Each URL was issued for one upload
 * or one task and bound to the videoNo or taskNo MAVI answered with.
 *
 * A missing or wrong token is refused with 401; a body of the wrong shape with 400; a body
 * about another video or task than the URL's (a URL's holder forging events about videos it
 * was not issued for) with 403; a URL that is not bound (the upload failed, or the binding
 * outlived its week) with 410. None of them publishes anything. A valid callback answers 200
 * at once; a repeated or stale one publishes nothing (statuses only change, and never back
 * from PARSE, PARSE_ERROR or FINISH).
 */
export function useMaviWebhooks(opts: { live: LiveService; logger: Logger }): Plugin {
  const { live, logger } = opts;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith('/webhooks/')) return;
      const match = CALLBACK_ROUTE.exec(url.pathname);
      if (!match) {
        endResponse(reply(fetchAPI, 404, { error: 'No such webhook.' }));
        return;
      }
      if (request.method !== 'POST') {
        endResponse(reply(fetchAPI, 405, { error: 'Webhooks take POST.' }));
        return;
      }
      const [, purpose, credentialId, nonce, token] = match as unknown as [
        string,
        CallbackPurpose,
        string,
        string,
        string,
      ];
      // Its own trace (MAVI sends no traceparent), linked to the subscriptions it feeds
      // (live.ts). Never the URL: its path holds the callback's token.
      await inSpan(
        `MAVI callback ${purpose}`,
        { 'mavi.callback.purpose': purpose, 'mavi.credential.id': credentialId },
        async (span) => {
          const answer = (response: Response) => {
            span?.setAttribute('http.response.status_code', response.status);
            if (response.status >= 400) span?.setAttribute('error.type', String(response.status));
            endResponse(response);
          };
          if (!live.verifyCallback(purpose, credentialId, nonce, token)) {
            logger.warn({ purpose }, 'callback refused: bad token');
            answer(reply(fetchAPI, 401, { error: 'The callback token is not valid.' }));
            return;
          }
          try {
            const body = await readJson(request);
            const report =
              purpose === 'upload'
                ? { kind: purpose, callback: decodeUploadCallback(body) }
                : { kind: purpose, callback: decodeTranscriptionCallback(body) };
            const subject = await live.callbackSubject(purpose, credentialId, nonce);
            if (subject === null) {
              logger.warn({ purpose }, 'callback refused: its URL is not bound to an upload or task');
              answer(
                reply(fetchAPI, 410, { error: 'This callback URL is not bound to any upload or task.' }),
              );
              return;
            }
            const about = report.kind === 'upload' ? report.callback.videoNo : report.callback.taskNo;
            if (about !== subject) {
              logger.warn({ purpose }, 'callback refused: about another video or task than its URL');
              answer(
                reply(fetchAPI, 403, {
                  error: `This callback URL was issued for another ${purpose === 'upload' ? 'video' : 'task'}.`,
                }),
              );
              return;
            }
            const published =
              report.kind === 'upload'
                ? await live.recordVideoStatus(credentialId, report.callback.videoNo, report.callback.status)
                : await live.recordTranscription(credentialId, report.callback);
            answer(reply(fetchAPI, 200, { ok: true, published }));
          } catch (error) {
            if (error instanceof DecodeError) {
              answer(
                reply(fetchAPI, 400, {
                  error: `The callback body is not what MAVI sends: ${error.message}.`,
                }),
              );
              return;
            }
            logger.error({ err: (error as Error).message, purpose }, 'callback could not be recorded');
            answer(reply(fetchAPI, 503, { error: 'The callback could not be recorded; send it again.' }));
          }
        },
        { root: true, kind: SpanKind.SERVER },
      );
    },
  };
}
