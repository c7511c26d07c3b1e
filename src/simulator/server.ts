import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getAccessToken, refreshAccessToken } from './auth.js';
import { readJsonBody } from './body.js';
import { CallbackSender } from './callbacks.js';
import { chat } from './chat.js';
import { handleControl } from './control.js';
import { deleteVideos } from './delete.js';
import { ACCOUNT_DISABLED, AUTH_INVALID, isRecord, MaviError, paramError, RATE_LIMITED } from './envelope.js';
import { Exchange, JSON_TYPE } from './exchange.js';
import { type ActiveFault, applyFault, FaultRegistry } from './faults.js';
import { DEMO_API_KEY } from './ids.js';
import { Library } from './library.js';
import { RateLimiter } from './rate-limit.js';
import { ROUTES } from './routes.js';
import { searchAI, searchDB, searchVideoFragment } from './search.js';
import type { Handler, ResolvedOptions, SimState } from './state.js';
import { TranscriptionTasks } from './tasks.js';
import { Timers } from './timers.js';
import { getTranscription, subTranscription } from './transcription.js';
import type {
  DeliveredCallback,
  Fault,
  MaviEndpoint,
  RecordedCall,
  SimAccount,
  Simulator,
  SimulatorOptions,
  SimVideo,
  SimVideoStatus,
} from './types.js';
import { upload } from './upload.js';

const HANDLERS: Readonly<Record<MaviEndpoint, Handler>> = {
  upload,
  searchDB,
  searchAI,
  searchVideoFragment,
  chat,
  subTranscription,
  getTranscription,
  delete: deleteVideos,
  getAccessToken,
  refreshAccessToken,
};

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`simulator option ${name} must be a number ≥ 0; received ${String(value)}`);
  }
  return value;
}

function resolveOptions(opts: SimulatorOptions): ResolvedOptions {
  const maxRecordedCalls = nonNegative('maxRecordedCalls', opts.maxRecordedCalls, 100_000);
  if (!Number.isInteger(maxRecordedCalls) || maxRecordedCalls < 1) {
    throw new Error(`simulator option maxRecordedCalls must be an integer ≥ 1; received ${maxRecordedCalls}`);
  }
  return {
    port: nonNegative('port', opts.port, 0),
    host: opts.host ?? '127.0.0.1',
    parseDelayMs: nonNegative('parseDelayMs', opts.parseDelayMs, 5_000),
    transcriptionDelayMs: nonNegative('transcriptionDelayMs', opts.transcriptionDelayMs, 3_000),
    chatChunkDelayMs: nonNegative('chatChunkDelayMs', opts.chatChunkDelayMs, 25),
    autoRegister: opts.autoRegister ?? true,
    seed: opts.seed ?? true,
    chatDataPrefix: opts.chatDataPrefix ?? false,
    enforceRateLimits: opts.enforceRateLimits ?? false,
    controlRoutes: opts.controlRoutes ?? true,
    maxRecordedCalls,
    onChatChunk: opts.onChatChunk ?? (() => {}),
  };
}

/** A listening address as a URL a client can use (wildcard binds are reached over loopback). */
function urlFor(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Spring-style error body for paths and methods MAVI does not serve (no envelope there). */
function sendRoutingError(
  res: ServerResponse,
  status: 404 | 405,
  path: string,
  message: string,
  allow?: string,
): void {
  const body = JSON.stringify({
    timestamp: new Date().toISOString(),
    status,
    error: status === 404 ? 'Not Found' : 'Method Not Allowed',
    message,
    path,
  });
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
    ...(allow ? { allow } : {}),
  });
  res.end(body);
}

export class SimulatorServer implements Simulator {
  readonly calls: RecordedCall[] = [];
  private readonly options: ResolvedOptions;
  private readonly state: SimState;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private listeningPort = 0;
  private closing: Promise<void> | undefined;

