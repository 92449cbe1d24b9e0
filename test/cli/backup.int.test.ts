/**
 * `ferry backup` as an operator uses it, through the real `ferry` process (bin/ferry.js, built
 * by `npm run build:cli`): `ferry run` with FERRY_BACKUP_DIR and FERRY_BACKUP_KEY takes a
 * backup before writing (audited); the target is then changed behind Ferry's back, and
 * `ferry backup restore` brings it back exactly. A damaged backup fails `verify` with a non-zero
 * exit, and a malformed key is refused without being echoed.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/errors.js';
import { writeFixture } from '../engine/fixture.js';
import { query, runFerry } from '../fault/ferry-process.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
let target: { url: string; drop: () => Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-cli-backup-'));
  await writeFixture(dir, 30);
  target = await createPgDatabase('ferry_cli_bk');
  env = {
    FERRY_DATABASE_URL: `sqlite:${path.join(dir, 'ferry.db')}`,
    FERRY_BACKUP_DIR: path.join(dir, 'backups'),
    FERRY_BACKUP_KEY: randomBytes(32).toString('base64'),
    FERRY_SOURCE_URL: '',
    FERRY_TARGET_URL: '',
  };
});
afterAll(async () => {
  await target?.drop();
  await cleanup?.();
});

/** Every row of the contract's tables, as PostgreSQL prints it, sorted, with counts. */
async function contents(): Promise<string> {
  const out: string[] = [];
  for (const t of ['patient', 'address']) {
    const rows = await query<{ r: string }>(target.url, `SELECT x::text AS r FROM ${t} x ORDER BY 1`);
    out.push(`${t} ${rows.length}\n${rows.map((r) => r.r).join('\n')}`);
  }
  return out.join('\n');
}

const run = (extra: string[] = [], e: NodeJS.ProcessEnv = env) => runFerry(['run', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', target.url, '--json', ...extra], dir, e);

describe('ferry backup', () => {
  let id: string;
  let loaded: string;

  it('ferry run takes a backup before writing and records it; --no-backup records the skip', async () => {
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/backup: bk-\S+ taken \(2 table\(s\), 0 row\(s\)/);
    loaded = await contents();
    const second = await run();
    expect(second.code, second.stderr).toBe(0);
    id = /backup: (bk-\S+) taken \(2 table\(s\), [1-9]/.exec(second.stderr)![1];

    const skipped = await run(['--no-backup']);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).toContain('backup: skipped (--no-backup)');

    const taken = JSON.parse((await runFerry(['audit', 'list', '--type', 'backup:taken', '--json'], dir, env)).stdout) as { events: Array<{ payload: { backupId: string } }> };
    expect(taken.events.map((e) => e.payload.backupId)).toContain(id);
    const skips = JSON.parse((await runFerry(['audit', 'list', '--type', 'backup:skipped', '--json'], dir, env)).stdout) as { events: Array<{ payload: { reason: string } }> };
    expect(skips.events.map((e) => e.payload.reason)).toEqual(['no_backup_flag']);

    const list = JSON.parse((await runFerry(['backup', 'list', '--json'], dir, env)).stdout) as { backups: Array<{ id: string; rows: number; tables: unknown[] }> };
    expect(list.backups).toHaveLength(2);
    expect(list.backups[0]).toMatchObject({ id, tables: [{ table: 'patient' }, { table: 'address' }] });
    expect(list.backups[0].rows).toBeGreaterThan(0);
    // No value of any row in what the operator sees.
    expect(JSON.stringify(list)).not.toMatch(/smith|jones/i);
  });

  it('ferry backup restore puts the target back exactly after it was changed behind Ferry', async () => {
    await query(target.url, `UPDATE patient SET family_name = 'CHANGED' WHERE patient_id % 2 = 0`);
    await query(target.url, `DELETE FROM address WHERE address_id % 3 = 0`);
    await query(target.url, `DROP TABLE address`);
    expect(await contents().catch(() => 'address missing')).not.toBe(loaded);

    const verify = await runFerry(['backup', 'verify', id], dir, env);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`backup ${id}: OK`);

    const check = await runFerry(['backup', 'restore', id, '--target', target.url], dir, env);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('nothing was changed');

    const restore = await runFerry(['backup', 'restore', id, '--target', target.url, '--yes', '--json'], dir, env);
    expect(restore.code, restore.stderr).toBe(0);
    expect(JSON.parse(restore.stdout)).toMatchObject({ executed: true, tables: [{ table: 'patient' }, { table: 'address', recreated: true }] });
    expect(await contents()).toBe(loaded);

    const restored = JSON.parse((await runFerry(['audit', 'list', '--type', 'backup:restored', '--json'], dir, env)).stdout) as { events: Array<{ payload: { backupId: string } }> };
    expect(restored.events.map((e) => e.payload.backupId)).toEqual([id]);
  });

  it('ferry backup verify exits non-zero on a damaged backup, and prune applies retention', async () => {
    const file = path.join(dir, 'backups', id, 'data.enc');
    const data = await readFile(file);
    data[data.length - 40] ^= 0xff;
    await writeFile(file, data);
    const bad = await runFerry(['backup', 'verify', id], dir, env);
    expect(bad.code).toBe(EXIT_CODES.conflict);
    expect(bad.stderr).toContain('data.enc does not match');
    const refused = await runFerry(['backup', 'restore', id, '--target', target.url, '--yes'], dir, env);
    expect(refused.code).toBe(EXIT_CODES.conflict);

    const prune = await runFerry(['backup', 'prune', '--keep', '1', '--json'], dir, env);
    expect(prune.code, prune.stderr).toBe(0);
    expect((JSON.parse(prune.stdout) as { deleted: string[] }).deleted).toHaveLength(1);
  });

  it('refuses a malformed key without echoing it, and a directory without a key', async () => {
    const secret = 'not-a-real-key-but-secret';
    const r = await run([], { ...env, FERRY_BACKUP_KEY: secret });
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.stderr).toContain('FERRY_BACKUP_KEY');
    expect(r.stderr).not.toContain(secret);
    const none = await run([], { ...env, FERRY_BACKUP_KEY: '' });
    expect(none.code).toBe(EXIT_CODES.usage);
    expect(none.stderr).toContain('backup directory is configured but FERRY_BACKUP_KEY is not set');
  });
});
