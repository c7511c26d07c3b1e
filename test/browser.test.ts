import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageApi, Watch } from './browser/page.js';
import { eventually, type LiveStack, listen, sleep, startLiveStack } from './helpers.js';

/**
 * The gateway as a browser meets it: a page served from another origin than the gateway's,
 * in headless Chromium (the machine's own, through playwright-core, which never downloads a
 * browser), lists the library with fetch, uploads a video as a FormData body, and watches its
 * status change over graphql-sse's single connection (PUT, then the GET stream, then the
 * operation's POST). Chromium enforces CORS, the preflight cache and the CSRF headers for
 * real, so what this checks is what a frontend would see: every answer usable, preflights
 * cached as Access-Control-Max-Age says, and not one request failed.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const missing = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} is missing (apt-get install chromium, or set CHROMIUM_PATH)`;
// In CI the browser is installed by .ci/run: its absence there is a failure, not a skip.
if (missing !== null && process.env.CI) throw new Error(`${missing}: under CI the browser tests must run.`);
if (missing !== null) console.warn(`${missing}: the browser tests are skipped.`);

declare global {
  // The page's client code (test/browser/page.ts) puts its API here.
  var mavi: PageApi;
}

const INDEX = `<!doctype html>
<html><head><meta charset="utf-8"><title>MAVI page</title><link rel="icon" href="data:,"></head>
<body><script src="/page.js"></script></body></html>`;

/** A request the gateway's socket received, with the answer it was given. */
interface Received {
  method: string;
  url: string;
  origin: string | undefined;
  /** For a preflight: the method and headers it asked about. */
  asks: string | undefined;
  response: ServerResponse;
}

let stack: LiveStack;
let site: Awaited<ReturnType<typeof listen>>;
let context: BrowserContext;
let page: Page;
let profile: string;
let key: string;
let firstPreflightAt = 0;
const uploaded: string[] = [];
const received: Received[] = [];
/** What the page saw go wrong: failed requests, answers >= 400, console errors. */
const failed: string[] = [];
/**
 * Requests the page's script aborted once their answer had come: the event streams it closed
 * (graphql-sse's client closes its own when idle), and graphql-sse's operation POSTs, whose
 * 202 it never reads and aborts when the operation completes (Chromium reports those as
 * net::ERR_ABORTED unless their body had been read, which an empty or quick answer never is).
 */
const cancelled: string[] = [];
const settling: Promise<void>[] = [];
const badAnswers: string[] = [];
const consoleErrors: string[] = [];

/** The preflights the gateway received, each as what it asked about. */
const preflights = () =>
  received.filter((r) => r.method === 'OPTIONS').map((r) => `${r.method} ${r.url} ${r.asks}`);
/** The one preflight of the whole page: its first request's (a JSON POST with the key). */
const ONE_PREFLIGHT = ['OPTIONS /graphql POST authorization,content-type'];
const fromPage = () => received.filter((r) => r.origin === site.url);

