/**
 * The target side of sync (issue #18) on PostgreSQL, MariaDB and SQLite: sync records,
 * change units applied atomically with the sync's position, pending rows, lineage, the ledger
 * upgrade from version 3 and the rollback refusals for runs a sync uses.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeUnit, QuarantineRecord, SyncRecord, TableChanges, Target, TargetTableDef, Value } from '../../src/connectors/connector.js';
import { LEDGER_MIGRATIONS } from '../../src/connectors/ledger/migrations.js';
import { mysqlLedgerStore, withLedgerLock } from '../../src/connectors/mysql/ledger-store.js';
import { lockLedger, pgLedgerStore } from '../../src/connectors/postgres/ledger-store.js';
import { openSource, openTarget } from '../../src/connectors/registry.js';
import { sqliteLedgerStore } from '../../src/connectors/sqlite/ledger-store.js';
import { FerryError } from '../../src/errors.js';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { migrateTo } from './ledger-versioning.js';

/** One database of a kind, with raw SQL access for checks. */
interface Db {
  url: string;
  /** Rows of a query; `?` placeholders (rewritten for PostgreSQL). */
  rows(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Writes the ledger a Ferry that knew versions 1..3 left. */
  writeV3(): Promise<void>;
  drop(): Promise<void>;
}

interface Kind {
  kind: 'sqlite' | 'postgres' | 'mariadb';
  /** Whether the target enforces foreign keys (SQLite targets declare them only). */
  enforcesForeignKeys: boolean;
  create(): Promise<Db>;
}

let dir: string;
let cleanupDir: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup: cleanupDir } = await tempDir('ferry-sync-ledger-'));
});
afterAll(async () => {
  await cleanupDir();
});

const KINDS: Kind[] = [
  {
    kind: 'sqlite',
    enforcesForeignKeys: false,
    async create() {
      const file = path.join(dir, `sync-${randomBytes(4).toString('hex')}.db`);
      const withDb = async <T>(fn: (db: Database.Database) => Promise<T> | T): Promise<T> => {
        const db = new Database(file);
        try {
          return await fn(db);
        } finally {
          db.close();
        }
      };
      return {
        url: `sqlite:${file}`,
        rows: (sql, params = []) =>
          withDb((db) => {
            const stmt = db.prepare(sql);
            if (stmt.reader) return stmt.all(...params) as Array<Record<string, unknown>>;
            stmt.run(...params);
            return [];
          }),
        writeV3: () => withDb((db) => migrateTo(sqliteLedgerStore(db), 3)),
        drop: async () => {},
      };
    },
  },
  {
    kind: 'postgres',
    enforcesForeignKeys: true,
    async create() {
      const db = await createPgDatabase('ferry_sync');
      const withClient = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        try {
          return await fn(c);
        } finally {
          await c.end();
        }
      };
      return {
        url: db.url,
        rows: (sql, params = []) => {
          let n = 0;
          return withClient(
            async (c) =>
              (
                await c.query(
                  sql.replace(/\?/g, () => `$${++n}`),
                  params,
                )
              ).rows,
          );
        },
        writeV3: () =>
          withClient(async (c) => {
            await c.query('BEGIN');
            await lockLedger(c, 'public');
            await migrateTo(pgLedgerStore(c, 'public'), 3);
            await c.query('COMMIT');
          }),
        drop: db.drop,
      };
    },
  },
  {
    kind: 'mariadb',
    enforcesForeignKeys: true,
    async create() {
      const db = await createMysqlDatabase('ferry_sync');
      return {
        url: db.url,
        async rows(sql, params = []) {
          const c = await mysql.createConnection(db.url);
          try {
            return (await c.query(sql, params))[0] as Array<Record<string, unknown>>;
          } finally {
            await c.end();
          }
        },
        async writeV3() {
          const pool = mysql.createPool({ uri: db.url, connectionLimit: 1 });
          try {
            const c = await pool.getConnection();
            try {
              await withLedgerLock(c, 'the test database', () => migrateTo(mysqlLedgerStore(c), 3));
            } finally {
              c.release();
            }
          } finally {
            await pool.end();
          }
        },
        drop: db.drop,
      };
    },
  },
];

const WARD: TargetTableDef = {
  name: 'ward',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'name', type: 'text', nullable: false, length: 100 },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

