/**
 * The SQL renderings of the canonical forms must equal canonical.ts byte for byte on every
 * database target: values written through each real Target, read back as canonical text and
 * hashes inside the database, compared with what Node computes for the values written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { TargetTableDef, Value } from '../../src/connectors/connector.js';
import { openTarget } from '../../src/connectors/registry.js';
import { canonical } from '../../src/reconcile/canonical.js';
import { hex16, mod64, rowText } from '../../src/reconcile/hash.js';
import { RowHashSum } from '../../src/reconcile/row-hash.js';
import { SqlSide } from '../../src/reconcile/sql-side.js';
import { openSqlTarget } from '../../src/reconcile/sql-target.js';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';

const def: TargetTableDef = {
  name: 'typed',
  primaryKey: ['id'],
  foreignKeys: [],
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'txt', type: 'text', nullable: true, length: 40 },
    { name: 'num', type: 'integer', nullable: true },
    { name: 'amount', type: 'decimal', nullable: true, precision: 12, scale: 4 },
    { name: 'born', type: 'date', nullable: true },
    { name: 'seen', type: 'timestamp', nullable: true },
    { name: 'flag', type: 'boolean', nullable: true },
    { name: 'blob', type: 'binary', nullable: true },
  ],
};

const rows: Value[][] = [
  [1, 'Zoë 😀', '-42', '12.50', '2024-02-29', '2024-01-02T03:04:05', true, Buffer.from([0, 171, 255])],
  [2, '', '007', '.5', '0999-01-01', '2024-01-02 03:04:05.5', false, Buffer.alloc(0)],
  [3, 'tab\tnew\nline \\ "q"', '9007199254740993', '-0.0000', '1970-01-01', '2024-01-01T00:30:00+01:00', true, Buffer.from('hi')],
  [4, 'N', '0', '100', '2000-12-31', '2024-06-30T23:59:59.123456', false, null],
  [5, null, null, null, null, null, null, null],
  [6, '3:x', '-1', '-1234.5678', '2024-01-01', '2024-01-02T03:04:05.000001', null, Buffer.from([1])],
];

const expectedCanon = rows.map((r) => def.columns.map((c, i) => canonical(c.type, r[i])));

let cleanup: () => Promise<void>;
let dir: string;
const drops: Array<() => Promise<void>> = [];
const urls: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const pgDb = await createPgDatabase('ferry_rc');
  const myDb = await createMysqlDatabase('ferry_rc');
  drops.push(pgDb.drop, myDb.drop);
  urls.postgres = pgDb.url;
  urls.mysql = myDb.url;
  urls.sqlite = `sqlite:${path.join(dir, 't.db')}`;
  for (const url of Object.values(urls)) {
    const t = await openTarget(url);
    await t.ensureSchema([def], { create: true });
    await t.beginRun({ runId: 'r1', contractDigest: 'd', startedAt: new Date().toISOString(), status: 'running' });
    const cp = { runId: 'r1', table: 'typed', offset: 0, loaded: 0, quarantined: 0, excluded: 0, done: false };
    await t.startTable(def, 'upsert', cp);
    await t.commit({ runId: 'r1', table: def, mode: 'upsert', rows, quarantine: [], checkpoint: { ...cp, offset: rows.length, loaded: rows.length } });
    await t.close();
  }
});

afterAll(async () => {
  await Promise.allSettled(drops.map((d) => d()));
  await cleanup();
});

describe.each(['postgres', 'mysql', 'sqlite'])('canonical SQL on a %s target', (kind) => {
  it('renders every type exactly as canonical.ts does, NULL as NULL', async () => {
    const t = (await openSqlTarget(urls[kind]))!;
    try {
      const d = t.dialect;
      const select = def.columns.map((c) => d.canon(c.type, d.ident(c.name))).join(', ');
      const got = await t.exec(`SELECT ${select} FROM ${t.tableSql('typed')} ORDER BY ${d.ident('id')}`, []);
      expect(got.map((r) => r.map((v) => (v === null ? null : String(v))))).toEqual(expectedCanon);
    } finally {
      await t.close();
    }
  });

  it('computes row hashes, value hashes, the row-hash sum and non-null counts exactly as Node does', async () => {
    const t = (await openSqlTarget(urls[kind]))!;
    const side = new SqlSide(t.dialect, t.exec, t.tableSql('typed'), { name: 'typed', columns: def.columns, keyIdx: [0] }, () => t.close());
    try {
      const agg = await side.aggregate({}, true);
      expect(agg.count).toBe(rows.length);
      const rowHashes = expectedCanon.map((c) => BigInt(`0x${hex16(rowText(c))}`));
      expect(mod64(agg.sum)).toBe(mod64(rowHashes.reduce((a, b) => a + b, 0n)));
      // Pass 1's JavaScript row hashes agree with the database's too.
      const fast = new RowHashSum();
      expectedCanon.forEach((c) => fast.add(c));
      expect(fast.sum.value()).toBe(mod64(agg.sum));
      expect(agg.nonNull).toEqual(def.columns.map((_, i) => expectedCanon.filter((r) => r[i] !== null).length));
      const fetched = [];
      for await (const page of side.rows({ lower: [2n], upper: [5n] })) fetched.push(...page);
      expect(fetched.map((r) => r.kt)).toEqual(['3', '4', '5']);
      expect(fetched.map((r) => r.rh)).toEqual(expectedCanon.slice(2, 5).map((c) => hex16(rowText(c))));
      expect(fetched.map((r) => r.ch)).toEqual(expectedCanon.slice(2, 5).map((c) => c.map((v) => (v === null ? null : hex16(v)))));
      expect(fetched[2].ch.slice(1)).toEqual([null, null, null, null, null, null, null]);
    } finally {
      await side.close();
    }
  });
});
