/**
 * The change applier on the example contract over a small synthetic PAS: source transactions in,
 * change units out, without any database to stream from. Checks what a sync must get right row
 * by row: parents before children, lookups and parent keys that follow the stream, a key
 * change, deletes by target key, quarantine that stays pending until a later change settles it,
 * a truncate, the last change of a key winning within a unit, and DDL stopping the sync.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowChange, SourceTransaction } from '../../src/connectors/capture.js';
import type { Source, TableChanges, Value } from '../../src/connectors/connector.js';
import { openSource } from '../../src/connectors/registry.js';
import { loadContract } from '../../src/contract/load.js';
import type { LoadedContract } from '../../src/contract/model.js';
import { generateTo } from '../../src/synth/generate.js';
import { uniformRates } from '../../src/synth/defects.js';
import { ChangeApplier, DELETED_AT_SOURCE } from '../../src/sync/change-applier.js';
import { EXAMPLE_CONTRACT } from '../helpers/example-run.js';
import { tempDir } from '../helpers/tmp.js';

let cleanup: () => Promise<void>;
let loaded: LoadedContract;
let source: Source;
let patients: Value[][];
let addresses: Value[][];
const cols = (table: string): string[] => Object.keys(loaded.contract.source.tables[table].columns);

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = await tempDir('ferry-applier-'));
  const file = path.join(dir, 'pas.db');
  await generateTo(`sqlite:${file}`, { seed: 11, patients: 40, rates: uniformRates(0), manifest: path.join(dir, 'defects.json') });
  loaded = await loadContract(EXAMPLE_CONTRACT);
  source = await openSource(`sqlite:${file}`);
  const read = async (table: string): Promise<Value[][]> => {
    const rows: Value[][] = [];
    for await (const s of source.read(table, { columns: cols(table), orderBy: loaded.contract.source.tables[table].primary_key, sliceRows: 1000 })) rows.push(...s.rows);
    return rows;
  };
  patients = await read('PAT_MAST');
  addresses = await read('PAT_ADDR');
});
afterAll(async () => {
  await source?.close();
  await cleanup?.();
});

async function applier(): Promise<ChangeApplier> {
  return ChangeApplier.create({ loaded, syncId: 'sync-test', runId: 'run-test', source, lineage: true, today: () => '2026-12-07' });
}

let lsn = 0;
function tx(...changes: SourceTransaction['changes']): SourceTransaction {
  lsn += 1;
  return { position: `0/${lsn.toString(16).toUpperCase()}`, committedAt: new Date(), changes };
}

function ins(table: string, row: Value[]): RowChange {
  return { kind: 'insert', table, columns: cols(table), row };
}

function upd(table: string, row: Value[], old?: Value[]): RowChange {
  return { kind: 'update', table, columns: cols(table), row, ...(old ? { old } : {}) };
}

function del(table: string, key: Value): RowChange {
  const c = cols(table);
  const old: Array<Value | undefined> = c.map(() => undefined);
  old[0] = key;
  return { kind: 'delete', table, columns: c, old };
}

const byName = (tables: TableChanges[], name: string): TableChanges => {
  const t = tables.find((x) => x.table.name === name);
  if (!t) throw new Error(`no changes for ${name}`);
  return t;
};

describe('ChangeApplier', () => {
  it('loads a new patient and its address in one unit, the parent first, the lookup following the stream', async () => {
    const a = await applier();
    const patient = [...patients[0]];
    patient[0] = 900001;
    const address = [...addresses[0]];
    address[0] = 800001;
    address[1] = 900001;
    // The address is inserted first in the transaction: order within the unit is the contract's, not the source's.
    const unit = await a.unit([tx(ins('PAT_MAST', patient)), tx(ins('PAT_ADDR', address))]);
    const names = unit.tables.map((t) => t.table.name);
    expect(names.indexOf('patient')).toBeLessThan(names.indexOf('patient_address'));
    expect(byName(unit.tables, 'patient').upserts).toHaveLength(1);
    const addr = byName(unit.tables, 'patient_address');
    expect(addr.quarantine).toEqual([]);
    expect(addr.upserts).toHaveLength(1);
    expect(addr.settled).toEqual(['800001']);
    expect(addr.lineage?.rows).toEqual([['800001', 'L', '800001', null]]);
    expect(unit.position).toBe(`0/${lsn.toString(16).toUpperCase()}`);
    expect(JSON.parse(unit.counts)).toMatchObject({ transactions: 2, changes: 2 });
  });

  it('quarantines an address whose patient is unknown, keeps it pending, and settles it once the patient arrives', async () => {
    const a = await applier();
    const address = [...addresses[1]];
    address[0] = 800002;
    address[1] = 900002;
    const first = await a.unit([tx(ins('PAT_ADDR', address))]);
    const q = byName(first.tables, 'patient_address');
    expect(q.upserts).toEqual([]);
    expect(q.quarantine.length).toBeGreaterThan(0);
    expect(q.quarantine.every((r) => r.sourceKey === '800002' && r.runId === 'run-test')).toBe(true);
    expect(q.settled).toEqual([]);
    // No value of the row in the record: keys, rules and codes only.
    expect(JSON.stringify(q.quarantine)).not.toContain(String(address[2]));

    const patient = [...patients[1]];
    patient[0] = 900002;
    const second = await a.unit([tx(ins('PAT_MAST', patient)), tx(upd('PAT_ADDR', address))]);
    const s = byName(second.tables, 'patient_address');
    expect(s.upserts).toHaveLength(1);
    expect(s.settled).toEqual(['800002']);
  });

  it('deletes by target key, forgets the parent, and lets the last change of a key win within a unit', async () => {
    const a = await applier();
    const pid = patients[2][0];
    const unit = await a.unit([tx(upd('PAT_MAST', patients[2])), tx(del('PAT_MAST', pid))]);
    const p = byName(unit.tables, 'patient');
    expect(p.upserts).toEqual([]);
    expect(p.deletes).toEqual([[pid]]);
    expect(p.lineage?.rows.at(-1)).toEqual([String(pid), 'X', null, DELETED_AT_SOURCE]);
    // An address of the deleted patient no longer finds it.
    const address = addresses.find((r) => r[1] === pid) ?? [...addresses[0]];
    address[1] = pid;
    const next = await a.unit([tx(upd('PAT_ADDR', address))]);
    expect(byName(next.tables, 'patient_address').quarantine.length).toBeGreaterThan(0);
  });

  it('moves a row whose key changed: the old target row is deleted, the new one upserted', async () => {
    const a = await applier();
    const old = [...patients[3]];
    const moved = [...patients[3]];
    moved[0] = 900003;
    const unit = await a.unit([tx(upd('PAT_MAST', moved, old))]);
    const p = byName(unit.tables, 'patient');
    expect(p.deletes).toEqual([[old[0]]]);
    expect(p.upserts.map((r) => String(r[0]))).toEqual(['900003']);
  });

  it('empties the target table of a truncated source table and drops earlier changes of it in the unit', async () => {
    const a = await applier();
    const unit = await a.unit([tx(upd('PAT_ADDR', addresses[3])), tx({ kind: 'truncate', tables: ['PAT_ADDR'] })]);
    const t = byName(unit.tables, 'patient_address');
    expect(t.truncate).toBe(true);
    expect(t.upserts).toEqual([]);
  });

  it('stops on DDL of a captured table: an added, a dropped or a retyped column', async () => {
    const a = await applier();
    const live = Object.entries(loaded.contract.source.tables.PAT_MAST.columns).map(([name, c]) => ({ name, type: c.type }));
    await expect(a.unit([tx({ kind: 'schema', table: 'PAT_MAST', columns: live })])).resolves.toBeDefined();
    await expect(a.unit([tx({ kind: 'schema', table: 'PAT_MAST', columns: [...live, { name: 'PAT_EMAIL', type: 'text' }] })])).rejects.toMatchObject({ code: 'sync.source_ddl' });
    await expect(a.unit([tx({ kind: 'schema', table: 'PAT_MAST', columns: live.slice(1) })])).rejects.toMatchObject({ code: 'sync.source_ddl' });
    await expect(a.unit([tx({ kind: 'schema', table: 'PAT_MAST', columns: live.map((c, i) => (i === 0 ? { ...c, type: 'text' as const } : c)) })])).rejects.toMatchObject({ code: 'sync.source_ddl' });
  });

  it('fills values left out as unchanged from the old row, and refuses when nobody can give them', async () => {
    const a = await applier();
    const row = [...patients[4]];
    const surname = cols('PAT_MAST').indexOf('PAT_SURNAME');
    const sent = [...row];
    sent[surname] = null;
    const filled = await a.unit([tx({ ...upd('PAT_MAST', sent, row), unchanged: [surname] })]);
    const out = byName(filled.tables, 'patient').upserts[0];
    const familyAt = byName(filled.tables, 'patient').table.columns.findIndex((c) => c.name === 'family_name');
    expect(out[familyAt]).toBe(String(row[surname]).trim().toUpperCase());
    await expect(a.unit([tx({ ...upd('PAT_MAST', sent), unchanged: [surname] })])).rejects.toMatchObject({ code: 'sync.unchanged_value' });
  });
});
