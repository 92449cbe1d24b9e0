import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../../src/run/migrate.js';
import { FerryError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { CONTRACT_YAML, writeFixture } from './fixture.js';

let dir: string;
let cleanup: () => Promise<void>;
let contractFile: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  contractFile = await writeFixture(dir, 20);
});
afterEach(() => cleanup());

function query(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('a run from CSV into SQLite', () => {
  it('loads valid rows, quarantines defective ones with reasons, and balances the accounting', async () => {
    const target = path.join(dir, 'target.db');
    const report = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${target}`, today: () => '2026-11-25' });
    expect(report.status).toBe('succeeded');
    const patient = report.tables.find((t) => t.table === 'patient')!;
    expect(patient).toMatchObject({ read: 20, loaded: 16, quarantined: 3, excluded: 1, balanced: true });
    expect(patient.quarantineReasons.map((r) => r.reasonCode).sort()).toEqual(['crosswalk.unmapped', 'rule.nhs_number', 'transform.parse_date']);
    // The addresses of the three quarantined patients and the excluded one follow their patient.
    const address = report.tables.find((t) => t.table === 'address')!;
    expect(address).toMatchObject({ read: 40, loaded: 32, quarantined: 8, balanced: true });
    expect(address.quarantineReasons).toEqual([{ reasonCode: 'parent.quarantined', rule: 'patient_id → patient(patient_id)', count: 8 }]);
    expect(report.tables.map((t) => t.table)).toEqual(['patient', 'address']);

    const rows = query(target, 'SELECT * FROM patient ORDER BY patient_id') as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(16);
    expect(rows[0]).toMatchObject({ patient_id: 1, family_name: 'Smith1', given_name: 'Jane', sex: '2' });
    expect(rows[0].date_of_birth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(rows.find((r) => r.patient_id === 2)?.gp_practice).toBe('A81001');
    expect(rows.find((r) => r.patient_id === 1)?.gp_practice).toBeNull();

    const q = query(target, 'SELECT source_table, source_key, target_table, reason_code FROM _ferry_quarantine ORDER BY source_key') as Array<Record<string, unknown>>;
    expect(q.filter((r) => r.target_table === 'patient').map((r) => r.source_key)).toEqual(['3', '5', '9']);
    expect(q.filter((r) => r.target_table === 'address').map((r) => r.source_key)).toEqual(['30', '31', '50', '51', '70', '71', '90', '91']);
    expect(query(target, 'SELECT count(*) AS n FROM address WHERE patient_id NOT IN (SELECT patient_id FROM patient)')).toEqual([{ n: 0 }]);
    // Quarantine records carry keys and reasons, never the row's values.
    const all = JSON.stringify(query(target, 'SELECT * FROM _ferry_quarantine'));
    expect(all).not.toMatch(/SMITH|31\/02\/1980|9990000/);
  });

  it('re-running the same contract changes nothing (upsert is idempotent)', async () => {
    const target = path.join(dir, 'target.db');
    await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${target}` });
    const before = query(target, 'SELECT * FROM patient ORDER BY patient_id');
    const again = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${target}` });
    expect(again.status).toBe('succeeded');
    expect(query(target, 'SELECT * FROM patient ORDER BY patient_id')).toEqual(before);
    expect(query(target, 'SELECT count(*) AS n FROM address')).toEqual([{ n: 32 }]);
  });

  it('a dry run reports the same counts and writes nothing', async () => {
    const target = path.join(dir, 'target.db');
    const report = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${target}`, dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.tables.find((t) => t.table === 'patient')).toMatchObject({ read: 20, loaded: 16, quarantined: 3, excluded: 1 });
    const { existsSync } = await import('node:fs');
    expect(existsSync(target)).toBe(false);
  });

  it('stops before moving a row when the source has drifted from the pinned schema', async () => {
    await writeFile(path.join(dir, 'source', 'ADDR.csv'), 'ADDR_ID,ADDR_PATID,POSTCODE\n1,1,LS1 4AP\n');
    const target = path.join(dir, 'target.db');
    const err = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${target}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).kind).toBe('drift');
    expect((err as FerryError).issues.map((i) => i.path)).toEqual(['source.tables.ADDR.columns.PCODE']);
    const { existsSync } = await import('node:fs');
    expect(existsSync(target)).toBe(false);
  });

  it('a pilot migrates N patients and only the rows linked to them', async () => {
    const target = path.join(dir, 'target.db');
    const report = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${target}`, pilot: { patients: 4 } });
    expect(report.pilot).toEqual({ root: 'PAT', patients: 4 });
    const patient = report.tables.find((t) => t.table === 'patient')!;
    expect(patient.loaded + patient.quarantined).toBe(4);
    expect(patient.balanced).toBe(true);
    const addrPatients = query(target, 'SELECT DISTINCT patient_id FROM address ORDER BY patient_id') as Array<{ patient_id: number }>;
    // Patient 3 is quarantined, so its addresses are too.
    expect(addrPatients.map((r) => r.patient_id)).toEqual([1, 2, 4]);
  });

  it('refuses to resume a run with a different contract', async () => {
    const target = path.join(dir, 'target.db');
    const first = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${target}` });
    await writeFile(contractFile, CONTRACT_YAML.replace('version: 1.0.0', 'version: 1.0.1'));
    const err = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${target}`, resume: first.runId }).catch((e: unknown) => e);
    expect((err as FerryError).code).toBe('run.digest_mismatch');
  });
});
