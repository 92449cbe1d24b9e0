import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeCapture, ChangeStream, RowChange, SourceTransaction } from '../../src/connectors/capture.js';
import type { Source, Value } from '../../src/connectors/connector.js';
import { openSource } from '../../src/connectors/registry.js';
import { contractSchema, type Contract } from '../../src/contract/model.js';
import { FerryError } from '../../src/errors.js';
import { watermarkCapture, type WatermarkOptions } from '../../src/sync/watermark-capture.js';
import { decodePosition } from '../../src/sync/watermark-position.js';
import { mysqlTestDb, type MysqlTestDb } from '../connectors/mysql/harness.js';
import { pgTestDb, type PgTestDb } from '../connectors/postgres/harness.js';
import { tempDir } from '../helpers/tmp.js';

/** A database under test: run SQL on it (as a writer), open a source on it, and how the capture must open its own. */
interface Db {
  /** Runs the statements in one transaction, so a poll sees all of them or none. */
  exec(...sql: string[]): Promise<void>;
  /** A string literal in the database's own escaping (MySQL escapes with backslashes too). */
  quote?: (s: string) => string;
  source(): Promise<Source>;
  open?: () => Promise<Source>;
  cleanup(): Promise<void>;
}

const HOSTILE = "k'; DROP TABLE ward; --\\";
const standard = (s: string) => `'${s.replace(/'/g, "''")}'`;

// The same DDL suits both databases: declared types SQLite maps as PostgreSQL's are named.
const DDL = [
  'CREATE TABLE patient (id integer PRIMARY KEY, name varchar(40), updated_at timestamp, deleted_at timestamp)',
  'CREATE TABLE visit (id integer PRIMARY KEY, note varchar(40), ver integer)',
  'CREATE TABLE ward (code varchar(10) PRIMARY KEY, label varchar(40), stamp varchar(60), closed varchar(1))',
  'CREATE TABLE nokey (a integer, b integer)',
  'CREATE TABLE plain (id integer PRIMARY KEY, v integer)',
  'CREATE TABLE backlog (id integer PRIMARY KEY, ver integer)',
  'CREATE TABLE burst (id integer PRIMARY KEY, at timestamp)',
  `INSERT INTO patient VALUES (1, 'Ann', '2024-01-01 09:00:00', NULL), (2, 'Bob', '2024-01-01 09:30:00', NULL), (3, 'Cy', '2024-01-01 10:00:00', NULL)`,
  `INSERT INTO visit VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3), (4, 'd', 4)`,
  `INSERT INTO ward VALUES ('A', 'Acute', 'a', NULL), ('B', 'Burns', 'b', NULL)`,
];

const col = (type: string) => ({ type });
const field = (from: string) => ({ from, rationale: 'test' });
const CONTRACT: Contract = contractSchema.parse({
  ferry: 1,
  metadata: { name: 'wm', version: '1.0.0', owner: 'test' },
  source: {
    tables: {
      patient: { primary_key: ['id'], columns: { id: col('integer'), name: col('text'), updated_at: col('timestamp'), deleted_at: col('timestamp') } },
      visit: { primary_key: ['id'], columns: { id: col('integer'), note: col('text'), ver: col('integer') } },
      ward: { primary_key: ['code'], columns: { code: col('text'), label: col('text'), stamp: col('text'), closed: col('text') } },
      nokey: { primary_key: ['a'], columns: { a: col('integer'), b: col('integer') } },
      plain: { primary_key: ['id'], columns: { id: col('integer'), v: col('integer') } },
      backlog: { primary_key: ['id'], columns: { id: col('integer'), ver: col('integer') } },
      burst: { primary_key: ['id'], columns: { id: col('integer'), at: col('timestamp') } },
    },
  },
  target: {
    tables: {
      patient: { primary_key: ['id'], columns: { id: col('integer') } },
      visit: { primary_key: ['id'], columns: { id: col('integer') } },
      ward: { primary_key: ['code'], columns: { code: col('text') } },
      nokey: { primary_key: ['a'], columns: { a: col('integer') } },
      plain: { primary_key: ['id'], columns: { id: col('integer') } },
      backlog: { primary_key: ['id'], columns: { id: col('integer') } },
      burst: { primary_key: ['id'], columns: { id: col('integer') } },
    },
  },
  mappings: {
    patient: { source: 'patient', sync: { change_column: 'updated_at', delete_marker: { column: 'deleted_at' } }, fields: { id: field('id') } },
    visit: { source: 'visit', sync: { change_column: 'ver' }, fields: { id: field('id') } },
    ward: { source: 'ward', sync: { change_column: 'stamp', delete_marker: { column: 'closed', deleted: 'Y' } }, fields: { code: field('code') } },
    nokey: { source: 'nokey', sync: { change_column: 'b' }, fields: { a: field('a') } },
    plain: { source: 'plain', fields: { id: field('id') } },
    backlog: { source: 'backlog', sync: { change_column: 'ver' }, fields: { id: field('id') } },
    burst: { source: 'burst', sync: { change_column: 'at' }, fields: { id: field('id') } },
  },
});

