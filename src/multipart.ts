import { Readable, Writable } from 'node:stream';

/**
 * A streaming multipart/form-data parser (RFC 7578 / RFC 2046) for the gateway's uploads.
 *
 * It is a Writable: write the request body into it and it emits a `field` event per text part
 * (its value a string) and a `file` event per file part (a Node Readable of the part's bytes,
 * handed over before they arrive). It replaces busboy, whose boundary search is a Horspool
 * search in JavaScript (the streamsearch package): on a 1 GiB upload that was about a third of
 * the gateway's CPU. Here the delimiter "\r\n--boundary" is found with the native
 * Buffer#indexOf, and file bytes are passed on as views of the chunks that came in.
 *
 * Across chunk edges: a chunk that ends with a partial delimiter (a "\r" and what follows it
 * matching the delimiter's start) keeps only that partial match, at most delimiter-length - 1
 * bytes, and the next chunk is compared against the rest of the delimiter. The delimiter holds
 * its only "\r" at its first byte (a boundary cannot contain CR or LF), so if the comparison
 * fails, no delimiter can start inside the held bytes: they are part data and the search goes
 * on in the new chunk, which no byte is scanned twice beyond.
 *
 * Backpressure: when a file part's stream is over its high-water mark, the write callback is
 * held until the stream is read from (or ends, or is destroyed), so the request is not read
 * faster than the file's consumer takes it.
 */

export interface MultipartLimits {
  /** Largest field value kept, in bytes; a longer value is cut and flagged. Default 1 MiB. */
  fieldSize?: number;
  /** Most text fields; later ones are skipped ('fieldsLimit' is emitted once). */
  fields?: number;
  /** Most file parts; later ones are skipped ('filesLimit' is emitted once). */
  files?: number;
  /** Largest header block of one part, in bytes. Default 16 KiB. */
  headerSize?: number;
}

export interface MultipartOptions {
  /** The request's Content-Type header: multipart/form-data with a boundary parameter. */
  contentType: string;
  limits?: MultipartLimits;
}

export interface FieldInfo {
  /** The value was longer than `limits.fieldSize` and was cut there. */
  valueTruncated: boolean;
  mimeType: string;
}

export interface FileInfo {
  /** The filename parameter (filename* preferred), without any directory part. */
  filename: string | undefined;
  /** The part's Content-Type, lower-cased, without parameters ('text/plain' when absent). */
  mimeType: string;
}

export type FieldListener = (name: string | undefined, value: string, info: FieldInfo) => void;
export type FileListener = (name: string | undefined, stream: Readable, info: FileInfo) => void;

/** The part streams' own behaviour: a read releases the parser's held write callback. */
class PartStream extends Readable {
  /** The parser's write callback, held while this stream's buffer is full. */
  held: (() => void) | null = null;

  override _read(): void {
    this.release();
  }

  release(): void {
    const held = this.held;
    if (held) {
      this.held = null;
      held();
    }
  }
}

const PREAMBLE = 0;
const AFTER_DELIMITER = 1;
const AFTER_DASH = 2;
const PADDING = 3;
const AFTER_CR = 4;
const HEADERS = 5;
const BODY = 6;
const SKIP = 7;
const EPILOGUE = 8;

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** Reads the boundary parameter of a multipart/form-data Content-Type; throws when there is none. */
export function boundaryOf(contentType: string): string {
  const parsed = parseContentType(contentType);
  if (parsed?.type !== 'multipart/form-data') {
    throw new Error('The content type is not multipart/form-data');
  }
  const boundary = parsed.params.get('boundary');
  if (boundary === undefined || boundary.length === 0 || /[\r\n]/.test(boundary)) {
    throw new Error('Multipart: Boundary not found');
  }
  return boundary;
}

export class MultipartParser extends Writable {
  readonly #delimiter: Buffer;
  readonly #fieldSize: number;
  readonly #fieldsLimit: number;
  readonly #filesLimit: number;
  readonly #headerSize: number;