/** Composite key (ward_id, code) and every logical type; the key references ward. */
const OBS: TargetTableDef = {
  name: 'obs',
  columns: [
    { name: 'ward_id', type: 'integer', nullable: false },
    { name: 'code', type: 'text', nullable: false, length: 40 },
    { name: 'taken_on', type: 'date', nullable: true },
    { name: 'taken_at', type: 'timestamp', nullable: true },
    { name: 'amount', type: 'decimal', nullable: true, precision: 12, scale: 4 },
    { name: 'flag', type: 'boolean', nullable: true },
    { name: 'scan', type: 'binary', nullable: true },
    { name: 'note', type: 'text', nullable: false },
  ],
  primaryKey: ['ward_id', 'code'],
  foreignKeys: [{ columns: ['ward_id'], references: { table: 'ward', columns: ['id'] }, enforced: true }],
};

const NOTE = 'tab\there\nnew line\\back\\slash \'single\' "double" ünïcödé 🏥 \r end';
const BYTES = Buffer.from([0, 1, 2, 92, 9, 10, 255, 254]);

function obsRow(ward: number, code: string, note = NOTE, amount: string | null = '12345678.1250'): Value[] {
  return [ward, code, '2024-02-29', '2024-03-01 10:20:30', amount, true, BYTES, note];
}

/** A row as text the three kinds agree on: booleans as 1/0, binary as hex, timestamps with a space and without zero fractions (MariaDB reads DATETIME(6)). */
function norm(row: readonly Value[]): string[] {
  return row.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Buffer.isBuffer(v)) return `x${v.toString('hex')}`;
    if (typeof v === 'boolean') return v ? '1' : '0';
    const s = String(v);
    if (s === 't' || s === 'true') return '1';
    if (s === 'f' || s === 'false') return '0';
    return /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.0+)?$/.test(s) ? s.slice(0, 19).replace('T', ' ') : s;
  });
}

async function readAll(url: string, table: TargetTableDef): Promise<string[][]> {
  const source = await openSource(url);
  try {
    const out: string[][] = [];
    for await (const slice of source.read(table.name, { columns: table.columns.map((c) => c.name), orderBy: table.primaryKey, sliceRows: 1000 })) {
      for (const r of slice.rows) out.push(norm(r));
    }
    return out;
  } finally {
    await source.close();
  }
}

function changes(table: TargetTableDef, sourceTable: string, c: Partial<TableChanges>): TableChanges {
  return { table, sourceTable, deletes: [], upserts: [], quarantine: [], settled: [], ...c };
}

