/**
 * Evidence from real governed runs: the signals a run report yields (signalsFromReport) and the
 * hazard issues recordRelease raises with them, over the engine fixture with a strict gate.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalsFromReport } from '../../src/control/hazard-evidence.js';
import type { Actor } from '../../src/control/plane.js';
import { governedRun, type GovernedRunOptions } from '../../src/run/governed-run.js';
import { storeFixture, type StoreFixture } from '../control/stores.js';
import { buildWorld, type World } from '../control/world.js';
import { CONTRACT_YAML, SEX_CSV, writeFixture } from '../engine/fixture.js';
import { tempDir } from '../helpers/tmp.js';

const STRICT_YAML = `${CONTRACT_YAML}quality:\n  thresholds:\n    - { kpi: validity, fail_below: 1 }\n`;
const LOG = `format: ferry.hazards/v1
hazards:
  - { id: H-001, title: NHS number invalid, description: d, cause: c, effect: e, severity: 4, likelihood: 3, residual: { severity: 4, likelihood: 1 }, owner: CSO, status: open, evidence: ['quarantine:rule.nhs_number@patient'] }
  - { id: H-002, title: Wrong sex code, description: d, cause: c, effect: e, severity: 3, likelihood: 3, residual: { severity: 3, likelihood: 1 }, owner: CSO, status: open, evidence: ['crosswalk:sex', 'quarantine:crosswalk.unmapped*'] }
  - { id: H-003, title: Quality below threshold, description: d, cause: c, effect: e, severity: 3, likelihood: 3, residual: { severity: 3, likelihood: 2 }, owner: CSO, status: open, evidence: ['gate:*'] }
`;

describe('hazard evidence from a governed run', () => {
  let fx: StoreFixture;
  let w: World;
  let dir: string;
  let cleanup: () => Promise<void>;
  let analyst: Actor;
  let project: string;
  beforeAll(async () => {
    fx = await storeFixture('sqlite');
    w = await buildWorld(fx);
    analyst = w.a.as.migration_analyst;
    project = w.a.project.id;
    ({ dir, cleanup } = await tempDir('ferry-hazard-evidence-'));
    await writeFixture(dir, 12);
    await writeFile(path.join(dir, 'contract.yaml'), STRICT_YAML);
    const v = (await w.plane.submitVersion(analyst, project, { yaml: STRICT_YAML, crosswalks: { 'crosswalks/sex.csv': SEX_CSV }, message: '' })).version;
    await w.plane.approveVersion(w.a.as.integration_lead, v.id, 'reviewed');
    await w.plane.submitHazardLog(w.a.as.clinical_safety_officer, project, { text: LOG });
  });
  afterAll(async () => {
    await w.close();
    await fx.cleanup();
    await cleanup();
  });

  const options = (runId: string, dryRun = false): GovernedRunOptions => ({
    run: { contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${path.join(dir, `${runId}.db`)}`, tier: 'pre_production', dryRun },
    runId,
    audit: { log: w.plane.audit, actor: analyst.userId, orgId: analyst.orgId, projectId: project },
    release: { plane: w.plane, actor: analyst, projectId: project },
  });

  it('turns failed gates, quarantine reasons and unmapped codes into issues against the hazards naming them, counting repeats', async () => {
    const report = await governedRun(options('run-h1'));
    expect(report.status).toBe('failed_gate');
    const signals = signalsFromReport(report);
    const names = signals.map((s) => (s.table ? `${s.signal}@${s.table}` : s.signal));
    expect(names).toEqual(expect.arrayContaining(['gate:overall.validity', 'gate:patient.validity', 'quarantine:rule.nhs_number@patient', 'crosswalk:sex@patient']));
    expect(signals.every((s) => s.sourceKind === 'run')).toBe(true);
    expect(signals.find((s) => s.signal === 'crosswalk:sex')?.detail).toMatch(/^1 rows with 1 unmapped codes in patient: \S+ \(1\)$/);

    const issues = await w.plane.listHazardIssues(w.a.as.viewer, project);
    expect(issues).toHaveLength(signals.length);
    const of = (signal: string) => issues.find((i) => i.signal === signal);
    expect(of('quarantine:rule.nhs_number@patient')).toMatchObject({ hazardId: 'H-001', status: 'open', runId: 'run-h1', occurrences: 1 });
    expect(of('crosswalk:sex@patient')?.hazardId).toBe('H-002');
    expect(of('gate:patient.validity')?.hazardId).toBe('H-003');

    // Keys and counts only: no NHS number, name or date of birth from the source reaches an issue.
    const rows = (await readFile(path.join(dir, 'source/PAT.csv'), 'utf8')).trim().split('\n').slice(1);
    const values = rows.flatMap((r) => r.split(',').slice(1, 5)).filter((v) => v.length > 3);
    for (const i of issues) for (const v of values) expect(i.detail).not.toContain(v);

    await governedRun(options('run-h2'));
    const again = await w.plane.listHazardIssues(w.a.as.viewer, project);
    expect(again).toHaveLength(issues.length);
    expect(again.every((i) => i.occurrences === 2 && i.lastRunId === 'run-h2')).toBe(true);

    // A dry run writes nothing and raises nothing.
    await governedRun(options('run-h3', true));
    expect((await w.plane.listHazardIssues(w.a.as.viewer, project)).every((i) => i.occurrences === 2)).toBe(true);
  });
});
