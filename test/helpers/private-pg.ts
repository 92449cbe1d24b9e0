/**
 * A private PostgreSQL 15 instance for tests that need server settings the machine's shared
 * server does not have (wal_level = logical for change capture) and must not be changed there.
 * initdb into a temporary directory owned by the postgres OS user, start on a free port with
 * unix sockets inside the data directory, and remove everything on stop().
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env.FERRY_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

const DEFAULT_SETTINGS: Record<string, string> = {
  wal_level: 'logical',
  max_slot_wal_keep_size: '1GB',
  max_replication_slots: '10',
  max_wal_senders: '10',
  // Test data only: durability is not worth the fsyncs on a shared two-core machine.
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  shared_buffers: '32MB',
};

export interface PrivatePg {
  /** `postgres://postgres@127.0.0.1:PORT/DB`. */
  url(db?: string): string;
  port: number;
  stop(): Promise<void>;
}

/** A TCP port nobody is listening on now (bound to port 0, then released). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as the postgres OS user when we are root (initdb and postgres refuse root). */
function asPostgres(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const exe = path.join(BIN, bin);
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', exe, ...args]) : run(exe, args);
}

/** Starts a private PostgreSQL instance with `settings` on top of the logical-replication defaults. */
export async function startPrivatePg(options: { settings?: Record<string, string> } = {}): Promise<PrivatePg> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ferry-pg-'));
  const dir = path.join(root, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
  }
  const cleanup = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    await asPostgres('initdb', ['-A', 'trust', '-U', 'postgres', '-D', dir, '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    const port = await freePort();
    const settings = { ...DEFAULT_SETTINGS, ...options.settings, port: String(port), listen_addresses: '127.0.0.1', unix_socket_directories: dir };
    const pgOptions = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    await asPostgres('pg_ctl', ['start', '-w', '-t', '30', '-D', dir, '-l', path.join(dir, 'server.log'), '-o', pgOptions]);
    const url = (db = 'postgres'): string => `postgres://postgres@127.0.0.1:${port}/${db}`;
    // pg_ctl -w waits for the postmaster; a first query proves it takes connections.
    const probe = new pg.Client({ connectionString: url() });
    await probe.connect();
    await probe.end();
    let stopped = false;
    return {
      url,
      port,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        // A replication client a failed test left open can hold a fast shutdown up: then immediate.
        await asPostgres('pg_ctl', ['stop', '-m', 'fast', '-w', '-t', '10', '-D', dir]).catch(() => asPostgres('pg_ctl', ['stop', '-m', 'immediate', '-w', '-D', dir]).catch(() => {}));
        await cleanup();
      },
    };
  } catch (err) {
    await asPostgres('pg_ctl', ['stop', '-m', 'immediate', '-D', dir]).catch(() => {});
    await cleanup();
    throw err;
  }
}
