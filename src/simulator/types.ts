/**
 * Public surface of the embedded MAVI v1.0 simulator.
 *
 * The simulator is a real HTTP server that speaks MAVI's v1.0 REST contract
 * (../shared/mavi-api/v1.0.md) with its quirks: business codes in HTTP 200 bodies, numbers
 * as strings, `FAIL` for failed parsing, an optional `Bearer ` prefix, the `data:` prefix on
 * chat, callbacks POSTed to `callBackUri`. Tests flip fault switches and read the record of
 * received calls; `npm start` uses it as the default upstream.
 */

/** The v1.0 endpoints, named as the gateway names them (the last path segment). */
export type MaviEndpoint =
  | 'upload'
  | 'searchDB'
  | 'searchAI'
  | 'searchVideoFragment'
  | 'chat'
  | 'subTranscription'
  | 'getTranscription'
  | 'delete'
  | 'getAccessToken'
  | 'refreshAccessToken';

/** MAVI spells a failed parse `FAIL` in searchDB and callbacks. */
export type SimVideoStatus = 'PARSE' | 'UNPARSE' | 'FAIL';

export interface SimScene {
  /** Seconds from the start of the video. */
  start: number;
  end: number;
  /** What happens in this scene; searched by searchAI / searchVideoFragment, spoken in transcripts. */
  text: string;
  /**
   * What is said during the scene, for AUDIO transcripts (VIDEO transcripts use `text`).
   * Optional: without it the AUDIO transcript narrates `text`.
   */
  speech?: string;
}

export interface SimVideo {
  videoNo: string;
  videoName: string;
  status: SimVideoStatus;
  /** Epoch milliseconds. */
  uploadTime: number;
  /** Seconds; undefined until parsed. */
  duration: number | undefined;
  /** Bytes received on upload (0 for seeded videos). */
  size: number;
  description: string;
  scenes: SimScene[];
}

export interface SimAccount {
  /** The API key (`sk-` + 32 hex) that authenticates this account. */
  apiKey: string;
  /** MAVI's account id, sent in upload callbacks (32 hex chars). */
  clientId: string;
  disabled: boolean;
  videos: Map<string, SimVideo>;
}

export interface RecordedCall {
  endpoint: MaviEndpoint;
  method: string;
  /** Path and query string as received. */
  url: string;
  query: Record<string, string>;
  /** Parsed JSON body; for uploads `{ filename, mimeType, bytes, aborted }`; undefined when none. */
  body: unknown;
  /** The Authorization header exactly as received (test-only record of the upstream). */
  authorization: string | undefined;
  /** The W3C traceparent header as received (the gateway sends one with tracing on). */
  traceparent: string | undefined;
  /** The business code answered ("0000", "0401", ...) or undefined when a fault replaced the answer. */
  code: string | undefined;
  httpStatus: number;
  at: number;
  /** True when the client went away before the answer was complete (upload or chat stream abort). */
  aborted: boolean;
  /** Set once the answer has been fully written (or the request was aborted). */
  done: boolean;
}

export interface DeliveredCallback {
  url: string;
  body: unknown;
  /** HTTP status the receiver answered, or undefined when the POST failed. */
  status: number | undefined;
  error: string | undefined;
  at: number;
}

/** One switch a test flips to make the simulator misbehave. */
export type FaultKind =
  /** Answer HTTP 200 with this business code (and msg). */
  | { type: 'code'; code: string; msg?: string }
  /** Answer this HTTP status with this body (default: an empty body) and headers. */
  | { type: 'http'; status: number; body?: string; headers?: Record<string, string> }
  /** Wait this long before handling the request normally. */
  | { type: 'delay'; ms: number }
  /** Answer HTTP 200 with a malformed body. */
  | { type: 'body'; body: 'html' | 'truncated' | 'empty' | 'garbage' | 'wrong-types' | 'not-envelope' }
  /** Send the headers and part of the body, then destroy the socket. */
  | { type: 'reset' }
  /** Accept the connection and never answer (until the client gives up). */
  | { type: 'hang' }
  /** Streamed chat only: send this many good chunks, then a chunk carrying `code`, then end. */
  | { type: 'stream-error'; code: string; afterChunks: number; msg?: string }
  /**
   * Echo the request's secret back, as a careless upstream might: the Authorization value as
   * received (on the token calls, which carry none, the body's `code` or `refreshToken`),
   * written in `form` (default raw), `where`:
   * - msg: HTTP 200 `{code, msg}` with `code` (default 0401) and the secret in msg;
   * - code: HTTP 200 with the secret as the code;
   * - data: a 0000 answer with the secret in the endpoint's data (a video name, chat's msg...);
   * - html: an HTTP 502 HTML error page quoting it;
   * - header: an HTTP 429 (0429 body) with it in Retry-After, WWW-Authenticate and X-Authorization;
   * - stream: streamed chat only, after `afterChunks` good chunks (default 1), in deltas of
   *   `pieceChars` characters (default: one delta), then the rest of the answer.
   */
  | {
      type: 'echo';
      where: EchoPlace;
      form?: EchoForm;
      code?: string;
      afterChunks?: number;
      pieceChars?: number;
    };

