/**
 * The example contract over synthetic data with injected defects: every defect a rule exists
 * for is caught and attributed to the right kind (recall 100%), nothing else is quarantined,
 * and on clean data no row is quarantined at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EXAMPLE_CONTRACT } from '../../src/cli/demo.js';
import { migrate } from '../../src/run/migrate.js';
import { renderQualityHtml } from '../../src/run/html-report.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { cleanRates, uniformRates, type DefectEntry, type DefectKind } from '../../src/synth/defects.js';
import { tempDir } from '../helpers/tmp.js';

/** What a correctly attributed catch of each defect kind looks like (reason codes on that source row). */
const CAUGHT_AS: Partial<Record<DefectKind, string[]>> = {
  nhs_number_invalid: ['rule.nhs_number'],
  nhs_number_missing: ['rule.required', 'target.not_null'],
  postcode_invalid: ['rule.postcode', 'target.too_long'],
  impossible_date: ['rule.date', 'row_rule.death_on_or_after_birth', 'row_rule.discharge_on_or_after_admission'],
  mixed_date_format: ['transform.parse_date'],
  sentinel_value: ['target.not_null', 'rule.required'],
  unmapped_code: ['crosswalk.unmapped'],
  orphan_foreign_key: ['transform.lookup_missing'],
  overlong_text: ['target.too_long', 'rule.length'],
  lab_value_out_of_range: ['rule.range', 'row_rule.lab_value_plausible'],
};
/** Kinds the contract repairs on the way (trim, case, encoding): those rows load. */
const REPAIRED: DefectKind[] = ['stray_whitespace', 'wrong_case', 'windows_1252_text'];

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

function quarantineByRow(file: string): Map<string, Set<string>> {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT source_table, source_key, reason_code FROM _ferry_quarantine').all() as Array<{ source_table: string; source_key: string; reason_code: string }>;
  db.close();
  const byRow = new Map<string, Set<string>>();
  for (const r of rows) {
    const k = `${r.source_table}|${r.source_key}`;
    (byRow.get(k) ?? byRow.set(k, new Set()).get(k)!).add(r.reason_code);
  }
  return byRow;
}

/** Loaded rows of every declared target foreign key whose parent row is not in the target. */
function orphans(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const out: string[] = [];
  const fks: Array<[string, string, string]> = [
    ['patient_address', 'patient_id', 'patient'],
    ['gp_registration', 'patient_id', 'patient'],
    ['referral', 'patient_id', 'patient'],
    ['outpatient_appointment', 'patient_id', 'patient'],
    ['outpatient_appointment', 'referral_id', 'referral'],
    ['admission', 'patient_id', 'patient'],
    ['diagnosis', 'patient_id', 'patient'],
    ['diagnosis', 'spell_id', 'admission'],
    ['procedure', 'spell_id', 'admission'],
    ['allergy', 'patient_id', 'patient'],
    ['medication', 'patient_id', 'patient'],
    ['lab_result', 'patient_id', 'patient'],
  ];
  const pk: Record<string, string> = { patient: 'patient_id', referral: 'referral_id', admission: 'spell_id' };
  for (const [child, col, parent] of fks) {
    const n = db.prepare(`SELECT count(*) AS n FROM "${child}" c WHERE NOT EXISTS (SELECT 1 FROM "${parent}" p WHERE p."${pk[parent]}" = c."${col}")`).get() as { n: number };
    if (n.n > 0) out.push(`${child}.${col}: ${n.n}`);
  }
  db.close();
  return out;
}

