import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadContractText } from '../../src/contract/load.js';
import type { Contract } from '../../src/contract/model.js';
import { FerryError } from '../../src/errors.js';
import type { Source } from '../../src/connectors/connector.js';
import { decodePlan, encodePlan, partitionsOf, planPartitions, PLAN_FORMAT, unpartitionable, WHOLE_TABLES, type PartitionPlan } from '../../src/engine/partitions.js';
import { runPlanned, type PlannedUnit } from '../../src/engine/plan.js';

/**
 * One source table per case, each mapped to a target table of the same shape: the target key
 * `id` is a plain copy of the source key unless the case says otherwise.
 */
const CONTRACT = `
ferry: 1
metadata: { name: partition_cases, version: 1.0.0, owner: Ferry tests }
source:
  tables:
    INT_KEY: { primary_key: [ID], columns: { ID: { type: integer }, V: { type: text } } }
    TEXT_KEY: { primary_key: [ID], columns: { ID: { type: text }, V: { type: text } } }
    PAIR_KEY: { primary_key: [ID, SEQ], columns: { ID: { type: integer }, SEQ: { type: integer }, V: { type: text } } }
    DATE_KEY: { primary_key: [ID], columns: { ID: { type: date }, V: { type: text } } }
    DEC_KEY: { primary_key: [ID], columns: { ID: { type: decimal }, V: { type: text } } }
target:
  tables:
    plain_int: { primary_key: [id], columns: { id: { type: integer }, v: { type: text } } }
    plain_text: { primary_key: [id], columns: { id: { type: text }, v: { type: text } } }
    composite: { primary_key: [id], columns: { id: { type: integer }, v: { type: text } } }
    by_date: { primary_key: [id], columns: { id: { type: date }, v: { type: text } } }
    by_decimal: { primary_key: [id], columns: { id: { type: decimal }, v: { type: text } } }
    trimmed_key: { primary_key: [id], columns: { id: { type: text }, v: { type: text } } }
    defaulted_key: { primary_key: [id], columns: { id: { type: integer }, v: { type: text } } }
    other_column_key: { primary_key: [id], columns: { id: { type: text }, v: { type: text } } }
    two_column_key: { primary_key: [id, v], columns: { id: { type: integer }, v: { type: text } } }
    append_computed: { primary_key: [id], columns: { id: { type: text }, v: { type: text } } }
    append_text: { primary_key: [id], columns: { id: { type: text }, v: { type: text } } }
    truncate_computed: { primary_key: [id], columns: { id: { type: text }, v: { type: text } } }
mappings:
  plain_int:
    source: INT_KEY
    load: upsert
    fields: { id: { from: ID, rationale: r }, v: { from: V, rationale: r } }
  plain_text:
    source: TEXT_KEY
    fields: { id: { from: ID, rationale: r }, v: { from: V, rationale: r } }
  composite:
    source: PAIR_KEY
    load: append
    fields: { id: { from: ID, rationale: r }, v: { from: V, rationale: r } }
  by_date:
    source: DATE_KEY
    load: append
    fields: { id: { from: ID, rationale: r }, v: { from: V, rationale: r } }
  by_decimal:
    source: DEC_KEY
    load: append
    fields: { id: { from: ID, rationale: r }, v: { from: V, rationale: r } }
  trimmed_key:
    source: TEXT_KEY
    load: upsert
    fields: { id: { from: ID, steps: [trim], rationale: r }, v: { from: V, rationale: r } }
  defaulted_key:
    source: INT_KEY
    load: upsert
    fields: { id: { from: ID, default: 0, rationale: r }, v: { from: V, rationale: r } }
  other_column_key:
    source: TEXT_KEY
    load: upsert
    fields: { id: { from: V, rationale: r }, v: { from: ID, rationale: r } }
  two_column_key:
    source: INT_KEY
    load: upsert
    fields: { id: { from: ID, rationale: r }, v: { from: V, rationale: r } }
  append_computed:
    source: INT_KEY
    load: append
    fields: { id: { from: V, steps: [trim, upper], rationale: r }, v: { from: V, rationale: r } }
  append_text:
    source: TEXT_KEY
    load: append
    fields: { id: { from: ID, rationale: r }, v: { from: V, rationale: r } }
  truncate_computed:
    source: TEXT_KEY
    load: truncate
    fields: { id: { from: ID, steps: [trim], rationale: r }, v: { from: V, rationale: r } }
`;

