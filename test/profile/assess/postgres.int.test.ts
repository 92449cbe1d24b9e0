import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../../src/connectors/registry.js';
import { loadContract } from '../../../src/contract/load.js';
import { assessSource } from '../../../src/profile/assess/assess.js';
import type { Assessment } from '../../../src/profile/assess/model.js';
import { uniformRates } from '../../../src/synth/defects.js';
import { generateToTarget } from '../../../src/synth/generate.js';
import { createPgDatabase } from '../../helpers/databases.js';
import { tempDir } from '../../helpers/tmp.js';
import { expectedFigures, reportedFigures } from './manifest-figures.js';

let db: Awaited<ReturnType<typeof createPgDatabase>>;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let assessment: Assessment;
let manifest: string;

beforeAll(async () => {
  db = await createPgDatabase('ferry_assess');
  tmp = await tempDir();
  manifest = path.join(tmp.dir, 'defects.json');
  await generateToTarget(db.url, { seed: 23, patients: 300, rates: uniformRates(0.04), manifest });
  const source = await openSource(db.url);
  try {
    assessment = await assessSource(source, { contract: await loadContract(path.resolve(import.meta.dirname, '../../../examples/legacy-pas/contract.yaml')) });
  } finally {
    await source.close();
  }
});
afterAll(async () => {
  await db?.drop();
  await tmp?.cleanup();
});

describe('assessSource on PostgreSQL (typed columns)', () => {
  it('reports the orphan, duplicate and unmapped-code rows of the defect manifest', async () => {
    const expected = await expectedFigures(manifest);
    const got = reportedFigures(assessment);
    expect(got.orphans).toEqual(expected.orphans);
    expect(got.nhsNumberDuplicates).toBe(expected.duplicatePatients);
    expect(got.uncoveredCodes).toEqual(expected.uncoveredCodes);
    expect(got.offFormatDates).toEqual(expected.offFormatDates);
  });

  it('reads the declared primary keys and keeps integer keys out of the code fields', () => {
    const master = assessment.tables.find((t) => t.name === 'PAT_MAST')!;
    expect(master.keys.declared_primary_key).toEqual(['PAT_ID']);
    expect(master.keys.primary_key_duplicates).toEqual({ column: 'PAT_ID', duplicates: 0, estimated: false });
    const diag = assessment.tables.find((t) => t.name === 'DIAG')!;
    expect(diag.code_fields.map((c) => c.column)).not.toContain('DIAG_SEQ');
    expect(assessment.source).not.toMatch(/password/i);
  });
});
