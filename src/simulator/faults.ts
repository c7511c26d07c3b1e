import { defaultMessage, isRecord, show, success } from './envelope.js';
import { type Exchange, JSON_TYPE } from './exchange.js';
import { MAVI_ENDPOINTS } from './routes.js';
import type { EchoForm, EchoPlace, Fault, FaultKind, MaviEndpoint } from './types.js';

/** A registered fault with its remaining uses (the caller's object is never mutated). */
export interface ActiveFault {
  readonly fault: Fault;
  remaining: number | undefined;
}

const BODY_KINDS = ['html', 'truncated', 'empty', 'garbage', 'wrong-types', 'not-envelope'] as const;
export const ECHO_PLACES: readonly EchoPlace[] = ['msg', 'code', 'data', 'html', 'header', 'stream'];
export const ECHO_FORMS: readonly EchoForm[] = [
  'raw',
  'bearer',
  'upper',
  'url',
  'json',
  'quoted',
  'truncated',
  'masked',
  'unicode',
];

function fail(message: string): never {
  throw new Error(`invalid fault: ${message}`);
}

function optionalString(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'string')
    fail(`${field} must be a string; received ${show(value)}`);
}

function requireInteger(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${field} must be an integer from ${min} to ${max}; received ${show(value)}`);
  }
}

function validateKind(kind: Record<string, unknown>): void {
  switch (kind.type) {
    case 'code':
      if (typeof kind.code !== 'string' || kind.code === '')
        fail(`kind.code must be a string; received ${show(kind.code)}`);
      optionalString(kind.msg, 'kind.msg');
      return;
    case 'http':
      requireInteger(kind.status, 'kind.status', 100, 599);
      optionalString(kind.body, 'kind.body');
      if (kind.headers !== undefined) {
        if (!isRecord(kind.headers) || Object.values(kind.headers).some((v) => typeof v !== 'string')) {
          fail(`kind.headers must map names to strings; received ${show(kind.headers)}`);
        }
      }
      return;
    case 'delay':
      requireInteger(kind.ms, 'kind.ms', 0);
      return;
    case 'body':
      if (!BODY_KINDS.includes(kind.body as (typeof BODY_KINDS)[number])) {
        fail(`kind.body must be one of ${BODY_KINDS.join(', ')}; received ${show(kind.body)}`);
      }
      return;
    case 'reset':
    case 'hang':
      return;
    case 'stream-error':
      if (typeof kind.code !== 'string' || kind.code === '')
        fail(`kind.code must be a string; received ${show(kind.code)}`);
      requireInteger(kind.afterChunks, 'kind.afterChunks', 0);
      optionalString(kind.msg, 'kind.msg');
      return;
    case 'echo':
      if (!ECHO_PLACES.includes(kind.where as EchoPlace))
        fail(`kind.where must be one of ${ECHO_PLACES.join(', ')}; received ${show(kind.where)}`);
      if (kind.form !== undefined && !ECHO_FORMS.includes(kind.form as EchoForm))
        fail(`kind.form must be one of ${ECHO_FORMS.join(', ')}; received ${show(kind.form)}`);
      optionalString(kind.code, 'kind.code');
      if (kind.afterChunks !== undefined) requireInteger(kind.afterChunks, 'kind.afterChunks', 0);
      if (kind.pieceChars !== undefined) requireInteger(kind.pieceChars, 'kind.pieceChars', 1);
      return;
    default:
      fail(
        `kind.type must be code, http, delay, body, reset, hang, stream-error or echo; received ${show(kind.type)}`,
      );
  }
}

/** Checks a fault that may come from JSON (the control route); throws with the rule broken. */
export function parseFault(value: unknown): Fault {
  if (!isRecord(value)) fail(`expected an object; received ${show(value)}`);
  if (value.endpoint !== undefined && !MAVI_ENDPOINTS.includes(value.endpoint as MaviEndpoint)) {
    fail(`endpoint must be one of ${MAVI_ENDPOINTS.join(', ')}; received ${show(value.endpoint)}`);
  }
  optionalString(value.credential, 'credential');
  if (value.times !== undefined) requireInteger(value.times, 'times', 1);
  if (!isRecord(value.kind)) fail(`kind must be an object; received ${show(value.kind)}`);
  validateKind(value.kind);
  return value as unknown as Fault;
}

/** The registered faults, matched in insertion order. */
export class FaultRegistry {
  private active: ActiveFault[] = [];

  add(fault: Fault): () => void {
    const entry: ActiveFault = { fault: parseFault(fault), remaining: fault.times };
    this.active.push(entry);
    return () => this.remove(entry);
  }

  clear(): void {
    this.active = [];
  }

  /**
   * The first fault for this request whose kind `accepts`, skipping `skip`; one use is consumed
   * and a fault whose `times` reach 0 is removed.
   */
  take(
    endpoint: MaviEndpoint,
    credential: string | undefined,
    accepts: (kind: FaultKind) => boolean,
    skip?: ReadonlySet<ActiveFault>,
  ): ActiveFault | undefined {
    const entry = this.active.find(
      (candidate) =>
        (candidate.fault.endpoint === undefined || candidate.fault.endpoint === endpoint) &&
        (candidate.fault.credential === undefined || candidate.fault.credential === credential) &&
        accepts(candidate.fault.kind) &&
        !skip?.has(candidate),
    );
    if (!entry) return undefined;
    if (entry.remaining !== undefined) {
      entry.remaining -= 1;
      if (entry.remaining <= 0) this.remove(entry);
    }
    return entry;
  }

  private remove(entry: ActiveFault): void {
    this.active = this.active.filter((other) => other !== entry);
  }
}

const SAMPLE_VIDEO = {
  videoNo: 'mavi_video_568102998803353600',
  videoName: 'demo.mp4',
  videoStatus: 'PARSE',
  uploadTime: '1744905509814',
  duration: '61',
};

/** A plausible success payload per endpoint (v1.0.md §9), for the truncated and reset faults. */
function sampleData(endpoint: MaviEndpoint): unknown {
  switch (endpoint) {
    case 'upload':
      return { ...SAMPLE_VIDEO, videoStatus: 'UNPARSE', duration: undefined };
    case 'searchDB':
      return { page: 1, current: 1, total: 1, pageSize: 20, videoData: [SAMPLE_VIDEO] };
    case 'searchAI':
      return { videos: [SAMPLE_VIDEO] };
    case 'searchVideoFragment':
      return {
        videos: [{ ...SAMPLE_VIDEO, fragmentStartTime: '12.0', fragmentEndTime: '18.5', score: 0.42 }],
      };
    case 'chat':
      return { msg: 'The video shows a person cooking pasta in a small kitchen.' };
    case 'subTranscription':
      return { taskNo: 'project_580034559027056640' };
    case 'getTranscription':
      return {
        taskNo: 'project_580034559027056640',
        status: 'FINISH',
        type: 'AUDIO',
        videoNo: SAMPLE_VIDEO.videoNo,
        transcriptions: [{ id: 0, startTime: 0, endTime: 4, content: 'hello' }],
      };
    case 'delete':
      return undefined;
    case 'getAccessToken':
      return {
        accessToken: 'a'.repeat(64),
        type: 'Bearer',
        expiresIn: 7200,
        refreshToken: 'r'.repeat(64),
        refreshExpiresIn: 5184000,
      };
    case 'refreshAccessToken':
      return { accessToken: 'a'.repeat(64), expiresIn: 7200, type: 'Bearer' };
  }
}

/** A 0000 payload with every field of the wrong JSON type, to test the gateway's decoding. */
function wrongTypesData(endpoint: MaviEndpoint): unknown {
  switch (endpoint) {
    case 'upload':
      return { videoNo: 568102998803353, videoName: ['demo.mp4'], videoStatus: 3, uploadTime: { ms: 1 } };
    case 'searchDB':
      return { page: '1', current: null, total: 'one', pageSize: {}, videoData: SAMPLE_VIDEO.videoNo };
    case 'searchAI':
      return { videos: { videoNo: 1, uploadTime: { ms: 1 } } };
    case 'searchVideoFragment':
      return {
        videos: [
          { videoNo: 42, uploadTime: { ms: 1 }, fragmentStartTime: {}, fragmentEndTime: [], score: 'high' },
        ],
      };
    case 'chat':
      return { msg: { text: 42 } };
    case 'subTranscription':
      return { taskNo: 580034559027056 };
    case 'getTranscription':
      return { taskNo: 1, status: true, type: 2, videoNo: null, transcriptions: 'none' };
    case 'delete':
      return 'deleted';
    case 'getAccessToken':
      return {
        accessToken: 12345,
        type: null,
        expiresIn: '7200',
        refreshToken: {},
        refreshExpiresIn: '5184000',
      };
    case 'refreshAccessToken':
      return { accessToken: 12345, expiresIn: '7200', type: 0 };
  }
}

const BAD_GATEWAY_PAGE =
  '<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n' +
  '<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n';

const GARBAGE = Buffer.from([
  0x00, 0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x1f, 0x8b, 0x08, 0x00, 0x4d, 0x41, 0x56, 0x49,
]);

/** The secret a request carries: its Authorization value, or the token calls' code or refresh token. */
export function secretOf(ex: Exchange): string {
  if (ex.call.authorization !== undefined) return ex.call.authorization;
  const body = isRecord(ex.body) ? ex.body : {};
  const value = ex.endpoint === 'refreshAccessToken' ? body.refreshToken : body.code;
  return typeof value === 'string' ? value : '';
}

/** Stands in for the secret in JSON text until the \u escapes are put in (`unicode`). */
const UNICODE_MARK = '\u0000echo\u0000';

/** The secret as the form writes it. */
export function echoText(secret: string, form: EchoForm = 'raw'): string {
  switch (form) {
    case 'raw':
      return secret;
    case 'bearer':
      return `Bearer ${secret}`;
    case 'upper':
      return secret.toUpperCase();
    case 'url':
      return encodeURIComponent(secret);
    case 'json':
      return JSON.stringify(secret);
    case 'quoted':
      return `'${secret}'`;
    case 'truncated':
      return `${secret.slice(0, Math.ceil(secret.length / 2))}...`;
    case 'masked':
      return `${secret.slice(0, 12)}${'*'.repeat(Math.max(4, secret.length - 24))}${secret.slice(-12)}`;
    case 'unicode':
      return UNICODE_MARK;
  }
}

/** JSON text of `value`, with the `unicode` form's mark replaced by the secret as \u escapes. */
function echoJson(value: unknown, secret: string): string {
  const text = JSON.stringify(value);
  if (!text.includes('\\u0000echo\\u0000')) return text;
  const escaped = [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  return text.replaceAll('\\u0000echo\\u0000', escaped);
}

/** A 0000 payload per endpoint with `text` where a client would read it. */
function echoData(endpoint: MaviEndpoint, text: string): unknown {
  const video = { ...SAMPLE_VIDEO, videoName: `${text}.mp4` };
  switch (endpoint) {
    case 'upload':
      return { ...video, videoStatus: 'UNPARSE', duration: undefined };
    case 'searchDB':
      return { page: 1, current: 1, total: 1, pageSize: 20, videoData: [video] };
    case 'searchAI':
      return { videos: [video] };
    case 'searchVideoFragment':
      return { videos: [{ ...video, fragmentStartTime: '12.0', fragmentEndTime: '18.5', score: 0.42 }] };
    case 'chat':
      return { msg: `Your key is ${text}.` };
    case 'subTranscription':
      return { taskNo: text };
    case 'getTranscription':
      return {
        ...(sampleData(endpoint) as object),
        transcriptions: [{ id: 0, startTime: 0, endTime: 4, content: `you said ${text}` }],
      };
    case 'delete':
      return { echo: text };
    case 'getAccessToken':
      return { ...(sampleData(endpoint) as object), type: text };
    case 'refreshAccessToken':
      return { ...(sampleData(endpoint) as object), refreshToken: text };
  }
}

/** Answers an echo fault that is not mid-stream (see FaultKind `echo`). */
function applyEcho(ex: Exchange, kind: Extract<FaultKind, { type: 'echo' }>): void {
  const secret = secretOf(ex);
  const text = echoText(secret, kind.form);
  const json = { 'content-type': JSON_TYPE };
  switch (kind.where) {
    case 'msg': {
      const code = kind.code ?? '0401';
      ex.send(
        200,
        echoJson({ code, msg: `Authorization ${text} is invalid or incorrect` }, secret),
        json,
        code,
      );
      return;
    }
    case 'code':
      ex.send(200, echoJson({ code: text, msg: 'error' }, secret), json, undefined);
      return;
    case 'data':
      ex.send(200, echoJson(success(echoData(ex.endpoint, text)), secret), json, '0000');
      return;
    case 'html':
      ex.send(
        502,
        `<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1><p>Upstream refused Authorization: ${text}</p></body></html>\n`,
        { 'content-type': 'text/html' },
        undefined,
      );
      return;
    case 'header': {
      const value = text === UNICODE_MARK ? secret : text;
      ex.send(
        429,
        JSON.stringify({ code: '0429', msg: 'Request has exceeded the limit.' }),
        { ...json, 'retry-after': value, 'www-authenticate': `Bearer ${value}`, 'x-authorization': value },
        '0429',
      );
      return;
    }
    case 'stream':
      // Only chat with stream=true takes it (chat.ts).
      return;
  }
}

/** The chunks of a streamed answer with the secret echoed after `afterChunks` of them (FaultKind `echo`). */
export function echoChunks(
  ex: Exchange,
  kind: Extract<FaultKind, { type: 'echo' }>,
  chunks: string[],
): string[] {
  const text = echoText(secretOf(ex), kind.form === 'unicode' ? 'raw' : kind.form);
  const size = kind.pieceChars ?? text.length;
  const pieces: string[] = ['Your key is '];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  pieces.push('. ');
  const at = Math.min(kind.afterChunks ?? 1, chunks.length);
  return [...chunks.slice(0, at), ...pieces, ...chunks.slice(at)];
}

/** Answers the request as the fault says. Never called for `delay` or `stream-error`. */
export function applyFault(ex: Exchange, kind: FaultKind): void {
  const json = { 'content-type': JSON_TYPE };
  switch (kind.type) {
    case 'code':
      ex.reply({ code: kind.code, msg: kind.msg ?? defaultMessage(kind.code) });
      return;
    case 'http':
      ex.send(kind.status, kind.body ?? '', kind.headers ?? {}, undefined);
      return;
    case 'body':
      switch (kind.body) {
        case 'html':
          ex.send(200, BAD_GATEWAY_PAGE, { 'content-type': 'text/html' }, undefined);
          return;
        case 'truncated': {
          const full = JSON.stringify(success(sampleData(ex.endpoint)));
          ex.send(200, full.slice(0, Math.floor(full.length * 0.6)), json, undefined);
          return;
        }
        case 'empty':
          ex.send(200, '', json, undefined);
          return;
        case 'garbage':
          ex.send(200, GARBAGE, json, undefined);
          return;
        case 'wrong-types':
          ex.send(200, JSON.stringify(success(wrongTypesData(ex.endpoint))), json, undefined);
          return;
        case 'not-envelope':
          ex.send(200, JSON.stringify({ status: 'ok' }), json, undefined);
          return;
      }
      return;
    case 'reset': {
      ex.req.resume();
      const full = Buffer.from(JSON.stringify(success(sampleData(ex.endpoint))));
      ex.call.httpStatus = 200;
      ex.res.writeHead(200, { ...json, 'content-length': full.length });
      // Destroy only once the partial body is flushed, so the client sees a body cut short.
      ex.res.write(full.subarray(0, Math.floor(full.length / 2)), () => ex.destroy());
      return;
    }
    case 'hang':
      // Swallow an unread upload body so the client finishes sending and then waits forever.
      ex.req.resume();
      return;
    case 'echo':
      applyEcho(ex, kind);
      return;
    case 'delay':
    case 'stream-error':
      return;
  }
}
