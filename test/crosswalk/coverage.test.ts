import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadOptions, Source } from '../../src/connectors/connector.js';
import { openSource } from '../../src/connectors/registry.js';
import { loadContract, loadContractText } from '../../src/contract/load.js';
import { crosswalkCoverage } from '../../src/crosswalk/coverage.js';
import { tempDir } from '../helpers/tmp.js';

const validDir = fileURLToPath(new URL('../fixtures/contracts/valid/', import.meta.url));

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('ferry-coverage-'));
  await mkdir(join(dir, 'source'));
});
afterEach(() => cleanup());

async function writeCsv(table: string, lines: string[]): Promise<void> {
  await writeFile(join(dir, 'source', `${table}.csv`), `${lines.join('\n')}\n`);
}

// PATIENT rows of the valid fixture; only SEX and STATUS matter to the `sex` crosswalk.
async function patients(rows: Array<[sex: string, status?: string]>): Promise<void> {
  await writeCsv('PATIENT', ['PAT_ID,NHS_NO,SURNAME,FORENAME,SEX,DOB,GP_CODE,STATUS', ...rows.map(([sex, status], i) => `${i + 1},,SMITH,ANN,${sex},01/01/1970,G1,${status ?? 'ACTIVE'}`)]);
  await writeCsv('GP', ['GP_CODE,PRACTICE', 'G1,A81001']);
}

// Records the columns each read asks for, to prove coverage fetches only what it needs.
function spy(source: Source): { source: Source; reads: Array<{ table: string; columns?: string[] }> } {
  const reads: Array<{ table: string; columns?: string[] }> = [];
  const wrapped: Source = {
    kind: source.kind,
    displayUrl: source.displayUrl,
    introspect: () => source.introspect(),
    count: (t) => source.count(t),
    close: () => source.close(),
    read: (table: string, options: ReadOptions) => {
      reads.push({ table, columns: options.columns });
      return source.read(table, options);
    },
  };
  return { source: wrapped, reads };
}

