/**
 * The backup round trip on every kind of target: typed tables with awkward values, backed up,
 * changed behind Ferry's back (updates, deletes, inserts, a dropped table, a new one), then
 * restored; every value and count must be exactly as before.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups } from '../../src/backup/store.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { takeBackup } from '../../src/backup/take.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { tempDir } from '../helpers/tmp.js';
import { TARGET_KINDS, testStore } from './helpers.js';

const TABLES = ['patient', 'episode', 'created_later'];

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('ferry-backup-');
});
afterAll(async () => {
  await tmp.cleanup();
});

describe.each(TARGET_KINDS)('backup round trip on $kind', (k) => {
  it('restores every table byte for byte, recreating a dropped one and dropping a created one only when asked', async () => {
    const target = await k.create(tmp.dir);
    try {
      await k.seed(target.url);
      const before = await k.fingerprint(target.url, TABLES);
      expect(before).toContain('created_later: absent');
      const store = testStore(path.join(tmp.dir, `store-${k.kind}`));

      const manifest = await takeBackup({ store, targetUrl: target.url, tables: TABLES, runId: 'run-x', contractDigest: 'a'.repeat(64) });
      expect(manifest.tables.map((t) => [t.name, t.absent])).toEqual([
        ['patient', false],
        ['episode', false],
        ['created_later', true],
      ]);
      if (k.kind !== 'csv') expect(manifest.tables[0].rows).toBe(k.kind === 'ndjson' ? 8 : 40);
      // The manifest lists names, counts and digests: no value of any row.
      const text = await readFile(path.join(store.dir, manifest.id, 'manifest.json'), 'utf8');
      expect(text).not.toContain('Zoë');
      expect(text).not.toContain('changed');
      expect((await verifyBackup(store, manifest.id)).ok).toBe(true);
      expect((await listBackups(store)).backups.map((m) => m.id)).toEqual([manifest.id]);

      await k.change(target.url);
      expect(await k.fingerprint(target.url, TABLES)).not.toBe(before);

      // Without execute: verified, nothing changes.
      const check = await restoreBackup({ store, backupId: manifest.id, targetUrl: target.url, execute: false });
      expect(check.created).toEqual(['created_later']);
      expect(check.tables.find((t) => t.table === 'episode')?.recreated).toBe(true);
      const changed = await k.fingerprint(target.url, TABLES);
      expect(changed).not.toBe(before);

      const kept = await restoreBackup({ store, backupId: manifest.id, targetUrl: target.url, execute: true });
      expect(kept.droppedCreated).toBe(false);
      const afterKeep = await k.fingerprint(target.url, TABLES);
      expect(afterKeep.split('\n').slice(0, 2)).toEqual(before.split('\n').slice(0, 2));
      expect(afterKeep).not.toContain('created_later: absent');

      const dropped = await restoreBackup({ store, backupId: manifest.id, targetUrl: target.url, execute: true, dropCreated: true });
      expect(dropped.droppedCreated).toBe(true);
      expect(await k.fingerprint(target.url, TABLES)).toBe(before);
    } finally {
      await target.drop();
    }
  });
});
