import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Checkpoint, TargetTableDef } from '../../../src/connectors/connector.js';
import { openTarget } from '../../../src/connectors/registry.js';
import { FerryError } from '../../../src/errors.js';
import { tempDb } from './helpers.js';

const labs: TargetTableDef = {
  name: 'lab_result',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'patient_id', type: 'integer', nullable: false },
    { name: 'value', type: 'decimal', nullable: true, precision: 8, scale: 2 },
    { name: 'taken_on', type: 'date', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [{ columns: ['patient_id'], references: { table: 'patient', columns: ['id'] } }],
};

const cp: Checkpoint = { runId: 'r1', table: 'lab_result', offset: 0, loaded: 0, quarantined: 0, excluded: 0, done: false };

describe('sqlite target', () => {
  it('creates typed tables with keys, the bookkeeping tables and WAL mode', async () => {
    const { file, cleanup } = await tempDb('sqlite-ddl');
    try {
      const target = await openTarget(`sqlite:${file}`);
      await target.ensureSchema([labs], { create: true });
      await target.close();
      const db = new Database(file, { readonly: true });
      const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);
      expect(names).toEqual(expect.arrayContaining(['_ferry_checkpoints', '_ferry_quarantine', '_ferry_runs', 'lab_result']));
      expect(db.prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(?)').all('lab_result')).toEqual([
        { name: 'id', type: 'INTEGER', notnull: 1, pk: 1 },
        { name: 'patient_id', type: 'INTEGER', notnull: 1, pk: 0 },
        { name: 'value', type: 'TEXT', notnull: 0, pk: 0 },
        { name: 'taken_on', type: 'TEXT', notnull: 0, pk: 0 },
      ]);
      expect(db.prepare('SELECT "table", "from", "to" FROM pragma_foreign_key_list(?)').all('lab_result')).toEqual([{ table: 'patient', from: 'patient_id', to: 'id' }]);
      expect((db.prepare('SELECT name FROM pragma_table_info(?)').all('_ferry_checkpoints') as Array<{ name: string }>).map((r) => r.name)).toEqual([
        'run_id',
        'table_name',
        'row_offset',
        'loaded',
        'quarantined',
        'excluded',
        'done',
        'updated_at',
      ]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    } finally {
      await cleanup();
    }
  });

  it('keeps a decimal scale exactly (12.50 stays 12.50)', async () => {
    const { file, cleanup } = await tempDb('sqlite-scale');
    try {
      const target = await openTarget(`sqlite:${file}`);
      await target.ensureSchema([labs], { create: true });
      await target.beginRun({ runId: 'r1', contractDigest: 'd', startedAt: new Date().toISOString(), status: 'running' });
      await target.startTable(labs, 'append', cp);
      await target.commit({ runId: 'r1', table: labs, mode: 'append', rows: [['1', '7', '12.50', '2024-02-29']], quarantine: [], checkpoint: { ...cp, offset: 1, loaded: 1 } });
      await target.close();
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT id, value, taken_on FROM lab_result').raw(true).all()).toEqual([[1, '12.50', '2024-02-29']]);
      db.close();
    } finally {
      await cleanup();
    }
  });

  it('reports a constraint failure with table and column, never the value', async () => {
    const { file, cleanup } = await tempDb('sqlite-err');
    try {
      const target = await openTarget(`sqlite:${file}`);
      await target.ensureSchema([labs], { create: true });
      await target.beginRun({ runId: 'r1', contractDigest: 'd', startedAt: new Date().toISOString(), status: 'running' });
      const err = (await target
        .commit({ runId: 'r1', table: labs, mode: 'append', rows: [['1', null, '98765.43', null]], quarantine: [], checkpoint: { ...cp, offset: 1 } })
        .catch((e: unknown) => e)) as FerryError;
      expect(err).toBeInstanceOf(FerryError);
      expect(err).toMatchObject({ kind: 'run', code: 'sqlite.sqlite_constraint_notnull' });
      expect(err.message).toContain('lab_result.patient_id');
      expect(err.message).not.toContain('98765.43');
      await target.close();
    } finally {
      await cleanup();
    }
  });

  it('refuses an existing table that lacks contract columns, and missing tables when create is false', async () => {
    const { file, cleanup } = await tempDb('sqlite-exist');
    try {
      const db = new Database(file);
      db.exec('CREATE TABLE lab_result (id INTEGER PRIMARY KEY, patient_id INTEGER)');
      db.close();
      const target = await openTarget(`sqlite:${file}`);
      await expect(target.ensureSchema([labs], { create: true })).rejects.toMatchObject({ kind: 'conflict', code: 'sqlite.columns_missing' });
      await expect(target.ensureSchema([{ ...labs, name: 'other' }], { create: false })).rejects.toMatchObject({ kind: 'not_found' });
      await target.close();
    } finally {
      await cleanup();
    }
  });

  it('refuses upsert into a table with no primary key', async () => {
    const { file, cleanup } = await tempDb('sqlite-nokey');
    try {
      const target = await openTarget(`sqlite:${file}`);
      const keyless = { ...labs, primaryKey: [], foreignKeys: [] };
      await target.ensureSchema([keyless], { create: true });
      await expect(target.commit({ runId: 'r1', table: keyless, mode: 'upsert', rows: [], quarantine: [], checkpoint: cp })).rejects.toMatchObject({ code: 'sqlite.upsert_without_key' });
      await target.close();
    } finally {
      await cleanup();
    }
  });
});
