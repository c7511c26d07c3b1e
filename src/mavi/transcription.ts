import type { Credential } from './credential.js';
import { nonEmptyString, numeric, object, oneOf, optionalArray, string } from './decode.js';
import type { MaviTransport } from './transport.js';
import type { TranscriptionRecord, TranscriptionStatus, TranscriptionType } from './types.js';

/** MAVI documents FINISH; one of its SDKs writes FINISHED. */
const STATUS: Readonly<Record<string, TranscriptionStatus>> = {
  FINISH: 'FINISH',
  FINISHED: 'FINISH',
  UNFINISHED: 'UNFINISHED',
};
const TYPE: Readonly<Record<string, TranscriptionType>> = { AUDIO: 'AUDIO', VIDEO: 'VIDEO' };

/**
 * The getTranscription `data` object, which is also what MAVI POSTs to a transcription
 * callback. Segment times are taken as seconds (the unit is undocumented; the simulator and
 * most clients use seconds); the `id` some answers lack is not needed.
 */
export function decodeTranscription(data: unknown, path = 'data'): TranscriptionRecord {
  const d = object(data, path);
  return {
    taskNo: nonEmptyString(d.taskNo, `${path}.taskNo`),
    videoNo: nonEmptyString(d.videoNo, `${path}.videoNo`),
    type: oneOf(d.type, `${path}.type`, TYPE),
    status: oneOf(d.status, `${path}.status`, STATUS),
    segments: optionalArray(d.transcriptions, `${path}.transcriptions`).map((value, i) => {
      const p = `${path}.transcriptions[${i}]`;
      const s = object(value, p);
      return {
        startSeconds: numeric(s.startTime, `${p}.startTime`),
        endSeconds: numeric(s.endTime, `${p}.endTime`),
        text: string(s.content, `${p}.content`),
      };
    }),
  };
}

/** subTranscription: starts a task and returns its taskNo. */
export function requestTranscription(
  transport: MaviTransport,
  credential: Credential | null,
  videoNo: string,
  type: TranscriptionType,
  opts: { callBackURI?: string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<string> {
  return transport.call('subTranscription', {
    credential,
    signal: opts.signal,
    // MAVI documents callBackURI (capital URI) here, unlike upload's callBackUri.
    json: { videoNo, type, ...(opts.callBackURI ? { callBackURI: opts.callBackURI } : {}) },
    // MAVI limits VIDEO and AUDIO transcriptions separately.
    quotaVariant: type,
    decode: (data) => nonEmptyString(object(data, 'data').taskNo, 'data.taskNo'),
  });
}

/** getTranscription. */
export function getTranscription(
  transport: MaviTransport,
  credential: Credential | null,
  taskNo: string,
  signal?: AbortSignal,
): Promise<TranscriptionRecord> {
  return transport.call('getTranscription', {
    credential,
    signal,
    query: { taskNo },
    decode: (data) => decodeTranscription(data),
  });
}
