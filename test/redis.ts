/**
 * A real redis-server for the tests that need one, on a free loopback port, with no
 * persistence. `.ci/run` installs redis-server; locally: `apt-get install redis-server`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './processes.js';

export interface RedisServer {
  url: string;
  port: number;
  /** The redis-server process, for tests that stop it (SIGSTOP) to make it stop answering. */
  pid: number;
  close(): Promise<void>;
}

export function redisAvailable(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startRedis(): Promise<RedisServer> {
  if (!redisAvailable()) {
    throw new Error(
      'redis-server is not installed: run `apt-get install redis-server` (CI does this in .ci/run).',
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('redis-server did not start within 5 s')), 5000);
    const check = () => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.write('PING\r\n');
      });
      s.once('data', (d) => {
        s.destroy();
        if (d.toString().includes('PONG')) {
          clearTimeout(deadline);
          resolve();
        } else setTimeout(check, 20);
      });
      s.once('error', () => {
        s.destroy();
        setTimeout(check, 20);
      });
    };
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`redis-server exited with code ${code}`));
    });
    void check();
  });
  child.removeAllListeners('exit');
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        // A stopped server would hold SIGTERM until continued.
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }),
  };
}
