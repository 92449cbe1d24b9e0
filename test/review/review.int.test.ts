/**
 * The clinician sampling review end to end over synthetic data: the example contract run from
 * `ferry synth` CSV into SQLite, a sample drawn from it (reproducible for a seed, covering every
 * non-empty stratum), the side-by-side view of a quarantined and a loaded patient, and the
 * production gate with `requireReview`: refused while the review is incomplete and while a
 * discrepancy is open, passing once it is resolved. Patient views are audited with keys' digests only.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONTRACT } from '../../src/cli/demo.js';
import { readContractTexts } from '../../src/cli/release.js';
import { loadContract } from '../../src/contract/load.js';
import type { LoadedContract } from '../../src/contract/model.js';
import { withReviewSides } from '../../src/review/open.js';
import { patientView } from '../../src/review/patient-view.js';
import { allocate, drawSample, STRATA, type Sample } from '../../src/review/sample.js';
import { migrate } from '../../src/run/migrate.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { uniformRates } from '../../src/synth/defects.js';
import { tempDir } from '../helpers/tmp.js';
import { storeFixture, type StoreFixture } from '../control/stores.js';
import { buildWorld, type World } from '../control/world.js';

let dir: string;
let cleanup: () => Promise<void>;
let sourceUrl: string;
let targetUrl: string;
let runId: string;
let loaded: LoadedContract;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const src = path.join(dir, 'legacy');
  await generateToCsv({ seed: 3, patients: 60, rates: uniformRates(0.04), dir: src });
  sourceUrl = `csv:${src}`;
  targetUrl = `sqlite:${path.join(dir, 'target.db')}`;
  const report = await migrate({ contractFile: EXAMPLE_CONTRACT, sourceUrl, targetUrl });
  runId = report.runId;
  loaded = await loadContract(EXAMPLE_CONTRACT);
}, 60_000);
afterAll(() => cleanup());

const draw = (seed: number, patients = 8, stratify?: string): Promise<Sample> =>
  withReviewSides({ sourceUrl, targetUrl }, (s) => drawSample({ loaded, source: s.source, target: s.target, runId, patients, seed, stratify }));

describe('allocate', () => {
  it('gives every non-empty stratum one patient first, then shares the rest by size', () => {
    expect(allocate({ quarantined: 3, cascaded: 1, crosswalked: 50, clean: 0 }, 6)).toEqual({ quarantined: 1, cascaded: 1, crosswalked: 4, clean: 0 });
    expect(allocate({ quarantined: 3, cascaded: 1, crosswalked: 2, clean: 9 }, 2)).toEqual({ quarantined: 1, cascaded: 1, crosswalked: 0, clean: 0 });
    expect(allocate({ quarantined: 2, cascaded: 0, crosswalked: 1, clean: 0 }, 10)).toEqual({ quarantined: 2, cascaded: 0, crosswalked: 1, clean: 0 });
  });
});

describe('sampling review over a run of the example contract', () => {
  it('draws the same sample for a seed, covers every non-empty stratum, and restricts evidence with stratify', async () => {
    const a = await draw(42);
    const b = await draw(42);
    expect(b).toEqual(a);
    expect(a.root).toBe('PAT_MAST');
    expect(a.patients).toHaveLength(8);
    expect(STRATA.reduce((n, s) => n + a.population[s], 0)).toBe(60);
    expect(a.population.quarantined).toBeGreaterThan(0);
    expect(a.population.cascaded + a.population.quarantined).toBeGreaterThan(1);
    for (const s of STRATA)
      if (a.population[s] > 0)
        expect(
          a.patients.some((p) => p.stratum === s),
          s,
        ).toBe(true);
    expect(new Set(a.patients.map((p) => p.patientKey)).size).toBe(8);
    const others = await Promise.all([1, 2, 3].map((seed) => draw(seed)));
    expect(others.some((o) => JSON.stringify(o.patients) !== JSON.stringify(a.patients))).toBe(true);
    // Evidence from the admissions table only: patients without a quarantined or crosswalked spell are clean.
    const bySpell = await draw(42, 8, 'IP_SPELL');
    expect(bySpell.stratify).toBe('IP_SPELL');
    expect(bySpell.population.clean).toBeGreaterThan(a.population.clean);
    await expect(draw(42, 8, 'NOT_A_TABLE')).rejects.toMatchObject({ code: 'review.bad_stratify' });
  });

  it('shows a patient side by side: quarantined rows with reasons, loaded fields with steps, crosswalk and values', async () => {
    const sample = await draw(7, 12);
    const quarantined = sample.patients.find((p) => p.stratum === 'quarantined')!;
    const clean = sample.patients.find((p) => p.stratum === 'crosswalked' || p.stratum === 'clean')!;
    const view = (key: string) => withReviewSides({ sourceUrl, targetUrl }, (s) => patientView({ loaded, source: s.source, target: s.target, targetRows: s.targetRows, runId, patientKey: key }));
    const q = await view(quarantined.patientKey);
    const outcomes = q.rows.flatMap((r) => r.outcomes);
    expect(outcomes.some((o) => o.outcome === 'quarantined' && o.reasons.length > 0 && o.reasons.every((x) => x.code.length > 0))).toBe(true);

    const v = await view(clean.patientKey);
    const master = v.rows.find((r) => r.table === 'PAT_MAST')!;
    expect(master.key).toBe(clean.patientKey);
    const loadedOutcome = master.outcomes.find((o) => o.outcome === 'loaded' && o.targetTable === 'patient')!;
    expect(loadedOutcome.targetKey).toBe(clean.patientKey);
    const gender = loadedOutcome.fields!.find((f) => f.field === 'person_stated_gender')!;
    expect(gender.from).toEqual(['PAT_SEX']);
    expect(gender.sourceValues[0]).toBe(master.values.find((c) => c.column === 'PAT_SEX')!.value);
    expect(gender.crosswalk?.name).toBe('person_stated_gender');
    expect(gender.steps).toEqual(['trim']);
    expect(['1', '2', '9', '0', 'X']).toContain(String(gender.targetValue));
    const id = loadedOutcome.fields!.find((f) => f.field === 'patient_id')!;
    expect(String(id.targetValue)).toBe(clean.patientKey);
    // Every row of the view belongs to this patient: its children point at it.
    expect(v.rows.filter((r) => r.table !== 'PAT_MAST').length).toBeGreaterThan(0);
    await expect(view('no-such-patient')).rejects.toMatchObject({ code: 'review.patient_not_found' });
  });

  describe('in the control plane and the production gate', () => {
    let fx: StoreFixture;
    let w: World;
    beforeAll(async () => {
      fx = await storeFixture('sqlite');
      w = await buildWorld(fx);
    });
    afterAll(async () => {
      await w.close();
      await fx.cleanup();
    });

    it('refuses production while the review is incomplete or a discrepancy is open, passes once resolved', async () => {
      const { plane } = w;
      const t = w.a;
      const project = t.project.id;
      const texts = await readContractTexts(EXAMPLE_CONTRACT);
      const { version } = await plane.submitVersion(t.as.migration_analyst, project, { ...texts, message: 'example' });
      await plane.approveVersion(t.as.integration_lead, version.id, 'ok');
      await plane.recordRun(t.as.migration_analyst, project, { digest: version.digest, tier: 'pre_production', runId, status: 'succeeded', gateDecision: 'pass' });
      await plane.recordRun(t.as.integration_lead, project, { digest: version.digest, tier: 'staging', runId: `${runId}-staging`, status: 'succeeded', gateDecision: 'pass' });
      await plane.configureTier(t.admin, project, 'production', { policy: { requireReview: true } });
      await plane.approveRelease(t.as.integration_lead, project, version.digest, 'production', 'ok');
      await plane.approveRelease(t.as.clinical_safety_officer, project, version.digest, 'production', 'ok');
      const gate = async () => (await plane.canRun(t.as.integration_lead, project, version.digest, 'production')).missing;
      expect(await gate()).toEqual(['review:complete']);

      const sample = await draw(99, 4);
      const review = await plane.createReview(t.as.integration_lead, project, { ...sample, sourceRef: 'csv:legacy', targetRef: 'sqlite:target.db' });
      expect(review.sampled.map((p) => [p.patientKey, p.stratum])).toEqual(sample.patients.map((p) => [p.patientKey, p.stratum]));
      await expect(plane.createReview(t.as.clinical_reviewer, project, { ...sample, sourceRef: 'x', targetRef: 'y' })).rejects.toMatchObject({ kind: 'forbidden' });
      // Another tenant's review does not resolve.
      await expect(plane.getReview(w.b.as.clinical_safety_officer, project, review.id)).rejects.toMatchObject({ kind: 'not_found' });
      await expect(plane.recordPatientView(w.b.as.clinical_reviewer, w.b.project.id, review.id, 0)).rejects.toMatchObject({ kind: 'not_found' });
      await expect(plane.recordPatientView(t.as.viewer, project, review.id, 0)).rejects.toMatchObject({ kind: 'forbidden' });

      const access = await plane.recordPatientView(t.as.clinical_reviewer, project, review.id, 0);
      expect(access.patient.patientKey).toBe(sample.patients[0].patientKey);
      const viewed = (await plane.listAuditEvents(t.as.auditor, { projectId: project, type: 'review:patient_viewed' }))[0];
      expect(viewed.actor).toBe(t.as.clinical_reviewer.userId);
      expect(viewed.payload).toEqual({ reviewId: review.id, runId, position: 0, patientKeyDigest: createHash('sha256').update(sample.patients[0].patientKey).digest('hex') });

      await expect(plane.recordVerdict(t.as.clinical_reviewer, project, review.id, 0, { verdict: 'discrepancy' })).rejects.toMatchObject({ code: 'control.bad_input' });
      // The project's hazard log (the example's starter log) takes the discrepancies as evidence.
      await plane.submitHazardLog(t.as.clinical_safety_officer, project, { text: await readFile(path.join(path.dirname(EXAMPLE_CONTRACT), 'hazards.yaml'), 'utf8') });
      await plane.recordVerdict(t.as.clinical_reviewer, project, review.id, 0, { verdict: 'discrepancy', comment: 'ethnic category differs from the legacy record' });
      await plane.recordVerdict(t.as.clinical_reviewer, project, review.id, 1, { verdict: 'discrepancy', comment: 'allergy to PENICILLINS missing' });
      for (const p of [2, 3]) await plane.recordVerdict(t.as.clinical_safety_officer, project, review.id, p, { verdict: 'matches' });
      expect((await plane.getReview(t.as.viewer, project, review.id)).status).toBe('complete');
      expect(await gate()).toEqual(['review:discrepancies:2']);
      expect(await plane.reviewStatus(t.as.viewer, project, version.digest)).toEqual({ digest: version.digest, reviews: 1, complete: true, openDiscrepancies: 2 });
      const issues = await plane.listHazardIssues(t.as.viewer, project, { status: 'open' });
      expect(issues.map((i) => [i.signal, i.hazardId, i.ref, i.sourceKind]).sort()).toEqual([
        ['review:discrepancy', 'H-014', `${review.id}#1`, 'review'],
        ['review:discrepancy', 'H-014', `${review.id}#2`, 'review'],
      ]);
      // The reviewer's comment may quote the patient's values: it stays in the review.
      expect(JSON.stringify(issues)).not.toMatch(/ethnic|PENICILLINS/);
      await expect(plane.resolveDiscrepancy(t.as.clinical_reviewer, project, review.id, 0, 'fixed')).rejects.toMatchObject({ kind: 'forbidden' });

      // Resolved in the review: its hazard issue closes with it.
      const resolved = await plane.resolveDiscrepancy(t.as.clinical_safety_officer, project, review.id, 0, 'crosswalk corrected; re-run checked');
      expect(resolved.sampled[0]).toMatchObject({ verdict: 'discrepancy', discrepancyStatus: 'resolved', resolutionComment: 'crosswalk corrected; re-run checked' });
      expect(await gate()).toEqual(['review:discrepancies:1']);
      const stillOpen = await plane.listHazardIssues(t.as.viewer, project, { status: 'open' });
      expect(stillOpen.map((i) => i.ref)).toEqual([`${review.id}#2`]);
      await expect(plane.resolveDiscrepancy(t.as.clinical_safety_officer, project, review.id, 0, 'again')).rejects.toMatchObject({ code: 'review.no_open_discrepancy' });
      // Resolved from the hazard log: the review's discrepancy closes with it, and the gate passes.
      await plane.resolveHazardIssue(t.as.clinical_safety_officer, project, stillOpen[0].id, { status: 'resolved', comment: 'allergy re-migrated from the legacy record' });
      expect((await plane.getReview(t.as.viewer, project, review.id)).sampled[1]).toMatchObject({ discrepancyStatus: 'resolved', resolutionComment: 'allergy re-migrated from the legacy record' });
      expect(await gate()).toEqual([]);
      const types = (await plane.listAuditEvents(t.as.auditor, { projectId: project, order: 'asc' })).map((e) => e.type).filter((x) => x.startsWith('review:'));
      expect(types).toEqual([
        'review:created',
        'review:patient_viewed',
        'review:verdict',
        'review:verdict',
        'review:verdict',
        'review:verdict',
        'review:completed',
        'review:discrepancy_resolved',
        'review:discrepancy_resolved',
      ]);
    });
  });
});