async function contract(): Promise<Contract> {
  return (await loadContractText(CONTRACT, 'contract.yaml', tmpdir())).contract;
}

const UPSERT_COMPUTED = 'it is loaded by upsert and its target key is not a plain copy of the source key';

describe('unpartitionable', () => {
  it('allows a single integer or text key copied as the upsert key, and any such key when appending or truncating', async () => {
    const c = await contract();
    for (const t of ['plain_int', 'plain_text', 'append_computed', 'append_text', 'truncate_computed']) expect(unpartitionable(c, t), t).toBeUndefined();
  });

  it('refuses a composite source key', async () => {
    expect(unpartitionable(await contract(), 'composite')).toBe('its source key has several columns');
  });

  it('refuses a source key that is neither integer nor text, naming its type', async () => {
    const c = await contract();
    expect(unpartitionable(c, 'by_date')).toBe('its source key ID is date, not integer or text');
    expect(unpartitionable(c, 'by_decimal')).toBe('its source key ID is decimal, not integer or text');
  });

  it('refuses an upsert whose target key is computed, defaulted, copied from another column or has several columns', async () => {
    const c = await contract();
    for (const t of ['trimmed_key', 'defaulted_key', 'other_column_key', 'two_column_key']) expect(unpartitionable(c, t), t).toBe(UPSERT_COMPUTED);
  });
});

/** A source of known row counts whose key bounds are `parts - 1` numbered split points; it records what it was asked. */
function countingSource(rows: Record<string, number>, asked: string[], bounds?: (parts: number) => string[]): Source {
  return {
    count: async (table: string) => rows[table] ?? 0,
    keyBounds: async (table: string, column: string, parts: number) => {
      asked.push(`${table}.${column}/${parts}`);
      return bounds ? bounds(parts) : Array.from({ length: parts - 1 }, (_, i) => String((i + 1) * 10));
    },
  } as unknown as Source;
}

describe('planPartitions', () => {
  const rows = { INT_KEY: 500, TEXT_KEY: 50, PAIR_KEY: 900, DATE_KEY: 900, DEC_KEY: 900 };

  it('cuts only eligible tables with at least minRows source rows, and asks the source for their bounds', async () => {
    const asked: string[] = [];
    const plan = await planPartitions(await contract(), countingSource(rows, asked), { partitions: 3, minRows: 100 });
    expect(plan.format).toBe(PLAN_FORMAT);
    // INT_KEY feeds plain_int, append_computed and two_column_key; the last is refused, TEXT_KEY is too small, the rest are refused.
    expect(Object.keys(plan.tables).sort()).toEqual(['append_computed', 'plain_int']);
    expect(plan.tables.plain_int).toEqual({ column: 'ID', bounds: ['10', '20'] });
    expect(asked.sort()).toEqual(['INT_KEY.ID/3', 'INT_KEY.ID/3']);
  });

  it('plans whole tables for one partition, a source without key bounds, or a table the source cannot split', async () => {
    const c = await contract();
    const asked: string[] = [];
    expect(await planPartitions(c, countingSource(rows, asked), { partitions: 1, minRows: 0 })).toEqual(WHOLE_TABLES);
    expect(asked).toEqual([]);
    const noBounds = { count: async () => 1000 } as unknown as Source;
    expect(await planPartitions(c, noBounds, { partitions: 4, minRows: 0 })).toEqual(WHOLE_TABLES);
    expect(
      await planPartitions(
        c,
        countingSource(rows, asked, () => []),
        { partitions: 4, minRows: 0 },
      ),
    ).toEqual(WHOLE_TABLES);
  });
});

const PLAN: PartitionPlan = { format: PLAN_FORMAT, tables: { patient: { column: 'PAT_ID', bounds: ['100', '250', '999'] } } };

