/**
 * Bisection stays cheap on a larger table: with one changed row among 50,000, only the key
 * ranges on the path to it are compared, and only one leaf is compared row by row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture, writeSqliteSource } from './fixture.js';
import { migrateFixture, reconcileFixture, tableOf } from './helpers.js';

const PATIENTS = 50_000;
let cleanup: () => Promise<void>;
let drop: () => Promise<void>;
let url: string;
let contractFile: string;
let sourceUrl: string;
let runId: string;

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = await tempDir());
  contractFile = await writeFixture(dir, PATIENTS);
  sourceUrl = await writeSqliteSource(dir);
  const db = await createPgDatabase('ferry_bis');
  drop = db.drop;
  url = db.url;
  runId = await migrateFixture(contractFile, sourceUrl, url);
}, 120_000);

afterAll(async () => {
  await drop?.();
  await cleanup?.();
});

describe('checksum bisection on 50,000 rows', () => {
  it('compares far fewer rows than the table holds to find one changed row', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`UPDATE patient SET weight_kg = weight_kg + 1 WHERE patient_id = 31337`);
    await c.end();

    const report = await reconcileFixture(contractFile, runId, sourceUrl, url);
    const patient = tableOf(report, 'patient');
    expect(patient.counts.expected).toBe(PATIENTS - 2);
    expect(patient.rows.different.examples).toEqual([{ targetKey: '31337', sourceKey: '31337', columns: ['weight_kg'] }]);
    expect(patient.rows.missing.count + patient.rows.extra.count).toBe(0);
    expect(patient.bisection.leaves).toBe(1);
    // One leaf: at most leafSize expected rows and the same target rows.
    expect(patient.bisection.rowsCompared).toBeLessThanOrEqual(2 * patient.bisection.leafSize);
    // 16 first-level ranges plus 16 per level on the path to the row.
    expect(patient.bisection.ranges).toBeLessThanOrEqual(16 * 3);
    expect(patient.columns.filter((col) => !col.match).map((col) => col.name)).toEqual(['weight_kg']);
    expect(tableOf(report, 'referral')).toMatchObject({ status: 'match', bisection: { leaves: 0, rowsCompared: 0 } });
  }, 120_000);
});
