import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../src/simulator/index.js';
import { type GatewayProcess, startGatewayProcess } from './processes.js';

/** `npm start` as a fresh machine runs it: no MAVI_BASE_URL, so the embedded simulator. */
describe('the server process', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ LOG_LEVEL: 'warn' });
  }, 30_000);
  afterAll(() => gateway?.stop());

  it('says it runs on the embedded simulator and prints the demo credential', () => {
    expect(gateway.output()).toContain('embedded MAVI simulator');
    expect(gateway.output()).toContain(`{"Authorization": "${DEMO_API_KEY}"}`);
  });

  it('answers /health and serves the demo library with the demo credential', async () => {
    expect((await fetch(gateway.url.replace('/graphql', '/health'))).status).toBe(200);
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: DEMO_API_KEY },
      body: JSON.stringify({ query: '{ videos { ... on QueryVideosSuccess { data { totalCount } } } }' }),
    });
    const body = (await res.json()) as { data: { videos: { data: { totalCount: number } } } };
    expect(body.data.videos.data.totalCount).toBeGreaterThan(0);
  });

  it('serves GraphiQL from the gateway itself, with no CDN, opening on an example with the demo key', async () => {
    const res = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    // Scripts and styles are inline: nothing is loaded from another host.
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(html).toContain('query Library');
    expect(html).toContain(DEMO_API_KEY);
  });
});

describe('configuration errors', () => {
  function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: fileURLToPath(new URL('../', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
  }

  it('exits non-zero with one clear message naming every bad value', async () => {
    const { code, output } = await run({
      PORT: 'eighty',
      MAVI_BASE_URL: 'ftp://example.test',
      REDIS_URL: 'redis://user:hunter2@127.0.0.1:1',
      LOG_LEVEL: 'loud',
    });
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration');
    expect(output).toContain('PORT must be an integer from 0 to 65535; got "eighty"');
    expect(output).toContain('MAVI_BASE_URL must be a http: or https: URL');
    expect(output).toContain('LOG_LEVEL must be one of');
    expect(output).toContain('WEBHOOK_SECRET is required with REDIS_URL');
    // A URL that may hold a password is named, never echoed.
    expect(output).not.toContain('hunter2');
    expect(output).not.toMatch(/at .*\.ts:\d+/);
  }, 30_000);
});
