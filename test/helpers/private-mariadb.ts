/**
 * A private MariaDB server for tests that need server settings the shared one must not change
 * (a row-based binlog, purged logs). It runs from a temporary data directory on a free port,
 * root without a password over TCP 127.0.0.1 like the shared server, and is shut down and
 * deleted by stop().
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';

const run = promisify(execFile);

export interface PrivateMariadb {
  port: number;
  /** `mysql://root@127.0.0.1:PORT/DB`. */
  url(db: string): string;
  /** An admin connection (no default database). */
  admin(): Promise<mysql.Connection>;
  stop(): Promise<void>;
}

/** Extra server options, e.g. `['--log-bin=...']`; the default is a row-based binlog with full images and metadata. */
export async function startPrivateMariadb(options: { binlog?: boolean } = {}): Promise<PrivateMariadb> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-mariadb-'));
  const data = join(dir, 'data');
  // --no-defaults: the machine's my.cnf sets user=mysql and paths of the shared server.
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root']);
  const port = await freePort();
  const binlog = options.binlog === false ? [] : [`--log-bin=${join(dir, 'bin')}`, '--binlog-format=ROW', '--binlog-row-image=FULL', '--binlog-row-metadata=FULL'];
  const server: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'sock')}`,
      `--pid-file=${join(dir, 'pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      '--user=root',
      '--server-id=1',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M',
      ...binlog,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = (db: string): string => `mysql://root@127.0.0.1:${port}/${db}`;
  const admin = (): Promise<mysql.Connection> => mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const c = await admin();
      await c.end();
      break;
    } catch (err) {
      if (server.exitCode !== null || Date.now() > deadline) {
        server.kill('SIGKILL');
        await rm(dir, { recursive: true, force: true });
        throw new Error(`private MariaDB did not start on port ${port}: ${String(err)}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    url,
    admin,
    stop: async () => {
      try {
        const c = await admin();
        await c.query('SHUTDOWN');
        await c.end();
      } catch {
        server.kill('SIGTERM');
      }
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}
