import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { optionalUrl, paramError, success } from './envelope.js';
import type { Handler } from './state.js';

/** What `calls[].body` holds for an upload: the file's metadata, never its bytes. */
export interface UploadRecord {
  filename: string | undefined;
  mimeType: string | undefined;
  bytes: number;
  aborted: boolean;
}

/**
 * Streams the multipart body through @fastify/busboy, counting the `file` part's bytes and dropping
 * them: a 1 GiB upload costs the simulator no memory, and per chunk only an addition.
 */
export const upload: Handler = (ex, state) => {
  const callbackUri = optionalUrl(ex.query.get('callBackUri') ?? undefined, 'callBackUri');
  const contentType = ex.req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType)) {
    throw paramError(
      `upload needs a multipart/form-data body with a part named file; received content-type ${JSON.stringify(contentType)}`,
    );
  }
  let parser: BusboyInstance;
  try {
    parser = Busboy({ headers: { ...ex.req.headers, 'content-type': contentType } });
  } catch (err) {
    throw paramError(`the multipart body cannot be parsed: ${(err as Error).message}`);
  }
  const record: UploadRecord = { filename: undefined, mimeType: undefined, bytes: 0, aborted: false };
  ex.call.body = record;
  let bytes = 0;
  let sawFile = false;
  const partNames: string[] = [];

  return new Promise((resolve) => {
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      record.bytes = bytes;
      ex.req.unpipe(parser);
      resolve(undefined);
    };

    parser.on('file', (name, stream, filename, _encoding, mimeType) => {
      partNames.push(name);
      // A cut-off body errors the part's stream; the answer is decided by the parser's events.
      stream.on('error', () => {});
      if (name !== 'file' || sawFile) {
        stream.resume();
        return;
      }
      sawFile = true;
      record.filename = filename;
      record.mimeType = mimeType;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
    });
    parser.on('field', (name) => partNames.push(name));
    parser.on('error', (error) => {
      const err = error instanceof Error ? error : new Error(String(error));
      settle();
      // Discard what is left so the answer can go out on a healthy connection.
      ex.req.resume();
      ex.reply(paramError(`the multipart body cannot be parsed: ${err.message}`).toEnvelope());
    });
    parser.on('finish', () => {
      if (settled) return;
      settle();
      if (ex.gone) return;
      if (!sawFile) {
        ex.reply(
          paramError(
            `upload needs a multipart part named file with a filename; received parts ${JSON.stringify(partNames)}`,
          ).toEnvelope(),
        );
        return;
      }
      const video = state.library.registerUpload(
        ex.account!,
        record.filename || 'untitled.mp4',
        bytes,
        callbackUri,
      );
      ex.reply(
        success({
          videoNo: video.videoNo,
          videoName: video.videoName,
          videoStatus: video.status,
          uploadTime: String(video.uploadTime),
        }),
      );
    });
    // The client went away mid-body: no video, and the record says so.
    ex.res.on('close', () => {
      if (settled) return;
      record.aborted = true;
      settle();
      parser.destroy();
    });
    ex.req.pipe(parser);
  });
};
