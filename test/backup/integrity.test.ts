/**
 * A damaged or foreign backup is refused, each kind of damage with its own code, before any
 * target is touched; the key and directory are read from the operator's environment only.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupStoreOf, requireBackupDir, retentionOf } from '../../src/backup/config.js';
import { backupKeyFromEnv } from '../../src/backup/key.js';
import { signManifest, type BackupManifest } from '../../src/backup/manifest.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { backupPath, expired, listBackups, pruneBackups } from '../../src/backup/store.js';
import { takeBackup } from '../../src/backup/take.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { FerryError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { TARGET_KINDS, testStore } from './helpers.js';

const sqlite = TARGET_KINDS.find((k) => k.kind === 'sqlite')!;
const TABLES = ['patient', 'episode'];

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FerryError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('backup integrity', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let targetUrl: string;
  beforeEach(async () => {
    tmp = await tempDir('ferry-backup-int-');
    targetUrl = (await sqlite.create(tmp.dir)).url;
    await sqlite.seed(targetUrl);
  });
  afterEach(() => tmp.cleanup());

  async function taken() {
    const store = testStore(path.join(tmp.dir, 'store'));
    const manifest = await takeBackup({ store, targetUrl, tables: TABLES });
    return { store, manifest, dir: backupPath(store, manifest.id) };
  }

  it('refuses a flipped byte in data.enc (backup.data_corrupt) in verify and restore, leaving the target untouched', async () => {
    const { store, manifest, dir } = await taken();
    const file = path.join(dir, 'data.enc');
    const data = await readFile(file);
    data[Math.floor(data.length / 2)] ^= 0x01;
    await writeFile(file, data);
    expect(await codeOf(verifyBackup(store, manifest.id))).toBe('backup.data_corrupt');
    await sqlite.change(targetUrl);
    const changed = await sqlite.fingerprint(targetUrl, TABLES);
    expect(await codeOf(restoreBackup({ store, backupId: manifest.id, targetUrl, execute: true }))).toBe('backup.data_corrupt');
    expect(await sqlite.fingerprint(targetUrl, TABLES)).toBe(changed);
  });

  it('refuses an edited manifest (backup.manifest_tampered)', async () => {
    const { store, manifest, dir } = await taken();
    const file = path.join(dir, 'manifest.json');
    const m = JSON.parse(await readFile(file, 'utf8')) as BackupManifest;
    m.tables[0].rows += 1;
    await writeFile(file, JSON.stringify(m));
    expect(await codeOf(verifyBackup(store, manifest.id))).toBe('backup.manifest_tampered');
  });

  it('refuses the wrong key (backup.wrong_key), naming key ids only', async () => {
    const { store, manifest } = await taken();
    const other = { ...store, key: randomBytes(32) };
    const err = await verifyBackup(other, manifest.id).catch((e: unknown) => e as FerryError);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('backup.wrong_key');
    expect((err as FerryError).message).not.toContain(store.key.toString('hex'));
  });

  it('refuses data that fails AES-GCM authentication even when its digest was rewritten (backup.auth_failed)', async () => {
    const { store, manifest, dir } = await taken();
    const file = path.join(dir, 'data.enc');
    const data = await readFile(file);
    data[20] ^= 0x80;
    await writeFile(file, data);
    const { createHash } = await import('node:crypto');
    const { mac: _mac, ...rest } = manifest;
    const resigned = signManifest({ ...rest, data: { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') } }, store.key);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(resigned));
    expect(await codeOf(verifyBackup(store, manifest.id))).toBe('backup.auth_failed');
  });

  it('refuses a table whose dump does not match its recorded checksum (backup.table_checksum)', async () => {
    const { store, manifest, dir } = await taken();
    const { mac: _mac, ...rest } = manifest;
    const resigned = signManifest({ ...rest, tables: rest.tables.map((t, i) => (i === 1 ? { ...t, sha256: '0'.repeat(64) } : t)) }, store.key);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(resigned));
    expect(await codeOf(verifyBackup(store, manifest.id))).toBe('backup.table_checksum');
  });

  it('refuses ids that are not backup ids before they can name a path', async () => {
    const { store } = await taken();
    expect(await codeOf(verifyBackup(store, '../../etc'))).toBe('backup.bad_id');
    expect(await codeOf(verifyBackup(store, 'bk-20260101-000000-00000000'))).toBe('backup.unknown');
  });

  it('refuses a restore into another kind of target', async () => {
    const { store, manifest } = await taken();
    expect(await codeOf(restoreBackup({ store, backupId: manifest.id, targetUrl: `csv:${tmp.dir}`, execute: true }))).toBe('backup.kind_mismatch');
  });
});

describe('backup configuration', () => {
  it('reads the key as hex or base64 and refuses anything else without echoing it', () => {
    const key = randomBytes(32);
    expect(backupKeyFromEnv({ FERRY_BACKUP_KEY: key.toString('hex') })).toEqual(key);
    expect(backupKeyFromEnv({ FERRY_BACKUP_KEY: key.toString('base64') })).toEqual(key);
    expect(backupKeyFromEnv({})).toBeUndefined();
    for (const bad of ['hunter2-not-a-key', randomBytes(16).toString('hex')]) {
      let err: FerryError | undefined;
      try {
        backupKeyFromEnv({ FERRY_BACKUP_KEY: bad });
      } catch (e) {
        err = e as FerryError;
      }
      expect(err?.code).toBe('backup.bad_key');
      expect(err?.message).toContain('FERRY_BACKUP_KEY');
      expect(err?.message).not.toContain(bad);
    }
  });

  it('is configured by a directory, which then needs a key; none configured is not an error', () => {
    expect(backupStoreOf({ env: {}, cwd: '/w' })).toBeUndefined();
    expect(() => backupStoreOf({ env: { FERRY_BACKUP_DIR: 'b' }, cwd: '/w' })).toThrow(expect.objectContaining({ code: 'backup.no_key' }));
    const store = backupStoreOf({ env: { FERRY_BACKUP_DIR: 'b', FERRY_BACKUP_KEY: randomBytes(32).toString('hex'), FERRY_BACKUP_KEEP: '3' }, cwd: '/w' });
    expect(store).toMatchObject({ dir: '/w/b', retention: { keep: 3 } });
    expect(requireBackupDir({ dir: 'x', env: { FERRY_BACKUP_DIR: 'b' }, cwd: '/w' })).toBe('/w/x');
    expect(() => requireBackupDir({ env: {}, cwd: '/w' })).toThrow(expect.objectContaining({ code: 'backup.no_dir' }));
    expect(() => retentionOf({ keep: '1.5', env: {} })).toThrow(expect.objectContaining({ code: 'backup.bad_retention' }));
    expect(retentionOf({ keepDays: '0.5', env: { FERRY_BACKUP_KEEP: '2' } })).toEqual({ keep: 2, keepDays: 0.5 });
  });
});

describe('retention', () => {
  const at = (iso: string, target: string, id: string) => ({ id, createdAt: iso, target: { kind: 'sqlite', display: target } }) as BackupManifest;
  const list = [
    at('2026-01-05T00:00:00.000Z', 'sqlite:a', 'a5'),
    at('2026-01-04T00:00:00.000Z', 'sqlite:a', 'a4'),
    at('2026-01-03T00:00:00.000Z', 'sqlite:b', 'b3'),
    at('2026-01-02T00:00:00.000Z', 'sqlite:a', 'a2'),
    at('2026-01-01T00:00:00.000Z', 'sqlite:b', 'b1'),
  ];
  const now = new Date('2026-01-05T12:00:00.000Z');

  it('keeps the newest N of each target, and what is younger than D days', () => {
    expect(expired(list, { keep: 1 }, now).map((m) => m.id)).toEqual(['a4', 'a2', 'b1']);
    expect(expired(list, { keepDays: 2 }, now).map((m) => m.id)).toEqual(['b3', 'a2', 'b1']);
    expect(expired(list, { keep: 2, keepDays: 3 }, now).map((m) => m.id)).toEqual(['a2', 'b1']);
    expect(expired(list, {}, now)).toEqual([]);
  });

  it("never deletes the backup just taken, and applies the run's retention to that backup's target only", () => {
    // A project's policy (keep 1, a few seconds) after its backup b1 of target b: target a's
    // backups, another project's or another tenant's in a shared store, are not touched.
    expect(expired(list, { keep: 1, keepDays: 0.0001 }, now, 'b1').map((m) => m.id)).toEqual(['b3']);
    expect(expired(list, { keep: 1 }, now, 'a5').map((m) => m.id)).toEqual(['a4', 'a2']);
  });

  it('prunes the directory', async () => {
    const tmp = await tempDir('ferry-backup-prune-');
    try {
      const url = (await sqlite.create(tmp.dir)).url;
      await sqlite.seed(url);
      const store = testStore(path.join(tmp.dir, 'store'));
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await takeBackup({ store, targetUrl: url, tables: TABLES, now: () => new Date(Date.UTC(2026, 0, 1 + i)) })).id);
      const deleted = await pruneBackups(store, { keep: 1 }, new Date(Date.UTC(2026, 0, 10)));
      expect(deleted.map((m) => m.id).sort()).toEqual(ids.slice(0, 2).sort());
      expect((await listBackups(store)).backups.map((m) => m.id)).toEqual([ids[2]]);
    } finally {
      await tmp.cleanup();
    }
  });
});
