// A Portico of a journey's own, for the journeys that stop and start it
// (kill -9, or days passing): the run's binary and site over a SQLite file
// in `dir`, on `port`, with demo data. The run's shared server is left alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

/** Starts `portico demo --records <records>` with `env` added, and waits for /readyz. */
export async function startPortico(
  port: number,
  dir: string,
  records: number,
  env: Record<string, string>,
): Promise<ChildProcess> {
  const binary = process.env.PORTICO_E2E_BINARY ?? join(root, 'target', 'debug', 'portico');
  const child = spawn(binary, ['demo', '--records', String(records)], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${join(dir, 'portico.db')}`,
      PORTICO_BIND: `127.0.0.1:${port}`,
      PORTICO_PUBLIC_BASE_URL: `http://127.0.0.1:${port}/`,
      PORTICO_SITE_DIR: process.env.PORTICO_SITE_DIR ?? join(root, 'target', 'site'),
      RUST_LOG: 'warn',
      ...env,
    },
    stdio: 'ignore',
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('portico did not become ready');
}

/** Stops it with `signal` and waits until it has exited. */
export async function stopPortico(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill(signal);
  await exited;
}
