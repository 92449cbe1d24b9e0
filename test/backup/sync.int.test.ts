/**
 * A new sync's snapshot run takes the same backup a run does, recorded with the sync's id; a
 * policy that requires one refuses the sync before a slot, a ledger row or a target file exists.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/log.js';
import { openConfiguredStore } from '../../src/audit/open-store.js';
import { listBackups } from '../../src/backup/store.js';
import { startSync } from '../../src/sync/start-sync.js';
import type { Store } from '../../src/store/db.js';
import { patientSyncContract } from '../helpers/patient-sync-contract.js';
import { tempDir } from '../helpers/tmp.js';
import { testStore } from './helpers.js';

const CONTRACT = patientSyncContract({ changeColumn: 'VER', changeType: 'integer' });

describe('the backup before a sync snapshot', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let control: Store;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('ferry-backup-sync-'));
    await writeFile(path.join(dir, 'contract.yaml'), CONTRACT);
    const db = new Database(path.join(dir, 'source.db'));
    db.exec(`CREATE TABLE PATIENT (ID integer PRIMARY KEY, NAME text, VER integer); INSERT INTO PATIENT VALUES (1, 'ann', 1), (2, 'bob', 2);`);
    db.close();
    control = await openConfiguredStore({ flag: `sqlite:${path.join(dir, 'ferry.db')}`, env: {}, cwd: dir });
  });
  afterEach(async () => {
    await control.close();
    await cleanup();
  });

  const options = (backup: Parameters<typeof startSync>[0]['backup'], signal?: AbortSignal) => ({
    contractFile: path.join(dir, 'contract.yaml'),
    sourceUrl: `sqlite:${path.join(dir, 'source.db')}`,
    targetUrl: `sqlite:${path.join(dir, 'target.db')}`,
    pollSeconds: 0.2,
    heartbeatMs: 200,
    audit: { log: new AuditLog(control), actor: 'os:tester' },
    backup,
    signal,
  });

  it('takes a backup recorded with the sync id before the snapshot writes', async () => {
    const store = testStore(path.join(dir, 'backups'));
    const abort = new AbortController();
    let syncId = '';
    const done = startSync({
      ...options({ store }, abort.signal),
      onEvent: (e) => {
        if (e.type === 'sync:id') syncId = e.syncId;
        if (e.type === 'sync:streaming') abort.abort();
      },
    });
    await done.catch(() => undefined);
    const { backups } = await listBackups(store);
    expect(backups).toHaveLength(1);
    expect(syncId).not.toBe('');
    expect(backups[0]).toMatchObject({ syncId, tables: [{ name: 'patient', absent: false, rows: 0 }] });
    const taken = await new AuditLog(control).list({ type: 'backup:taken' });
    expect(taken.map((e) => (e.payload as { syncId: string }).syncId)).toEqual([syncId]);
  });

  it('refuses a new sync its policy requires a backup for when no store is configured, before anything exists', async () => {
    await expect(startSync(options({ policy: { required: true } }))).rejects.toMatchObject({ code: 'backup.required' });
    expect(existsSync(path.join(dir, 'target.db'))).toBe(false);
    expect(await new AuditLog(control).list({})).toEqual([]);
  });
});
