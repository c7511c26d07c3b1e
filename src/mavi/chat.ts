import type { Credential } from './credential.js';
import { object, string } from './decode.js';
import { openParsed } from './envelope.js';
import { UpstreamError } from './errors.js';
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
  const answer = await transport.open('chat', {
    credential,
    signal: opts.signal,
    json: chatBody(request, true),
  });
  if (!answer.streaming) {
    const piece = decodePiece(await answer.envelope());
    if (piece) yield piece;
    return;
  }
  // An SSE event's data lines, joined; MAVI sends one JSON envelope per line, so an event is
  // dispatched as soon as its data parses, without waiting for the blank line.
  let event = '';
  for await (const line of answer.lines(opts.idleMs)) {
    let piece: string | null | undefined;
    if (line.startsWith('data:')) {
      event += (event ? '\n' : '') + line.slice(5).trimStart();
      piece = takeEvent(event, false);
    } else if (line === '' && event) {
      piece = takeEvent(event, true);
    } else continue;
    if (piece === undefined) continue;
    event = '';
    if (piece === null) return;
    if (piece) yield answer.relay(piece);
  }
  if (event) {
    const piece = takeEvent(event, true);
    if (piece) yield answer.relay(piece);
  }
}

/**
 * The text of one event's data, parsed once; undefined when it is not complete JSON yet (more
 * data lines may follow), null at `[DONE]`.
 */
function takeEvent(raw: string, final: boolean): string | null | undefined {
  if (raw === '[DONE]' || raw.trim() === '[DONE]') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    if (!final) return undefined;
    throw new UpstreamError('UPSTREAM_BAD_RESPONSE', 'MAVI chat streamed a chunk that is not JSON.', {
      httpStatus: 200,
    });
  }
  const data = openParsed(
    parsed,
    STREAMED,
    'chat',
    () => 'MAVI chat streamed a chunk that is not its envelope.',
  );
  return decodePiece(data);
}

/** Every chunk of a stream arrives under its 200 status, without a Retry-After of its own. */
const STREAMED = { httpStatus: 200, retryAfter: null } as const;

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
