/**
 * Rollback returns a target to its exact pre-run state for the rows a run touched: the
 * checksum of the target tables before a run equals the checksum after run + rollback, on
 * PostgreSQL, MariaDB and SQLite, for upserts over pre-existing rows and for appends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/run/migrate.js';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { AuditLog } from '../../src/audit/log.js';
import { openConfiguredStore } from '../../src/audit/open-store.js';
import { rollbackRun } from '../../src/rollback/rollback.js';
import { lookupLineage } from '../../src/lineage/query.js';
import { openSource } from '../../src/connectors/registry.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from '../engine/fixture.js';
import { checksum, databaseKinds, dropPatientsUpTo, NO_DEFECTS, TABLES, writeChangedFixture } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const drops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  // Before: 60 patients with other first names and postcodes, none quarantined.
  await writeChangedFixture(path.join(dir, 'before'), 60, NO_DEFECTS);
  // The run to undo: 80 patients (1–60 update, 61–80 insert; 3, 5, 9 quarantined and 7 excluded stay untouched).
  await writeFixture(path.join(dir, 'run'), 80);
  // Append: patients 61–80 only, so every key is new; address loads with `load: append`.
  const appendContract = await writeFixture(path.join(dir, 'append'), 80);
  await dropPatientsUpTo(path.join(dir, 'append'), 60);
  const yaml = await readFile(appendContract, 'utf8');
  await writeFile(appendContract, yaml.replace('  address:\n    source: ADDR\n', '  address:\n    source: ADDR\n    load: append\n'));
  // A key the run inserts and then meets again in a later batch ('012' is patient 12 again).
  await writeFixture(path.join(dir, 'dup'), 30, NO_DEFECTS);
  const pat = path.join(dir, 'dup', 'source', 'PAT.csv');
  const lines = (await readFile(pat, 'utf8')).split('\n');
  await writeFile(pat, `${lines.join('\n')}${lines[12].replace(/^12,/, '012,').replace('SMITH12', 'JONES12')}\n`);
  // Truncate: the run empties address and reloads it; its previous contents come back on rollback.
  const truncateContract = await writeFixture(path.join(dir, 'truncate'), 80);
  await writeFile(truncateContract, yaml.replace('  address:\n    source: ADDR\n', '  address:\n    source: ADDR\n    load: truncate\n'));
});
afterAll(async () => {
  for (const d of drops) await d();
  await cleanup();
});

function run(name: string, targetUrl: string) {
  return migrate({ contractFile: path.join(dir, name, 'contract.yaml'), sourceUrl: `csv:${path.join(dir, name, 'source')}`, targetUrl, batchSize: 16 });
}

describe.each(databaseKinds(() => dir))('rollback on $kind', ({ kind, create }) => {
  it('restores updated rows and removes inserted ones, exactly, and records run:rolled_back in the audit trail', async () => {
    const db = await create();
    drops.push(db.drop);
    expect((await run('before', db.url)).status).toBe('succeeded');
    const before = await checksum(db.url, TABLES);

    const touched = await run('run', db.url);
    expect(touched.status).toBe('succeeded');
    expect(await checksum(db.url, TABLES)).not.toBe(before);

    const store = `sqlite:${path.join(dir, `audit-${kind}.db`)}`;
    const io = memoryIO({ cwd: dir });
    expect(await main(['rollback', touched.runId, '--target', db.url, '--yes', '--json', '--store', store], io), io.stderr).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.executed).toBe(true);
    // The 8 addresses of patients 3, 5, 7 and 9 follow their untouched patient: not written, nothing to restore.
    expect(report.tables).toEqual([
      { table: 'address', deleted: 40, restored: 112 },
      { table: 'patient', deleted: 20, restored: 56 },
    ]);
    expect(await checksum(db.url, TABLES)).toBe(before);

    const s = await openConfiguredStore({ flag: store, env: {}, cwd: dir });
    try {
      const events = await new AuditLog(s).list({ type: 'run:rolled_back' });
      expect(events.map((e) => e.payload)).toEqual([{ runId: touched.runId, tables: report.tables }]);
      // A CLI rollback belongs to no tenant.
      expect(events.map((e) => [e.orgId, e.projectId])).toEqual([[null, null]]);
    } finally {
      await s.close();
    }

    const again = memoryIO({ cwd: dir });
    expect(await main(['rollback', touched.runId, '--target', db.url, '--yes', '--store', store], again)).toBe(9);
    expect(again.stderr).toContain('already rolled back');
  }, 120_000);

  it('undoes an append run by removing exactly the rows it inserted', async () => {
    const db = await create();
    drops.push(db.drop);
    expect((await run('before', db.url)).status).toBe('succeeded');
    const before = await checksum(db.url, TABLES);
    const appended = await run('append', db.url);
    expect(appended.status).toBe('succeeded');
    expect(appended.tables.find((t) => t.table === 'address')!.loaded).toBe(40);
    if (kind === 'postgres') {
      // The append's integer keys went into key ranges (undo log and lineage), which rollback expands.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const n = async (table: string) => Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
      expect(await n('_ferry_undo_inserted_ranges')).toBeGreaterThan(0);
      expect(await n('_ferry_lineage_ranges')).toBeGreaterThan(0);
      // Lineage answers for a key inside a range, both ways, as for a key recorded on its own.
      const key = String((await c.query('SELECT max(address_id) AS k FROM address')).rows[0].k);
      await c.end();
      for (const by of ['target', 'source'] as const) {
        const found = await lookupLineage({ targetUrl: db.url, query: { by, table: by === 'target' ? 'address' : 'ADDR', key } });
        expect(found.entries.filter((e) => e.runId === appended.runId).map((e) => [e.sourceKey, e.outcome, e.targetKey])).toEqual([[key, 'loaded', key]]);
      }
    }

    const result = await rollbackRun({ targetUrl: db.url, runId: appended.runId, execute: true });
    expect(result.tables).toEqual([
      { table: 'address', deleted: 40, restored: 0 },
      { table: 'patient', deleted: 20, restored: 0 },
    ]);
    expect(await checksum(db.url, TABLES)).toBe(before);
  }, 120_000);

  it('undoes a truncate run by putting back the table it emptied', async () => {
    const db = await create();
    drops.push(db.drop);
    expect((await run('before', db.url)).status).toBe('succeeded');
    const before = await checksum(db.url, TABLES);
    const truncated = await run('truncate', db.url);
    expect(truncated.status).toBe('succeeded');
    expect(await checksum(db.url, TABLES)).not.toBe(before);
    const result = await rollbackRun({ targetUrl: db.url, runId: truncated.runId, execute: true });
    // 120 old addresses come back; the 40 new keys (patients 61–80) go.
    expect(result.tables[0]).toEqual({ table: 'address', deleted: 40, restored: 120 });
    expect(await checksum(db.url, TABLES)).toBe(before);
  }, 120_000);

  it('removes a key the run inserted even when a later batch of the same run updated it again', async () => {
    const db = await create();
    drops.push(db.drop);
    const dup = await run('dup', db.url);
    expect(dup.status).toBe('succeeded');
    expect(dup.tables.find((t) => t.table === 'patient')!.loaded).toBe(31);
    await rollbackRun({ targetUrl: db.url, runId: dup.runId, execute: true });
    const source = await openSource(db.url);
    try {
      for (const t of TABLES) {
        let n = 0;
        for await (const b of source.read(t.name, { sliceRows: 100 })) n += b.rows.length;
        expect(n, t.name).toBe(0);
      }
    } finally {
      await source.close();
    }
  }, 120_000);

  it('refuses to undo a run whose rows a later run changed, until the later run is undone first', async () => {
    const db = await create();
    drops.push(db.drop);
    expect((await run('before', db.url)).status).toBe('succeeded');
    const before = await checksum(db.url, TABLES);
    const first = await run('run', db.url);
    const second = await run('before', db.url);

    const check = await rollbackRun({ targetUrl: db.url, runId: first.runId, execute: false }).catch((e: Error) => e);
    expect(check).toBeInstanceOf(Error);
    expect((check as Error).message).toContain(`roll back the later run(s) first`);
    expect((check as Error).message).toContain(second.runId);

    const dry = await rollbackRun({ targetUrl: db.url, runId: second.runId, execute: false });
    expect(dry.executed).toBe(false);
    await rollbackRun({ targetUrl: db.url, runId: second.runId, execute: true });
    await rollbackRun({ targetUrl: db.url, runId: first.runId, execute: true });
    expect(await checksum(db.url, TABLES)).toBe(before);
  }, 120_000);
});