describe('crosswalkCoverage', () => {
  it('counts distinct codes seen, translated and unmapped, with unmapped codes largest first', async () => {
    await patients([['M'], ['m'], [' F '], ['X'], ['X'], ['X'], ['Z'], ['Z'], ['W'], [''], ['Q', 'DELETED']]);
    const loaded = await loadContract(join(validDir, 'contract.yaml'));
    const source = await openSource(`csv:${join(dir, 'source')}`);
    try {
      const report = await crosswalkCoverage(loaded, source);
      expect(report.contract).toMatchObject({ name: 'legacy_pas_small', version: '1.0.0' });
      expect(report.contract.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(report.tables).toEqual([{ table: 'patient', source: 'PATIENT', rows_read: 11, rows_excluded: 1 }]);
      const sex = report.crosswalks[0];
      expect(sex).toMatchObject({
        crosswalk: 'sex',
        file: 'crosswalks/sex.csv',
        version: '2024-01',
        entries: 4,
        used_by: [{ table: 'patient', field: 'sex_code', source: 'PATIENT' }],
        // The blank SEX cell reads as null and never reaches the crosswalk; DELETED rows are filtered out.
        rows: 9,
        rows_translated: 3,
        rows_unmapped: 6,
        distinct_seen: 5,
        distinct_translated: 2,
        distinct_unmapped: 3,
        unused_entries: 2,
      });
      expect(sex.distinct_coverage).toBeCloseTo(2 / 5);
      expect(sex.row_coverage).toBeCloseTo(3 / 9);
      expect(sex.unmapped).toEqual([
        { code: 'X', rows: 3 },
        { code: 'Z', rows: 2 },
        { code: 'W', rows: 1 },
      ]);
    } finally {
      await source.close();
    }
  });

  it('reads only the columns that feed crosswalks and the filter', async () => {
    await patients([['M']]);
    const loaded = await loadContract(join(validDir, 'contract.yaml'));
    const inner = await openSource(`csv:${join(dir, 'source')}`);
    const { source, reads } = spy(inner);
    try {
      await crosswalkCoverage(loaded, source);
    } finally {
      await source.close();
    }
    // The GP join only feeds gp_practice, which has no crosswalk, so it is never read.
    expect(reads).toEqual([{ table: 'PATIENT', columns: ['SEX', 'STATUS'] }]);
  });

  it('lists at most `top` unmapped codes but counts them all', async () => {
    await patients([['A'], ['B'], ['B'], ['C']]);
    const loaded = await loadContract(join(validDir, 'contract.yaml'));
    const source = await openSource(`csv:${join(dir, 'source')}`);
    try {
      const sex = (await crosswalkCoverage(loaded, source, { top: 1 })).crosswalks[0];
      expect(sex.unmapped).toEqual([{ code: 'B', rows: 2 }]);
      expect(sex.distinct_unmapped).toBe(3);
      expect(sex.rows_unmapped).toBe(4);
    } finally {
      await source.close();
    }
  });

  it('applies joins, lookups and the crosswalk step as a run does, and reports an unused crosswalk as not applicable', async () => {
    await cp(join(validDir, 'crosswalks'), join(dir, 'crosswalks'), { recursive: true });
    await writeFile(join(dir, 'crosswalks', 'region.csv'), 'source_code,target_code,target_display\nN,Y63,North East and Yorkshire\nL,Y56,London\n');
    await writeCsv('EPISODE', ['EP_ID,SITE,STAFF_ID', '1,S1,P1', '2,S2,P2', '3,S1,P3', '4,S9,P1']);
    await writeCsv('SITE', ['SITE_ID,REGION', 'S1,n', 'S2,M']);
    await writeCsv('STAFF', ['STAFF_ID,SEX', 'P1,M', 'P2,F', 'P3,K']);
    const yaml = `
ferry: 1
metadata: { name: coverage_joins, version: 0.1.0, owner: test }
source:
  tables:
    EPISODE: { primary_key: [EP_ID], columns: { EP_ID: { type: integer }, SITE: { type: text }, STAFF_ID: { type: text } } }
    SITE: { primary_key: [SITE_ID], columns: { SITE_ID: { type: text }, REGION: { type: text } } }
    STAFF: { primary_key: [STAFF_ID], columns: { STAFF_ID: { type: text }, SEX: { type: text } } }
target:
  tables:
    episode:
      primary_key: [episode_id]
      columns: { episode_id: { type: integer }, region: { type: text }, clinician_sex: { type: text } }
crosswalks:
  region: { file: crosswalks/region.csv }
  sex: { file: crosswalks/sex.csv }
mappings:
  episode:
    source: EPISODE
    joins: [{ table: SITE, alias: s, on: { SITE: SITE_ID } }]
    fields:
      episode_id: { from: EP_ID, rationale: key }
      region:
        from: s.REGION
        steps: [trim, { crosswalk: region }]
        rationale: site region to NHS England region
      clinician_sex:
        from: STAFF_ID
        steps: [{ lookup: { table: STAFF, key: STAFF_ID, value: SEX } }]
        crosswalk: sex
        status: rejected
        rationale: not migrated
`;
    const loaded = await loadContractText(yaml, 'contract.yaml', dir);
    const inner = await openSource(`csv:${join(dir, 'source')}`);
    const { source, reads } = spy(inner);
    try {
      const report = await crosswalkCoverage(loaded, source);
      const [region, sex] = report.crosswalks;
      // S1 → 'n' (folded to N) twice, S2 → 'M' unmapped, S9 matches no site: null, not a code.
      expect(region).toMatchObject({ rows: 3, distinct_seen: 2, distinct_translated: 1, unmapped: [{ code: 'M', rows: 1 }], unused_entries: 1 });
      expect(sex).toMatchObject({ used_by: [], rows: 0, distinct_coverage: null, row_coverage: null, unmapped: [] });
      expect(reads).toEqual([
        { table: 'SITE', columns: ['SITE_ID', 'REGION'] },
        { table: 'EPISODE', columns: ['SITE'] },
      ]);
    } finally {
      await source.close();
    }
  });
});
