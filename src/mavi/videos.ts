import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import type { Credential } from './credential.js';
import {
  DecodeError,
  nonEmptyString,
  numeric,
  object,
  oneOf,
  optionalArray,
  optionalNumeric,
  optionalString,
} from './decode.js';
import { LIMITS } from './endpoints.js';
import type { MaviTransport } from './transport.js';
import type { UploadSource, VideoListParams, VideoPage, VideoRecord, VideoStatus } from './types.js';

/** MAVI spells a failed parse FAIL in listings and callbacks, PARSE_ERROR on its Code page. */
const STATUS_FROM_MAVI: Readonly<Record<string, VideoStatus>> = {
  PARSE: 'PARSE',
  UNPARSE: 'UNPARSE',
  FAIL: 'PARSE_ERROR',
  PARSE_ERROR: 'PARSE_ERROR',
};

/** The searchDB filter value MAVI documents for each status (failure is FAIL there). */
const STATUS_TO_MAVI_FILTER: Readonly<Record<VideoStatus, string>> = {
  PARSE: 'PARSE',
  UNPARSE: 'UNPARSE',
  PARSE_ERROR: 'FAIL',
};

export function decodeStatus(value: unknown, path: string): VideoStatus {
  return oneOf(value, path, STATUS_FROM_MAVI);
}

function toDate(ms: number | null, path: string): Date | null {
  if (ms === null) return null;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new DecodeError(`${path} is not a valid epoch-millisecond time`);
  return date;
}

/**
 * A video object from any MAVI answer. searchDB documents every field as present
 * (`complete`); searchAI and searchVideoFragment may leave any but videoNo out, and a field
 * left out stays undefined so the schema knows to look it up.
 */
export function decodeVideo(value: unknown, path: string, complete: boolean): VideoRecord {
  const o = object(value, path);
  const known = (key: string) => complete || o[key] != null;
  return {
    videoNo: nonEmptyString(o.videoNo, `${path}.videoNo`),
    name: known('videoName') ? optionalString(o.videoName, `${path}.videoName`) : undefined,
    status: known('videoStatus') ? decodeStatus(o.videoStatus, `${path}.videoStatus`) : undefined,
    uploadedAt: known('uploadTime')
      ? toDate(optionalNumeric(o.uploadTime, `${path}.uploadTime`), `${path}.uploadTime`)
      : undefined,
    durationSeconds: known('duration') ? optionalNumeric(o.duration, `${path}.duration`) : undefined,
  };
}

/** searchDB: one page of the account's videos, newest first. */
export function listVideos(
  transport: MaviTransport,
  credential: Credential | null,
  params: VideoListParams,
  signal?: AbortSignal,
): Promise<VideoPage> {
  return transport.call('searchDB', {
    credential,
    signal,
    query: {
      page: params.page,
      pageSize: params.pageSize,
      startTime: params.startTime,
      endTime: params.endTime,
      videoStatus: params.status && STATUS_TO_MAVI_FILTER[params.status],
    },
    decode: (data) => {
      const d = object(data, 'data');
      return {
        total: numeric(d.total, 'data.total'),
        videos: optionalArray(d.videoData, 'data.videoData').map((v, i) =>
          decodeVideo(v, `data.videoData[${i}]`, true),
        ),
      };
    },
  });
}

/** Reads one searchDB page of every video (no filter), e.g. through a request's loader. */
export type PageReader = (page: number, pageSize: number) => Promise<VideoPage>;

/**
 * Videos by number. MAVI has no lookup by videoNo (its searchDB ignores such a filter), so
 * they are found by scanning searchDB at its largest page size, stopping at the page where the
 * last one turns up (or at the end of the library). Numbers not seen are absent from the map.
 */
export async function findVideos(
  videoNos: Iterable<string>,
  readPage: PageReader,
): Promise<Map<string, VideoRecord>> {
  const wanted = new Set(videoNos);
  const found = new Map<string, VideoRecord>();
  if (wanted.size === 0) return found;
  for (let page = 1; ; page++) {
    const result = await readPage(page, LIMITS.maxPageSize);
    for (const video of result.videos) {
      if (wanted.has(video.videoNo)) found.set(video.videoNo, video);
    }
    const exhausted = result.videos.length === 0 || page * LIMITS.maxPageSize >= result.total;
    if (found.size === wanted.size || exhausted) return found;
  }
}

/** Characters a multipart filename cannot carry as-is (the quoting rules browsers follow). */
function quoteFilename(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * upload: MAVI's multipart `file` part, built around the caller's stream so the file passes
 * through chunk by chunk and is never held whole.
 */
export function uploadVideo(
  transport: MaviTransport,
  credential: Credential | null,
  file: UploadSource,
  opts: { callBackUri?: string | undefined; signal?: AbortSignal | undefined },
): Promise<VideoRecord> {
  const boundary = `----mavi-gateway-${crypto.randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoteFilename(file.filename)}"\r\n` +
      `Content-Type: ${file.mimeType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const source =
    file.stream instanceof Readable
      ? file.stream
      : Readable.fromWeb(file.stream as NodeWebReadableStream<Uint8Array>);
  // Pulled as the socket to MAVI drains; ending it early (MAVI answered, the call failed)
  // ends the source too.
  const body = Readable.from(
    (async function* () {
      yield head;
      yield* source;
      yield tail;
    })(),
    { objectMode: false },
  );
  return transport.call('upload', {
    credential,
    signal: opts.signal,
    query: { callBackUri: opts.callBackUri },
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    decode: (data) => decodeVideo(data, 'data', false),
  });
}

/** delete: a bare JSON array of at most 500 videoNos (the caller chunks). */
export async function deleteVideos(
  transport: MaviTransport,
  credential: Credential | null,
  videoNos: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  await transport.call('delete', { credential, signal, json: videoNos, decode: () => undefined });
}