  #state = PREAMBLE;
  /** Bytes of the delimiter matched at the end of the data seen so far. */
  #carry: number;
  /**
   * Header bytes of the current part, after a leading CRLF (so an empty block is CRLF CRLF),
   * as the pieces they came in (copied, so no request chunk is kept alive): joining them on
   * every write would make a header sent a byte at a time cost quadratic time.
   */
  #head: Buffer[] = [CRLF];
  #headLength = CRLF.length;
  /** The last (up to) 3 bytes of {@link #head}: where a CRLF CRLF split across writes begins. */
  #headTail: Buffer = CRLF;

  #fields = 0;
  #files = 0;
  #hitFieldsLimit = false;
  #hitFilesLimit = false;

  // The current part.
  #name: string | undefined;
  #mimeType = 'text/plain';
  #charset: string | undefined;
  #file: PartStream | null = null;
  #field: Buffer[] | null = null;
  #fieldBytes = 0;
  #truncated = false;

  /** The stream whose full buffer holds up the current write, if any. */
  #blocked: PartStream | null = null;
  /** File streams handed out that have not ended or closed. */
  #openFiles = 0;
  #finalCallback: ((error?: Error | null) => void) | null = null;

  constructor(options: MultipartOptions) {
    super();
    const boundary = boundaryOf(options.contentType);
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    const limits = options.limits ?? {};
    this.#fieldSize = limits.fieldSize ?? 1024 * 1024;
    this.#fieldsLimit = limits.fields ?? Number.POSITIVE_INFINITY;
    this.#filesLimit = limits.files ?? Number.POSITIVE_INFINITY;
    this.#headerSize = limits.headerSize ?? 16 * 1024;
    // The body may begin with the first delimiter without the CRLF before it (no preamble).
    this.#carry = 2;
  }

  override on(event: 'field', listener: FieldListener): this;
  override on(event: 'file', listener: FileListener): this;
  override on(event: 'filesLimit' | 'fieldsLimit', listener: () => void): this;
  override on(event: 'close' | 'finish', listener: () => void): this;
  override on(event: 'error', listener: (error: Error) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#blocked = null;
    try {
      this.#consume(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    const blocked = this.#blocked as PartStream | null;
    this.#blocked = null;
    if (blocked && !blocked.destroyed && !blocked.readableEnded) blocked.held = callback;
    else callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#state !== EPILOGUE) {
      callback(new Error('Unexpected end of form'));
      return;
    }
    if (this.#openFiles > 0) this.#finalCallback = callback;
    else callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const failure = error ?? (this.#state === EPILOGUE ? null : new Error('Unexpected end of form'));
    const file = this.#file;
    this.#file = null;
    this.#field = null;
    this.#state = EPILOGUE;
    if (file && !file.destroyed) file.destroy(failure ?? new Error('Unexpected end of file'));
    callback(failure);
  }

  #consume(chunk: Buffer): void {
    const length = chunk.length;
    let pos = 0;
    while (pos < length && !this.destroyed) {
      switch (this.#state) {
        case PREAMBLE:
        case BODY:
        case SKIP:
          pos = this.#scan(chunk, pos);
          break;
        case HEADERS:
          pos = this.#headers(chunk, pos);
          break;
        case EPILOGUE:
          return;
        default:
          this.#afterDelimiter(chunk[pos] as number);
          pos++;
      }
    }
  }

  /** Searches for the delimiter from `pos`; passes the bytes before it on as part data. */
  #scan(chunk: Buffer, pos: number): number {
    const delimiter = this.#delimiter;
    const n = delimiter.length;
    const length = chunk.length;
    const carried = this.#carry;
    if (carried > 0) {
      const want = Math.min(n - carried, length - pos);
      if (chunk.compare(delimiter, carried, carried + want, pos, pos + want) === 0) {
        if (carried + want === n) {
          this.#carry = 0;
          this.#endPart();
          return pos + want;
        }
        this.#carry = carried + want;
        return length;
      }
      // Not a delimiter after all: the held bytes are data, and none of them can start one.
      this.#carry = 0;
      this.#data(Buffer.from(delimiter.subarray(0, carried)), 0, carried);
    }
    const at = chunk.indexOf(delimiter, pos);
    if (at !== -1) {
      if (at > pos) this.#data(chunk, pos, at);
      this.#endPart();
      return at + n;
    }
    // Does the chunk end with the start of a delimiter? It can only start at a CR.
    let end = length;
    let from = Math.max(pos, length - n + 1);
    for (;;) {
      const cr = chunk.indexOf(13, from);
      if (cr === -1) break;
      if (chunk.compare(delimiter, 0, length - cr, cr, length) === 0) {
        end = cr;
        this.#carry = length - cr;
        break;
      }
      from = cr + 1;
    }
    if (end > pos) this.#data(chunk, pos, end);
    return length;
  }

