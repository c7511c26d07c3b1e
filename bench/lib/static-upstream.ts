/**
 * MAVI's searchDB as a static answer: every `GET /api/serve/video/searchDB` with an
 * Authorization header gets the same envelope (one page of 20 videos out of 25), serialised
 * once at start. Hand-written on node:http because the overhead scenario needs an upstream that
 * is never the limit: the simulator spends 45-90 µs of CPU per searchDB (routing, auth, quota,
 * its library), which on the shared core capped the fastest targets; this spends a socket
 * write. PORT is where to listen.
 *
 * It counts what it answers, so upstream calls per request are counted where they arrive:
 * - `GET /calls`: `{"searchDB": n, "spans": bytes}` since start.
 * - `POST /v1/traces`: an OTLP/HTTP collector's answer (200, an empty protobuf message), the
 *   sink of the traced gateway's spans; it counts the bytes it was sent.
 * - `GET /lag`: this process's event-loop delay since the last `/lag` (p99 and max, ms), so a
 *   stall upstream is not blamed on the target.
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Videos uploaded a minute apart, newest first, the hour before this process started. */
const TOTAL = 25;
const PAGE = 20;
const start = Date.now() - 3_600_000;
const videoData = Array.from({ length: PAGE }, (_, i) => ({
  videoNo: `mavi_video_5540460653812121${String(TOTAL - i).padStart(2, '0')}`,
  videoName: `bench_${TOTAL - i}.mp4`,
  videoStatus: 'PARSE',
  uploadTime: String(start + (TOTAL - i) * 60_000),
  duration: String(60 + i),
}));
const page = Buffer.from(
  JSON.stringify({
    code: '0000',
    msg: 'success',
    data: { page: Math.ceil(TOTAL / PAGE), current: 1, total: TOTAL, pageSize: PAGE, videoData },
  }),
);
const unauthorized = Buffer.from(JSON.stringify({ code: '0401', msg: 'Authorization invalid or incorrect' }));

let searchDB = 0;
let spanBytes = 0;
const lag = monitorEventLoopDelay({ resolution: 5 });
lag.enable();

const json = (res: import('node:http').ServerResponse, body: Buffer) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
};

const server = createServer((req, res) => {
  const path = req.url?.split('?', 1)[0];
  if (path === '/v1/traces' && req.method === 'POST') {
    req.on('data', (chunk: Buffer) => {
      spanBytes += chunk.length;
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
      res.end();
    });
    return;
  }
  req.resume();
  if (path === '/api/serve/video/searchDB' && req.method === 'GET') {
    searchDB += 1;
    json(res, req.headers.authorization ? page : unauthorized);
    return;
  }
  if (path === '/calls') {
    json(res, Buffer.from(JSON.stringify({ searchDB, spans: spanBytes })));
    return;
  }
  if (path === '/lag') {
    const result = { p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6 };
    lag.reset();
    json(res, Buffer.from(JSON.stringify(result)));
    return;
  }
  if (path === '/health') {
    res.end('ok');
    return;
  }
  res.writeHead(404);
  res.end();
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
