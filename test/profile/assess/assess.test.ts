import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../../src/connectors/registry.js';
import { loadContract } from '../../../src/contract/load.js';
import type { LoadedContract } from '../../../src/contract/model.js';
import { assessSource, type AssessOptions } from '../../../src/profile/assess/assess.js';
import { assessmentSchema, type Assessment } from '../../../src/profile/assess/model.js';
import { formatAssessmentHtml, formatAssessmentText } from '../../../src/profile/assess/render.js';
import { generateToCsv, generateToTarget } from '../../../src/synth/generate.js';
import { uniformRates } from '../../../src/synth/defects.js';
import { tempDir } from '../../helpers/tmp.js';
import { expectedCounts, expectedFigures, reportedFigures, type Expected } from './manifest-figures.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../../examples/legacy-pas/contract.yaml');
const NOW = new Date('2026-01-01T00:00:00Z');

let dir: string;
let cleanup: () => Promise<void>;
let contract: LoadedContract;
let csvExpected: Expected;
let sqliteExpected: Expected;
let csvAssessment: Assessment;

async function assess(url: string, options: AssessOptions = {}): Promise<Assessment> {
  const source = await openSource(url);
  try {
    return await assessSource(source, { now: NOW, ...options });
  } finally {
    await source.close();
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  contract = await loadContract(EXAMPLE);
  await generateToCsv({ dir: path.join(dir, 'pas'), seed: 7, patients: 400, rates: uniformRates(0.03) });
  await generateToTarget(`sqlite:${path.join(dir, 'pas.db')}`, { seed: 11, patients: 300, rates: uniformRates(0.04), manifest: path.join(dir, 'sqlite-defects.json') });
  await generateToCsv({ dir: path.join(dir, 'clean'), seed: 7, patients: 400 });
  csvExpected = await expectedFigures(path.join(dir, 'pas', 'defects.json'));
  sqliteExpected = await expectedFigures(path.join(dir, 'sqlite-defects.json'));
  csvAssessment = await assess(`csv:${path.join(dir, 'pas')}`, { contract });
});
afterAll(() => cleanup());

