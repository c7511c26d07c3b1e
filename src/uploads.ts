import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGraphQLError, type GraphQLParams } from 'graphql-yoga';
import { InvalidParameterError } from './mavi/errors.js';
import { MultipartParser } from './multipart.js';

/** What an upload looks like once its part has arrived. */
export interface OpenedUpload {
  filename: string;
  mimeType: string;
  stream: ReadableStream<Uint8Array> | Readable;
}

/** Gives up on an opened upload's stream (its bytes are drained, not read). */
export async function discardUpload(upload: OpenedUpload): Promise<void> {
  if (upload.stream instanceof Readable) upload.stream.destroy();
  else await upload.stream.cancel();
}

export interface UploadLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** Most files in one request. */
  maxFiles: number;
  /** Largest `operations` or `map` field, in bytes. */
  maxFieldBytes: number;
}

type Arrival = {
  file: Readable;
  filename: string;
  mimeType: string;
  /** Bytes of the request that were left when this part began (null when unknown). */
  remainingBytes: number | null;
};

/**
 * A file of a GraphQL multipart request (the `File` scalar's value).
 *
 * The parser hands resolvers these before the file bytes arrive: execution starts as soon as
 * `operations` and `map` are read, and {@link open} streams the part straight from the
 * request socket, so a file is never held whole in memory. Backpressure reaches the client:
 * while nobody reads, the socket is paused.
 */
export class IncomingUpload {
  readonly key: string;
  #arrival: Promise<Arrival>;
  #arrive!: (arrival: Arrival) => void;
  #fail!: (error: unknown) => void;
  #opened = false;
  #session: UploadSession;
  /** Set once the part has arrived: the stream to read, or a spool file that holds it. */
  #arrived: Arrival | null = null;

