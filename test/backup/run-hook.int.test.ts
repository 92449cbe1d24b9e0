/**
 * The backup a governed run takes before its first write: taken and audited before the run
 * starts writing, skipped (and audited) with --no-backup or without a store, refused before
 * anything connects when the project's policy requires one, never taken by a dry run, and
 * followed by retention.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/log.js';
import { openConfiguredStore } from '../../src/audit/open-store.js';
import type { BackupStore } from '../../src/backup/config.js';
import { listBackups } from '../../src/backup/store.js';
import { FerryError } from '../../src/errors.js';
import { governedRun, type GovernedRunOptions } from '../../src/run/governed-run.js';
import type { Store } from '../../src/store/db.js';
import { writeFixture } from '../engine/fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { testStore } from './helpers.js';

describe('the backup before a governed run', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let control: Store;
  let log: AuditLog;
  let store: BackupStore;
  let notices: string[];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('ferry-backup-run-'));
    await writeFixture(dir, 12);
    control = await openConfiguredStore({ flag: `sqlite:${path.join(dir, 'ferry.db')}`, env: {}, cwd: dir });
    log = new AuditLog(control);
    store = testStore(path.join(dir, 'backups'));
    notices = [];
  });
  afterEach(async () => {
    await control.close();
    await cleanup();
  });

  const target = () => `sqlite:${path.join(dir, 'target.db')}`;
  function options(backup: GovernedRunOptions['backup'], dryRun = false): GovernedRunOptions {
    return {
      run: { contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, targetUrl: target(), dryRun },
      audit: { log, actor: 'os:tester' },
      backup: backup && { ...backup, notice: (l) => notices.push(l) },
    };
  }
  const types = async () => (await log.list({})).map((e) => e.type).reverse();

  it('takes and audits a backup of every mapped table before the run writes, then one with the rows the first run loaded', async () => {
    const first = await governedRun(options({ store }));
    expect(first.status).toBe('succeeded');
    const second = await governedRun(options({ store }));
    expect(second.status).toBe('succeeded');
    const { backups } = await listBackups(store);
    expect(backups).toHaveLength(2);
    const [latest, earliest] = backups;
    expect(earliest.tables.map((t) => [t.name, t.absent])).toEqual([
      ['patient', true],
      ['address', true],
    ]);
    const loaded = Object.fromEntries(first.tables.map((t) => [t.table, t.loaded]));
    expect(latest.tables.map((t) => [t.name, t.rows])).toEqual([
      ['patient', loaded.patient],
      ['address', loaded.address],
    ]);
    const trail = await types();
    expect(trail.indexOf('backup:taken')).toBeLessThan(trail.indexOf('run:started'));
    expect(trail.filter((t) => t === 'backup:taken')).toHaveLength(2);
    const taken = (await log.list({ type: 'backup:taken' }))[0].payload as { backupId: string; kind: string };
    expect(taken).toMatchObject({ backupId: latest.id, kind: 'sqlite' });
    expect(notices[0]).toMatch(/^backup: bk-\S+ taken \(2 table\(s\), 0 row\(s\)/);
  });

  it('records a skip with --no-backup, and without a configured store prints one notice and records that', async () => {
    await governedRun(options({ store, skip: true }));
    await governedRun(options({}));
    expect((await listBackups(store)).backups).toHaveLength(0);
    const skips = (await log.list({ type: 'backup:skipped' })).map((e) => (e.payload as { reason: string }).reason).reverse();
    expect(skips).toEqual(['no_backup_flag', 'not_configured']);
    expect(notices).toHaveLength(2);
    expect(notices[1]).toContain('FERRY_BACKUP_DIR');
  });

  it('refuses, before anything connects, a run whose policy requires a backup when none can be taken', async () => {
    for (const backup of [{ policy: { required: true } }, { store, skip: true, policy: { required: true } }]) {
      const err = await governedRun(options(backup)).catch((e: unknown) => e as FerryError);
      expect(err).toBeInstanceOf(FerryError);
      expect((err as FerryError).code).toBe('backup.required');
    }
    expect(existsSync(path.join(dir, 'target.db'))).toBe(false);
    expect(await types()).toEqual([]);
  });

  it('takes none for a dry run', async () => {
    await governedRun(options({ store, policy: { required: true } }, true));
    expect((await listBackups(store)).backups).toHaveLength(0);
    expect((await types()).filter((t) => t.startsWith('backup:'))).toEqual([]);
  });

  it("applies retention after each backup, the project's policy over the operator's, and audits what it deleted", async () => {
    const keepOne = { ...store, retention: { keep: 5 } };
    for (let i = 0; i < 3; i++) await governedRun(options({ store: keepOne, policy: { required: false, keepLast: 1 } }));
    const { backups } = await listBackups(store);
    expect(backups).toHaveLength(1);
    const pruned = (await log.list({ type: 'backup:pruned' })).map((e) => e.payload as { backupIds: string[]; keep: number });
    expect(pruned).toHaveLength(2);
    expect(pruned.every((p) => p.keep === 1 && p.backupIds.length === 1 && !p.backupIds.includes(backups[0].id))).toBe(true);
  });
});