describe('examples/legacy-pas over synthetic data', () => {
  it('catches every injected defect a rule exists for, attributed to its kind, and quarantines nothing else', async () => {
    const src = path.join(dir, 'defective');
    const synth = await generateToCsv({ seed: 11, patients: 400, rates: uniformRates(0.03), dir: src });
    const target = path.join(dir, 'defective.db');
    // The same contract, listing every failing key (the shipped one lists ten) so duplicates can be matched one by one.
    const copy = path.join(dir, 'contract');
    await cp(path.dirname(EXAMPLE_CONTRACT), copy, { recursive: true });
    const contractFile = path.join(copy, 'contract.yaml');
    await writeFile(contractFile, (await readFile(contractFile, 'utf8')).replace('example_keys: 10', 'example_keys: 100'));
    const report = await migrate({ contractFile, sourceUrl: `csv:${src}`, targetUrl: `sqlite:${target}` });
    expect(report.status).not.toBe('failed');
    for (const t of report.tables) expect(t.balanced, t.table).toBe(true);

    const manifest = JSON.parse(await readFile(synth.manifest, 'utf8')) as { defects: DefectEntry[] };
    const caught = quarantineByRow(target);
    const missed: string[] = [];
    const misattributed: string[] = [];
    const seenKinds = new Set<string>();
    for (const d of manifest.defects) {
      const expected = CAUGHT_AS[d.kind];
      if (!expected) continue;
      seenKinds.add(d.kind);
      const codes = caught.get(`${d.table}|${d.key}`);
      if (!codes) missed.push(`${d.kind} ${d.table}:${d.key}:${d.column}`);
      else if (!expected.some((c) => codes.has(c))) misattributed.push(`${d.kind} ${d.table}:${d.key}:${d.column} → ${[...codes].join(',')}`);
    }
    expect(missed).toEqual([]);
    expect(misattributed).toEqual([]);
    expect([...seenKinds].sort()).toEqual(Object.keys(CAUGHT_AS).sort());

    // Precision: every row quarantined for its own reasons carries an injected defect; the rest
    // followed a parent that did not load (parent.quarantined) and are no detection of their own.
    const injected = new Set(manifest.defects.map((d) => `${d.table}|${d.key}`));
    const ownReasons = [...caught].filter(([, codes]) => !(codes.size === 1 && codes.has('parent.quarantined')));
    expect(ownReasons.map(([k]) => k).filter((k) => !injected.has(k))).toEqual([]);
    const cascaded = [...caught].filter(([, codes]) => codes.has('parent.quarantined'));
    expect(cascaded.length).toBeGreaterThan(0);
    expect(cascaded.filter(([, codes]) => codes.size > 1)).toEqual([]);
    // No loaded row points at a parent the target does not have.
    expect(orphans(target)).toEqual([]);
    // Reconciliation derives the same cascade from the source, so every table still reconciles (the business checks differ by the quarantined rows).
    expect(report.reconciliation!.report.tables.filter((t) => t.status !== 'match' || t.counts.derived.quarantined !== t.counts.quarantined).map((t) => t.table)).toEqual([]);
    const parentCount = report.tables.flatMap((t) => t.quarantineReasons.filter((r) => r.reasonCode === 'parent.quarantined')).reduce((n, r) => n + r.count, 0);
    expect(parentCount).toBe(cascaded.length);

    // Repaired kinds load unless the same row also carries a defect that quarantines it.
    const quarantining = new Set(manifest.defects.filter((d) => CAUGHT_AS[d.kind]).map((d) => `${d.table}|${d.key}`));
    // Duplicate patients are a table rule: every duplicate whose two rows both loaded is reported, and nothing else.
    const dupRule = report.quality!.tableRules.find((r) => r.kind === 'duplicate_patient')!;
    const flagged = new Set(dupRule.exampleKeys.map((k) => k.sourceKey));
    expect(dupRule.failures).toBe(flagged.size);
    const duplicates = manifest.defects.filter((d) => d.kind === 'duplicate_patient');
    expect(duplicates.length).toBeGreaterThan(0);
    for (const d of duplicates) {
      const bothLoaded = !caught.has(`PAT_MAST|${d.key}`) && !caught.has(`PAT_MAST|${d.related}`);
      if (bothLoaded) expect(flagged.has(d.key) || flagged.has(String(d.related)), `duplicate ${d.key} of ${d.related}`).toBe(true);
    }
    const duplicateKeys = new Set(duplicates.flatMap((d) => [d.key, String(d.related)]));
    expect([...flagged].filter((k) => !duplicateKeys.has(k))).toEqual([]);

    const repairedButQuarantined = manifest.defects.filter((d) => REPAIRED.includes(d.kind) && !quarantining.has(`${d.table}|${d.key}`) && caught.has(`${d.table}|${d.key}`));
    expect(repairedButQuarantined).toEqual([]);
  }, 120_000);

  it('on clean data quarantines no row', async () => {
    const src = path.join(dir, 'clean');
    await generateToCsv({ seed: 12, patients: 400, rates: cleanRates(), dir: src });
    const report = await migrate({ contractFile: EXAMPLE_CONTRACT, sourceUrl: `csv:${src}`, targetUrl: `sqlite:${path.join(dir, 'clean.db')}` });
    expect(report.status).toBe('succeeded');
    expect(report.totals.quarantined).toBe(0);
    expect(report.quality!.gates.filter((g) => g.decision === 'fail' || g.decision === 'warn')).toEqual([]);
    // Reconciled at the end of the run: every table and both business checks agree.
    expect(report.reconciliation?.status).toBe('match');
    expect(report.reconciliation?.business.map((b) => b.pass)).toEqual([true, true]);
    const html = renderQualityHtml(report);
    expect(html).toContain('<h2>Reconciliation</h2>');
    expect(html).toContain('allergies_per_substance');
    expect(report.totals.loaded).toBeGreaterThan(2000);
    for (const t of report.tables) expect(t.balanced, t.table).toBe(true);
  }, 120_000);
});
