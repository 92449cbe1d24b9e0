import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { migrate } from '../../src/run/migrate.js';
import type { RunReport } from '../../src/run/report.js';
import { tempDir } from '../helpers/tmp.js';
import { SOURCE_SECRETS, writeQualityFixture } from './fixture.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('ferry-quality-'));
});
afterEach(() => cleanup());

const STRICT = `
    - { kpi: validity, fail_below: 0.90, warn_below: 0.98 }
    - { kpi: referential_integrity, fail_below: 0.99, tiers: [production] }
    - { kpi: uniqueness, table: patient, fail_below: 0.99 }
    - { kpi: code_coverage, fail_below: 0.5 }
    - { kpi: completeness, fail_below: 1 }`;

const DEFECTS = { duplicateOf1: [7, 9], orphanMeds: [5001], badSex: [4], badNhs: [3], allergic: [2, 5] };

async function run(tier: 'pre_production' | 'production', extra: string[] = []) {
  const io = memoryIO({ cwd: dir });
  const code = await main(['run', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', `sqlite:${dir}/target.db`, '--tier', tier, '--report', 'report.json', ...extra], io);
  const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as RunReport;
  return { code, report, stdout: io.stdout };
}

describe('quality gates in a run', () => {
  it('fail the run with failed_gate (exit 6) naming KPI, table, value, threshold and example keys', async () => {
    await writeQualityFixture(dir, { patients: 30, thresholds: STRICT, defects: DEFECTS });
    const { code, report, stdout } = await run('production');
    expect(code).toBe(6);
    expect(report.status).toBe('failed_gate');
    expect(report.error?.code).toBe('run.failed_gate');
    const q = report.quality!;
    expect(q).toMatchObject({ tier: 'production', decision: 'fail', exampleKeyLimit: 3 });
    // 30 patients + 2 copies of patient 1 is 30 rows; 3 and 4 quarantined; 7 and 9 repeat patient 1.
    const uniq = q.gates.find((g) => g.kpi === 'uniqueness' && g.table === 'patient')!;
    expect(uniq).toMatchObject({ decision: 'fail', numerator: 26, denominator: 28, threshold: { failBelow: 0.99, table: 'patient' } });
    expect(uniq.value).toBeCloseTo(26 / 28, 10);
    expect(uniq.exampleKeys).toEqual([
      { table: 'patient', sourceTable: 'PAT', sourceKey: '7' },
      { table: 'patient', sourceTable: 'PAT', sourceKey: '9' },
    ]);
    // Medications of the two quarantined patients and the orphan do not resolve: 28 of 31.
    const ri = q.gates.find((g) => g.kpi === 'referential_integrity' && g.table === 'medication')!;
    expect(ri).toMatchObject({ decision: 'fail', numerator: 28, denominator: 31 });
    expect(ri.exampleKeys.map((k) => k.sourceKey)).toEqual(['30', '40', '5001']);
    expect(q.gates.find((g) => g.kpi === 'validity' && g.table === 'patient')).toMatchObject({ decision: 'warn', numerator: 28, denominator: 30 });
    expect(q.checks[0]).toMatchObject({ name: 'allergic_to_medication', count: 2, decision: 'warn' });
    expect(q.crosswalks).toEqual([expect.objectContaining({ crosswalk: 'sex', table: 'patient', seen: 30, mapped: 29, unmapped: [{ code: 'Q', rows: 1 }] })]);
    expect(stdout).toContain('quality gates (production): FAIL');
    expect(stdout).toMatch(/FAIL uniqueness patient: 92\.86% \(26\/28\) below 99\.00%/);
    expect(stdout).toContain('PAT:7, PAT:9');
    // Keys only: no name, substance or birth date leaks into the report.
    const json = JSON.stringify(report);
    for (const s of SOURCE_SECRETS) expect(json).not.toContain(s);
  });

  it('apply the thresholds of the chosen tier only', async () => {
    await writeQualityFixture(dir, { patients: 30, thresholds: STRICT, defects: { ...DEFECTS, duplicateOf1: [] } });
    const { code, report } = await run('pre_production');
    // Referential integrity is gated in production only; everything else passes or warns here.
    expect(report.quality!.gates.some((g) => g.kpi === 'referential_integrity')).toBe(false);
    expect(report.quality!.decision).toBe('warn');
    expect(report.status).toBe('succeeded');
    expect(code).toBe(0);
  });

  it('pass every gate on clean data', async () => {
    await writeQualityFixture(dir, { patients: 25, thresholds: STRICT });
    const { code, report, stdout } = await run('production');
    expect(code).toBe(0);
    expect(report.status).toBe('succeeded');
    const q = report.quality!;
    expect(q.decision).toBe('pass');
    expect(q.gates.length).toBeGreaterThan(0);
    expect(q.gates.every((g) => g.decision === 'pass' || g.decision === 'not_applicable')).toBe(true);
    expect(q.overall.validity.value).toBe(1);
    expect(q.overall.referential_integrity).toMatchObject({ value: 1, numerator: 50, denominator: 50 });
    expect(q.overall.reconciliation.value).toBe(1);
    expect(stdout).toContain('quality gates (production): PASS');
  });

  it('fail the gate from a cross-table check of error severity', async () => {
    await writeQualityFixture(dir, { patients: 10, thresholds: '    []', defects: { allergic: [4] }, checkSeverity: 'error' });
    const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, dryRun: true });
    expect(report.status).toBe('failed_gate');
    expect(report.error?.message).toContain('check allergic_to_medication: 1 row(s)');
  });

  it('writes a self-contained HTML report with --html', async () => {
    await writeQualityFixture(dir, { patients: 30, thresholds: STRICT, defects: DEFECTS });
    const { code } = await run('production', ['--html', 'out/report.html']);
    expect(code).toBe(6);
    const html = await readFile(path.join(dir, 'out', 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/url\(/);
    for (const t of ['patient', 'medication', 'allergy']) expect(html).toContain(`<td>${t}</td>`);
    for (const k of ['Completeness', 'Validity', 'Referential integrity', 'Code coverage', 'Uniqueness', 'Reconciliation']) expect(html).toContain(k);
    expect(html).toContain('<svg');
    expect(html).toContain('PAT:7, PAT:9');
    expect(html).toContain('crosswalk.unmapped');
    expect(html).toContain('allergic_to_medication');
    for (const s of SOURCE_SECRETS) expect(html).not.toContain(s);
  });
});
