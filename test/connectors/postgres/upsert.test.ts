import { describe, expect, it } from 'vitest';
import type { TargetTableDef, Value } from '../../../src/connectors/connector.js';
import { lastPerKey, upsertSql } from '../../../src/connectors/postgres/upsert.js';

const table: TargetTableDef = {
  name: 'episode',
  columns: [
    { name: 'patient_id', type: 'integer', nullable: false },
    { name: 'seq', type: 'text', nullable: false },
    { name: 'code', type: 'text', nullable: true },
  ],
  primaryKey: ['patient_id', 'seq'],
  foreignKeys: [],
};

describe('lastPerKey', () => {
  it('keeps the last occurrence of each composite key, in batch order', () => {
    const rows: Value[][] = [
      ['1', 'a', 'first'],
      ['1', 'b', 'other'],
      [1, 'a', 'second'],
      ['007', 'a', 'third'],
      ['7', 'a', 'seven'],
    ];
    expect(lastPerKey(table, rows)).toEqual([
      ['1', 'b', 'other'],
      [1, 'a', 'second'],
      ['7', 'a', 'seven'],
    ]);
  });

  it('returns the batch itself when every key is unique', () => {
    const rows: Value[][] = [
      ['1', 'a', null],
      ['1', 'A', null],
    ];
    expect(lastPerKey(table, rows)).toBe(rows);
  });
});

describe('upsertSql', () => {
  it('updates every non-key column and does nothing for key-only tables', () => {
    expect(upsertSql('s', table).merge).toContain('ON CONFLICT ("patient_id", "seq") DO UPDATE SET "code" = EXCLUDED."code"');
    const keyOnly = { ...table, columns: table.columns.slice(0, 2) };
    expect(upsertSql('s', keyOnly).merge).toMatch(/DO NOTHING$/);
  });
});
