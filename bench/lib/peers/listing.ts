/**
 * What the hand-written peers of the overhead scenario share: the gateway's own SDL
 * (schema.graphql) with one resolver, `Query.videos`, written the way a team would write it
 * on any GraphQL server: one searchDB call over node:http with a keep-alive agent (as the
 * gateway's transport makes it), MAVI's envelope checked, its code mapped to the union's error
 * members, and the page turned into the same connection the gateway answers (the gateway's
 * cursor format and page plan, from src/schema/paging.ts, so the answers match byte for byte
 * in shape). No loaders, coalescing, limits, logging or telemetry: those are the gateway's,
 * and their cost is what the comparison shows.
 *
 * BENCH_UPSTREAM is MAVI's origin (the static upstream or the simulator).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { VideoStatus } from '../../../src/mavi/types.js';
import { decodeCursor, encodeCursor, filterFingerprint, planPages } from '../../../src/schema/paging.js';

export interface PeerContext {
  /** The caller's Authorization header, passed to MAVI as it came. */
  authorization: string;
}

const upstream = new URL(process.env.BENCH_UPSTREAM ?? 'http://127.0.0.1:4010');
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const TIMEOUT_MS = 10_000;

interface WireVideo {
  videoNo: string;
  videoName?: string;
  videoStatus: string;
  uploadTime?: string;
  duration?: string;
}

interface Envelope {
  code?: unknown;
  msg?: unknown;
  data?: { total?: unknown; videoData?: WireVideo[] };
}

type ErrorMember = { __typename: string; code: string; message: string; retryable: boolean } & Record<
  string,
  unknown
>;

/** MAVI's codes (v1.0.md §5) as the schema's error members; anything else is an UpstreamError. */
const CODES: Record<string, { type: string; retryable: boolean }> = {
  '0001': { type: 'InvalidParameterError', retryable: false },
  '0401': { type: 'UnauthorizedError', retryable: false },
  '0403': { type: 'AccountDisabledError', retryable: false },
  '0409': { type: 'DuplicateRequestError', retryable: false },
  '0429': { type: 'RateLimitedError', retryable: true },
};

function upstreamError(code: string, message: string, extra: Record<string, unknown> = {}): ErrorMember {
  return { __typename: 'UpstreamError', code, message, retryable: true, ...extra };
}

/** One GET to MAVI, its body parsed as JSON; network faults and non-200 answers as an UpstreamError. */
function get(path: string, authorization: string): Promise<Envelope | ErrorMember> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path,
        method: 'GET',
        agent,
        timeout: TIMEOUT_MS,
        headers: { authorization, accept: 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            resolve(
              upstreamError('UPSTREAM_HTTP_ERROR', `MAVI answered HTTP ${res.statusCode}.`, {
                httpStatus: res.statusCode,
              }),
            );
            return;
          }
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope);
          } catch {
            resolve(upstreamError('UPSTREAM_BAD_RESPONSE', 'MAVI answered something that is not JSON.'));
          }
        });
        res.on('error', () => resolve(upstreamError('UPSTREAM_UNREACHABLE', 'MAVI could not be reached.')));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) =>
      resolve(
        error.message === 'timeout'
          ? upstreamError('UPSTREAM_TIMEOUT', 'MAVI did not answer in time.')
          : upstreamError('UPSTREAM_UNREACHABLE', 'MAVI could not be reached.'),
      ),
    );
    req.end();
  });
}

const STATUS: Record<string, string> = {
  PARSE: 'PARSE',
  UNPARSE: 'UNPARSE',
  FAIL: 'PARSE_ERROR',
  PARSE_ERROR: 'PARSE_ERROR',
};
const FILTER_STATUS: Record<string, string> = { PARSE: 'PARSE', UNPARSE: 'UNPARSE', PARSE_ERROR: 'FAIL' };

function video(v: WireVideo) {
  const uploadTime = v.uploadTime === undefined ? Number.NaN : Number(v.uploadTime);
  return {
    videoNo: v.videoNo,
    name: v.videoName ?? null,
    status: STATUS[v.videoStatus] ?? 'UNPARSE',
    uploadedAt: Number.isFinite(uploadTime) ? new Date(uploadTime).toISOString() : null,
    durationSeconds: v.duration === undefined ? null : Number(v.duration),
  };
}