describe('partitionsOf', () => {
  it('chains the ranges exactly: open below the first, open above the last, each starting where the one before ends', () => {
    const parts = partitionsOf(PLAN, 'patient');
    expect(parts).toHaveLength(4);
    expect(parts.map((p) => p.range)).toEqual([
      { column: 'PAT_ID', through: '100' },
      { column: 'PAT_ID', after: '100', through: '250' },
      { column: 'PAT_ID', after: '250', through: '999' },
      { column: 'PAT_ID', after: '999' },
    ]);
    expect(parts[0].range).not.toHaveProperty('after');
    expect(parts[3].range).not.toHaveProperty('through');
    for (let i = 1; i < parts.length; i++) expect(parts[i].range!.after).toBe(parts[i - 1].range!.through);
  });

  it('names each partition table/i, in key order, with the count', () => {
    const parts = partitionsOf(PLAN, 'patient');
    expect(parts.map((p) => [p.table, p.index, p.count, p.checkpoint])).toEqual([
      ['patient', 0, 4, 'patient/0'],
      ['patient', 1, 4, 'patient/1'],
      ['patient', 2, 4, 'patient/2'],
      ['patient', 3, 4, 'patient/3'],
    ]);
  });

  it('cuts a table with one bound in two', () => {
    const plan: PartitionPlan = { format: PLAN_FORMAT, tables: { t: { column: 'K', bounds: ['m'] } } };
    expect(partitionsOf(plan, 't').map((p) => [p.checkpoint, p.range])).toEqual([
      ['t/0', { column: 'K', through: 'm' }],
      ['t/1', { column: 'K', after: 'm' }],
    ]);
  });

  it('gives a table not in the plan as one partition named by the table, with no range', () => {
    for (const plan of [PLAN, WHOLE_TABLES]) expect(partitionsOf(plan, 'allergy')).toEqual([{ table: 'allergy', index: 0, count: 1, checkpoint: 'allergy' }]);
  });
});

describe('decodePlan', () => {
  it('reads a run recorded without a plan as whole tables', () => {
    expect(decodePlan('run-x', undefined)).toEqual(WHOLE_TABLES);
  });

  it('reads back what encodePlan stored', () => {
    expect(decodePlan('run-x', encodePlan(PLAN))).toEqual(PLAN);
    expect(decodePlan('run-x', encodePlan(WHOLE_TABLES))).toEqual(WHOLE_TABLES);
  });

  it('refuses a damaged or foreign plan with run.plan_unreadable', () => {
    const damaged = [
      '{"format":"ferry.partitions/v1","tables":{',
      '',
      'null',
      '[]',
      JSON.stringify({ ...PLAN, format: 'ferry.partitions/v2' }),
      JSON.stringify({ tables: PLAN.tables }),
      JSON.stringify({ ...PLAN, extra: 1 }),
      JSON.stringify({ format: PLAN_FORMAT, tables: { patient: { column: 'PAT_ID', bounds: [100] } } }),
      JSON.stringify({ format: PLAN_FORMAT, tables: { patient: { bounds: ['1'] } } }),
    ];
    for (const stored of damaged) {
      let err: unknown;
      try {
        decodePlan('run-20261207-000000-abcdef', stored);
      } catch (e) {
        err = e;
      }
      expect(err, stored).toBeInstanceOf(FerryError);
      expect((err as FerryError).code, stored).toBe('run.plan_unreadable');
      expect((err as FerryError).message).toContain('run-20261207-000000-abcdef');
    }
  });
});

/** A unit of work whose duration is fixed, recording when it started and ended. */
interface Unit extends PlannedUnit {
  name: string;
  ms: number;
}

