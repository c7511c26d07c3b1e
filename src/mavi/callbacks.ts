import { nonEmptyString, object, string } from './decode.js';
import { readCode } from './envelope.js';
import { decodeTranscription } from './transcription.js';
import type { TranscriptionRecord, VideoStatus } from './types.js';
import { decodeStatus } from './videos.js';

/** What MAVI POSTs to an upload's callBackUri (v1.0 §7.1): the video and where its parse went. */
export interface UploadCallback {
  videoNo: string;
  status: VideoStatus;
  /** The uploading account, as MAVI names it (not checked: the gateway keeps no account ids). */
  clientId: string;
}

/** The upload callback body `{videoNo, clientId, status}`; status FAIL reads as PARSE_ERROR. */
export function decodeUploadCallback(body: unknown): UploadCallback {
  const o = object(body, 'body');
  return {
    videoNo: nonEmptyString(o.videoNo, 'body.videoNo'),
    status: decodeStatus(o.status, 'body.status'),
    clientId: string(o.clientId, 'body.clientId'),
  };
}

/**
 * What MAVI POSTs to a transcription's callBackURI (§7.2): getTranscription's `data`, bare or
 * inside its `{code, msg, data}` envelope (the docs leave that open, so both are read).
 */
export function decodeTranscriptionCallback(body: unknown): TranscriptionRecord {
  const data = readCode(body) !== null ? (body as { data?: unknown }).data : body;
  return decodeTranscription(data, 'body');
}
