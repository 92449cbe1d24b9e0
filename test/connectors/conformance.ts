/**
 * The connector conformance suite: the same behaviour checks for every Source and Target kind,
 * so CSV, NDJSON, SQLite, PostgreSQL and MariaDB are held to one contract.
 *
 * Usage, from a kind's test file:
 *
 *   describeTargetConformance('sqlite', async () => ({ target, readBack, cleanup }));
 *   describeSourceConformance('sqlite', async (fixtures) => ({ source, cleanup }));
 *
 * `open` is called once per test and must return a fresh, empty store (its own file,
 * directory or database) that `cleanup` removes.
 *
 * Value normalisation. Kinds store values differently (SQLite keeps booleans as 0/1, CSV keeps
 * binary as base64 text, drivers return numbers, bigints or Date objects), so before comparing
 * the suite passes both the expected and the actual rows through `normaliseValue(value, type)`
 * with the column's logical type:
 *   - null and undefined → null
 *   - binary: Buffer/Uint8Array → Buffer; a string is base64 text → Buffer
 *   - boolean: true/1/'1'/'t'/'true' → 'true'; false/0/'0'/'f'/'false' → 'false'
 *   - integer and decimal: numbers and bigints → their decimal text; strings unchanged, so a
 *     decimal's scale must survive the round trip ('72.5' stays '72.5')
 *   - date: a Date → its local 'YYYY-MM-DD' (what node-postgres makes of a DATE); strings unchanged
 *   - timestamp: a Date → ISO text without zone; strings get 'T' between date and time, a
 *     trailing zero fraction and a UTC zone ('Z', '+00', '+00:00') removed
 *   - text: strings unchanged, anything else String(value)
 * `readBack` and sources may therefore return raw driver values or already-normalised text;
 * casting dates and timestamps to text in SQL is the safest choice for database kinds.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Slice, Checkpoint, CommitUnit, LoadMode, LogicalType, QuarantineRecord, RunRecord, Source, Target, TargetTableDef, Value } from '../../src/connectors/connector.js';
import { FerryError } from '../../src/errors.js';

/** A table to load into a source before the source suite runs: its definition and rows. */
export interface TableFixture {
  def: TargetTableDef;
  rows: Value[][];
}

/** What a target test needs: the target, a way to read its rows back, and cleanup. */
export interface TargetHarness {
  target: Target;
  /** Rows of `table` ordered by `orderBy` (or file order where the kind has no ORDER BY). */
  readBack(table: string, orderBy: string[]): Promise<Value[][]>;
  cleanup(): Promise<void>;
}

/** What a source test needs: the source over the loaded fixtures, and cleanup. */
export interface SourceHarness {
  source: Source;
  cleanup(): Promise<void>;
}

export interface TargetConformanceOptions {
  /** False for kinds that refuse `upsert` (file targets): the upsert checks are skipped. */
  upsert?: boolean;
  /**
   * False for kinds that only detect duplicate keys inside one batch (file targets keep no
   * index); databases must also refuse a key that an earlier batch already loaded.
   */
  primaryKeyAcrossBatches?: boolean;
}

export interface SourceConformanceOptions {
  /** False when the kind reports every column as text (CSV, NDJSON). */
  typed?: boolean;
  /** False when the kind knows no primary or foreign keys (CSV, NDJSON). */
  keyed?: boolean;
  /** False when the kind ignores `orderBy` and reads in storage order (files). */
  ordered?: boolean;
}

/** Normalises one value for comparison across kinds (rules in the file comment). */
export function normaliseValue(value: unknown, type: LogicalType): string | Buffer | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'binary':
      if (Buffer.isBuffer(value)) return value;
      if (value instanceof Uint8Array) return Buffer.from(value);
      return Buffer.from(String(value), 'base64');
    case 'boolean':
      if (value === true || value === 1 || value === 1n) return 'true';
      if (value === false || value === 0 || value === 0n) return 'false';
      if (typeof value === 'string') {
        const v = value.toLowerCase();
        if (v === '1' || v === 't' || v === 'true') return 'true';
        if (v === '0' || v === 'f' || v === 'false') return 'false';
      }
      return String(value);
    case 'date':
      if (value instanceof Date) {
        const pad = (n: number) => String(n).padStart(2, '0');
        return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
      }
      return String(value);
    case 'timestamp': {
      const text = value instanceof Date ? value.toISOString() : String(value);
      return text
        .replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T')
        .replace(/(Z|[+-]00(:?00)?)$/, '')
        .replace(/\.0+$/, '');
    }
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** Normalises whole rows given the column types, in column order. */
export function normaliseRows(rows: readonly unknown[][], types: LogicalType[]): Array<Array<string | Buffer | null>> {
  return rows.map((row) => row.map((v, i) => normaliseValue(v, types[i])));
}