interface VideosArgs {
  first?: number | null;
  after?: string | null;
  filter?: { status?: string | null; uploadedAfter?: string | null; uploadedBefore?: string | null } | null;
}

function invalid(message: string, field: string): ErrorMember {
  return { __typename: 'InvalidParameterError', code: '0001', message, retryable: false, field };
}

/** `Query.videos`: the page(s) covering [offset, offset + first) of searchDB, as a connection. */
export const videos: GraphQLFieldResolver<unknown, PeerContext, VideosArgs> = async (_root, args, ctx) => {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > 200) {
    return invalid(`first must be an integer from 1 to 200; received ${first}.`, 'first');
  }
  const filter = args.filter ?? {};
  const after = filter.uploadedAfter ? Date.parse(filter.uploadedAfter) : undefined;
  const before = filter.uploadedBefore ? Date.parse(filter.uploadedBefore) : undefined;
  if (Number.isNaN(after) || Number.isNaN(before)) {
    return invalid('filter.uploadedAfter and filter.uploadedBefore must be ISO 8601 date-times.', 'filter');
  }
  const fingerprint = filterFingerprint({
    status: (filter.status ?? null) as VideoStatus | null,
    uploadedAfter: after === undefined ? null : new Date(after),
    uploadedBefore: before === undefined ? null : new Date(before),
  });
  let cursor: { offset: number; windowEnd: number } | null = null;
  if (args.after) {
    try {
      cursor = decodeCursor(args.after, fingerprint);
    } catch (error) {
      return invalid((error as Error).message, 'after');
    }
  }
  const offset = cursor ? cursor.offset + 1 : 0;
  const windowEnd = cursor?.windowEnd ?? Math.min(before ?? Number.MAX_SAFE_INTEGER, Date.now());
  const plan = planPages(offset, first);
  const query = (page: number) =>
    `/api/serve/video/searchDB?page=${page}&pageSize=${plan.pageSize}&endTime=${windowEnd}` +
    (after === undefined ? '' : `&startTime=${after}`) +
    (filter.status ? `&videoStatus=${FILTER_STATUS[filter.status]}` : '');
  const answers = await Promise.all(plan.pages.map((page) => get(query(page), ctx.authorization)));
  const items: WireVideo[] = [];
  let total = 0;
  for (const [i, answer] of answers.entries()) {
    if ('__typename' in answer) return answer;
    if (answer.code !== '0000') {
      const known = CODES[String(answer.code)];
      const message = typeof answer.msg === 'string' ? answer.msg.slice(0, 200) : 'MAVI refused the request.';
      if (known)
        return { __typename: known.type, code: String(answer.code), message, retryable: known.retryable };
      return upstreamError('UPSTREAM_UNKNOWN_CODE', message, {
        upstreamCode: String(answer.code).slice(0, 16),
      });
    }
    if (typeof answer.data?.total !== 'number' || !Array.isArray(answer.data.videoData)) {
      return upstreamError(
        'UPSTREAM_BAD_RESPONSE',
        'MAVI answered searchDB without data.total or data.videoData.',
      );
    }
    if (i === 0) total = answer.data.total;
    items.push(...answer.data.videoData);
  }
  const edges = items.slice(plan.skip, plan.skip + first).map((v, i) => ({
    cursor: encodeCursor({ offset: offset + i, windowEnd, filter: fingerprint }),
    node: video(v),
  }));
  return {
    __typename: 'QueryVideosSuccess',
    data: {
      totalCount: total,
      edges,
      pageInfo: {
        hasNextPage: offset + edges.length < total,
        hasPreviousPage: offset > 0,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    },
  };
};

/** The gateway's SDL as SDL. */
export const typeDefs = readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8');

/**
 * The gateway's SDL with `Query.videos` resolved by {@link videos}; union members resolve by
 * `__typename` (graphql-js' default type resolver, which graphql-jit and Mercurius use too).
 */
export function peerSchema(): GraphQLSchema {
  const schema = buildSchema(typeDefs);
  const field = schema.getQueryType()?.getFields().videos;
  if (!field) throw new Error('schema.graphql has no Query.videos');
  field.resolve = videos as GraphQLFieldResolver<unknown, unknown>;
  return schema;
}

/** Where a peer listens: PORT on loopback. */
export const PORT = Number(process.env.PORT ?? 0);