  /** Bytes of the current part (or of the preamble, or of a skipped part). */
  #data(chunk: Buffer, start: number, end: number): void {
    if (this.#state !== BODY) return;
    const file = this.#file;
    if (file) {
      if (file.destroyed) return;
      if (!file.push(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end))) {
        this.#blocked = file;
      }
      return;
    }
    const field = this.#field;
    if (field) {
      const room = this.#fieldSize - this.#fieldBytes;
      const take = Math.min(room, end - start);
      if (take < end - start) this.#truncated = true;
      if (take > 0) {
        // Copied: a small view would keep the whole chunk alive.
        field.push(Buffer.from(chunk.subarray(start, start + take)));
        this.#fieldBytes += take;
      }
    }
  }

  /** A delimiter was found: the current part (if any) is complete. */
  #endPart(): void {
    const file = this.#file;
    const field = this.#field;
    this.#file = null;
    this.#field = null;
    this.#state = AFTER_DELIMITER;
    if (file) {
      file.push(null);
    } else if (field) {
      const bytes = field.length === 1 ? (field[0] as Buffer) : Buffer.concat(field, this.#fieldBytes);
      this.emit('field', this.#name, decode(bytes, this.#charset), {
        valueTruncated: this.#truncated,
        mimeType: this.#mimeType,
      } satisfies FieldInfo);
    }
  }

  /** The bytes right after a delimiter: "--" ends the form, CRLF starts a part's headers. */
  #afterDelimiter(byte: number): void {
    switch (this.#state) {
      case AFTER_DELIMITER:
        if (byte === 0x2d) this.#state = AFTER_DASH;
        else if (byte === 0x0d) this.#state = AFTER_CR;
        else if (byte === 0x20 || byte === 0x09) this.#state = PADDING;
        else this.#state = SKIP;
        return;
      case AFTER_DASH:
        this.#state = byte === 0x2d ? EPILOGUE : SKIP;
        return;
      case PADDING:
        if (byte === 0x0d) this.#state = AFTER_CR;
        else if (byte !== 0x20 && byte !== 0x09) this.#state = SKIP;
        return;
      case AFTER_CR:
        if (byte === 0x0a) {
          this.#state = HEADERS;
          this.#resetHead();
        } else {
          this.#state = SKIP;
        }
        return;
    }
  }

  /** Collects the part's header block up to its blank line, then starts the part. */
  #headers(chunk: Buffer, pos: number): number {
    const heldLength = this.#headLength;
    // The block, after the leading CRLF, may take headerSize bytes and then its closing CRLF CRLF.
    const budget = this.#headerSize + 4 - (heldLength - 2);
    const take = Math.min(budget, chunk.length - pos);
    const slice = chunk.subarray(pos, pos + take);
    // Only the held tail and this slice can hold the end of the block.
    const tail = this.#headTail;
    const window = Buffer.concat([tail, slice]);
    const found = window.indexOf(HEADER_END);
    if (found === -1) {
      if (take >= budget) throw new Error(`Part header too large (over ${this.#headerSize} bytes)`);
      this.#head.push(Buffer.from(slice));
      this.#headLength += take;
      this.#headTail = Buffer.from(window.subarray(Math.max(0, window.length - 3)));
      return pos + take;
    }
    // Where the blank line starts, counted in the whole block (held bytes, then the slice).
    const at = heldLength - tail.length + found;
    const block = at <= 2 ? '' : Buffer.concat([...this.#head, slice]).toString('utf8', 2, at);
    this.#resetHead();
    this.#startPart(block);
    return pos + (at + 4 - heldLength);
  }

  #resetHead(): void {
    this.#head = [CRLF];
    this.#headLength = CRLF.length;
    this.#headTail = CRLF;
  }

  #startPart(block: string): void {
    const headers = parseHeaderBlock(block);
    this.#state = SKIP;
    const disposition = headers.get('content-disposition');
    if (disposition === undefined) return;
    const parsed = parseDisposition(disposition);
    if (parsed?.type !== 'form-data') return;
    const name = parsed.params.get('name');
    const extended = parsed.params.get('filename*');
    let filename = extended !== undefined ? extended : parsed.params.get('filename');
    if (filename !== undefined) filename = basename(filename);

    let mimeType = 'text/plain';
    let charset: string | undefined;
    const contentType = headers.get('content-type');
    if (contentType !== undefined) {
      const type = parseContentType(contentType);
      if (type) {
        mimeType = type.type;
        charset = type.params.get('charset')?.toLowerCase();
      }
    }

    if (mimeType === 'application/octet-stream' || filename !== undefined) {
      if (this.#files >= this.#filesLimit) {
        if (!this.#hitFilesLimit) {
          this.#hitFilesLimit = true;
          this.emit('filesLimit');
        }
        return;
      }
      this.#files++;
      const file = new PartStream();
      this.#openFiles++;
      let closed = false;
      const done = () => {
        // The parser may be waiting on this stream: let it go on (the part's rest is dropped
        // if the stream was destroyed before its end).
        file.release();
        if (closed) return;
        closed = true;
        if (--this.#openFiles === 0 && this.#finalCallback) {
          const callback = this.#finalCallback;
          this.#finalCallback = null;
          process.nextTick(callback);
        }
      };
      file.once('end', done);
      file.once('close', done);
      this.#file = file;
      this.#state = BODY;
      this.emit('file', name, file, { filename, mimeType } satisfies FileInfo);
      return;
    }

    if (this.#fields >= this.#fieldsLimit) {
      if (!this.#hitFieldsLimit) {
        this.#hitFieldsLimit = true;
        this.emit('fieldsLimit');
      }
      return;
    }
    this.#fields++;
    this.#name = name;
    this.#mimeType = mimeType;
    this.#charset = charset;
    this.#field = [];
    this.#fieldBytes = 0;
    this.#truncated = false;
    this.#state = BODY;
  }
}

