import type { Credential } from './credential.js';
import { object, string } from './decode.js';
import { openEnvelope, readCode } from './envelope.js';
import { GatewayError, UpstreamError } from './errors.js';
import type { MaviTransport } from './transport.js';
import type { ChatRequest } from './types.js';

/** MAVI's chat body; `robot` is its name for the assistant's earlier turns. */
export function chatBody(request: ChatRequest, stream: boolean) {
  return {
    videoNos: request.videoNos,
    message: request.message,
    history: request.history.map((turn) => ({ user: turn.user, robot: turn.assistant })),
    stream,
  };
}

/** chat with stream=false; the answer may arrive behind a `data:` prefix (handled by the envelope). */
export function chat(
  transport: MaviTransport,
  credential: Credential | null,
  request: ChatRequest,
  signal?: AbortSignal,
): Promise<string> {
  return transport.call('chat', {
    credential,
    signal,
    json: chatBody(request, false),
    decode: (data) => string(object(data, 'data').msg, 'data.msg'),
  });
}

/**
 * chat with stream=true: yields each piece of the answer the moment MAVI sends it.
 *
 * MAVI's stream is `data:{envelope}` lines (one envelope per delta); the end marker and
 * content type are undocumented, so the body ends the stream, a `[DONE]` line is tolerated,
 * and an answer that is a plain envelope (MAVI refusing before streaming) is read as one.
 * A non-0000 code mid-stream throws its typed error. Aborting `signal` (the client went
 * away) aborts the upstream request. `idleMs` bounds the wait for each next piece.
 */
export async function* chatStream(
  transport: MaviTransport,
  credential: Credential | null,
  request: ChatRequest,
  opts: { signal: AbortSignal; idleMs: number },
): AsyncGenerator<string> {
  const response = await transport.open('chat', {
    credential,
    signal: opts.signal,
    json: chatBody(request, true),
  });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.includes('text/event-stream') || !response.body) {
    const body = await response.text().catch((error: unknown) => {
      throw broken(error, opts.signal, response.status);
    });
    const data = openEnvelope(
      { httpStatus: response.status, retryAfter: response.headers.get('retry-after'), body },
      'chat',
    );
    const piece = decodePiece(data);
    if (piece) yield piece;
    return;
  }

  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = '';
  try {
    for (;;) {
      const { done, value } = await withIdleLimit(reader.read(), opts.idleMs).catch((error: unknown) => {
        throw broken(error, opts.signal, response.status);
      });
      if (done) break;
      buffer += value;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line.startsWith('data:')) {
          event += (event ? '\n' : '') + line.slice(5).trimStart();
          // MAVI sends one JSON envelope per line: dispatch as soon as it parses.
          const piece = takeEvent(event);
          if (piece !== undefined) {
            event = '';
            if (piece === null) return;
            if (piece) yield piece;
          }
        } else if (line === '' && event) {
          const piece = takeEvent(event, true);
          event = '';
          if (piece === null) return;
          if (piece) yield piece;
        }
      }
    }
    if (event) {
      const piece = takeEvent(event, true);
      if (piece) yield piece;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The text of one chunk's data; undefined when it is not complete JSON yet, null at `[DONE]`. */
function takeEvent(raw: string, final = false): string | null | undefined {
  if (raw.trim() === '[DONE]') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    if (!final) return undefined;
    throw new UpstreamError('UPSTREAM_BAD_RESPONSE', 'MAVI chat streamed a chunk that is not JSON.', {
      httpStatus: 200,
    });
  }
  const code = readCode(parsed);
  if (code === null) {
    throw new UpstreamError('UPSTREAM_BAD_RESPONSE', 'MAVI chat streamed a chunk that is not its envelope.', {
      httpStatus: 200,
    });
  }
  const data = openEnvelope({ httpStatus: 200, retryAfter: null, body: raw }, 'chat');
  return decodePiece(data);
}

function decodePiece(data: unknown): string {
  if (data == null) return '';
  const msg = (data as { msg?: unknown }).msg;
  if (typeof msg !== 'string') {
    throw new UpstreamError('UPSTREAM_BAD_RESPONSE', 'MAVI chat streamed a chunk without data.msg text.', {
      httpStatus: 200,
      upstreamCode: '0000',
    });
  }
  return msg;
}

/**
 * A body that breaks off while being read (MAVI reset the connection) is MAVI being
 * unreachable, as transport.ts says for other answers; fetch's own TypeError would reach
 * the client as "Unexpected error.". The subscriber going away is left as it is.
 */
function broken(error: unknown, signal: AbortSignal, httpStatus: number): unknown {
  if (error instanceof GatewayError || signal.aborted) return error;
  const message = 'The connection to MAVI chat broke while reading its answer.';
  return new UpstreamError('UPSTREAM_UNREACHABLE', message, { httpStatus });
}

function withIdleLimit<T>(read: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UpstreamError('UPSTREAM_TIMEOUT', `MAVI chat sent nothing for ${ms} ms mid-stream.`)),
      ms,
    );
  });
  return Promise.race([read, limit]).finally(() => clearTimeout(timer));
}