let positions = 0;
function unit(syncId: string, tables: TableChanges[], extra: Partial<ChangeUnit> = {}): ChangeUnit {
  const n = ++positions;
  return { syncId, runId: 'stream', position: `0/${n.toString(16).toUpperCase()}`, committedAt: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}Z`, tables, counts: `{"units":${n}}`, ...extra };
}

function quarantined(sourceKey: string, message: string): QuarantineRecord {
  return { runId: 'stream', sourceTable: 'OBS', sourceKey, targetTable: 'obs', rule: 'note: rule required', reasonCode: 'rule.required', message };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof FerryError ? e.code : String(e)),
  );
}

async function pending(target: Target, syncId: string): Promise<QuarantineRecord[]> {
  const out: QuarantineRecord[] = [];
  for await (const r of target.sync!.syncPending(syncId)) out.push(r);
  return out;
}

function record(syncId: string, startedAt: string, extra: Partial<SyncRecord> = {}): SyncRecord {
  return {
    syncId,
    contractDigest: 'digest',
    method: 'postgres',
    source: 'postgres://src/db',
    snapshotRunId: 'snap',
    streamRunId: 'stream',
    state: 'streaming',
    startedAt,
    updatedAt: startedAt,
    ...extra,
  };
}

describe.each(KINDS)('sync ledger on $kind', ({ kind, enforcesForeignKeys, create }) => {
  let db: Db;
  let target: Target;

  beforeAll(async () => {
    db = await create();
    target = await openTarget(db.url);
    await target.ensureSchema([WARD, OBS], { create: true });
    await target.beginRun({ runId: 'snap', contractDigest: 'digest', startedAt: '2026-01-01T00:00:00Z', status: 'running' });
    await target.finishRun('snap', 'succeeded');
    await target.beginRun({ runId: 'stream', contractDigest: 'digest', startedAt: '2026-01-01T00:00:00Z', status: 'running' });
  });
  afterAll(async () => {
    await target?.close();
    await db?.drop();
  });

  it('records, lists, updates and refuses a second sync with the same id', async () => {
    const sync = target.sync!;
    expect(sync).toBeDefined();
    await sync.beginSync(record('crud-a', '2026-01-01T00:00:00.000Z', { position: '0/10' }));
    await sync.beginSync(record('crud-b', '2026-01-02T00:00:00.000Z', { method: 'mysql' }));
    expect(await codeOf(sync.beginSync(record('crud-a', '2026-01-03T00:00:00.000Z')))).toBe('sync.exists');
    const a = await sync.getSync('crud-a');
    expect(a).toEqual(record('crud-a', '2026-01-01T00:00:00.000Z', { position: '0/10' }));
    expect(await sync.getSync('nope')).toBeUndefined();
    const listed = (await sync.listSyncs()).map((s) => s.syncId).filter((id) => id.startsWith('crud-'));
    expect(listed).toEqual(['crud-b', 'crud-a']);

    const progress = JSON.stringify({ heartbeat: '2026-01-01T00:05:00Z', lagMs: 12, note: 'quote \' " \\ é' });
    await sync.updateSync('crud-a', { state: 'stopping', progress });
    const updated = await sync.getSync('crud-a');
    expect(updated).toMatchObject({ state: 'stopping', progress, position: '0/10', method: 'postgres', startedAt: '2026-01-01T00:00:00.000Z' });
    expect(updated!.updatedAt > a!.updatedAt).toBe(true);
    // Updating with the same values still finds the sync (MySQL counts matched rows, not changed ones).
    await sync.updateSync('crud-a', { state: 'stopping' });
    expect(await codeOf(sync.updateSync('nope', { state: 'stopped' }))).toBe('sync.unknown');
  });

  it('applies upserts, updates, deletes and truncates with a composite key, round-tripping every type exactly', async () => {
    const sync = target.sync!;
    await sync.beginSync(record('rows', '2026-02-01T00:00:00.000Z'));
    await sync.applyChanges(
      unit('rows', [
        changes(WARD, 'WARD', {
          upserts: [
            [1, 'Ward A'],
            [2, 'Ward B'],
          ],
        }),
        changes(OBS, 'OBS', { upserts: [obsRow(1, 'a'), obsRow(1, 'b', 'plain'), obsRow(2, 'a', 'x', null), [2, 'nulls', null, null, null, null, null, 'n']] }),
      ]),
    );
    expect(await readAll(db.url, OBS)).toEqual([norm(obsRow(1, 'a')), norm(obsRow(1, 'b', 'plain')), norm(obsRow(2, 'a', 'x', null)), norm([2, 'nulls', null, null, null, null, null, 'n'])]);

    // Update one row (every column but the key), delete another by its composite key.
    const changed: Value[] = [1, 'b', '1999-12-31', '2000-01-01 00:00:00', '-0.0001', false, Buffer.from('ff00', 'hex'), 'changed\ttab'];
    await sync.applyChanges(unit('rows', [changes(OBS, 'OBS', { upserts: [changed], deletes: [[2, 'a']] })]));
    expect(await readAll(db.url, OBS)).toEqual([norm(obsRow(1, 'a')), norm(changed), norm([2, 'nulls', null, null, null, null, null, 'n'])]);

    // A truncate empties the table before the same unit's upserts.
    await sync.applyChanges(unit('rows', [changes(OBS, 'OBS', { truncate: true, upserts: [obsRow(2, 'z')] })]));
    expect(await readAll(db.url, OBS)).toEqual([norm(obsRow(2, 'z'))]);
    await sync.applyChanges(unit('rows', [changes(OBS, 'OBS', { deletes: [[2, 'z']] })]));
    expect(await readAll(db.url, OBS)).toEqual([]);
  });

  it('applies large units the same way (PostgreSQL stages them by COPY past a few hundred rows)', async () => {
    const sync = target.sync!;
    await sync.beginSync(record('big', '2026-02-02T00:00:00.000Z'));
    const rows = Array.from({ length: 450 }, (_, i) => obsRow(3, `big-${String(i).padStart(3, '0')}`, `${NOTE} ${i}`));
    const lineage = { sourceTable: 'OBS', rows: rows.map((r): [string, 'L', string, null] => [`B-${String(r[1])}`, 'L', `3|${String(r[1])}`, null]) };
    await sync.applyChanges(unit('big', [changes(WARD, 'WARD', { upserts: [[3, 'Ward C']] }), changes(OBS, 'OBS', { upserts: rows, lineage })]));
    expect(await readAll(db.url, OBS)).toEqual(rows.map(norm));
    expect(await target.lineage!({ by: 'source', table: 'OBS', key: 'B-big-449' })).toEqual([expect.objectContaining({ outcome: 'loaded', targetKey: '3|big-449' })]);
    // The same keys again (an update of every row), then deleted in one unit.
    const again = rows.map((r) => [...r.slice(0, 7), 'again']);
    await sync.applyChanges(unit('big', [changes(OBS, 'OBS', { upserts: again })]));
    expect(await readAll(db.url, OBS)).toEqual(again.map(norm));
    await sync.applyChanges(unit('big', [changes(OBS, 'OBS', { deletes: rows.map((r) => [r[0], r[1]]) })]));
    expect(await readAll(db.url, OBS)).toEqual([]);
  });

  // SQLite targets store timestamps as given, as runs do.
  it.runIf(kind !== 'sqlite')('stores zoned timestamps in UTC and deletes by a zoned timestamp, in small and large units alike', async () => {
    const sync = target.sync!;
    await sync.beginSync(record('zoned', '2026-02-03T00:00:00.000Z'));
    const TS: TargetTableDef = {
      name: 'ts_keyed',
      columns: [
        { name: 'at', type: 'timestamp', nullable: false },
        { name: 'seen', type: 'timestamp', nullable: true },
      ],
      primaryKey: ['at'],
      foreignKeys: [],
    };
    await target.ensureSchema([TS], { create: true });
    const small = [['2024-03-01T12:20:30+02:00', '2024-03-01T12:20:30+02:00']];
    const large = Array.from({ length: 300 }, (_, i) => [`2024-04-01T0${i % 10}:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}+01:00`, '2024-04-01T00:00:00Z']);
    await sync.applyChanges(unit('zoned', [changes(TS, 'TS', { upserts: small })]));
    await sync.applyChanges(unit('zoned', [changes(TS, 'TS', { upserts: large })]));
    const all = await readAll(db.url, TS);
    expect(all).toHaveLength(301);
    expect(all.find((r) => r[0].startsWith('2024-03-01'))).toEqual(['2024-03-01 10:20:30', '2024-03-01 10:20:30']);
    await sync.applyChanges(unit('zoned', [changes(TS, 'TS', { deletes: [...small, ...large].map((r) => [r[0]]) })]));
    expect(await readAll(db.url, TS)).toEqual([]);
  });

  it('orders parents and children: a child with its new parent, then both deleted, in one unit each', async () => {
    const sync = target.sync!;
    await sync.beginSync(record('fk', '2026-03-01T00:00:00.000Z'));
    await sync.applyChanges(unit('fk', [changes(WARD, 'WARD', { upserts: [[10, 'Ten']] }), changes(OBS, 'OBS', { upserts: [obsRow(10, 'child')] })]));
    expect((await readAll(db.url, OBS)).map((r) => r[1])).toEqual(['child']);
    await sync.applyChanges(unit('fk', [changes(WARD, 'WARD', { deletes: [[10]] }), changes(OBS, 'OBS', { deletes: [[10, 'child']] })]));
    expect(await readAll(db.url, OBS)).toEqual([]);
    expect((await readAll(db.url, WARD)).filter((r) => r[0] === '10')).toEqual([]);
  });

  it.runIf(enforcesForeignKeys)('names the table and constraint of a broken foreign key and applies nothing', async () => {
    const sync = target.sync!;
    await sync.beginSync(record('fk-broken', '2026-03-02T00:00:00.000Z'));
    const before = await sync.getSync('fk-broken');
    const err = await sync.applyChanges(unit('fk-broken', [changes(WARD, 'WARD', { upserts: [[20, 'Twenty']] }), changes(OBS, 'OBS', { upserts: [obsRow(999, 'orphan')] })])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('sync.apply_foreign_key');
    expect((err as FerryError).message).toMatch(/foreign key \S+ on table obs/);
    expect((err as FerryError).message).not.toContain('999');
    expect((await readAll(db.url, WARD)).filter((r) => r[0] === '20')).toEqual([]);
    expect(await sync.getSync('fk-broken')).toEqual(before);
  });

  it('rolls a failing unit back whole: rows, quarantine, pending, lineage and position stay as they were', async () => {
    const sync = target.sync!;
    await sync.beginSync(record('atomic', '2026-04-01T00:00:00.000Z'));
    await sync.applyChanges(unit('atomic', [changes(WARD, 'WARD', { upserts: [[30, 'Thirty']] })], { position: '1/1', counts: '{"ok":1}' }));
    const before = await sync.getSync('atomic');
    const secret = 'SECRET-VALUE-0042';
    const bad = unit('atomic', [
      changes(WARD, 'WARD', { upserts: [[31, 'Thirty-one']], lineage: { sourceTable: 'WARD', rows: [['31', 'L', '31', null]] } }),
      // note is NOT NULL: the upsert fails after the ward row, lineage and quarantine were written.
      changes(OBS, 'OBS', {
        upserts: [[30, secret, null, null, null, null, null, null]],
        quarantine: [quarantined('ATOMIC-1', 'bad')],
        lineage: { sourceTable: 'OBS', rows: [['ATOMIC-1', 'Q', null, 'rule.required']] },
      }),
    ]);
    const err = await sync.applyChanges(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('sync.apply_failed');
    expect((err as FerryError).message).toContain(bad.position);
    expect((err as FerryError).message).not.toContain(secret);
    expect((await readAll(db.url, WARD)).filter((r) => r[0] === '31')).toEqual([]);
    expect(await pending(target, 'atomic')).toEqual([]);
    expect(await target.lineage!({ by: 'source', table: 'WARD', key: '31' })).toEqual([]);
    const q: QuarantineRecord[] = [];
    for await (const r of target.quarantine('stream')) q.push(r);
    expect(q.filter((r) => r.sourceKey === 'ATOMIC-1')).toEqual([]);
    expect(await sync.getSync('atomic')).toEqual(before);
    expect(before).toMatchObject({ position: '1/1', counts: '{"ok":1}' });
  });

  it('keeps quarantined rows pending, oldest first, until a later change settles them', async () => {
    const sync = target.sync!;
    await sync.beginSync(record('pend', '2026-05-01T00:00:00.000Z'));
    await sync.applyChanges(unit('pend', [changes(OBS, 'OBS', { quarantine: [quarantined('P-9', 'first'), quarantined('P-1', 'second')] })]));
    await sync.applyChanges(unit('pend', [changes(OBS, 'OBS', { quarantine: [quarantined('P-5', 'third'), quarantined('P-9', 'first again')] })]));
    // P-9 keeps its place and takes the newest reason; the quarantine log keeps every record.
    expect((await pending(target, 'pend')).map((r) => [r.sourceKey, r.message])).toEqual([
      ['P-9', 'first again'],
      ['P-1', 'second'],
      ['P-5', 'third'],
    ]);
    expect((await pending(target, 'pend'))[0]).toEqual({ ...quarantined('P-9', 'first again'), runId: 'pend' });
    const q: QuarantineRecord[] = [];
    for await (const r of target.quarantine('stream')) q.push(r);
    expect(q.filter((r) => r.sourceKey.startsWith('P-')).map((r) => r.message)).toEqual(['first', 'second', 'third', 'first again']);
    await sync.applyChanges(unit('pend', [changes(WARD, 'WARD', { upserts: [[40, 'Forty']] }), changes(OBS, 'OBS', { upserts: [obsRow(40, 'p9')], settled: ['P-9', 'P-404'] })]));
    expect((await pending(target, 'pend')).map((r) => r.sourceKey)).toEqual(['P-1', 'P-5']);
    // Another sync's pending rows are its own.
    expect(await pending(target, 'rows')).toEqual([]);
  });

  it('writes lineage under the stream run, visible by source row', async () => {
    const sync = target.sync!;
    await sync.beginSync(record('lin', '2026-06-01T00:00:00.000Z'));
    await sync.applyChanges(
      unit('lin', [
        changes(WARD, 'WARD', { upserts: [[50, 'Fifty']] }),
        changes(OBS, 'OBS', {
          upserts: [obsRow(50, 'l')],
          quarantine: [quarantined('L-2', 'bad')],
          lineage: {
            sourceTable: 'OBS',
            rows: [
              ['L-1', 'L', '50|l', null],
              ['L-2', 'Q', null, 'rule.required'],
            ],
          },
        }),
      ]),
    );
    const loaded = await target.lineage!({ by: 'source', table: 'OBS', key: 'L-1' });
    expect(loaded).toEqual([expect.objectContaining({ runId: 'stream', outcome: 'loaded', targetTable: 'obs', targetKey: '50|l', contractDigest: 'digest' })]);
    expect(await target.lineage!({ by: 'source', table: 'OBS', key: 'L-2' })).toEqual([expect.objectContaining({ runId: 'stream', outcome: 'quarantined', reasonCode: 'rule.required' })]);
  });

  it("stores each unit's position, last commit time and counts", async () => {
    const sync = target.sync!;
    await sync.beginSync(record('pos', '2026-07-01T00:00:00.000Z', { position: '0/0' }));
    await sync.applyChanges(unit('pos', [changes(WARD, 'WARD', { upserts: [[60, 'Sixty']] })], { position: 'A/1', committedAt: '2026-07-01T10:00:00.123Z', counts: '{"ward":{"upserts":1}}' }));
    // A unit with no row changes (a transaction that touched nothing the contract maps) still moves the position.
    await sync.applyChanges(unit('pos', [], { position: 'A/2', committedAt: '2026-07-01T10:00:01.000Z', counts: '{"ward":{"upserts":1}}' }));
    expect(await sync.getSync('pos')).toMatchObject({ position: 'A/2', lastCommitAt: '2026-07-01T10:00:01.000Z', counts: '{"ward":{"upserts":1}}', state: 'streaming' });
    expect(await codeOf(sync.applyChanges(unit('nope', [changes(WARD, 'WARD', { upserts: [[61, 'x']] })])))).toBe('sync.unknown');
    expect((await readAll(db.url, WARD)).filter((r) => r[0] === '61')).toEqual([]);
  });

  it('refuses to roll back a stream run always, and a snapshot run until its sync is stopped', async () => {
    const sync = target.sync!;
    await target.beginRun({ runId: 'snap2', contractDigest: 'digest', startedAt: '2026-08-01T00:00:00Z', status: 'running' });
    await target.finishRun('snap2', 'succeeded');
    await target.beginRun({ runId: 'stream2', contractDigest: 'digest', startedAt: '2026-08-01T00:00:00Z', status: 'running' });
    await sync.beginSync(record('rb', '2026-08-01T00:00:00.000Z', { snapshotRunId: 'snap2', streamRunId: 'stream2' }));
    expect(await codeOf(target.rollback!('stream2', { check: true }))).toBe('rollback.sync_stream');
    expect(await codeOf(target.rollback!('snap2', { check: true }))).toBe('rollback.sync_active');
    await sync.updateSync('rb', { state: 'stopped' });
    expect(await target.rollback!('snap2', { check: true })).toEqual([]);
    expect(await codeOf(target.rollback!('stream2', { check: true }))).toBe('rollback.sync_stream');
    await target.finishRun('stream2', 'succeeded');
    expect(await codeOf(target.rollback!('stream2'))).toBe('rollback.sync_stream');
  });
});

describe.each(KINDS)('ledger version 4 on $kind', ({ create }) => {
  it('upgrades a version-3 ledger made by an earlier Ferry and then keeps syncs', async () => {
    const db = await create();
    try {
      await db.writeV3();
      const history = async () => (await db.rows('SELECT id FROM _ferry_migrations ORDER BY id')).map((r) => Number(r.id));
      expect(await history()).toEqual([1, 2, 3]);
      const target = await openTarget(db.url);
      try {
        await target.ensureSchema([WARD], { create: true });
        expect(await history()).toEqual(LEDGER_MIGRATIONS.map((m) => m.id));
        expect(Math.max(...(await history()))).toBe(4);
        await target.beginRun({ runId: 'stream', contractDigest: 'digest', startedAt: '2026-01-01T00:00:00Z', status: 'running' });
        await target.sync!.beginSync(record('after-upgrade', '2026-01-01T00:00:00.000Z'));
        await target.sync!.applyChanges(unit('after-upgrade', [changes(WARD, 'WARD', { upserts: [[1, 'One']] })], { position: 'B/1' }));
        expect(await target.sync!.getSync('after-upgrade')).toMatchObject({ position: 'B/1' });
      } finally {
        await target.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('rolls back a run on a version-3 ledger without preparing it (no sync tables yet)', async () => {
    const db = await create();
    try {
      await db.writeV3();
      await db.rows("INSERT INTO _ferry_runs (run_id, contract_digest, started_at, status) VALUES ('old', 'd', '2026-01-01T00:00:00Z', 'succeeded')");
      await db.rows("INSERT INTO _ferry_run_ids (run_id, crosswalks) VALUES ('old', '[]')");
      const target = await openTarget(db.url);
      try {
        expect(await target.rollback!('old', { check: true })).toEqual([]);
      } finally {
        await target.close();
      }
    } finally {
      await db.drop();
    }
  });
});

describe('file targets', () => {
  it('keep no syncs', async () => {
    const target = await openTarget(`csv:${path.join(dir, 'csv-target')}`);
    try {
      expect(target.sync).toBeUndefined();
    } finally {
      await target.close();
    }
  });
});
