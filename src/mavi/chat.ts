import type { Credential } from './credential.js';
import { object, string } from './decode.js';
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
