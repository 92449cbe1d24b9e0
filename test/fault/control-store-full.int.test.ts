/**
 * The SQLite control store's volume fills up under `ferry`. The child's file size is capped with
 * RLIMIT_FSIZE (`ulimit -f`), as in file-target-full.int.test.ts: SQLite's write then fails with
 * EFBIG, which it reports as SQLITE_IOERR_WRITE (a full volume's ENOSPC is SQLITE_FULL, covered
 * in-process by test/store/sqlite-errors.int.test.ts). The command must exit with the code of the
 * error's kind (3, connection) and say what to do, not exit 1 with an internal error.
 */
import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/errors.js';
import { openStore } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('ferry-store-full-')));
afterAll(() => cleanup());

/** Runs `ferry ARGS` with files capped at `capKb` KiB; returns its exit code and output. */
function ferryCapped(capKb: number, args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync('bash', ['-c', `ulimit -f ${capKb} && exec "$@"`, 'bash', process.execPath, path.join(ROOT, 'bin/ferry.js'), ...args], {
      cwd: dir,
      env: { ...process.env, CI: '1', FERRY_ADMIN_PASSWORD: 'a long enough passphrase 1!' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: e.stdout + e.stderr };
  }
}

describe('a SQLite control store whose volume is full', () => {
  it('ends the command with store.io_error, exit code 3, and leaves the store as it was', async () => {
    const file = path.join(dir, 'store.db');
    // Created (migrated) without the cap. 40 KiB leaves room for the 32 KiB -shm file and a few WAL
    // frames (4 KiB pages), fewer than creating an org, its admin and their audit events append.
    const location = parseStoreUrl(`sqlite:${file}`, dir);
    await (await openStore(location)).close();
    const before = (await stat(file)).size;

    const r = ferryCapped(40, ['admin', 'init', '--org', 'trust-a', '--admin', 'alice', '--store', `sqlite:${file}`]);
    expect(r.code, r.output).toBe(EXIT_CODES.connection);
    expect(r.output).toMatch(
      /^ferry: reading or writing the control store sqlite:.*store\.db failed at the file system \(SQLITE_IOERR_WRITE\), so the write was not made; check the volume for free space/m,
    );
    expect(r.output).not.toMatch(/internal error|SqliteError/);

    const store = await openStore(location);
    try {
      expect(await store.db.selectFrom('org').select('id').execute()).toEqual([]);
    } finally {
      await store.close();
    }
    expect((await stat(file)).size).toBe(before);
  });
});
