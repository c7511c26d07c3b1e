import type { Readable } from 'node:stream';
/**
 * The domain as the rest of the gateway sees it: MAVI's quirks (string numbers, FAIL vs
 * PARSE_ERROR, `robot` for the assistant) are already mapped away.
 */

export type VideoStatus = 'PARSE' | 'UNPARSE' | 'PARSE_ERROR';
export type TranscriptionType = 'AUDIO' | 'VIDEO';
export type TranscriptionStatus = 'FINISH' | 'UNFINISHED';

/**
 * A video as one MAVI answer described it. searchDB gives every field; searchAI and
 * searchVideoFragment may leave any but `videoNo` out, in which case the field is undefined
 * (unknown) rather than null (known to be absent), and the schema fills it from searchDB.
 */
export interface VideoRecord {
  videoNo: string;
  name: string | null | undefined;
  status: VideoStatus | undefined;
  uploadedAt: Date | null | undefined;
  durationSeconds: number | null | undefined;
}

export interface ClipRecord {
  videoNo: string;
  video: VideoRecord;
  startSeconds: number;
  endSeconds: number;
  score: number | null;
  /** Position in MAVI's answer, which MAVI sorts by relevance; breaks ties between equal scores. */
  rank: number;
}

export interface VideoPage {
  /** Total number of videos matching the filter. */
  total: number;
  videos: VideoRecord[];
}

export interface VideoListParams {
  /** 1-based. */
  page: number;
  /** 1..200. */
  pageSize: number;
  /** Epoch ms, inclusive bounds on upload time. */
  startTime?: number | undefined;
  endTime?: number | undefined;
  status?: VideoStatus | undefined;
}

export interface ChatTurn {
  user: string;
  assistant: string;
}

export interface ChatRequest {
  videoNos: readonly string[];
  message: string;
  history: readonly ChatTurn[];
}

export interface TranscriptionSegment {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

export interface TranscriptionRecord {
  taskNo: string;
  videoNo: string;
  type: TranscriptionType;
  status: TranscriptionStatus;
  segments: TranscriptionSegment[];
}

export interface AccessTokenRecord {
  accessToken: string;
  refreshToken: string | null;
  expiresIn: number | null;
  refreshExpiresIn: number | null;
  tokenType: string | null;
}

/**
 * A file on its way to MAVI: streamed, never held whole. A Node stream when it comes from the
 * socket (the upload parser), a web stream when it comes from a web File (yoga.fetch).
 */
export interface UploadSource {
  filename: string;
  mimeType: string;
  stream: ReadableStream<Uint8Array> | Readable;
}
