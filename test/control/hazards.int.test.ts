/**
 * The hazard log in the control plane: versions with digests, issues raised from signals
 * (opened, repeated, re-opened, accepted), resolution, audit events and tenancy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Signal } from '../../src/control/plane.js';
import { FerryError } from '../../src/errors.js';
import { DIALECTS, storeFixture, type StoreFixture } from './stores.js';
import { buildWorld, type World } from './world.js';

const LOG = `format: ferry.hazards/v1
hazards:
  - id: H-001
    title: Wrong date of birth
    description: d
    cause: c
    effect: e
    severity: 4
    likelihood: 3
    controls: [Dates parsed with one format]
    residual: { severity: 4, likelihood: 1 }
    owner: CSO
    status: open
    evidence: ['quarantine:rule.date@patient', 'quarantine:*@patient']
  - id: H-002
    title: Allergy not migrated
    description: d
    cause: c
    effect: e
    severity: 5
    likelihood: 3
    residual: { severity: 5, likelihood: 1 }
    owner: CSO
    status: mitigated
    evidence: ['reconciliation:allergy']
`;

const sig = (signal: string, extra: Partial<Signal> = {}): Signal => ({ signal, detail: '3 rows', sourceKind: 'run', ...extra });

async function error(p: Promise<unknown>): Promise<FerryError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(FerryError);
  return e as FerryError;
}

describe.each(DIALECTS)('the hazard log on %s', (dialect) => {
  let fx: StoreFixture;
  let w: World;
  let project: string;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
    w = await buildWorld(fx);
    project = w.a.project.id;
  });
  afterAll(async () => {
    await w.close();
    await fx.cleanup();
  });

  it('versions the log by digest, rates its risks and audits each new version', async () => {
    const cso = w.a.as.clinical_safety_officer;
    expect(await w.plane.getHazardLog(w.a.as.viewer, project)).toEqual({ version: null, hazards: [], unassignedOpenIssues: 0 });
    // Evidence before any log is not recorded: the project has no safety case to link it to.
    expect(await w.plane.raiseHazardIssues(w.a.as.migration_analyst, project, { runId: 'run-0', signals: [sig('gate:overall.validity')] })).toMatchObject({ opened: 0 });

    const first = await w.plane.submitHazardLog(cso, project, { text: LOG, comment: 'starter' });
    expect(first).toMatchObject({ created: true, version: { version: 1, hazards: 2, comment: 'starter', authorId: cso.userId } });
    expect(await w.plane.submitHazardLog(cso, project, { text: `# same meaning\n${LOG}` })).toMatchObject({ created: false, version: { version: 1 } });
    const second = await w.plane.submitHazardLog(w.a.as.integration_lead, project, { text: LOG.replace('likelihood: 3\n    controls', 'likelihood: 4\n    controls') });
    expect(second.version.version).toBe(2);

    const view = await w.plane.getHazardLog(w.a.as.auditor, project);
    expect(view.version?.digest).toBe(second.version.digest);
    expect(view.hazards[0]).toMatchObject({ id: 'H-001', initialRisk: { severity: 4, likelihood: 4, rating: 4, name: 'high' }, residualRisk: { rating: 2, name: 'low' } });
    expect((await w.plane.getHazardLog(w.a.as.viewer, project, 1)).hazards[0].initialRisk.rating).toBe(3);
    expect((await w.plane.listHazardLogVersions(w.a.as.viewer, project)).map((v) => v.version)).toEqual([2, 1]);
    expect((await error(w.plane.getHazardLog(w.a.as.viewer, project, 9))).kind).toBe('not_found');

    const bad = await error(w.plane.submitHazardLog(cso, project, { text: LOG.replace('severity: 5', 'severity: 9') }));
    expect(bad).toMatchObject({ kind: 'contract', code: 'hazards.invalid' });
    expect(bad.issues[0]).toMatchObject({ path: 'hazards[1].severity', line: 20 });
    expect((await error(w.plane.submitHazardLog(w.a.as.migration_analyst, project, { text: LOG }))).kind).toBe('forbidden');

    const events = await w.plane.listAuditEvents(w.a.as.auditor, { type: 'safety:hazard_log_submitted' });
    expect(events.map((e) => e.payload)).toEqual([
      { version: 2, digest: second.version.digest, hazards: 2 },
      { version: 1, digest: first.version.digest, hazards: 2 },
    ]);
  });

  it('opens issues from signals, counts repeats, re-opens resolved ones and keeps accepted ones accepted', async () => {
    const analyst = w.a.as.migration_analyst;
    const cso = w.a.as.clinical_safety_officer;
    const signals = [sig('quarantine:rule.date', { table: 'patient' }), sig('quarantine:rule.nhs_number', { table: 'patient' }), sig('reconciliation:allergy'), sig('gate:overall.validity')];
    const first = await w.plane.raiseHazardIssues(analyst, project, { runId: 'run-1', signals });
    expect(first).toMatchObject({ opened: 4, reopened: 0, repeated: 0 });
    expect(first.issues.map((i) => [i.signal, i.hazardId])).toEqual([
      ['quarantine:rule.date@patient', 'H-001'],
      ['quarantine:rule.nhs_number@patient', 'H-001'],
      ['reconciliation:allergy', 'H-002'],
      ['gate:overall.validity', null],
    ]);
    const view = await w.plane.getHazardLog(w.a.as.viewer, project);
    expect(view.hazards.map((h) => h.openIssues)).toEqual([2, 1]);
    expect(view.unassignedOpenIssues).toBe(1);

    const [date, nhs] = first.issues;
    await w.plane.resolveHazardIssue(cso, project, date.id, { status: 'resolved', comment: 'fixed at source' });
    const accepted = await w.plane.resolveHazardIssue(w.a.as.integration_lead, project, nhs.id, { status: 'accepted', comment: 'tolerated for the rehearsal' });
    expect(accepted).toMatchObject({ status: 'accepted', resolvedBy: w.a.as.integration_lead.userId, resolutionComment: 'tolerated for the rehearsal' });
    expect((await error(w.plane.resolveHazardIssue(analyst, project, date.id, { status: 'resolved', comment: 'x' }))).kind).toBe('forbidden');
    expect((await error(w.plane.resolveHazardIssue(cso, project, date.id, { status: 'resolved', comment: ' ' }))).kind).toBe('usage');

    const again = await w.plane.raiseHazardIssues(analyst, project, { runId: 'run-2', signals: signals.slice(0, 2) });
    expect(again).toMatchObject({ opened: 0, reopened: 1, repeated: 1 });
    const issues = await w.plane.listHazardIssues(w.a.as.viewer, project);
    const byId = new Map(issues.map((i) => [i.id, i]));
    expect(byId.get(date.id)).toMatchObject({ status: 'open', occurrences: 2, runId: 'run-1', lastRunId: 'run-2', resolvedBy: null });
    expect(byId.get(nhs.id)).toMatchObject({ status: 'accepted', occurrences: 2 });
    expect((await w.plane.listHazardIssues(w.a.as.viewer, project, { status: 'accepted' })).map((i) => i.id)).toEqual([nhs.id]);
    expect((await w.plane.listHazardIssues(w.a.as.viewer, project, { hazardId: 'unassigned' })).map((i) => i.signal)).toEqual(['gate:overall.validity']);

    // A distinct ref is a distinct issue (a review's finding per patient key).
    const review = await w.plane.raiseHazardIssues(cso, project, { signals: [sig('review:discrepancy', { ref: 'rev-1:PAT-9', sourceKind: 'review' })] });
    expect(review.issues[0]).toMatchObject({ ref: 'rev-1:PAT-9', runId: null, hazardId: null });
    expect((await error(w.plane.raiseHazardIssues(w.a.as.viewer, project, { signals: [sig('gate:x')] }))).kind).toBe('forbidden');
    expect((await error(w.plane.raiseHazardIssues(analyst, project, { signals: [sig('nonsense')] }))).kind).toBe('usage');

    const types = (await w.plane.listAuditEvents(w.a.as.auditor, { projectId: project })).map((e) => e.type);
    expect(types.filter((t) => t === 'safety:issue_opened')).toHaveLength(5);
    expect(types.filter((t) => t === 'safety:issue_reopened')).toHaveLength(1);
    expect(types.filter((t) => t === 'safety:issue_resolved')).toHaveLength(2);
  });

  it("answers another org's project and issues as not found", async () => {
    const other = w.b.as.clinical_safety_officer;
    expect((await error(w.plane.getHazardLog(other, project))).kind).toBe('not_found');
    expect((await error(w.plane.listHazardIssues(other, project))).kind).toBe('not_found');
    const [issue] = await w.plane.listHazardIssues(w.a.as.viewer, project);
    expect((await error(w.plane.resolveHazardIssue(other, w.b.project.id, issue.id, { status: 'resolved', comment: 'x' }))).kind).toBe('not_found');
    expect(await w.plane.listHazardIssues(other, w.b.project.id)).toEqual([]);
  });
});