export type EchoPlace = 'msg' | 'code' | 'data' | 'html' | 'header' | 'stream';
/**
 * How an echoed secret is written: as received, with `Bearer `, upper case, URL-encoded,
 * JSON-encoded (quoted and escaped, inside the text), in single quotes, its first half only,
 * masked in the middle (12 characters shown at each end), or (in JSON bodies) every character
 * as a \u escape.
 */
export type EchoForm =
  | 'raw'
  | 'bearer'
  | 'upper'
  | 'url'
  | 'json'
  | 'quoted'
  | 'truncated'
  | 'masked'
  | 'unicode';

export interface Fault {
  /** Endpoint to affect; all endpoints when omitted. */
  endpoint?: MaviEndpoint;
  /** Only requests carrying this credential (raw, without `Bearer `); all when omitted. */
  credential?: string;
  /** How many matching requests to affect before the fault clears itself; unlimited when omitted. */
  times?: number;
  kind: FaultKind;
}

export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Time an upload stays UNPARSE before it turns PARSE (or FAIL). Default 5000 ms. */
  parseDelayMs?: number;
  /** Time a transcription task stays UNFINISHED. Default 3000 ms. */
  transcriptionDelayMs?: number;
  /** Pause between streamed chat chunks. Default 25 ms. */
  chatChunkDelayMs?: number;
  /**
   * Any credential shaped like a MAVI key (`sk-` + 32 hex) gets an account (with sample videos)
   * on first use. Default true. Other unknown credentials get 0401.
   */
  autoRegister?: boolean;
  /** Seed new accounts with the sample library. Default true. */
  seed?: boolean;
  /** Answer non-streamed chat behind a `data:` prefix, as some live responses do. Default false. */
  chatDataPrefix?: boolean;
  /** Enforce MAVI's documented per-minute limits per credential with 0429. Default false. */
  enforceRateLimits?: boolean;
  /** Answer the control routes under /__sim/ (faults, calls, accounts). Default true. */
  controlRoutes?: boolean;
  /**
   * Keep at most this many recorded calls, dropping the oldest: a long benchmark would otherwise
   * grow `calls` without bound and measure the recorder instead of the gateway. Default 100000.
   */
  maxRecordedCalls?: number;
  /**
   * Called right after each streamed chat chunk is written to the socket, so a benchmark can
   * time its delivery from that moment. Default none.
   */
  onChatChunk?: (chunk: ChatChunkWritten) => void;
}

/** A streamed chat chunk the simulator has just written (see SimulatorOptions.onChatChunk). */
export interface ChatChunkWritten {
  /** The chat call the chunk belongs to (its body holds the request's message). */
  call: RecordedCall;
  /** 0 for the first chunk of the stream. */
  index: number;
  /** The chunk's text (its `data.msg`); undefined for an error chunk. */
  text: string | undefined;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:41234 — use as MAVI_BASE_URL. */
  readonly url: string;
  readonly port: number;
  /** A ready-made account with the sample library, for GraphiQL and demos. */
  readonly demoAccount: SimAccount;
  /** Every call received, oldest first. */
  readonly calls: RecordedCall[];
  callsTo(endpoint: MaviEndpoint): RecordedCall[];
  /** Every callback POST the simulator made (upload status, transcription), oldest first. */
  readonly callbacks: DeliveredCallback[];
  resetCalls(): void;
  /** Add a fault; returns a function that removes it. */
  injectFault(fault: Fault): () => void;
  clearFaults(): void;
  /** Create an account (random key and clientId unless given). */
  createAccount(opts?: { apiKey?: string; clientId?: string; seed?: boolean }): SimAccount;
  account(apiKey: string): SimAccount | undefined;
  disableAccount(apiKey: string, disabled?: boolean): void;
  /** Add a video directly (no upload); fills missing fields with sensible values. */
  addVideo(apiKey: string, video?: Partial<SimVideo>): SimVideo;
  /** Change a video's status now; fires the upload callback if one was registered for it. */
  setVideoStatus(apiKey: string, videoNo: string, status: SimVideoStatus): void;
  /** A fresh O2O authorization code for getAccessToken (as the console would deliver it). */
  issueAuthCode(apiKey: string): { clientId: string; code: string };
  close(): Promise<void>;
}