describe('assessSource on the synthetic PAS with defects', () => {
  it('reports exactly the orphan, duplicate and unmapped-code rows the defect manifest injected (CSV)', () => {
    const got = reportedFigures(csvAssessment);
    expect(Object.keys(csvExpected.orphans).length).toBeGreaterThan(2);
    expect(csvExpected.duplicatePatients).toBeGreaterThan(0);
    expect(got.orphans).toEqual(csvExpected.orphans);
    expect(got.nhsNumberDuplicates).toBe(csvExpected.duplicatePatients);
    expect(got.uncoveredCodes).toEqual(csvExpected.uncoveredCodes);
    // The whole table fits the sample, so the layouts of every date were judged.
    expect(got.offFormatDates).toEqual(csvExpected.offFormatDates);
  });

  it('reports the same from a SQLite copy with typed integer keys', async () => {
    const a = await assess(`sqlite:${path.join(dir, 'pas.db')}`, { contract });
    const got = reportedFigures(a);
    expect(got.orphans).toEqual(sqliteExpected.orphans);
    expect(got.nhsNumberDuplicates).toBe(sqliteExpected.duplicatePatients);
    expect(got.uncoveredCodes).toEqual(sqliteExpected.uncoveredCodes);
    expect(a.tables.find((t) => t.name === 'PAT_MAST')!.keys.primary_key_duplicates).toEqual({ column: 'PAT_ID', duplicates: 0, estimated: false });
  });

  it('matches its documented JSON shape and names what drives the rating and each estimate', () => {
    expect(() => assessmentSchema.parse(csvAssessment)).not.toThrow();
    expect(csvAssessment.generated_at).toBe(NOW.toISOString());
    const codes = csvAssessment.rating.reasons.map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['orphans', 'duplicates', 'date_chaos', 'code_crosswalks']));
    expect(csvAssessment.rating.points).toBe(csvAssessment.rating.reasons.reduce((s, r) => s + r.points, 0));
    for (const t of csvAssessment.tables) {
      expect(t.effort.analyst_days).toBeCloseTo(
        t.effort.basis.reduce((s, b) => s + b.days, 0),
        5,
      );
      expect(t.effort.basis[0]).toEqual({ item: 'base', count: 1, days_each: 0.5, days: 0.5 });
    }
    const master = csvAssessment.tables.find((t) => t.name === 'PAT_MAST')!;
    expect(master.effort.basis.map((b) => b.item)).toEqual(expect.arrayContaining(['duplicate_identifiers', 'code_field_needing_crosswalk', 'chaotic_date_column']));
  });

  it('rates a clean extract of the same size lower, with no orphan, duplicate or date reasons', async () => {
    const clean = await assess(`csv:${path.join(dir, 'clean')}`, { contract });
    const codes = clean.rating.reasons.map((r) => r.code);
    expect(codes).not.toContain('orphans');
    expect(codes).not.toContain('duplicates');
    expect(codes).not.toContain('date_chaos');
    expect(clean.rating.points).toBeLessThan(csvAssessment.rating.points);
    expect(clean.totals.analyst_days).toBeLessThan(csvAssessment.totals.analyst_days);
    // With the contract, every code of a crosswalked field is known in a clean extract.
    for (const t of clean.tables) for (const c of t.code_fields.filter((x) => x.covered_by?.kind === 'crosswalk')) expect(c.codes_needing_crosswalk).toBe(0);
  });

  it('without a contract, counts local codes no shipped list knows as crosswalk work, and national codes as none', async () => {
    const a = await assess(`csv:${path.join(dir, 'clean')}`, { tables: ['PAT_MAST', 'DIAG'] });
    const sex = a.tables[0].code_fields.find((c) => c.column === 'PAT_SEX')!;
    expect(sex).toMatchObject({ covered_by: null, distinct_codes: 4, codes_needing_crosswalk: 4, codes_covered: 0 });
    expect(sex.uncovered.map((u) => u.code).sort()).toEqual(['F', 'I', 'M', 'U']);
    expect(a.tables[1].national_code_fields).toEqual([{ column: 'DIAG_CODE', pattern: 'icd10' }]);
    expect(a.coverage).toBeNull();
  });

  it('knows codes that already are NHS Data Dictionary codes by the shipped list about the same thing', async () => {
    const d = path.join(dir, 'national');
    await mkdir(d, { recursive: true });
    const rows = Array.from({ length: 40 }, (_, i) => `${i + 1},${['11', '12', '21', '22', '77'][i % 5]},${['A', 'W', 'R'][i % 3]}`);
    await writeFile(path.join(d, 'SPELLS.csv'), ['SPELL_ID,ADMISSION_METHOD,WL_STATUS', ...rows].join('\n'));
    const a = await assess(`csv:${d}`);
    const [method, status] = a.tables[0].code_fields;
    expect(method).toMatchObject({ column: 'ADMISSION_METHOD', covered_by: { kind: 'reference_list', name: 'admission-method' }, codes_needing_crosswalk: 1, rows_needing_crosswalk: 8 });
    expect(method.uncovered).toEqual([{ code: '77', rows: 8 }]);
    // A, W and R are ethnic category letters too, but a waiting-list status is no ethnicity.
    expect(status).toMatchObject({ column: 'WL_STATUS', covered_by: null, codes_needing_crosswalk: 3 });
  });

  it('reports the contract coverage: mapped, suggested and unmapped target fields, and source columns nothing reads', async () => {
    const edited: LoadedContract = structuredClone(contract);
    const patient = edited.contract.mappings.patient.fields;
    patient.title.status = 'suggested';
    delete patient.marital_status;
    const a = await assess(`csv:${path.join(dir, 'clean')}`, { contract: edited, tables: ['PAT_MAST'] });
    const full = csvAssessment.coverage!;
    expect(full.totals.unmapped).toBe(0);
    const target = a.coverage!.targets.find((t) => t.table === 'patient')!;
    expect(target).toMatchObject({ source: 'PAT_MAST', suggested: 1, unmapped: 1, suggested_fields: ['title'], unmapped_fields: ['marital_status'] });
    expect(a.coverage!.totals.mapped).toBe(full.totals.mapped - 2);
    expect(a.coverage!.unread_source_columns).toEqual([{ table: 'PAT_MAST', columns: ['PAT_MARITAL'] }]);
    // The marital status codes are no longer read by any field, so no crosswalk covers them.
    expect(a.tables[0].code_fields.find((c) => c.column === 'PAT_MARITAL')!.covered_by?.kind).not.toBe('crosswalk');
  });

  it('counts orphans exactly by reading the two key columns once the profile could only estimate them, and says when it estimates', async () => {
    const url = `csv:${path.join(dir, 'pas')}`;
    const recounted = await assess(url, { tables: ['PAT_MAST', 'LAB'], exactLimit: 50 });
    const lab = (a: Assessment) => a.tables.find((t) => t.name === 'LAB')!.orphans.find((o) => o.columns[0] === 'LAB_PATID')!;
    expect(lab(recounted)).toMatchObject({ orphan_rows: csvExpected.orphans['LAB.LAB_PATID'], estimated: false });
    const estimated = await assess(url, { tables: ['PAT_MAST', 'LAB'], exactLimit: 50, maxExactKeys: 10 });
    expect(lab(estimated).estimated).toBe(true);
    expect(lab(estimated).orphan_rows).toBeGreaterThan(0);
  });

  it('counts repeated keys and identifiers exactly past the exact limit, and does not take sketch noise for duplicates', async () => {
    const d = path.join(dir, 'wide-keys');
    await mkdir(d, { recursive: true });
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i + 1},H${String(i + 1).padStart(8, '0')}`);
    // The last 300 rows repeat earlier hospital numbers: 1.5%, well beyond the sketch's error.
    const repeated = Array.from({ length: 300 }, (_, i) => `${20_001 + i},H${String(i + 1).padStart(8, '0')}`);
    await writeFile(path.join(d, 'CASES.csv'), ['CASE_ID,CASE_HOSPNO', ...rows].join('\n'));
    await writeFile(path.join(d, 'DUPS.csv'), ['CASE_ID,CASE_HOSPNO', ...rows, ...repeated].join('\n'));
    // Counted again exactly from the column.
    const exact = await assess(`csv:${d}`, { exactLimit: 1000 });
    expect(exact.tables[0].keys.primary_key_duplicates).toEqual({ column: 'CASE_ID', duplicates: 0, estimated: false });
    expect(exact.tables[1].keys.identifiers).toEqual([{ column: 'CASE_HOSPNO', filled: 20_300, distinct: 20_000, duplicates: 300, estimated: false }]);
    // Left to the sketch, a unique column shows no duplicates, though the sketch cannot see 300 either.
    const sketched = await assess(`csv:${d}`, { exactLimit: 1000, maxExactKeys: 100 });
    expect(sketched.tables[0].keys.primary_key_duplicates).toEqual({ column: 'CASE_ID', duplicates: 0, estimated: true });
    expect(sketched.tables[0].keys.identifiers).toMatchObject([{ column: 'CASE_HOSPNO', duplicates: 0, estimated: true }]);
  });

  it('counts the rows a Windows-1252 export read as UTF-8 cannot decode, per column, with the encoding they look like', async () => {
    const d = path.join(dir, 'cp1252');
    await generateToCsv({ dir: d, seed: 5, patients: 300, rates: uniformRates(0.05), encoding: 'windows-1252' });
    const expected = await expectedCounts(path.join(d, 'defects.json'), 'windows_1252_text');
    const a = await assess(`csv:${d}`, { tables: ['PAT_MAST'] });
    const { encoding } = a.tables[0];
    expect(Object.fromEntries(encoding.problems.map((p) => [`PAT_MAST.${p.column}`, p.rows]))).toEqual(expected);
    expect(encoding.problems.every((p) => p.reason_code === 'source.encoding' && p.likely_encoding === 'windows-1252')).toBe(true);
    expect(a.rating.reasons.map((r) => r.code)).toContain('encoding');
    expect(a.tables[0].effort.basis.map((b) => b.item)).toContain('encoding_problems');
  });

  it('lists every date layout of a column too chaotic for profiling to call it a date, with the unparseable share', async () => {
    const d = path.join(dir, 'dates');
    await mkdir(d, { recursive: true });
    const date = (i: number) => {
      const [dd, mm, yyyy] = [String(1 + (i % 28)).padStart(2, '0'), String(1 + (i % 12)).padStart(2, '0'), String(1950 + (i % 50))];
      return i % 10 < 7 ? `${dd}/${mm}/${yyyy}` : i % 10 < 9 ? `${yyyy}${mm}${dd}` : 'UNKNOWN';
    };
    await writeFile(path.join(d, 'EPISODES.csv'), ['EP_ID,EP_START', ...Array.from({ length: 200 }, (_, i) => `${i + 1},${date(i)}`)].join('\n'));
    const [t] = (await assess(`csv:${d}`)).tables;
    expect(t.dates).toEqual([
      {
        column: 'EP_START',
        main_format: 'dd/mm/yyyy',
        formats: [
          { format: 'dd/mm/yyyy', share: 0.7 },
          { format: 'yyyymmdd', share: 0.2 },
        ],
        unparseable_share: 0.1,
        off_format_values: 60,
        sampled_values: 200,
        chaotic: true,
        estimated: false,
      },
    ]);
    expect(t.effort.basis.find((b) => b.item === 'chaotic_date_column')).toEqual({ item: 'chaotic_date_column', count: 1, days_each: 0.25, days: 0.25 });
  });

  it('never shows a patient value: names, NHS numbers, telephone numbers and addresses stay out of JSON, text and HTML', async () => {
    const csv = async (table: string) => parse(await readFile(path.join(dir, 'pas', `${table}.csv`)), { columns: true, bom: true }) as Array<Record<string, string>>;
    const secrets = new Set<string>();
    for (const r of await csv('PAT_MAST')) for (const c of ['PAT_NHSNO', 'PAT_SURNAME', 'PAT_FORENM', 'PAT_MIDNM', 'PAT_TEL', 'PAT_DOB', 'PAT_HOSPNO']) secrets.add(r[c].trim());
    for (const r of await csv('PAT_ADDR')) for (const c of ['ADDR_LINE1', 'ADDR_PCODE']) secrets.add(r[c].trim());
    for (const r of await csv('PAT_NOK')) secrets.add(r.NOK_NAME.trim());
    // One- and two-letter values (initials) are also reference codes; they identify no one.
    for (const v of secrets) if (v.length < 3) secrets.delete(v);
    const json = JSON.stringify(csvAssessment);
    const strings: string[] = [];
    JSON.parse(json, (_k, v: unknown) => (typeof v === 'string' && strings.push(v), v));
    expect(strings.filter((s) => secrets.has(s))).toEqual([]);
    const words = (s: string) => new Set(s.split(/[\s,;:()<>"=]+/));
    for (const out of [formatAssessmentText(csvAssessment), formatAssessmentHtml(csvAssessment)]) {
      const seen = words(out);
      expect([...secrets].filter((v) => !v.includes(' ') && seen.has(v))).toEqual([]);
      expect([...secrets].filter((v) => v.includes(' ') && out.includes(v))).toEqual([]);
      expect(out).not.toMatch(/\b999\d{7}\b/);
    }
  });

  it('renders a self-contained, printable HTML page', () => {
    const html = formatAssessmentHtml(csvAssessment);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|src=|href="(?!#)/i);
    expect(html).toContain('@media print');
    expect(html).toMatch(/Overall complexity: <span class="rating (low|medium|high|very_high)">/);
    expect(html).toContain('id="t-PAT_MAST"');
  });
});
