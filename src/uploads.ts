import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MIMEType } from 'node:util';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { GraphQLError } from 'graphql';
import { createGraphQLError, type GraphQLParams } from 'graphql-yoga';
import { GatewayError, InvalidParameterError } from './mavi/errors.js';

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
      stream: limitedStream(arrival.file, max, this.key),
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
 * destroyed, which would stop the parser. A part the request body breaks off inside fails as
 * the client's fault (InvalidParameterError), not as MAVI being unreachable.
 */
function limitedStream(file: Readable, max: number, key: string): Readable {
  // Iterated by hand: leaving a for-await loop early would destroy the part.
  const iterator = file[Symbol.asyncIterator]();
  let seen = 0;
  return Readable.from(
    (async function* () {
      try {
        for (;;) {
          let next: IteratorResult<unknown>;
          try {
            next = await iterator.next();
          } catch (error) {
            if (error instanceof GatewayError) throw error;
            throw new InvalidParameterError(
              `The request body broke off inside the file part ${quote(key)}: ${(error as Error).message.replace(/\.$/, '')}.`,
              'file',
            );
          }
          const { done, value } = next;
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
  #broken = false;
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
    // Piped rather than pipeline(): a failed write must not destroy the part, which would stall
    // the parser for good (@fastify/busboy waits for every part stream to end); the rest of
    // the part is drained instead, and its reader, if one comes, sees the failure.
    const file = arrival.file;
    const sink = createWriteStream(path);
    const written = new Promise<void>((resolve, reject) => {
      sink.on('finish', resolve);
      sink.on('error', (error) => {
        file.unpipe(sink);
        file.resume();
        reject(error);
      });
      file.on('error', (error) => {
        sink.destroy();
        reject(error);
      });
    });
    written.catch(() => {});
    file.pipe(sink);
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
  end(error?: InvalidParameterError): void {
    for (const upload of this.uploads.values()) {
      if (!upload.arrived) {
        upload.reject(error ?? new InvalidParameterError(missingPart(upload.key), 'file'));
      }
    }
  }

  /**
   * The body broke the multipart rules after execution began (a part named twice, one the map
   * does not name, a field after the files): parts still awaited fail their readers with the
   * rule, and every part from here on is drained unread.
   */
  breakOff(error: InvalidParameterError): void {
    this.#broken = true;
    this.end(error);
  }

  get broken(): boolean {
    return this.#broken;
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

/** A malformed multipart request, refused before execution: 400, or 413 for a size or count limit. */
function refuse(message: string, status: 400 | 413 = 400): GraphQLError {
  return createGraphQLError(message, {
    extensions: { http: { status }, code: status === 413 ? 'REQUEST_ENTITY_TOO_LARGE' : 'BAD_REQUEST' },
  });
}

/** A value from the request for a message: JSON-quoted, cut at 60 characters. */
function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** What a JSON value is, for a message that must not print it. */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof IncomingUpload) return 'a file';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

function missingPart(key: string): string {
  return `The request has no file part ${quote(key)}, which the map names.`;
}

/** Limits of {@link multipartParser}, in @fastify/busboy's terms. */
export interface MultipartLimits {
  /** Largest text field kept, in bytes; a longer one is cut there and flagged `valueTruncated`. */
  fieldSize: number;
  /** Most file parts; later ones are skipped and 'filesLimit' is emitted. */
  files: number;
  /** Most text fields; later ones are skipped and 'fieldsLimit' is emitted. */
  fields: number;
}

/**
 * Largest header block of a part, in bytes: 16 KiB. A part's headers are a Content-Disposition
 * and a Content-Type; @fastify/busboy keeps at most this much of a block and drops the rest
 * (its own default is 80 KiB).
 */
const PART_HEADER_BYTES = 16 * 1024;

/**
 * The boundary of a multipart/form-data Content-Type, read by WHATWG MIME type rules
 * (node:util's MIMEType: quoted or not, parameters in any case); throws when there is none,
 * or it is empty. The parser is then given the boundary alone, so it cannot read another one.
 */
export function boundaryOf(contentType: string): string {
  const type = new MIMEType(contentType);
  const boundary = type.essence === 'multipart/form-data' ? type.params.get('boundary') : null;
  if (!boundary) throw new Error('no boundary parameter');
  return boundary;
}

/**
 * The multipart/form-data parser: @fastify/busboy, configured as the uploads use it. A
 * Writable: it emits 'field' per text part and 'file' per part with a filename (or typed
 * application/octet-stream), handed over before its bytes arrive, then 'finish' once the body
 * is read and every file stream has ended. Part headers and field values are read as UTF-8,
 * filenames without directories. A file stream whose buffer is full holds up the write
 * (backpressure). Never destroy a file stream while the parser runs: it would wait for that
 * stream to end forever; drain it (resume) instead.
 */
export function multipartParser(contentType: string, limits: MultipartLimits): BusboyInstance {
  const boundary = boundaryOf(contentType);
  return Busboy({
    headers: { 'content-type': `multipart/form-data; boundary="${boundary.replace(/["\\]/g, '\\$&')}"` },
    defCharset: 'utf8',
    limits: { ...limits, headerSize: PART_HEADER_BYTES },
  });
}

/** The spec's order: "operations", then "map", then the file parts. */
type Stage =
  /** Waiting for "operations". */
  | 'operations'
  /** Waiting for "map". */
  | 'map'
  /** Both read; the params are handed over at the first file part or at the body's end. */
  | 'files'
  /** The params are out: resolvers run and read the file parts as they come. */
  | 'running'
  /** Answered with an error; the rest of the body is drained. */
  | 'refused';

/**
 * Parses a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec)
 * without buffering files. `nodeRequest` is the socket-level request when the server runs on
 * node:http; otherwise the web request's body is used.
 *
 * Every way the request can break the spec is answered with a 400 (413 for a size or count
 * limit) naming the rule, as long as it shows before execution starts; the params are handed
 * over at the first file part (or the end of the body), not at the map, so that a second
 * "map", a field among the files' place or a first file part the map does not name is still
 * refused whole. What shows later (a part named twice or not at all in the map, a field after
 * the files, a body that breaks off) fails the uploads still awaited with InvalidParameterError.
 * Either way the rest of the body is drained, so the connection can carry the next request.
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
    let stage: Stage = 'operations';
    let operations: OperationsValue | undefined;
    const refused = (error: GraphQLError) => {
      if (stage === 'refused' || stage === 'running') return;
      stage = 'refused';
      reject(error);
    };
    const run = () => {
      stage = 'running';
      resolve(operations as GraphQLParams | GraphQLParams[]);
    };
    /**
     * The last file part begun, while it may still be coming: a body that ends early can leave
     * only this one unfinished (the parser ends a part before it begins the next).
     */
    let current: Readable | null = null;
    /**
     * The body ended before its closing delimiter (cut short, or the client went away): the
     * uploads still awaited fail, and so does the part it broke off inside, which aborts its
     * upstream request. Not left to the parser: @fastify/busboy 3.2.6 fails only the part it
     * believes current, and the previous file's 'end' (emitted when that file is read to its
     * end, maybe after the next began) clears that belief, so a cut second file would end as
     * if whole (test/upload.test.ts, "a body that breaks off inside a file").
     */
    const cutShort = (message: string, cause: string) => {
      session.end(new InvalidParameterError(message, 'file'));
      // Its reader says "broke off inside the file part <key>: <cause>".
      if (current && !current.readableEnded) current.destroy(new Error(cause));
    };
    /** A rule broken: refused while that is possible, else the uploads still awaited fail. */
    const broken = (message: string, status: 400 | 413 = 400) => {
      if (stage === 'running') session.breakOff(new InvalidParameterError(message, 'file'));
      else refused(refuse(message, status));
    };

    let parser: BusboyInstance;
    try {
      parser = multipartParser(contentType, {
        fieldSize: limits.maxFieldBytes,
        files: limits.maxFiles,
        // Only two are allowed; a few more are read to name the first one out of place.
        fields: 8,
      });
    } catch {
      reject(
        refuse(`The Content-Type must be multipart/form-data with a boundary; got ${quote(contentType)}.`),
      );
      return;
    }

    parser.on('field', (name = '', value, _nameTruncated, valueTruncated) => {
      current = null;
      if (stage === 'refused' || session.broken) return;
      if (stage === 'running') {
        broken(`The multipart field ${quote(name)} comes after the file parts; only files may follow "map".`);
        return;
      }
      if (stage === 'operations' && name !== 'operations') {
        broken(
          name === 'map'
            ? 'The multipart field "operations" must come before "map".'
            : `The first multipart field must be "operations"; got ${quote(name)}.`,
        );
        return;
      }
      if (stage === 'map' && name !== 'map') {
        broken(
          name === 'operations'
            ? 'The multipart field "operations" appears twice.'
            : `The multipart field after "operations" must be "map"; got ${quote(name)}.`,
        );
        return;
      }
      if (stage === 'files') {
        broken(
          name === 'operations' || name === 'map'
            ? `The multipart field ${quote(name)} appears twice.`
            : session.uploads.has(name)
              ? `The part ${quote(name)} is a text field; a file part needs a filename parameter.`
              : `Only file parts may follow "map"; got the field ${quote(name)}.`,
        );
        return;
      }
      if (valueTruncated) {
        broken(`The multipart field ${quote(name)} is larger than ${limits.maxFieldBytes} bytes.`, 413);
        return;
      }
      try {
        if (stage === 'operations') {
          operations = parseOperations(value);
          stage = 'map';
        } else {
          applyMap(operations as OperationsValue, value, session, limits);
          stage = 'files';
        }
      } catch (error) {
        refused(error as GraphQLError);
      }
    });

    parser.on('file', (name = '', file, filename, _encoding, mimeType) => {
      // A body that breaks off inside this part fails it with an 'error' event, emitted and
      // nothing more: a reader that comes later would see the part end, and upload a cut
      // file as whole. Destroyed with it, the part fails every reader, now or later (the
      // parser is done with it: the body has ended). And a part nobody reads (drained, or not
      // opened yet) must not throw it as an uncaught 'error' event, which ends the process.
      file.on('error', (error) => {
        if (!file.destroyed) file.destroy(error);
      });
      current = file;
      const upload = session.uploads.get(name);
      let rule: string | null = null;
      if (stage === 'operations' || stage === 'map') {
        rule =
          name === 'operations' || name === 'map'
            ? `The multipart part ${quote(name)} must be a text field, not a file.`
            : 'File parts must come after the "operations" and "map" fields.';
      } else if (stage !== 'refused' && !session.broken && !session.finished) {
        if (!upload) rule = `The file part ${quote(name)} is not named in the map.`;
        else if (upload.arrived) rule = `The file part ${quote(name)} appears twice.`;
      }
      if (rule === null && stage === 'files') run();
      if (rule !== null || stage !== 'running' || session.broken || session.finished || !upload) {
        // A part nobody may read: out of place, after a refusal or a broken rule, or after the response.
        file.resume();
        if (rule !== null) broken(rule);
        return;
      }
      upload.deliver({
        file,
        filename: filename ?? 'upload',
        mimeType: mimeType || 'application/octet-stream',
        remainingBytes: session.remainingBytes(),
      });
      session.onArrival(upload);
    });

    parser.on('filesLimit', () => {
      broken(`At most ${limits.maxFiles} file parts may be sent in one request.`, 413);
    });
    parser.on('fieldsLimit', () => {
      broken('The multipart request has more text fields than "operations" and "map".');
    });

    parser.on('error', (error) => {
      const reason = error instanceof Error ? error.message : 'parse error';
      const message =
        stage === 'operations'
          ? `The multipart body is malformed: ${reason}, with no "operations" field read; does the body use the Content-Type's boundary, ${quote(boundaryOf(contentType))}?`
          : `The multipart body is malformed: ${reason}.`;
      if (stage === 'running') cutShort(message, reason);
      else refused(refuse(message));
    });

    // The whole body is read and every file part consumed.
    parser.on('finish', () => {
      switch (stage) {
        case 'operations':
          refused(refuse('The multipart request has no "operations" field.'));
          break;
        case 'map':
          refused(refuse('The multipart request has no "map" field after "operations".'));
          break;
        case 'files': {
          const [missing] = session.uploads.keys();
          if (missing === undefined) run();
          else refused(refuse(missingPart(missing)));
          break;
        }
        case 'running':
          session.end();
          break;
      }
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
      const failure = 'The request body ended early: the client closed the request.';
      cutShort(failure, 'the client closed the request');
      parser.destroy(error);
      refused(refuse(failure));
    };
    source.on('error', abort);
    source.on('close', () => {
      if (!source.readableEnded) abort(new Error('The client closed the request before its body ended.'));
    });
    source.pipe(parser);
  });
}

/** `operations` as the spec has it: one operation object, or a batch of them. */
type OperationsValue = Record<string, unknown> | Record<string, unknown>[];

function parseOperations(value: string): OperationsValue {
  let operations: unknown;
  try {
    operations = JSON.parse(value);
  } catch {
    throw refuse('The multipart field "operations" is not valid JSON.');
  }
  if (Array.isArray(operations)) {
    const at = operations.findIndex((op) => typeof op !== 'object' || op === null || Array.isArray(op));
    if (at !== -1) {
      throw refuse(
        `The multipart field "operations" must be an operation object or an array of them; item ${at} is ${kind(operations[at])}.`,
      );
    }
    return operations as Record<string, unknown>[];
  }
  if (typeof operations !== 'object' || operations === null) {
    throw refuse(
      `The multipart field "operations" must be an operation object or an array of them; got ${kind(operations)}.`,
    );
  }
  return operations as Record<string, unknown>;
}

/** Reads the `map` and places an {@link IncomingUpload} at every variables path it names. */
function applyMap(
  operations: OperationsValue,
  value: string,
  session: UploadSession,
  limits: UploadLimits,
): void {
  let map: unknown;
  try {
    map = JSON.parse(value);
  } catch {
    throw refuse(
      'The multipart field "map" is not valid JSON; it must be an object of file keys to arrays of paths, such as {"0":["variables.file"]}.',
    );
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw refuse(
      `The multipart field "map" must be a JSON object of file keys to arrays of paths; got ${kind(map)}.`,
    );
  }
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length > limits.maxFiles) {
    throw refuse(
      `At most ${limits.maxFiles} files may be sent in one request; the map names ${entries.length}.`,
      413,
    );
  }
  for (const [key, paths] of entries) {
    if (!Array.isArray(paths) || paths.length === 0) {
      throw refuse(`The map entry ${quote(key)} must be a non-empty array of paths; got ${kind(paths)}.`);
    }
    const at = paths.findIndex((path) => typeof path !== 'string');
    if (at !== -1) {
      throw refuse(
        `The map entry ${quote(key)} must hold paths as strings; item ${at} is ${kind(paths[at])}.`,
      );
    }
  }
  for (const [key, paths] of entries) {
    const upload = session.register(key);
    for (const path of paths as string[]) place(operations, path, upload);
  }
}

/** Object keys a path may not walk: a JSON object can own them, and writing them would reach a prototype. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * Puts `upload` at `path` ("variables.file", "0.variables.file" in a batch, "variables.files.1"
 * in a list), which must lead into an operation's variables through keys and array indexes
 * that exist, and end at a null placeholder.
 */
function place(operations: OperationsValue, path: string, upload: IncomingUpload): void {
  const segments = path.split('.');
  const variablesAt = Array.isArray(operations) ? 1 : 0;
  if (segments.length < variablesAt + 2 || segments[variablesAt] !== 'variables') {
    throw refuse(
      `The map path ${quote(path)} must lead into the variables of ${Array.isArray(operations) ? 'an operation, as in "0.variables.file"' : 'the operation, as in "variables.file"'}.`,
    );
  }
  let node: unknown = operations;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (FORBIDDEN.has(segment)) throw refuse(`The map path ${quote(path)} may not use ${quote(segment)}.`);
    const exists = Array.isArray(node)
      ? INDEX.test(segment) && Number(segment) < node.length
      : typeof node === 'object' &&
        node !== null &&
        !(node instanceof IncomingUpload) &&
        Object.hasOwn(node, segment);
    if (!exists) {
      throw refuse(`The map path ${quote(path)} does not exist in "operations" (at ${quote(segment)}).`);
    }
    const container = node as Record<string, unknown>;
    if (i < segments.length - 1) {
      node = container[segment];
      continue;
    }
    const current = container[segment];
    if (current instanceof IncomingUpload) {
      throw refuse(`The map path ${quote(path)} is named twice in the map.`);
    }
    if (current !== null) {
      throw refuse(
        `The map path ${quote(path)} must point at a null placeholder; it holds ${kind(current)}.`,
      );
    }
    container[segment] = upload;
  }
}