  constructor(key: string, session: UploadSession) {
    this.key = key;
    this.#session = session;
    this.#arrival = new Promise<Arrival>((resolve, reject) => {
      this.#arrive = resolve;
      this.#fail = reject;
    });
    // The session reports a missing part even when no resolver asked for it.
    this.#arrival.catch(() => {});
  }

  get opened(): boolean {
    return this.#opened;
  }

  get arrived(): Arrival | null {
    return this.#arrived;
  }

  /** Called by the session when the parser reaches this part. */
  deliver(arrival: Arrival): void {
    this.#arrived = arrival;
    this.#arrive(arrival);
  }

  /** Called by the session when this part will never arrive. */
  reject(error: unknown): void {
    this.#fail(error);
  }

  /** Replaces the arrived part (after the session spooled it to disk). */
  respool(file: Readable): void {
    if (this.#arrived) this.#arrived = { ...this.#arrived, file };
    this.#arrival = Promise.resolve(this.#arrived as Arrival);
  }

  /**
   * Waits for the part, then returns it as a web stream. Fails with InvalidParameterError
   * when the file is larger than allowed, at the point the limit is passed.
   */
  async open(): Promise<OpenedUpload> {
    if (this.#opened) throw new InvalidParameterError('This file was already read by another field.', 'file');
    this.#opened = true;
    this.#session.waiting(this);
    const arrival = await this.#arrival;
    const max = this.#session.limits.maxFileBytes;
    if (
      arrival.remainingBytes !== null &&
      this.#session.isLastFile(this) &&
      arrival.remainingBytes > max + 4096
    ) {
      arrival.file.resume();
      throw tooLarge(max);
    }
    return {
      filename: arrival.filename,
      mimeType: arrival.mimeType,
      stream: limitedStream(arrival.file, max),
    };
  }
}

function tooLarge(max: number): InvalidParameterError {
  return new InvalidParameterError(`The file is larger than the gateway's limit of ${max} bytes.`, 'file');
}

/**
 * The part's stream, failing once more than `max` bytes pass. Node streams end to end (the
 * socket to MAVI's request): a web stream in between cost a promise round trip per chunk in
 * each direction, a third of the gateway's CPU on a large upload. Ending it early (an upstream
 * failure, the limit) drains the rest of the part so the request can finish; the part is never
 * destroyed, which would stop the parser.
 */
function limitedStream(file: Readable, max: number): Readable {
  // Iterated by hand: leaving a for-await loop early would destroy the part.
  const iterator = file[Symbol.asyncIterator]();
  let seen = 0;
  return Readable.from(
    (async function* () {
      try {
        for (;;) {
          const { done, value } = await iterator.next();
          if (done) return;
          const chunk = value as Buffer;
          seen += chunk.byteLength;
          if (seen > max) throw tooLarge(max);
          yield chunk;
        }
      } finally {
        if (!file.readableEnded) file.resume();
      }
    })(),
    { objectMode: false },
  );
}

/**
 * One multipart request being parsed. Resolves the GraphQL params as soon as `operations` and
 * `map` are read; then hands each file part to its {@link IncomingUpload} as the parser reaches it.
 */
class UploadSession {
  readonly limits: UploadLimits;
  readonly uploads = new Map<string, IncomingUpload>();
  #order: string[] = [];
  #spoolDir: Promise<string> | null = null;
  #finished = false;
  #bytesRead = 0;
  readonly #declaredLength: number | null;

  constructor(limits: UploadLimits, declaredLength: number | null) {
    this.limits = limits;
    this.#declaredLength = declaredLength;
  }

  countBytes(n: number): void {
    this.#bytesRead += n;
  }

  remainingBytes(): number | null {
    return this.#declaredLength === null ? null : this.#declaredLength - this.#bytesRead;
  }

  register(key: string): IncomingUpload {
    const upload = new IncomingUpload(key, this);
    this.uploads.set(key, upload);
    this.#order.push(key);
    return upload;
  }

  isLastFile(upload: IncomingUpload): boolean {
    return this.#order.at(-1) === upload.key;
  }

  /**
   * A resolver waits for `upload`. Parts arrive in body order; if an earlier part has arrived
   * and nobody reads it, the parser is stuck behind it, so that part goes to a temporary file.
   */
  waiting(upload: IncomingUpload): void {
    if (upload.arrived) return;
    for (const other of this.uploads.values()) {
      if (other !== upload && other.arrived && !other.opened) void this.#spool(other);
    }
  }

  /** A part arrived while another part is awaited: spool it so the parser can move on. */
  onArrival(upload: IncomingUpload): void {
    const someoneWaits = [...this.uploads.values()].some((u) => u.opened && !u.arrived);
    if (someoneWaits && !upload.opened) void this.#spool(upload);
  }

  async #spool(upload: IncomingUpload): Promise<void> {
    const arrival = upload.arrived;
    if (!arrival) return;
    this.#spoolDir ??= mkdtemp(join(tmpdir(), 'mavi-upload-'));
    const path = join(await this.#spoolDir, String(this.#order.indexOf(upload.key)));
    const written = pipeline(arrival.file, createWriteStream(path));
    // Readers of a spooled part wait for the whole part to be on disk.
    const reader = Readable.from(
      (async function* () {
        await written;
        yield* createReadStream(path);
      })(),
    );
    upload.respool(reader);
  }

  /** The body ended or failed: parts that never came fail their readers. */
  end(error?: unknown): void {
    for (const upload of this.uploads.values()) {
      if (!upload.arrived) {
        upload.reject(
          error ??
            new InvalidParameterError(`The request has no file part ${JSON.stringify(upload.key)}.`, 'file'),
        );
      }
    }
  }

  get finished(): boolean {
    return this.#finished;
  }

  /**
   * The response is out: discard unread parts, and any that arrive later, so the request body
   * is read to its end and the connection can carry the next request; remove spool files.
   */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const upload of this.uploads.values()) {
      if (upload.arrived && !upload.opened) upload.arrived.file.resume();
    }
    if (this.#spoolDir) {
      void this.#spoolDir.then((dir) => rm(dir, { recursive: true, force: true })).catch(() => {});
    }
  }
}

const sessions = new WeakMap<Request, UploadSession>();

/** Ends the upload session of a request once its response has been produced. */
export function finishUploads(request: Request): void {
  sessions.get(request)?.finish();
}

function badRequest(message: string): Error {
  return createGraphQLError(message, { extensions: { http: { status: 400 } } });
}

/**
 * Parses a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec)
 * without buffering files. `nodeRequest` is the socket-level request when the server runs on
 * node:http; otherwise the web request's body is used.
 */
