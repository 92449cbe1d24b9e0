/**
 * The API passes on the library's evidence (a source profile, a run report with its quality
 * section and reconciliation summary) through zod schemas, and the transport drops whatever a
 * schema leaves undeclared. The web UI's types are those schemas' output types
 * (web/src/types.ts), so the schemas must say exactly what the library produces: the type
 * checks below fail `tsc` when a field is added, renamed or retyped on one side only, and the
 * round trips show that real evidence passes its schema unchanged.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { openSource } from '../../src/connectors/registry.js';
import { migrate } from '../../src/run/migrate.js';
import type { RunReconciliationSummary } from '../../src/run/report.js';
import type { RunReport } from '../../src/run/report.js';
import { profileSource } from '../../src/profile/profile.js';
import type { SourceProfile } from '../../src/profile/types.js';
import type { QualityReport } from '../../src/engine/quality-report.js';
import { profileSchema, type qualitySchema, type reconciliationSummarySchema } from '../../src/server/report-schemas.js';
import { runReportSchema } from '../../src/server/schemas.js';
import { tempDir } from '../helpers/tmp.js';
import { writeQualityFixture } from '../quality/fixture.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;

// Each alias fails to compile when the schema and the library's type stop describing the same shape.
export type ProfileMatches = Holds<Same<z.output<typeof profileSchema>, SourceProfile>>;
export type QualityMatches = Holds<Same<z.output<typeof qualitySchema>, QualityReport>>;
// The nested full reconciliation report is passed on as it is (`unknown`); the summary around it is declared.
export type ReconciliationMatches = Holds<Same<Omit<z.output<typeof reconciliationSummarySchema>, 'report'>, Omit<RunReconciliationSummary, 'report'>>>;
export type ReportFieldsMatch = Holds<Same<keyof z.output<typeof runReportSchema>, keyof RunReport>>;

let dir: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('ferry-report-schemas-');
});
afterAll(() => dir.cleanup());

describe('the API’s evidence schemas', () => {
  it('pass a real source profile through unchanged', async () => {
    await writeQualityFixture(dir.dir, { patients: 20, thresholds: '    []' });
    const source = await openSource(`csv:${path.join(dir.dir, 'source')}`);
    const profile = await profileSource(source).finally(() => source.close());
    expect(profile.tables.length).toBeGreaterThan(0);
    expect(profileSchema.parse(profile)).toEqual(profile);
  });

  it('pass a real run report, with quality gates and reconciliation, through unchanged', async () => {
    await writeQualityFixture(dir.dir, { patients: 20, thresholds: '    - { kpi: validity, fail_below: 0.5 }', defects: { badNhs: [3], orphanMeds: [5001] } });
    const report = await migrate({
      contractFile: path.join(dir.dir, 'contract.yaml'),
      sourceUrl: `csv:${path.join(dir.dir, 'source')}`,
      targetUrl: `sqlite:${path.join(dir.dir, 'target.db')}`,
      tier: 'pre_production',
    });
    expect(report.quality?.gates.length).toBeGreaterThan(0);
    expect(report.reconciliation?.tables.length).toBeGreaterThan(0);
    // JSON first: the API sends the report as JSON, and undefined fields do not survive that.
    const sent = JSON.parse(JSON.stringify(report)) as unknown;
    expect(runReportSchema.parse(sent)).toEqual(sent);
  });
});
