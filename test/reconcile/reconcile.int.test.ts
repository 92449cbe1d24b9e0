/**
 * End to end on every database target: a run reconciles as a match; then the target is
 * tampered with directly in SQL and each change shows up in the right category, with the
 * right key, and as a difference in the changed column only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { reconciliationKpiInputs } from '../../src/reconcile/kpi.js';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from './fixture.js';
import { migrateFixture, reconcileFixture, tableOf } from './helpers.js';

type Sql = (sql: string) => Promise<void>;

let dir: string;
let cleanup: () => Promise<void>;
let contractFile: string;
let sourceUrl: string;
const drops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  contractFile = await writeFixture(dir, 60);
  sourceUrl = `csv:${dir}/source`;
});

afterAll(async () => {
  await Promise.allSettled(drops.map((d) => d()));
  await cleanup();
});

const targets: Record<string, () => Promise<{ url: string; sql: Sql }>> = {
  sqlite: async () => {
    const file = path.join(dir, `t-${Date.now()}.db`);
    return {
      url: `sqlite:${file}`,
      sql: async (s) => {
        const db = new Database(file);
        db.exec(s);
        db.close();
      },
    };
  },
  postgres: async () => {
    const db = await createPgDatabase('ferry_rec');
    drops.push(db.drop);
    return {
      url: db.url,
      sql: async (s) => {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        await c.query(s);
        await c.end();
      },
    };
  },
  mysql: async () => {
    const db = await createMysqlDatabase('ferry_rec');
    drops.push(db.drop);
    return {
      url: db.url,
      sql: async (s) => {
        const c = await mysql.createConnection({ uri: db.url, multipleStatements: true });
        await c.query(s);
        await c.end();
      },
    };
  },
};

describe.each(Object.keys(targets))('reconciling a run into %s', (kind) => {
  let url: string;
  let sql: Sql;
  let runId: string;

  beforeAll(async () => {
    ({ url, sql } = await targets[kind]());
    runId = await migrateFixture(contractFile, sourceUrl, url);
  });

  it('a clean run matches on the whole-table totals alone: counts, columns, rows and business checks', async () => {
    const report = await reconcileFixture(contractFile, runId, sourceUrl, url);
    expect(report.format).toBe('ferry.reconciliation/v2');
    expect(report.mismatches).toEqual([]);
    expect(report.status).toBe('match');
    const patient = tableOf(report, 'patient');
    expect(patient.counts).toMatchObject({
      sourceRows: 60,
      read: 60,
      loaded: 58,
      quarantined: 1,
      excluded: 1,
      expected: 58,
      targetRows: 58,
      present: 58,
      matched: 58,
      missing: 0,
      extra: 0,
      different: 0,
    });
    expect(patient.counts.derived).toEqual({ read: 60, loaded: 58, quarantined: 1, excluded: 1 });
    expect(patient.columns.every((c) => c.match)).toBe(true);
    expect(patient.columns.find((c) => c.name === 'weight_kg')!.expected.nonNull).toBe(58 - 12);
    expect(patient.columns.find((c) => c.name === 'weight_kg')!.target.nonNull).toBe(58 - 12);
    // Pass 1 settled it: nothing was re-derived into the scratch store or bisected.
    expect(patient.bisection).toMatchObject({ method: 'totals', ranges: 1, leaves: 0, rowsCompared: 0 });
    expect(tableOf(report, 'referral').counts).toMatchObject({ expected: 12, matched: 12 });
    expect(report.business.map((b) => [b.name, b.pass])).toEqual([
      ['open_referrals', true],
      ['referrals_per_specialty', true],
      ['total_weight', true],
      ['distinct_sexes', true],
    ]);
    const weight = report.business.find((b) => b.name === 'total_weight')!;
    expect(Number(weight.groups[0].difference)).toBeGreaterThan(0);
    expect(reconciliationKpiInputs(report).tables.find((t) => t.table === 'patient')).toEqual({ table: 'patient', accounted: 58, total: 58, countIssues: [] });
  });

  it('finds a deleted, an inserted, a changed and a nulled row by key after direct tampering', async () => {
    await sql(`DELETE FROM patient WHERE patient_id = 10`);
    await sql(`INSERT INTO patient (patient_id, nhs_number, family_name) VALUES (99999, '9990000000', 'Intruder')`);
    await sql(`UPDATE patient SET family_name = 'Changed' WHERE patient_id = 20`);
    await sql(`UPDATE patient SET date_of_birth = NULL WHERE patient_id = 30`);
    await sql(`DELETE FROM referral WHERE patient_id = 11 AND seq = 1`);

    const report = await reconcileFixture(contractFile, runId, sourceUrl, url);
    expect(report.status).toBe('mismatch');
    const patient = tableOf(report, 'patient');
    expect(patient.rows.missing).toEqual({ count: 1, examples: [{ targetKey: '10', sourceKey: '10' }] });
    expect(patient.rows.extra).toEqual({ count: 1, examples: [{ targetKey: '99999' }] });
    expect(patient.rows.different).toEqual({
      count: 2,
      examples: [
        { targetKey: '20', sourceKey: '20', columns: ['family_name'] },
        { targetKey: '30', sourceKey: '30', columns: ['date_of_birth'] },
      ],
    });
    expect(patient.rows.differentByColumn).toEqual({ family_name: 1, date_of_birth: 1 });
    expect(patient.counts).toMatchObject({ expected: 58, targetRows: 58, present: 57, matched: 55 });
    expect(patient.bisection.method).toBe('sql');
    expect(patient.columns.filter((c) => !c.match).map((c) => [c.name, c.differentRows])).toEqual([
      ['family_name', 1],
      ['date_of_birth', 1],
    ]);
    const dob = patient.columns.find((c) => c.name === 'date_of_birth')!;
    expect(dob.target.nonNull).toBe(dob.expected.nonNull - 1);
    expect(patient.flags).toEqual(['rows.missing', 'rows.extra', 'rows.different', 'columns.different']);
    // The source did not change between the two passes.
    expect(patient.flags).not.toContain('counts.source_changed');

    const referral = tableOf(report, 'referral');
    expect(referral.rows.missing.examples).toEqual([{ targetKey: '11|1', sourceKey: '11|1' }]);
    const open = report.business.find((b) => b.name === 'open_referrals')!;
    expect(open.pass).toBe(false);
    expect(open.groups[0]).toMatchObject({ difference: '1' });
    const perSpec = report.business.find((b) => b.name === 'referrals_per_specialty')!;
    expect(perSpec.groups.filter((g) => !g.pass).map((g) => g.group)).toHaveLength(1);
    expect(report.mismatches.map((m) => m.code)).toContain('business.mismatch');
    // Keys and counts only: no patient value ever appears in the report.
    expect(JSON.stringify(report)).not.toMatch(/Changed|Intruder|Smith|999000/);

    const kpi = reconciliationKpiInputs(report);
    expect(kpi.tables.find((t) => t.table === 'patient')).toMatchObject({ accounted: 55, total: 59 });
    expect(kpi.business).toMatchObject({ failed: 2, failedChecks: ['open_referrals', 'referrals_per_specialty'] });
  });
});