function unit(table: string, i: number, after: string[], ms: number): Unit {
  return { table, after, name: `${table}/${i}`, ms };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `units`, logging `start NAME` and `end NAME` and the most that ran at once. */
async function trace(units: Unit[], concurrency: number, o: { fail?: string; signal?: AbortSignal; onStart?: (u: Unit) => void } = {}) {
  const log: string[] = [];
  let running = 0;
  let most = 0;
  let settled = false;
  const done = runPlanned(
    units,
    concurrency,
    async (u) => {
      log.push(`start ${u.name}`);
      running++;
      most = Math.max(most, running);
      o.onStart?.(u);
      try {
        await sleep(u.ms);
        if (u.name === o.fail) throw new Error(`unit ${u.name} failed`);
      } finally {
        running--;
        log.push(`end ${u.name}`);
      }
    },
    o.signal,
  ).finally(() => {
    settled = true;
    log.push('settled');
  });
  return { done, log, most: () => most, running: () => running, settled: () => settled };
}

describe('runPlanned', () => {
  it("starts a child table's units only after every unit of its parent table has finished", async () => {
    // The parent's partitions finish out of order; an independent table may run beside them.
    const units = [unit('parent', 0, [], 30), unit('parent', 1, [], 5), unit('parent', 2, [], 15), unit('child', 0, ['parent'], 5), unit('child', 1, ['parent'], 5), unit('other', 0, [], 5)];
    const t = await trace(units, 3);
    await t.done;
    const at = (e: string) => t.log.indexOf(e);
    const lastParentEnd = Math.max(at('end parent/0'), at('end parent/1'), at('end parent/2'));
    expect(at('start child/0')).toBeGreaterThan(lastParentEnd);
    expect(at('start child/1')).toBeGreaterThan(lastParentEnd);
    // The independent table did not wait for the parent.
    expect(at('start other/0')).toBeLessThan(lastParentEnd);
    expect(t.log.filter((e) => e.startsWith('start'))).toHaveLength(units.length);
  });

  it('waits for every parent table, whichever finishes last', async () => {
    const units = [unit('a', 0, [], 5), unit('b', 0, [], 25), unit('b', 1, [], 10), unit('c', 0, ['a', 'b'], 5)];
    const t = await trace(units, 4);
    await t.done;
    expect(t.log.indexOf('start c/0')).toBeGreaterThan(Math.max(t.log.indexOf('end b/0'), t.log.indexOf('end b/1'), t.log.indexOf('end a/0')));
  });

  it('never runs more units at once than its concurrency, and does reach it', async () => {
    for (const concurrency of [1, 2, 3]) {
      const units = Array.from({ length: 9 }, (_, i) => unit(`t${i % 3}`, i, [], 3 + ((i * 7) % 5)));
      const t = await trace(units, concurrency);
      await t.done;
      expect(t.most(), `concurrency ${concurrency}`).toBe(concurrency);
      expect(t.log.filter((e) => e.startsWith('end'))).toHaveLength(9);
    }
  });

  it('starts no unit after a failure and rethrows it once the running units have settled', async () => {
    const units = [unit('t', 0, [], 40), unit('t', 1, [], 5), unit('t', 2, [], 5), unit('t', 3, [], 5), unit('u', 0, [], 5)];
    const t = await trace(units, 2, { fail: 't/1' });
    await expect(t.done).rejects.toThrow('unit t/1 failed');
    expect(t.log).toEqual(['start t/0', 'start t/1', 'end t/1', 'end t/0', 'settled']);
  });

  it('keeps the first failure when a running unit fails after it', async () => {
    const units = [unit('t', 0, [], 5), unit('t', 1, [], 20)];
    let calls = 0;
    const done = runPlanned(units, 2, async (u) => {
      calls++;
      await sleep(u.ms);
      throw new Error(`failed ${u.table}/${u.ms}`);
    });
    await expect(done).rejects.toThrow('failed t/5');
    expect(calls).toBe(2);
  });

  it('starts no unit once its signal is aborted, and lets the running ones finish', async () => {
    const abort = new AbortController();
    const units = Array.from({ length: 6 }, (_, i) => unit('t', i, [], 15));
    const t = await trace(units, 2, { signal: abort.signal, onStart: (u) => (u.name === 't/2' ? abort.abort() : undefined) });
    await t.done;
    expect(t.log.filter((e) => e.startsWith('start'))).toEqual(['start t/0', 'start t/1', 'start t/2']);
    expect(t.log.at(-1)).toBe('settled');
    expect(t.log.filter((e) => e.startsWith('end'))).toHaveLength(3);
  });

  it('runs nothing when aborted before it starts', async () => {
    const abort = new AbortController();
    abort.abort();
    let calls = 0;
    await runPlanned([unit('t', 0, [], 1)], 2, async () => void calls++, abort.signal);
    expect(calls).toBe(0);
  });
});
