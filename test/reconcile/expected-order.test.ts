/**
 * Pass 2's expected rows go straight into the positioned table while their target keys arrive
 * strictly increasing, and through the keyed stage table from the first row that does not.
 * Whatever the source order, the result must be exactly what the stage table alone gives.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openSource } from '../../src/connectors/registry.js';
import { loadContract } from '../../src/contract/load.js';
import { LookupCache } from '../../src/engine/joins.js';
import { targetTableDef } from '../../src/engine/target-defs.js';
import { buildExpected, type ExpectedTable } from '../../src/reconcile/expected.js';
import { openScratch } from '../../src/reconcile/scratch.js';
import { tempDir } from '../helpers/tmp.js';
import { TODAY } from './helpers.js';

const CONTRACT = `
ferry: 1
metadata: { name: expected_order, version: 1.0.0, owner: Ferry tests }
source:
  tables:
    S:
      primary_key: [ID]
      columns:
        ID: { type: text }
        CODE: { type: text }
        GRP: { type: text }
        NAME: { type: text }
target:
  tables:
    by_code:
      primary_key: [code]
      columns:
        code: { type: text, nullable: false }
        name: { type: text }
    by_pair:
      primary_key: [grp, code]
      columns:
        grp: { type: integer, nullable: false }
        code: { type: text, nullable: false }
        name: { type: text }
mappings:
  by_code:
    source: S
    load: upsert
    fields:
      code: { from: CODE, rationale: Key derived from another column than the source key. }
      name: { from: NAME, rationale: Payload. }
  by_pair:
    source: S
    load: upsert
    fields:
      grp: { from: GRP, steps: [to_integer], rationale: Integer key part. }
      code: { from: CODE, rationale: Text key part. }
      name: { from: NAME, rationale: Payload. }
`;

interface Row {
  code: string;
  grp: number;
  name: string | null;
}

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

/** What buildExpected made of the rows (in file order, so in source-key order), direct and forced through the stage table. */
async function bothWays(rows: Row[], table: 'by_code' | 'by_pair'): Promise<{ direct: Built; staged: Built }> {
  await mkdir(path.join(dir, 'source'), { recursive: true });
  await writeFile(path.join(dir, 'contract.yaml'), CONTRACT);
  const lines = rows.map((r, i) => `${String(i + 1).padStart(6, '0')},${r.code},${r.grp},${r.name ?? ''}`);
  await writeFile(path.join(dir, 'source', 'S.csv'), ['ID,CODE,GRP,NAME', ...lines].join('\n') + '\n');
  const loaded = await loadContract(path.join(dir, 'contract.yaml'));
  const build = async (alwaysStage: boolean): Promise<Built> => {
    const source = await openSource(`csv:${dir}/source`);
    const scratch = await openScratch(dir);
    const exec = vi.spyOn(scratch.db, 'exec');
    try {
      // Small slices, so a fallback lands in the middle of the source, across transactions.
      const exp = await buildExpected({ loaded, table, def: targetTableDef(loaded.contract, table), source, lookups: new LookupCache(), sliceRows: 7, today: TODAY, scratch, id: 1, alwaysStage });
      const staged = exec.mock.calls.some(([sql]) => sql.startsWith('CREATE TABLE stage_'));
      return { exp, staged, rows: scratch.db.prepare(`SELECT * FROM ${exp.name} ORDER BY pos`).raw(true).all() as unknown[][] };
    } finally {
      await scratch.close();
      await source.close();
    }
  };
  return { direct: await build(false), staged: await build(true) };
}

interface Built {
  exp: ExpectedTable;
  /** Whether the stage table was used. */
  staged: boolean;
  rows: unknown[][];
}

/** Asserts the direct path produced exactly the stage table's result; returns the rows. */
function same({ direct, staged }: { direct: Built; staged: Built }): unknown[][] {
  expect(staged.staged).toBe(true);
  expect(direct.exp).toEqual(staged.exp);
  expect(direct.rows).toEqual(staged.rows);
  return direct.rows;
}

const ascending = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ code: `c${String(i).padStart(4, '0')}`, grp: 1, name: i % 3 === 0 ? null : `n${i}` }));

describe('buildExpected', () => {
  it('appends rows whose target keys arrive in order without a stage table, with the same rows, positions and counts', async () => {
    const both = await bothWays(ascending(40), 'by_code');
    expect(both.direct.staged).toBe(false);
    const rows = same(both);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i + 1)));
    expect(both.direct.exp.count).toBe(40);
    expect(both.direct.exp.nonNull).toEqual([40, 26]);
  });

  it('falls back to the stage table when the target key order differs from the source order', async () => {
    const rows = ascending(40);
    // The target key comes from CODE, not from the source key: swap two codes in the middle.
    [rows[25].code, rows[26].code] = [rows[26].code, rows[25].code];
    const both = await bothWays(rows, 'by_code');
    expect(both.direct.staged).toBe(true);
    const out = same(both);
    expect(out.map((r) => r[1])).toEqual(ascending(40).map((r) => r.code));
    expect(both.direct.exp.count).toBe(40);
  });

  it.each([
    ['right after it', 11, '000012'],
    ['after later keys', 30, '000031'],
  ])('keeps the later source row when a second source row for a target key comes %s, as the upsert did', async (_, at, laterLine) => {
    const rows = ascending(30);
    rows.splice(at, 0, { code: 'c0010', grp: 1, name: 'later' });
    rows.push({ code: 'c0030', grp: 1, name: 'after' });
    const both = await bothWays(rows, 'by_code');
    expect(both.direct.staged).toBe(true);
    const out = same(both);
    expect(both.direct.exp.count).toBe(31);
    expect(both.direct.exp.derived.loaded).toBe(32);
    // sk is the source key of the later row.
    expect(out.find((r) => r[1] === 'c0010')![3]).toContain(laterLine);
    expect(out.map((r) => r[1])).toEqual([...ascending(30).map((r) => r.code), 'c0030']);
  });

  it('orders text keys by their UTF-8 bytes, as SQLite does, where UTF-16 order differs', async () => {
    // U+1F600 is a surrogate pair (D83D DE00) in UTF-16, below U+FF61; in UTF-8 (F0…) it is above (EF…).
    const both = await bothWays(
      [
        { code: 'a', grp: 1, name: 'x' },
        { code: 'b\u{1F600}', grp: 1, name: 'x' },
        { code: 'b\uFF61', grp: 1, name: 'x' },
        { code: 'c', grp: 1, name: 'x' },
      ],
      'by_code',
    );
    const out = same(both);
    expect(out.map((r) => r[1])).toEqual(['a', 'b\uFF61', 'b\u{1F600}', 'c']);
  });

  it('compares composite keys as tuples with integer parts as numbers', async () => {
    // 9 < 10 as integers (not as text), and within one group the text part decides.
    const rows: Row[] = [
      { code: 'z', grp: 2, name: 'x' },
      { code: 'a', grp: 9, name: 'x' },
      { code: 'b', grp: 9, name: 'x' },
      { code: 'a', grp: 10, name: null },
    ];
    const inOrder = await bothWays(rows, 'by_pair');
    expect(inOrder.direct.staged).toBe(false);
    same(inOrder);

    const outOfOrder = await bothWays([...rows, { code: 'a', grp: 9, name: 'later' }], 'by_pair');
    expect(outOfOrder.direct.staged).toBe(true);
    const out = same(outOfOrder);
    expect(out.map((r) => [r[1], r[2]])).toEqual([
      [2n, 'z'],
      [9n, 'a'],
      [9n, 'b'],
      [10n, 'a'],
    ]);
  });
});