// ---------------------------------------------------------------------------------------------
// Target suite

const kinds: TargetTableDef = {
  name: 'kinds',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'label', type: 'text', nullable: false, length: 50 },
    { name: 'note', type: 'text', nullable: true },
    { name: 'amount', type: 'decimal', nullable: true, precision: 10, scale: 2 },
    { name: 'born', type: 'date', nullable: true },
    { name: 'seen_at', type: 'timestamp', nullable: true },
    { name: 'active', type: 'boolean', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

const blobs: TargetTableDef = {
  name: 'blobs',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'title', type: 'text', nullable: true },
    { name: 'payload', type: 'binary', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

const kindsRows: Value[][] = [
  ['1', 'Ann', 'first', '12.50', '1970-01-31', '2024-03-01T09:30:00', true],
  [2, 'Bob', '', '0.05', '2001-12-01', '2023-11-30T23:59:59', false],
  [3n, 'Cat', null, null, null, null, null],
];

const types = (def: TargetTableDef) => def.columns.map((c) => c.type);

function checkpoint(runId: string, table: string, offset: number, extra: Partial<Checkpoint> = {}): Checkpoint {
  return { runId, table, offset, loaded: offset, quarantined: 0, excluded: 0, done: false, ...extra };
}

function unit(runId: string, table: TargetTableDef, mode: LoadMode, rows: Value[][], offset: number, quarantine: QuarantineRecord[] = []): CommitUnit {
  return { runId, table, mode, rows, quarantine, checkpoint: checkpoint(runId, table.name, offset, { loaded: rows.length, quarantined: quarantine.length }) };
}

function run(runId: string): RunRecord {
  return { runId, contractDigest: 'sha256:' + 'ab'.repeat(32), startedAt: '2024-05-01T10:00:00.000Z', status: 'running' };
}

function qrecord(runId: string, key: string): QuarantineRecord {
  return {
    runId,
    sourceTable: 'legacy_patient',
    sourceKey: key,
    targetTable: 'kinds',
    rule: 'nhs_number: rule nhs_number',
    reasonCode: 'rule.nhs_number',
    message: 'NHS number fails its modulus-11 check',
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Registers the target conformance tests for one kind. */
export function describeTargetConformance(name: string, open: () => Promise<TargetHarness>, options: TargetConformanceOptions = {}): void {
  const upsert = options.upsert ?? true;
  const pkAcross = options.primaryKeyAcrossBatches ?? true;

  describe(`${name} target conformance`, () => {
    let h: TargetHarness;
    let runId: string;
    beforeEach(async () => {
      h = await open();
      runId = `run-${randomUUID()}`;
    });
    afterEach(async () => {
      await h.target.close();
      await h.cleanup();
    });

    async function prepared(...defs: TargetTableDef[]): Promise<void> {
      await h.target.ensureSchema(defs, { create: true });
      await h.target.beginRun(run(runId));
      for (const def of defs) await h.target.startTable(def, 'append', checkpoint(runId, def.name, 0));
    }

    async function rowsOf(def: TargetTableDef) {
      return normaliseRows(await h.readBack(def.name, def.primaryKey), types(def));
    }

    it('creates missing tables and its bookkeeping, idempotently', async () => {
      await h.target.ensureSchema([kinds, blobs], { create: true });
      await h.target.ensureSchema([kinds, blobs], { create: true });
      const schema = await h.target.introspect();
      const names = schema.tables.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['kinds', 'blobs']));
      expect(names.filter((n) => n.startsWith('_ferry'))).toEqual([]);
      expect(schema.tables.find((t) => t.name === 'kinds')?.columns.map((c) => c.name)).toEqual(kinds.columns.map((c) => c.name));
      expect(await h.readBack('kinds', ['id'])).toEqual([]);
      expect(await h.target.getRun(runId)).toBeUndefined();
      expect(await h.target.checkpoints(runId)).toEqual([]);
      expect(await collect(h.target.quarantine(runId))).toEqual([]);
    });

    it('appends rows of every logical type and reads them back unchanged', async () => {
      await prepared(kinds);
      await h.target.commit(unit(runId, kinds, 'append', kindsRows.slice(0, 2), 2));
      await h.target.commit(unit(runId, kinds, 'append', kindsRows.slice(2), 3));
      expect(await rowsOf(kinds)).toEqual(normaliseRows(kindsRows, types(kinds)));
    });

    it('round-trips unicode text and a 100 KB binary value exactly', async () => {
      await prepared(blobs);
      const payload = randomBytes(100 * 1024);
      const rows: Value[][] = [
        [1, 'Ó Briain, Siobhán – d’Arcy 😀 𝄞', payload],
        [2, 'café "quoted", comma\nnew line\r\nCRLF', Buffer.alloc(0)],
        [3, '', null],
      ];
      await h.target.commit(unit(runId, blobs, 'append', rows, 3));
      const back = await rowsOf(blobs);
      expect(back).toHaveLength(3);
      expect(back[0][1]).toBe(rows[0][1]);
      expect(Buffer.isBuffer(back[0][2]) && payload.equals(back[0][2] as Buffer)).toBe(true);
      expect(back[1][1]).toBe(rows[1][1]);
      expect((back[1][2] as Buffer).length).toBe(0);
      expect(back[2]).toEqual(['3', '', null]);
    });

    it.skipIf(!upsert)('upsert replaces rows with the same primary key, keeping the last of a batch', async () => {
      await prepared(kinds);
      await h.target.commit(unit(runId, kinds, 'upsert', kindsRows, 3));
      await h.target.commit(
        unit(
          runId,
          kinds,
          'upsert',
          [
            ['2', 'Bob v2', 'x', '1.00', null, null, true],
            ['4', 'Dee', null, null, null, null, null],
            ['2', 'Bob v3', 'y', '2.00', '2002-02-02', null, false],
          ],
          6,
        ),
      );
      expect(await rowsOf(kinds)).toEqual(
        normaliseRows([kindsRows[0], ['2', 'Bob v3', 'y', '2.00', '2002-02-02', null, false], kindsRows[2], ['4', 'Dee', null, null, null, null, null]], types(kinds)),
      );
    });

    it('truncate mode empties the table once, and a resumed run keeps what it loaded', async () => {
      await prepared(kinds);
      await h.target.commit(unit(runId, kinds, 'append', kindsRows, 3));
      await h.target.finishRun(runId, 'succeeded');

      const second = `${runId}-2`;
      await h.target.beginRun(run(second));
      await h.target.startTable(kinds, 'truncate', checkpoint(second, 'kinds', 0));
      expect(await h.readBack('kinds', ['id'])).toEqual([]);
      expect(await h.target.checkpoints(second)).toEqual([checkpoint(second, 'kinds', 0)]);
      await h.target.commit(unit(second, kinds, 'truncate', [kindsRows[0]], 1));

      // A resume calls beginRun again but not startTable: nothing may be truncated.
      await h.target.beginRun(run(second));
      await h.target.commit(unit(second, kinds, 'truncate', [kindsRows[1]], 2));
      expect(await rowsOf(kinds)).toEqual(normaliseRows(kindsRows.slice(0, 2), types(kinds)));
    });

    it('commits nothing when a row breaks NOT NULL', async () => {
      await prepared(kinds);
      await h.target.commit(unit(runId, kinds, 'append', [kindsRows[0]], 1, [qrecord(runId, 'k1')]));
      const bad = unit(runId, kinds, 'append', [kindsRows[1], ['9', null, null, null, null, null, null]], 3, [qrecord(runId, 'k2')]);
      await expect(h.target.commit(bad)).rejects.toThrow();
      expect(await rowsOf(kinds)).toEqual(normaliseRows([kindsRows[0]], types(kinds)));
      expect((await collect(h.target.quarantine(runId))).map((q) => q.sourceKey)).toEqual(['k1']);
      expect((await h.target.checkpoints(runId))[0].offset).toBe(1);
    });

    it('commits nothing when an appended batch repeats a primary key', async () => {
      await prepared(kinds);
      await h.target.commit(unit(runId, kinds, 'append', [kindsRows[0]], 1));
      const dup = unit(runId, kinds, 'append', [kindsRows[1], kindsRows[2], ['2', 'Again', null, null, null, null, null]], 4, [qrecord(runId, 'k')]);
      await expect(h.target.commit(dup)).rejects.toThrow();
      expect(await rowsOf(kinds)).toEqual(normaliseRows([kindsRows[0]], types(kinds)));
      expect(await collect(h.target.quarantine(runId))).toEqual([]);
      expect((await h.target.checkpoints(runId))[0].offset).toBe(1);
    });

    it.skipIf(!pkAcross)('commits nothing when an appended row repeats a key loaded by an earlier batch', async () => {
      await prepared(kinds);
      await h.target.commit(unit(runId, kinds, 'append', [kindsRows[0]], 1));
      await expect(h.target.commit(unit(runId, kinds, 'append', [kindsRows[1], kindsRows[0]], 3))).rejects.toThrow();
      expect(await rowsOf(kinds)).toEqual(normaliseRows([kindsRows[0]], types(kinds)));
      expect((await h.target.checkpoints(runId))[0].offset).toBe(1);
    });

    it('returns the latest checkpoint per table for the asked run only', async () => {
      await prepared(kinds, blobs);
      await h.target.commit(unit(runId, kinds, 'append', [kindsRows[0]], 1));
      await h.target.commit({ ...unit(runId, kinds, 'append', [kindsRows[1]], 5), checkpoint: checkpoint(runId, 'kinds', 5, { loaded: 2, quarantined: 2, excluded: 1, done: true }) });
      await h.target.commit(unit(runId, blobs, 'append', [[1, 'x', null]], 1));
      const other = `${runId}-other`;
      await h.target.beginRun(run(other));
      await h.target.startTable(kinds, 'append', checkpoint(other, 'kinds', 0));
      const got = (await h.target.checkpoints(runId)).sort((a, b) => a.table.localeCompare(b.table));
      expect(got).toEqual([checkpoint(runId, 'blobs', 1), checkpoint(runId, 'kinds', 5, { loaded: 2, quarantined: 2, excluded: 1, done: true })]);
      expect(await h.target.checkpoints(other)).toEqual([checkpoint(other, 'kinds', 0)]);
    });

    it('yields the committed quarantine records of the run, in commit order', async () => {
      await prepared(kinds);
      const records = [qrecord(runId, '10'), { ...qrecord(runId, 'A,"b"\n2'), message: 'Ó’é 😀, "quoted"' }];
      await h.target.commit(unit(runId, kinds, 'append', [], 2, records.slice(0, 1)));
      await h.target.commit(unit(runId, kinds, 'append', [kindsRows[0]], 4, records.slice(1)));
      const other = `${runId}-other`;
      await h.target.beginRun(run(other));
      await h.target.commit(unit(other, kinds, 'append', [], 1, [qrecord(other, 'zz')]));
      expect(await collect(h.target.quarantine(runId))).toEqual(records);
      expect(await collect(h.target.quarantine(other))).toEqual([qrecord(other, 'zz')]);
    });

    it('records, resumes and finishes runs', async () => {
      await h.target.ensureSchema([kinds], { create: true });
      const record = run(runId);
      await h.target.beginRun(record);
      expect(await h.target.getRun(runId)).toEqual(record);
      await h.target.finishRun(runId, 'failed');
      const failed = await h.target.getRun(runId);
      expect(failed).toMatchObject({ runId, status: 'failed', startedAt: record.startedAt, contractDigest: record.contractDigest });
      expect(Number.isNaN(Date.parse(failed?.finishedAt ?? ''))).toBe(false);

      // Resuming keeps the original start and puts the run back to running.
      await h.target.beginRun({ ...record, startedAt: '2030-01-01T00:00:00.000Z' });
      expect(await h.target.getRun(runId)).toEqual(record);
      await h.target.finishRun(runId, 'succeeded');
      expect((await h.target.getRun(runId))?.status).toBe('succeeded');
    });

    it('refuses to resume a run under a different contract digest', async () => {
      await h.target.ensureSchema([kinds], { create: true });
      await h.target.beginRun(run(runId));
      await expect(h.target.beginRun({ ...run(runId), contractDigest: 'sha256:' + 'cd'.repeat(32) })).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('refuses to finish a run it never began', async () => {
      await h.target.ensureSchema([kinds], { create: true });
      await expect(h.target.finishRun('no-such-run', 'succeeded')).rejects.toBeInstanceOf(FerryError);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Source suite

const patient: TargetTableDef = {
  name: 'patient',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'nhs_number', type: 'text', nullable: false },
    { name: 'family_name', type: 'text', nullable: true },
    { name: 'born', type: 'date', nullable: true },
    { name: 'registered_at', type: 'timestamp', nullable: true },
    { name: 'weight_kg', type: 'decimal', nullable: true, precision: 5, scale: 1 },
    { name: 'deceased', type: 'boolean', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

const episode: TargetTableDef = {
  name: 'episode',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'patient_id', type: 'integer', nullable: false },
    { name: 'code', type: 'text', nullable: true },
    { name: 'letter', type: 'binary', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [{ columns: ['patient_id'], references: { table: 'patient', columns: ['id'] } }],
};

/** Inserted deliberately out of key order so ORDER BY is observable. */
const patientRows: Value[][] = [
  ['7', '9990000077', 'Ó Briain', '1950-07-07', '2020-01-07T08:00:00', '72.5', false],
  ['3', '9990000033', 'Smith', '1983-03-03', '2020-01-03T08:00:00', '64.2', false],
  ['10', '9990000108', null, null, null, null, null],
  ['1', '9990000011', 'd’Arcy 😀', '2001-01-01', '2020-01-01T08:00:00', '80.1', true],
  ['5', '9990000055', '', '1965-05-05', '2020-01-05T08:00:00', '55.5', false],
  ['2', '9990000022', 'Jones', '1992-02-02', '2020-01-02T08:00:00', '90.9', false],
  ['9', '9990000099', 'Patel', '1939-09-09', '2020-01-09T08:00:00', '61.7', true],
  ['4', '9990000044', 'Evans', '1944-04-04', '2020-01-04T08:00:00', '70.3', false],
  ['8', '9990000088', 'Khan', '1988-08-08', '2020-01-08T08:00:00', '77.7', false],
  ['6', '9990000066', 'Lee', '1966-06-06', '2020-01-06T08:00:00', '66.6', false],
  ['11', '9990000119', 'Ng', '2011-11-11', '2020-01-11T08:00:00', '51.1', false],
];

const episodeRows: Value[][] = [
  ['1', '1', 'J45.9', Buffer.from([0, 1, 2, 255])],
  ['2', '7', null, null],
];

/** The fixtures every source kind is loaded with. */
export const SOURCE_FIXTURES: TableFixture[] = [
  { def: patient, rows: patientRows },
  { def: episode, rows: episodeRows },
];

const byId = (rows: Value[][]) => [...rows].sort((a, b) => Number(a[0]) - Number(b[0]));

async function readAll(source: Source, table: string, options: Parameters<Source['read']>[1]): Promise<Slice[]> {
  return collect(source.read(table, options));
}

/** Every row of a table as a source reads it (its default column order, no orderBy). */
export async function readRows(source: Pick<Source, 'read'>, table: string): Promise<Value[][]> {
  const out: Value[][] = [];
  for await (const b of source.read(table, { sliceRows: 1000 })) out.push(...b.rows);
  return out;
}

/** Loads fixtures into any target through the ordinary run protocol (one run, one batch per table). */
export async function loadFixtures(target: Target, fixtures: TableFixture[]): Promise<void> {
  const runId = 'fixtures';
  await target.ensureSchema(
    fixtures.map((f) => f.def),
    { create: true },
  );
  await target.beginRun({ ...run(runId), contractDigest: 'fixtures' });
  for (const { def, rows } of fixtures) {
    await target.startTable(def, 'append', checkpoint(runId, def.name, 0));
    await target.commit({ ...unit(runId, def, 'append', rows, rows.length), checkpoint: checkpoint(runId, def.name, rows.length, { done: true }) });
  }
  await target.finishRun(runId, 'succeeded');
}

/** Registers the source conformance tests for one kind. */
export function describeSourceConformance(name: string, open: (fixtures: TableFixture[]) => Promise<SourceHarness>, options: SourceConformanceOptions = {}): void {
  const typed = options.typed ?? true;
  const keyed = options.keyed ?? true;
  const ordered = options.ordered ?? true;
  const inReadOrder = (rows: Value[][]) => (ordered ? byId(rows) : rows);

  describe(`${name} source conformance`, () => {
    let h: SourceHarness;
    beforeEach(async () => {
      h = await open(SOURCE_FIXTURES);
    });
    afterEach(async () => {
      await h.source.close();
      await h.cleanup();
    });

    it("lists the fixture tables and their columns, never Ferry's bookkeeping", async () => {
      const schema = await h.source.introspect();
      expect(schema.tables.map((t) => t.name).sort()).toEqual(['episode', 'patient']);
      for (const def of [patient, episode]) {
        const info = schema.tables.find((t) => t.name === def.name)!;
        expect(info.columns.map((c) => c.name)).toEqual(def.columns.map((c) => c.name));
        if (typed) expect(info.columns.map((c) => c.type)).toEqual(types(def));
        else expect(info.columns.every((c) => c.type === 'text')).toBe(true);
        if (keyed) {
          expect(info.primaryKey).toEqual(def.primaryKey);
          expect(info.foreignKeys).toEqual(def.foreignKeys);
        } else {
          expect(info.primaryKey).toEqual([]);
          expect(info.foreignKeys).toEqual([]);
        }
      }
    });

    it('counts rows', async () => {
      expect(await h.source.count('patient')).toBe(patientRows.length);
      expect(await h.source.count('episode')).toBe(episodeRows.length);
    });

    it('reads every column in table order by default, keeping nulls null', async () => {
      const batches = await readAll(h.source, 'patient', { orderBy: ['id'], sliceRows: 100 });
      expect(batches.map((b) => b.columns)).toEqual([patient.columns.map((c) => c.name)]);
      expect(normaliseRows(batches[0].rows, types(patient))).toEqual(normaliseRows(inReadOrder(patientRows), types(patient)));
      const tenth = batches[0].rows.find((r) => normaliseValue(r[0], 'integer') === '10')!;
      expect(tenth.slice(2)).toEqual([null, null, null, null, null]);
    });

    it('reads binary values and foreign-key columns', async () => {
      const [batch] = await readAll(h.source, 'episode', { orderBy: ['id'], sliceRows: 10 });
      expect(normaliseRows(batch.rows, types(episode))).toEqual(normaliseRows(episodeRows, types(episode)));
    });

    it('honours the column subset and its order', async () => {
      const batches = await readAll(h.source, 'patient', { columns: ['family_name', 'id'], orderBy: ['id'], sliceRows: 100 });
      expect(batches[0].columns).toEqual(['family_name', 'id']);
      expect(normaliseRows(batches[0].rows, ['text', 'integer'])).toEqual(
        normaliseRows(
          inReadOrder(patientRows).map((r) => [r[2], r[0]]),
          ['text', 'integer'],
        ),
      );
    });

    it('skips leading rows in read order, as a resumed run does', async () => {
      const batches = await readAll(h.source, 'patient', { columns: ['id'], orderBy: ['id'], skip: 4, sliceRows: 3 });
      const ids = batches.flatMap((b) => b.rows.map((r) => normaliseValue(r[0], 'integer')));
      expect(ids).toEqual(
        inReadOrder(patientRows)
          .slice(4)
          .map((r) => String(r[0])),
      );
      expect(await readAll(h.source, 'patient', { orderBy: ['id'], skip: 100, sliceRows: 3 })).toEqual([]);
    });

    it('never yields a batch larger than batchSize, nor an empty one', async () => {
      for (const batchSize of [1, 4, 11, 1000]) {
        const batches = await readAll(h.source, 'patient', { orderBy: ['id'], sliceRows: batchSize });
        expect(batches.every((b) => b.rows.length >= 1 && b.rows.length <= batchSize)).toBe(true);
        expect(batches.reduce((n, b) => n + b.rows.length, 0)).toBe(patientRows.length);
        expect(batches.length).toBe(Math.ceil(patientRows.length / batchSize));
      }
    });

    it('stops with an AbortError when the signal is aborted', async () => {
      const controller = new AbortController();
      let seen = 0;
      const reading = (async () => {
        for await (const batch of h.source.read('patient', { orderBy: ['id'], sliceRows: 2, signal: controller.signal })) {
          seen += batch.rows.length;
          controller.abort();
        }
      })();
      await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toBe(2);
      await expect(readAll(h.source, 'patient', { sliceRows: 2, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('refuses unknown tables and columns with a FerryError', async () => {
      await expect(readAll(h.source, 'no_such_table', { sliceRows: 10 })).rejects.toBeInstanceOf(FerryError);
      await expect(readAll(h.source, 'patient', { columns: ['id', 'no_such_column'], sliceRows: 10 })).rejects.toBeInstanceOf(FerryError);
      await expect(h.source.count('no_such_table')).rejects.toBeInstanceOf(FerryError);
    });
  });
}