describe.skipIf(missing !== null)('a page from another origin in headless Chromium', () => {
  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]?.text ?? '';
    // The page's own origin: http://127.0.0.1:<A>; the gateway is on another port, <B>.
    site = await listen((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/' || path === '/page.js') {
        res.writeHead(200, {
          'content-type': path === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
          'cache-control': 'no-store',
        });
        res.end(path === '/' ? INDEX : script);
      } else {
        res.writeHead(404).end();
      }
    });
    stack = await startLiveStack({
      // Only the test parses an upload (setVideoStatus), once the page is watching it.
      simulator: { parseDelayMs: 600_000 },
      env: { CORS_ORIGINS: site.url },
    });
    stack.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const asks = req.headers['access-control-request-method'];
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        origin: req.headers.origin,
        asks:
          asks === undefined ? undefined : `${asks} ${req.headers['access-control-request-headers'] ?? ''}`,
        response: res,
      });
    });
    key = stack.newAccount();

    profile = await mkdtemp(join(tmpdir(), 'mavi-chromium-'));
    // A fresh profile (--user-data-dir) that afterAll deletes; playwright adds --headless.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('requestfailed', (r) => {
      settling.push(
        r.response().then((answer) => {
          const error = r.failure()?.errorText ?? '';
          const line = `${r.method()} ${r.url()} ${answer?.status() ?? 'unanswered'}: ${error}`;
          if (answer !== null && answer.status() < 400 && error === 'net::ERR_ABORTED') cancelled.push(line);
          else failed.push(line);
        }),
      );
    });
    page.on('response', (r) => {
      if (r.status() >= 400) badAnswers.push(`${r.request().method()} ${r.url()}: ${r.status()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${site.url}/`);
    await page.evaluate(([url, k]) => globalThis.mavi.configure(url, k), [stack.url, key] as const);
  });

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await site?.close();
    await stack?.close();
  });

  it('lists the library, after one preflight that Chromium then caches', async () => {
    const first = await page.evaluate(() => globalThis.mavi.list(5));
    expect(first.status).toBe(200);
    expect(first.body.data?.videos).toMatchObject({ __typename: 'QueryVideosSuccess' });
    expect(preflights()).toEqual(ONE_PREFLIGHT);
    firstPreflightAt = Date.now();
    const second = await page.evaluate(() => globalThis.mavi.list(5));
    expect(second.body).toEqual(first.body);
    expect(preflights()).toEqual(ONE_PREFLIGHT);
  });

  it('uploads videos as a browser sends a FormData body, with no preflight of their own', async () => {
    for (const name of ['from-the-page.mp4', 'again.mp4']) {
      const upload = await page.evaluate((n) => globalThis.mavi.upload(n, 64 * 1024), name);
      expect(upload.status).toBe(200);
      const result = upload.body.data?.uploadVideo as { __typename: string; data: { videoNo: string } };
      expect(result).toMatchObject({
        __typename: 'MutationUploadVideoSuccess',
        data: { name, status: 'UNPARSE' },
      });
      uploaded.push(result.data.videoNo);
    }
    const listed = await page.evaluate(() => globalThis.mavi.list(50));
    expect(JSON.stringify(listed.body)).toContain(uploaded[0]);
    // The list's preflight answer covered the uploads' headers (graphql-preflight) too, and
    // still covers the list after them: Chromium keeps one answer per URL.
    expect(preflights()).toEqual(ONE_PREFLIGHT);
  });

  const pollers = async () =>
    (await stack.gateway.metrics.livePollers.get()).values.reduce((sum, v) => sum + v.value, 0);
  /**
   * Starts a watch and waits until the gateway polls for it: a change before that would be
   * the subscription's starting state, not an event. No poller runs before (the page's
   * earlier watch has ended), so the one that appears is this watch's.
   */
  async function startWatch(start: () => Promise<number>): Promise<number> {
    await eventually(async () => ((await pollers()) === 0 ? true : undefined));
    const watch = await start();
    await eventually(async () => ((await pollers()) > 0 ? true : undefined), 10_000);
    return watch;
  }

  async function ended(watch: number): Promise<Watch | undefined> {
    await page.waitForFunction((i) => globalThis.mavi.watches[i]?.ended !== null, watch, { timeout: 10_000 });
    return page.evaluate((i) => globalThis.mavi.watches[i], watch);
  }

  const parsed = (videoNo: string) => ({
    data: {
      videoStatusChanged: {
        __typename: 'SubscriptionVideoStatusChangedSuccess',
        data: { previousStatus: 'UNPARSE', video: { videoNo, status: 'PARSE' } },
      },
    },
  });

  it("sees the upload parsed, over graphql-sse's client in single connection mode", async () => {
    const [videoNo = ''] = uploaded;
    const before = fromPage().length;
    const watch = await startWatch(() => page.evaluate((no) => globalThis.mavi.watch([no]), videoNo));
    stack.sim.setVideoStatus(key, videoNo, 'PARSE');
    expect(await ended(watch)).toEqual({ events: [parsed(videoNo)], ended: 'complete', error: null });
    // Reservation, stream, operation: the stream and the operation carry the token header,
    // and none of the three needed a preflight of its own.
    expect(
      fromPage()
        .slice(before)
        .map((r) => `${r.method} ${r.response.statusCode}`),
    ).toEqual(['PUT 201', 'GET 200', 'POST 202']);
    expect(preflights()).toEqual(ONE_PREFLIGHT);
  });

  it('sees it over a plain EventSource too (the token in its URL)', async () => {
    const videoNo = uploaded[1] ?? '';
    const before = fromPage().length;
    const watch = await startWatch(() =>
      page.evaluate((no) => globalThis.mavi.watchWithEventSource([no]), videoNo),
    );
    stack.sim.setVideoStatus(key, videoNo, 'PARSE');
    expect(await ended(watch)).toEqual({ events: [parsed(videoNo)], ended: 'complete', error: null });
    expect(
      fromPage()
        .slice(before)
        .map((r) => `${r.method} ${r.url.split('=')[0]} ${r.response.statusCode}`),
    ).toEqual(['PUT /graphql 201', 'GET /graphql?token 200', 'POST /graphql 202']);
    expect(preflights()).toEqual(ONE_PREFLIGHT);
  });

  it("keeps the preflight past Chromium's default lifetime (5 s): Access-Control-Max-Age is honoured", async () => {
    await sleep(Math.max(0, firstPreflightAt + 5_500 - Date.now()));
    const listed = await page.evaluate(() => globalThis.mavi.list(1));
    expect(listed.status).toBe(200);
    expect(preflights()).toEqual(ONE_PREFLIGHT);
  });

  it('saw no failed request, no answer >= 400 and no console error', async () => {
    await page.evaluate(() => globalThis.mavi.dispose());
    await Promise.all(settling);
    expect(failed).toEqual([]);
    const stream = new RegExp(`^GET ${stack.url}(\\?token=[^ ]+)? 200: `);
    const operation = new RegExp(`^POST ${stack.url} 202: `);
    expect(cancelled.filter((line) => !stream.test(line) && !operation.test(line))).toEqual([]);
    expect(badAnswers).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(received.filter((r) => r.response.statusCode >= 400).map((r) => `${r.method} ${r.url}`)).toEqual(
      [],
    );
    // Every request the page made reached the gateway from the page's own origin.
    expect(fromPage()).toHaveLength(received.filter((r) => r.url.startsWith('/graphql')).length);
  });
});
