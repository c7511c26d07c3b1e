import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody } from './body.js';
import { isRecord, show } from './envelope.js';
import { JSON_TYPE } from './exchange.js';
import { parseFault } from './faults.js';
import type { SimAccount, SimScene, Simulator, SimVideo, SimVideoStatus } from './types.js';

/**
 * /__sim/ routes: the Simulator methods over HTTP, so tests in another process (or a shell)
 * can drive a running simulator. JSON in and out; a broken rule answers 400 {ok:false, error}.
 */

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const STATUSES: readonly SimVideoStatus[] = ['PARSE', 'UNPARSE', 'FAIL'];

function field<T>(
  body: Record<string, unknown>,
  name: string,
  check: (v: unknown) => v is T,
  rule: string,
): T | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!check(value)) throw new ControlError(400, `${name} must be ${rule}; received ${show(value)}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isStatus = (v: unknown): v is SimVideoStatus => STATUSES.includes(v as SimVideoStatus);
const isScene = (v: unknown): v is SimScene =>
  isRecord(v) &&
  isNumber(v.start) &&
  isNumber(v.end) &&
  isString(v.text) &&
  (v.speech === undefined || isString(v.speech));
const isScenes = (v: unknown): v is SimScene[] => Array.isArray(v) && v.every(isScene);

function requireApiKey(body: Record<string, unknown>): string {
  const apiKey = field(body, 'apiKey', isString, 'a string');
  if (apiKey === undefined) throw new ControlError(400, 'apiKey is required; received nothing');
  return apiKey;
}

function videoPatch(body: Record<string, unknown>): Partial<SimVideo> {
  const patch: Partial<SimVideo> = {};
  const set = <K extends keyof SimVideo>(key: K, value: SimVideo[K] | undefined): void => {
    if (value !== undefined) patch[key] = value;
  };
  set('videoNo', field(body, 'videoNo', isString, 'a string'));
  set('videoName', field(body, 'videoName', isString, 'a string'));
  // Accept MAVI's wire name too: callers often copy a searchDB item.
  set(
    'status',
    field(body, 'status', isStatus, 'PARSE, UNPARSE or FAIL') ??
      field(body, 'videoStatus', isStatus, 'PARSE, UNPARSE or FAIL'),
  );
  const uploadTime = body.uploadTime;
  if (typeof uploadTime === 'string' && /^\d+$/.test(uploadTime)) patch.uploadTime = Number(uploadTime);
  else set('uploadTime', field(body, 'uploadTime', isNumber, 'epoch milliseconds'));
  set('duration', field(body, 'duration', isNumber, 'a number of seconds'));
  set('size', field(body, 'size', isNumber, 'a number of bytes'));
  set('description', field(body, 'description', isString, 'a string'));
  set('scenes', field(body, 'scenes', isScenes, 'an array of {start, end, text, speech?}'));
  return patch;
}

/** An account as JSON: the videos Map becomes an array. */
export function accountJson(account: SimAccount): unknown {
  return {
    apiKey: account.apiKey,
    clientId: account.clientId,
    disabled: account.disabled,
    videos: [...account.videos.values()],
  };
}

async function route(
  method: string,
  path: string,
  body: Record<string, unknown>,
  sim: Simulator,
): Promise<unknown> {
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /__sim/health':
      return { ok: true, url: sim.url };
    case 'GET /__sim/calls':
      return sim.calls;
    case 'DELETE /__sim/calls':
      sim.resetCalls();
      return { ok: true };
    case 'GET /__sim/callbacks':
      return sim.callbacks;
    case 'POST /__sim/faults':
      sim.injectFault(parseFault(body));
      return { ok: true };
    case 'DELETE /__sim/faults':
      sim.clearFaults();
      return { ok: true };
    case 'POST /__sim/accounts': {
      const account = sim.createAccount({
        apiKey: field(body, 'apiKey', isString, 'a string'),
        clientId: field(body, 'clientId', isString, 'a string'),
        seed: field(body, 'seed', isBoolean, 'a boolean'),
      });
      return accountJson(account);
    }
    case 'POST /__sim/accounts/disable':
      sim.disableAccount(requireApiKey(body), field(body, 'disabled', isBoolean, 'a boolean') ?? true);
      return { ok: true };
    case 'POST /__sim/videos':
      return sim.addVideo(requireApiKey(body), videoPatch(body));
    case 'POST /__sim/videos/status': {
      const videoNo = field(body, 'videoNo', isString, 'a string');
      const status = field(body, 'status', isStatus, 'PARSE, UNPARSE or FAIL');
      if (videoNo === undefined || status === undefined) {
        throw new ControlError(400, `videoNo and status are required; received ${show(body)}`);
      }
      sim.setVideoStatus(requireApiKey(body), videoNo, status);
      return { ok: true };
    }
    case 'POST /__sim/auth-codes':
      return sim.issueAuthCode(requireApiKey(body));
    default:
      throw new ControlError(404, `no control route ${key}`);
  }
}

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  sim: Simulator,
): Promise<void> {
  let status = 200;
  let payload: unknown;
  const read = await readJsonBody(req);
  if (read.kind === 'aborted') return;
  try {
    if (read.kind === 'invalid') throw new ControlError(400, read.message);
    const body = read.value === undefined ? {} : read.value;
    if (!isRecord(body))
      throw new ControlError(400, `the body must be a JSON object; received ${show(body)}`);
    payload = await route(req.method ?? 'GET', path, body, sim);
  } catch (err) {
    status = err instanceof ControlError ? err.status : 400;
    payload = { ok: false, error: (err as Error).message };
  }
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
