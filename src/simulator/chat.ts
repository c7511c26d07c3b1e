import {
  defaultMessage,
  type Envelope,
  isRecord,
  paramError,
  requireObject,
  requireString,
  requireStringArray,
  SUCCESS,
  show,
  success,
} from './envelope.js';
import { JSON_TYPE } from './exchange.js';
import { echoChunks } from './faults.js';
import { score, tokens } from './scoring.js';
import { sceneTokens } from './search.js';
import type { Handler } from './state.js';
import type { SimScene, SimVideo } from './types.js';
import { wireSeconds } from './wire.js';

/** No limit is documented for chat; this only keeps a request from naming the whole world. */
const MAX_CHAT_VIDEOS = 1000;
const WORDS_PER_CHUNK = 3;

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * A deterministic "LLM" answer: the (at most two) scenes that best match the message, then the
 * video's description; without a match, the descriptions themselves.
 */
export function composeAnswer(videos: readonly SimVideo[], message: string): string {
  const query = tokens(message);
  const hits: Array<{ video: SimVideo; scene: SimScene; score: number }> = [];
  for (const video of videos) {
    for (const scene of video.scenes) {
      const s = score(query, sceneTokens(scene));
      if (s > 0) hits.push({ video, scene, score: s });
    }
  }
  hits.sort((a, b) => b.score - a.score);
  const best = hits.slice(0, 2);
  if (best.length === 0) {
    const summaries = videos.map((video) => `"${video.videoName}": ${sentence(video.description)}`).join(' ');
    // A generic question ("what happens?") has no content words: the summary is the answer.
    if (query.size === 0) return summaries;
    const which = videos.length === 1 ? 'this video' : 'these videos';
    return `${summaries} Nothing in ${which} relates directly to "${message.trim()}".`;
  }
  const found = best.map(
    ({ video, scene }) =>
      `From ${wireSeconds(scene.start)}s to ${wireSeconds(scene.end)}s in "${video.videoName}": ${sentence(scene.text)}`,
  );
  return `${found.join(' ')} Overall, ${sentence(best[0]!.video.description.replace(/^A /, 'a '))}`;
}

/** Splits an answer into deltas of a few words; joined back they give the answer exactly. */
export function chunkAnswer(answer: string): string[] {
  const words = answer.split(' ');
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += WORDS_PER_CHUNK) {
    const last = i + WORDS_PER_CHUNK >= words.length;
    chunks.push(words.slice(i, i + WORDS_PER_CHUNK).join(' ') + (last ? '' : ' '));
  }
  return chunks;
}

function sseEvent(envelope: Envelope): string {
  return `data:${JSON.stringify(envelope)}\n\n`;
}

function validateHistory(history: unknown): void {
  if (history === undefined || history === null) return;
  if (!Array.isArray(history))
    throw paramError(`history must be an array of {user, robot}; received ${show(history)}`);
  for (const turn of history) {
    if (!isRecord(turn) || typeof turn.user !== 'string' || typeof turn.robot !== 'string') {
      throw paramError(`history items must be {user: string, robot: string}; received ${show(turn)}`);
    }
  }
}

export const chat: Handler = async (ex, state) => {
  const body = requireObject(ex.body);
  const videoNos = requireStringArray(body.videoNos, 'videoNos', 1, MAX_CHAT_VIDEOS);
  const message = requireString(body, 'message');
  validateHistory(body.history);
  if (typeof body.stream !== 'boolean') {
    throw paramError(`stream must be a boolean (true or false); received ${show(body.stream)}`);
  }
  const videos = [...new Set(videoNos)].map((videoNo) => {
    const video = ex.account!.videos.get(videoNo);
    if (!video) throw paramError(`videoNos must name videos of this account; ${videoNo} is not one`);
    if (video.status !== 'PARSE') {
      throw paramError(`chat needs PARSE videos; ${videoNo} is ${video.status}`);
    }
    return video;
  });
  const answer = composeAnswer(videos, message);

  if (!body.stream) {
    const envelope = success({ msg: answer });
    if (!state.options.chatDataPrefix) return envelope;
    // The live quirk: an SSE prefix on a non-streamed answer (v1.0.md §6.5).
    ex.send(200, `data:${JSON.stringify(envelope)}`, { 'content-type': JSON_TYPE }, SUCCESS);
    return undefined;
  }

  const fault = state.faults.take(
    'chat',
    ex.credential,
    (kind) => kind.type === 'stream-error' || (kind.type === 'echo' && kind.where === 'stream'),
  )?.fault.kind;
  const chunks = chunkAnswer(answer);
  let events = (fault?.type === 'echo' ? echoChunks(ex, fault, chunks) : chunks).map((chunk) =>
    success({ msg: chunk }),
  );
  if (fault?.type === 'stream-error') {
    events = [
      ...events.slice(0, fault.afterChunks),
      { code: fault.code, msg: fault.msg ?? defaultMessage(fault.code) },
    ];
  }
  ex.startStream(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, SUCCESS);
  for (const [i, event] of events.entries()) {
    if (i > 0) await state.timers.sleep(state.options.chatChunkDelayMs);
    // The client went away: stop writing; the call is already marked aborted.
    if (ex.gone) return undefined;
    ex.call.code = event.code;
    ex.res.write(sseEvent(event));
    const data = event.data as { msg?: string } | undefined;
    state.options.onChatChunk({ call: ex.call, index: i, text: data?.msg });
  }
  ex.res.end();
  return undefined;
};