const TABLES = ['patient', 'visit', 'ward'];

async function sqliteDb(): Promise<Db> {
  const { dir, cleanup } = await tempDir('ferry-wm-');
  const file = `${dir}/legacy.db`;
  const writer = new Database(file);
  for (const sql of DDL) writer.exec(sql);
  return {
    exec: async (...sql) => void writer.transaction(() => sql.forEach((s) => writer.exec(s)))(),
    source: () => openSource(`sqlite:${file}`),
    async cleanup() {
      writer.close();
      await cleanup();
    },
  };
}

async function pgDb(): Promise<Db> {
  const db: PgTestDb = await pgTestDb();
  const schema = db.schemaName();
  await db.admin.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
  for (const sql of DDL) await db.admin.query(sql);
  return {
    exec: async (...sql) => void (await db.admin.query(['BEGIN', ...sql, 'COMMIT'].join(';\n'))),
    source: () => db.source(schema),
    open: () => db.source(schema),
    cleanup: () => db.drop(),
  };
}

async function mysqlDb(): Promise<Db> {
  const db: MysqlTestDb = await mysqlTestDb();
  // DATETIME: a MariaDB TIMESTAMP column may update itself, which a legacy change column would not.
  for (const sql of DDL) await db.admin.query(sql.replace(/ timestamp/g, ' datetime'));
  return {
    async exec(...sql) {
      await db.admin.query('START TRANSACTION');
      for (const s of sql) await db.admin.query(s);
      await db.admin.query('COMMIT');
    },
    quote: (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
    source: () => db.source(),
    open: () => db.source(),
    cleanup: () => db.drop(),
  };
}

/** The next transaction the stream yields, failing after `ms`. */
async function nextTx(it: AsyncIterator<SourceTransaction>, ms = 10_000): Promise<SourceTransaction> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no transaction within ${ms} ms`)), ms)));
  try {
    const r = await Promise.race([it.next(), timeout]);
    if (r.done) throw new Error('the stream ended');
    return r.value;
  } finally {
    clearTimeout(timer);
  }
}

/** Each row change as `table kind key` (key: the first column), in order. */
function summary(tx: SourceTransaction): string[] {
  return (tx.changes as RowChange[]).map((c) => `${c.table} ${c.kind} ${String((c.row ?? c.old)![0])}`);
}

/** Values as text (PostgreSQL's COPY yields integers as text, SQLite as numbers). */
function texts(values: Array<Value | undefined> | undefined): Array<string | null | undefined> {
  return (values ?? []).map((v) => (v === null || v === undefined ? v : String(v)));
}

function valueOf(c: RowChange, column: string): Value | undefined {
  return (c.row ?? c.old)![c.columns.indexOf(column)];
}

async function readAll(source: Source, table: string): Promise<Value[][]> {
  const rows: Value[][] = [];
  for await (const slice of source.read(table, { sliceRows: 100, orderBy: [table === 'ward' ? 'code' : 'id'] })) rows.push(...slice.rows);
  return rows;
}

const FAST: WatermarkOptions = { pollSeconds: 0.05, overlapSeconds: 5, reconcileEvery: 3 };

for (const [name, make] of [
  ['SQLite', sqliteDb],
  ['PostgreSQL', pgDb],
  ['MariaDB', mysqlDb],
] as const) {
  describe(`watermark capture on ${name}`, () => {
    let db: Db;
    let base: Source;
    let capture: ChangeCapture;

    beforeAll(async () => {
      db = await make();
      base = await db.source();
      capture = watermarkCapture(base, CONTRACT, { ...FAST, open: db.open });
    }, 60_000);

    afterAll(async () => {
      await capture?.close();
      await base?.close();
      await db?.cleanup();
    });

    it('preflight names what stops capture: no change column, no primary key', async () => {
      expect(await capture.preflight(TABLES)).toEqual([]);
      const findings = await capture.preflight(['plain', 'nokey']);
      expect(findings.map((f) => `${f.code} ${f.table}`)).toEqual(['sync.no_change_column plain', 'sync.no_primary_key nokey']);
      await expect(capture.begin('bad', ['plain'])).rejects.toMatchObject({ code: 'sync.no_change_column' });
    });

    it('snapshot, then one transaction per poll: updates, inserts, overlap, delete marker, hard deletes, restart', async () => {
      const start = await capture.begin('s1', TABLES);
      expect(decodePosition(start.position)).toEqual({ n: 0, w: { patient: '2024-01-01 10:00:00', visit: '4', ward: 'b' } });
      const snap = await start.openSnapshot();
      expect((await readAll(snap, 'patient')).map((r) => String(r[0]))).toEqual(['1', '2', '3']);
      await snap.close();
      await start.release();

      // Changes made after the watermark was read (as if while the snapshot loaded).
      await db.exec(
        `UPDATE patient SET name = 'Anne', updated_at = '2024-01-01 10:05:00' WHERE id = 1`,
        `INSERT INTO patient VALUES (4, 'Di', '2024-01-01 10:06:00', NULL)`,
        `UPDATE visit SET note = 'bb', ver = 11 WHERE id = 2`,
        `INSERT INTO visit VALUES (5, 'e', 12)`,
        `UPDATE ward SET label = 'Burns unit', stamp = 'c' WHERE code = 'B'`,
      );

      const stream: ChangeStream = await capture.stream('s1', TABLES, start.position);
      const it = stream[Symbol.asyncIterator]();
      const t1 = await nextTx(it);
      // Patient 3 sits inside the overlap below the begin watermark: read again (an idempotent duplicate).
      expect(summary(t1)).toEqual(['patient update 3', 'patient update 1', 'patient update 4', 'visit update 2', 'visit update 5', 'ward update B']);
      expect(decodePosition(t1.position)).toEqual({ n: 1, w: { patient: '2024-01-01 10:06:00', visit: '12', ward: 'c' } });
      const anne = (t1.changes as RowChange[])[1];
      expect(anne.columns).toEqual(['id', 'name', 'updated_at', 'deleted_at']);
      expect(texts(anne.row)).toEqual(['1', 'Anne', '2024-01-01 10:05:00', null]);
      expect(capture.comparePositions(t1.position, start.position)).toBeGreaterThan(0);

      // A row updated with a change value equal to the watermark is not missed; patient 4, re-read in the overlap unchanged, is not yielded again.
      await db.exec(`UPDATE patient SET name = 'Bobby', updated_at = '2024-01-01 10:06:00' WHERE id = 2`);
      const t2 = await nextTx(it);
      expect(summary(t2)).toEqual(['patient update 2']);
      expect(valueOf(t2.changes[0] as RowChange, 'name')).toBe('Bobby');

      // Delete markers: a not-null DELETED_AT, and a ward closed with 'Y' (its stamp a hostile text watermark).
      await db.exec(
        `UPDATE patient SET deleted_at = '2024-01-01 10:07:00', updated_at = '2024-01-01 10:07:00' WHERE id = 1`,
        `UPDATE ward SET closed = 'Y', stamp = ${(db.quote ?? standard)(HOSTILE)} WHERE code = 'A'`,
      );
      const t3 = await nextTx(it);
      expect(summary(t3)).toEqual(['patient delete 1', 'ward delete A']);
      const gone = t3.changes[0] as RowChange;
      expect(texts(gone.old)).toEqual(['1', 'Anne', '2024-01-01 10:07:00', '2024-01-01 10:07:00']);
      expect(decodePosition(t3.position).w.ward).toBe(HOSTILE);

      // The hostile watermark is just a bound: a ward stamped above it is read, the table is intact.
      await db.exec(`INSERT INTO ward VALUES ('C', 'Cardiac', 'm', NULL)`);
      const t4 = await nextTx(it);
      expect(summary(t4)).toEqual(['ward update C']);

      // Hard deletes (visit has no marker) show at the next key-list comparison (every 3rd poll),
      // including a row inserted and deleted between two key lists.
      await db.exec(`INSERT INTO visit VALUES (6, 'f', 13)`);
      const t5 = await nextTx(it);
      expect(summary(t5)).toEqual(['visit update 6']);
      await db.exec(`DELETE FROM visit WHERE id IN (3, 6)`);
      const t6 = await nextTx(it);
      expect(decodePosition(t6.position).n % 3).toBe(0);
      expect(summary(t6)).toEqual(['visit delete 3', 'visit delete 6']);
      expect(texts((t6.changes[0] as RowChange).old)).toEqual(['3', undefined, undefined]);

      // Lag: the head is the current watermarks, ahead once any moved.
      expect(await capture.lag('s1', t6.position)).toEqual({ head: t6.position, bytes: null });
      await stream.stop();
      expect((await it.next()).done).toBe(true);

      // Restart from the stored position with a new capture: changes after it arrive; duplicates only inside the overlap.
      await db.exec(`UPDATE visit SET ver = 20 WHERE id = 1`, `UPDATE patient SET name = 'Dina', updated_at = '2024-01-01 10:08:00' WHERE id = 4`);
      const lag = await capture.lag('s1', t6.position);
      expect(decodePosition(lag.head)).toEqual({ n: decodePosition(t6.position).n + 1, w: { patient: '2024-01-01 10:08:00', visit: '20', ward: 'm' } });
      const again = watermarkCapture(base, CONTRACT, { ...FAST, open: db.open });
      const restarted = await again.stream('s1', TABLES, t6.position);
      const it2 = restarted[Symbol.asyncIterator]();
      const r1 = await nextTx(it2);
      // Patient 1's delete (10:07) lies within 5 s of the stored watermark (10:07): delivered again, harmlessly.
      expect(summary(r1)).toEqual(['patient delete 1', 'patient update 4', 'visit update 1']);
      expect(decodePosition(r1.position).n).toBe(decodePosition(t6.position).n + 1);
      await restarted.stop();
      await again.close();
    }, 60_000);

    it('a backlog larger than maxRowsPerPoll arrives over several polls, never splitting a change value', async () => {
      const capped = watermarkCapture(base, CONTRACT, { ...FAST, maxRowsPerPoll: 2, open: db.open });
      const start = await capped.begin('b', ['backlog']);
      await start.release();
      expect(decodePosition(start.position).w).toEqual({ backlog: null });
      await db.exec(`INSERT INTO backlog VALUES (1, 1), (2, 2), (3, 2), (4, 2), (5, 3), (6, 4), (7, 5)`);
      const stream = await capped.stream('b', ['backlog'], start.position);
      const it = stream[Symbol.asyncIterator]();
      const polls: Array<[string[], string | null]> = [];
      for (let i = 0; i < 3; i++) {
        const tx = await nextTx(it);
        polls.push([summary(tx).map((c) => c.split(' ')[2]), decodePosition(tx.position).w.backlog]);
      }
      expect(polls).toEqual([
        [['1', '2', '3', '4'], '2'],
        [['5', '6'], '4'],
        [['7'], '5'],
      ]);
      await stream.stop();
      await capped.close();
    });

    it('a capped backlog denser than the overlap still advances: re-read rows do not count toward the cap', async () => {
      const capped = watermarkCapture(base, CONTRACT, { ...FAST, maxRowsPerPoll: 2, open: db.open });
      const start = await capped.begin('t', ['burst']);
      await start.release();
      const at = (s: number) => `'2024-01-01 10:00:0${s}'`;
      await db.exec(`INSERT INTO burst VALUES (1, ${at(0)}), (2, ${at(1)}), (3, ${at(1)}), (4, ${at(2)}), (5, ${at(3)}), (6, ${at(3)}), (7, ${at(4)})`);
      const stream = await capped.stream('t', ['burst'], start.position);
      const it = stream[Symbol.asyncIterator]();
      const polls: Array<[string[], string | null]> = [];
      for (let i = 0; i < 3; i++) {
        const tx = await nextTx(it);
        polls.push([summary(tx).map((c) => c.split(' ')[2]), decodePosition(tx.position).w.burst]);
      }
      // Each later poll re-reads everything from 5 s below its watermark; those rows are neither counted nor yielded again.
      expect(polls).toEqual([
        [['1', '2', '3'], '2024-01-01 10:00:01'],
        [['4', '5', '6'], '2024-01-01 10:00:03'],
        [['7'], '2024-01-01 10:00:04'],
      ]);
      await stream.stop();
      await capped.close();
    });

    it('refuses a position from another capture method or one that lacks a captured table', async () => {
      await expect(capture.stream('s2', TABLES, '0/16B3748')).rejects.toMatchObject({ code: 'sync.position_invalid' });
      await expect(capture.stream('s2', TABLES, '{"n":1,"w":{"patient":null}}')).rejects.toMatchObject({ code: 'sync.position_lost' });
    });
  });
}

describe('watermark capture preflight on sources it cannot poll', () => {
  it('refuses a file source, and a snapshot-pinned source without a way to open fresh ones', async () => {
    const { dir, cleanup } = await tempDir('ferry-wm-csv-');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${dir}/visit.csv`, 'id,note,ver\n1,a,1\n');
    const csv = await openSource(`csv:${dir}`);
    try {
      const findings = await watermarkCapture(csv, CONTRACT).preflight(['visit']);
      expect(findings.map((f) => f.code)).toContain('sync.capture_unsupported');
    } finally {
      await csv.close();
      await cleanup();
    }
    const pinned = { kind: 'postgres', displayUrl: 'postgres://x', maxOf: async () => null, introspect: async () => ({ tables: [] }) } as unknown as Source;
    const findings = await watermarkCapture(pinned, CONTRACT).preflight([]);
    expect(findings.map((f) => f.code)).toEqual(['sync.capture_unsupported']);
    expect(() => watermarkCapture(pinned, CONTRACT, { pollSeconds: 0 })).toThrow(FerryError);
  });
});