  constructor(opts: SimulatorOptions = {}) {
    this.options = resolveOptions(opts);
    const timers = new Timers();
    const callbacks = new CallbackSender();
    const library = new Library(
      {
        parseDelayMs: this.options.parseDelayMs,
        seed: this.options.seed,
        autoRegister: this.options.autoRegister,
      },
      timers,
      callbacks,
    );
    this.state = {
      options: this.options,
      library,
      timers,
      callbacks,
      faults: new FaultRegistry(),
      tasks: new TranscriptionTasks(timers, callbacks, this.options.transcriptionDelayMs),
      limiter: new RateLimiter(),
    };
    library.createAccount({ apiKey: DEMO_API_KEY, seed: true });

    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.internalError(res, err));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // Malformed HTTP from a client: drop that connection, never the server.
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listeningPort = (this.server.address() as AddressInfo).port;
  }

  get port(): number {
    return this.listeningPort;
  }

  get url(): string {
    return urlFor(this.options.host, this.listeningPort);
  }

  get demoAccount(): SimAccount {
    return this.state.library.requireAccount(DEMO_API_KEY);
  }

  get callbacks(): DeliveredCallback[] {
    return this.state.callbacks.delivered;
  }

  callsTo(endpoint: MaviEndpoint): RecordedCall[] {
    return this.calls.filter((call) => call.endpoint === endpoint);
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  injectFault(fault: Fault): () => void {
    return this.state.faults.add(fault);
  }

  clearFaults(): void {
    this.state.faults.clear();
  }

  createAccount(opts?: { apiKey?: string; clientId?: string; seed?: boolean }): SimAccount {
    return this.state.library.createAccount(opts);
  }

  account(apiKey: string): SimAccount | undefined {
    return this.state.library.account(apiKey);
  }

  disableAccount(apiKey: string, disabled = true): void {
    this.state.library.disableAccount(apiKey, disabled);
  }

  addVideo(apiKey: string, video?: Partial<SimVideo>): SimVideo {
    return this.state.library.addVideo(this.state.library.requireAccount(apiKey), video);
  }

  setVideoStatus(apiKey: string, videoNo: string, status: SimVideoStatus): void {
    this.state.library.setVideoStatus(this.state.library.requireAccount(apiKey), videoNo, status);
  }

  issueAuthCode(apiKey: string): { clientId: string; code: string } {
    return this.state.library.issueAuthCode(apiKey);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.state.timers.close();
      this.state.callbacks.close();
      this.server.close(() => resolve());
      // Keep-alive and hanging connections would otherwise hold server.close() open.
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    // Trim in batches so a long benchmark pays for the splice once per 10% of the cap.
    const cap = this.options.maxRecordedCalls;
    if (this.calls.length > cap) this.calls.splice(0, this.calls.length - Math.floor(cap * 0.9));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A client that vanishes mid-body makes these emit; the exchange reads that from 'close'.
    req.on('error', () => {});
    res.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const path = url.pathname;
    if (path.startsWith('/__sim/') && this.options.controlRoutes) {
      await handleControl(req, res, path, this);
      return;
    }
    const route = ROUTES.get(path);
    if (!route) {
      req.resume();
      sendRoutingError(res, 404, path, `no MAVI v1.0 endpoint at ${path}`);
      return;
    }
    const call: RecordedCall = {
      endpoint: route.endpoint,
      method: req.method ?? '',
      url: req.url ?? path,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      authorization: req.headers.authorization,
      traceparent: req.headers.traceparent as string | undefined,
      code: undefined,
      httpStatus: 0,
      at: Date.now(),
      aborted: false,
      done: false,
    };
    this.record(call);
    if (req.method !== route.method) {
      req.resume();
      call.httpStatus = 405;
      sendRoutingError(
        res,
        405,
        path,
        `${path} expects ${route.method}; received ${req.method}`,
        route.method,
      );
      return;
    }
    const ex = new Exchange(req, res, route.endpoint, url.searchParams, call);

    let bodyProblem: string | undefined;
    if (route.input === 'json') {
      const read = await readJsonBody(req);
      if (read.kind === 'aborted') return;
      if (read.kind === 'ok') ex.body = call.body = read.value;
      else bodyProblem = read.message;
    }
    if (await this.applyFaults(ex)) return;

    try {
      if (route.auth) this.authenticate(ex);
      if (bodyProblem !== undefined) throw paramError(bodyProblem);
      const envelope = await HANDLERS[route.endpoint](ex, this.state);
      if (envelope) ex.reply(envelope);
    } catch (err) {
      if (!(err instanceof MaviError)) throw err;
      ex.reply(err.toEnvelope());
    }
  }

  /** Sets `ex.account` or throws 0401/0403/0429. */
  private authenticate(ex: Exchange): void {
    const credential = ex.credential;
    if (credential === undefined) {
      throw new MaviError(AUTH_INVALID, 'the Authorization header is required (an API key or access token)');
    }
    const account = this.state.library.authenticate(credential);
    if (!account)
      throw new MaviError(
        AUTH_INVALID,
        'the Authorization credential is not a known API key or access token',
      );
    if (account.disabled) throw new MaviError(ACCOUNT_DISABLED);
    ex.account = account;
    if (this.options.enforceRateLimits) {
      const bucket = this.rateBucket(ex);
      if (bucket !== undefined && !this.state.limiter.allow(credential, bucket))
        throw new MaviError(RATE_LIMITED);
    }
  }

  /** subTranscription is limited per type (transcription-video / transcription-audio in §8.1). */
  private rateBucket(ex: Exchange): string | undefined {
    if (ex.endpoint !== 'subTranscription') return ex.endpoint;
    const type = isRecord(ex.body) ? ex.body.type : undefined;
    // An invalid type is refused with 0001 anyway; it counts against neither bucket.
    return type === 'AUDIO' || type === 'VIDEO' ? `subTranscription:${type}` : undefined;
  }

  /**
   * Applies the faults matching this request, in insertion order. A delay waits and lets the
   * next matching fault apply; any other kind answers. Returns true when a fault answered.
   */
  private async applyFaults(ex: Exchange): Promise<boolean> {
    const applied = new Set<ActiveFault>();
    for (;;) {
      const entry = this.state.faults.take(
        ex.endpoint,
        ex.credential,
        (kind) => kind.type !== 'stream-error' && !(kind.type === 'echo' && kind.where === 'stream'),
        applied,
      );
      if (!entry) return false;
      const kind = entry.fault.kind;
      if (kind.type !== 'delay') {
        applyFault(ex, kind);
        return true;
      }
      applied.add(entry);
      await this.state.timers.sleep(kind.ms);
      if (ex.gone) return true;
    }
  }

  private internalError(res: ServerResponse, err: unknown): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({
      status: 500,
      error: 'Internal Server Error',
      message: `simulator bug: ${err instanceof Error ? err.message : String(err)}`,
    });
    res.writeHead(500, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}