export function parseMultipartRequest(
  request: Request,
  nodeRequest: IncomingMessage | undefined,
  limits: UploadLimits,
): Promise<GraphQLParams | GraphQLParams[]> {
  const contentType = request.headers.get('content-type') ?? '';
  const declared = Number(request.headers.get('content-length'));
  const session = new UploadSession(limits, Number.isFinite(declared) && declared > 0 ? declared : null);
  sessions.set(request, session);

  return new Promise((resolve, reject) => {
    let operations: unknown;
    let settled = false;
    const settle = (outcome: { params: GraphQLParams | GraphQLParams[] } | { error: Error }) => {
      if (settled) return;
      settled = true;
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.params);
    };

    let parser: MultipartParser;
    try {
      parser = new MultipartParser({
        contentType,
        limits: {
          fieldSize: limits.maxFieldBytes,
          files: limits.maxFiles,
          fields: 16,
        },
      });
    } catch {
      settle({ error: badRequest('The multipart request has no usable boundary.') });
      return;
    }

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) {
        settle({
          error: badRequest(`The multipart field "${name}" is larger than ${limits.maxFieldBytes} bytes.`),
        });
        return;
      }
      if (name === 'operations') {
        try {
          operations = JSON.parse(value);
        } catch {
          settle({ error: badRequest('The multipart field "operations" is not valid JSON.') });
        }
      } else if (name === 'map') {
        if (operations === undefined) {
          settle({ error: badRequest('The multipart field "operations" must come before "map".') });
          return;
        }
        try {
          settle({ params: applyMap(operations, JSON.parse(value), session, limits) });
        } catch (error) {
          settle({
            error: error instanceof Error ? error : badRequest('The multipart field "map" is invalid.'),
          });
        }
      }
    });

    parser.on('file', (name, file, info) => {
      // A part the request ends in the middle of fails with an error; its reader (if any)
      // sees it through its own iteration, and a part nobody reads must not crash the process.
      file.on('error', () => {});
      const upload = name === undefined ? undefined : session.uploads.get(name);
      if (!settled) {
        file.resume();
        settle({ error: badRequest('File parts must come after the "operations" and "map" fields.') });
        return;
      }
      // Parts nobody can read any more (unknown, repeated, or after the response) are discarded.
      if (!upload || upload.arrived || session.finished) {
        file.resume();
        return;
      }
      upload.deliver({
        file,
        filename: info.filename ?? 'upload',
        mimeType: info.mimeType || 'application/octet-stream',
        remainingBytes: session.remainingBytes(),
      });
      session.onArrival(upload);
    });

    parser.on('filesLimit', () => {
      session.end(
        new InvalidParameterError(`At most ${limits.maxFiles} files may be sent in one request.`, 'file'),
      );
    });

    parser.on('close', () => {
      session.end();
      settle({ error: badRequest('The multipart request has no "operations" and "map" fields.') });
    });

    parser.on('error', (error: unknown) => {
      const failure = badRequest(
        `The multipart request is malformed: ${(error as Error).message ?? 'parse error'}.`,
      );
      session.end(failure);
      settle({ error: failure });
    });

    const source: Readable =
      nodeRequest && !nodeRequest.readableEnded && nodeRequest.readableFlowing === null
        ? nodeRequest
        : request.body
          ? // Any web stream (native or @whatwg-node's ponyfill) is async-iterable.
            Readable.from(request.body as unknown as AsyncIterable<Uint8Array>, { objectMode: false })
          : Readable.from([]);

    source.on('data', (chunk: Buffer) => session.countBytes(chunk.byteLength));
    const abort = (error: Error) => {
      // The client went away: every reader of an unfinished part sees the failure, which
      // makes the upstream request fail and abort.
      session.end(error);
      parser.destroy(error);
      settle({ error: badRequest('The request body ended early.') });
    };
    source.on('error', abort);
    source.on('close', () => {
      if (!source.readableEnded) abort(new Error('The client closed the request before its body ended.'));
    });
    source.pipe(parser);
  });
}

/** Places an {@link IncomingUpload} at every variables path the `map` names. */
function applyMap(
  operations: unknown,
  map: unknown,
  session: UploadSession,
  limits: UploadLimits,
): GraphQLParams | GraphQLParams[] {
  if (typeof operations !== 'object' || operations === null) {
    throw badRequest('The multipart field "operations" must be a JSON object or array.');
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw badRequest('The multipart field "map" must be a JSON object of file keys to paths.');
  }
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length > limits.maxFiles) {
    throw badRequest(
      `At most ${limits.maxFiles} files may be sent in one request; the map names ${entries.length}.`,
    );
  }
  for (const [key, paths] of entries) {
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
      throw badRequest(`The map entry ${JSON.stringify(key)} must be a non-empty array of paths.`);
    }
    const upload = session.register(key);
    for (const path of paths as string[]) setPath(operations, path, upload);
  }
  return operations as GraphQLParams | GraphQLParams[];
}

function setPath(target: unknown, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part) || part === '__proto__') {
      throw badRequest(`The map path ${JSON.stringify(path)} does not exist in "operations".`);
    }
    node = (node as Record<string, unknown>)[part];
  }
  const last = parts.at(-1) as string;
  if (typeof node !== 'object' || node === null || last === '__proto__' || last === 'constructor') {
    throw badRequest(`The map path ${JSON.stringify(path)} does not exist in "operations".`);
  }
  if (
    (node as Record<string, unknown>)[last] !== null &&
    (node as Record<string, unknown>)[last] !== undefined
  ) {
    throw badRequest(`The map path ${JSON.stringify(path)} must point at a null placeholder.`);
  }
  (node as Record<string, unknown>)[last] = value;
}