// ------------------------------------------------------------------ header syntax

/** RFC 7230 token characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters a header value may not hold (HTAB is allowed). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it looks for.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** The part's header block (lines joined by CRLF) as lower-cased names to first values. */
function parseHeaderBlock(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  if (block === '') return headers;
  let name: string | null = null;
  let value = '';
  const flush = () => {
    if (name !== null && !headers.has(name)) headers.set(name, value.replace(/[ \t]+$/, ''));
  };
  for (const line of block.split('\r\n')) {
    if (CONTROL.test(line)) throw new Error('Malformed part header');
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // A folded continuation of the previous value.
      if (name === null) throw new Error('Malformed part header');
      value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    const field = colon === -1 ? '' : line.slice(0, colon);
    if (!TOKEN.test(field)) throw new Error('Malformed part header');
    name = field.toLowerCase();
    value = line.slice(colon + 1).replace(/^[ \t]+/, '');
  }
  flush();
  return headers;
}

/** Reads `; name=value` parameters (values quoted or not) from `i`; undefined when malformed. */
function parseParams(str: string, i: number, params: Map<string, string>): boolean {
  const length = str.length;
  while (i < length) {
    while (i < length && (str[i] === ' ' || str[i] === '\t')) i++;
    if (i === length) return true;
    if (str[i] !== ';') return false;
    i++;
    while (i < length && (str[i] === ' ' || str[i] === '\t')) i++;
    if (i === length) return true;
    const eq = str.indexOf('=', i);
    if (eq === -1) return false;
    const name = str.slice(i, eq).trimEnd().toLowerCase();
    if (!TOKEN.test(name)) return false;
    i = eq + 1;
    while (i < length && (str[i] === ' ' || str[i] === '\t')) i++;
    let value: string;
    if (str[i] === '"') {
      value = '';
      i++;
      let closed = false;
      while (i < length) {
        const c = str[i] as string;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        // A backslash escapes a quote or a backslash; before anything else it is itself
        // (Windows paths sent unescaped).
        if (c === '\\' && (str[i + 1] === '"' || str[i + 1] === '\\')) {
          value += str[i + 1];
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      if (!closed) return false;
    } else {
      const start = i;
      while (i < length && str[i] !== ';' && str[i] !== ' ' && str[i] !== '\t') i++;
      value = str.slice(start, i);
      if (value === '') return false;
    }
    if (name.endsWith('*')) {
      const decoded = decodeExtended(value);
      if (decoded === undefined) return false;
      value = decoded;
    }
    if (!params.has(name)) params.set(name, value);
  }
  return true;
}

/** An RFC 8187 ext-value: charset'language'percent-encoded bytes. */
function decodeExtended(value: string): string | undefined {
  const match = /^([!#$%&+\-^_`{}~0-9A-Za-z]*)'[^']*'(.*)$/.exec(value);
  if (!match) return undefined;
  const charset = (match[1] as string).toLowerCase();
  const encoded = match[2] as string;
  if (!/^(?:[!#$&+\-.^_`|~0-9A-Za-z]|%[0-9A-Fa-f]{2})*$/.test(encoded)) return undefined;
  const bytes = Buffer.from(
    encoded.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  );
  return decode(bytes, charset || 'utf-8');
}

/** `type/subtype` or `type`, then parameters: a Content-Type or a Content-Disposition value. */
const MEDIA_TYPE = /^[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*/;
const DISPOSITION_TYPE = /^[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*/;

/** A header value of a type (lower-cased) and its parameters; undefined when malformed. */
function parseTyped(str: string, type: RegExp): { type: string; params: Map<string, string> } | undefined {
  const match = type.exec(str);
  if (!match) return undefined;
  const params = new Map<string, string>();
  if (!parseParams(str, match[0].length, params)) return undefined;
  return { type: (match[1] as string).toLowerCase(), params };
}

const parseContentType = (str: string) => parseTyped(str, MEDIA_TYPE);
const parseDisposition = (str: string) => parseTyped(str, DISPOSITION_TYPE);

/** A filename without directories (either separator); "." and ".." name nothing. */
function basename(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return base === '.' || base === '..' ? '' : base;
}

function decode(bytes: Buffer, charset: string | undefined): string {
  switch (charset) {
    case undefined:
    case 'utf-8':
    case 'utf8':
      return bytes.toString('utf8');
    case 'latin1':
    case 'iso-8859-1':
    case 'us-ascii':
    case 'ascii':
      return bytes.toString('latin1');
    default:
      try {
        return new TextDecoder(charset).decode(bytes);
      } catch {
        return bytes.toString('utf8');
      }
  }
}
