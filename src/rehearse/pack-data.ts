/**
 * Gathers the sign-off pack's data: the outcome of the rehearsal, the cascade summary from the
 * run report, and — in a governed project — the contract version's sign-off, the release
 * approvals per tier and the recorded runs of the digest, the project's hazard log with its issues
 * and the digest's latest sampling review, read the same way by the CLI and the server.
 */
import { contractDigest } from '../contract/canonical.js';
import type { LoadedContract, Tier } from '../contract/model.js';
import type { Actor, ControlPlane } from '../control/plane.js';
import { REVIEW_STRATA } from '../control/reviews.js';
import { PARENT_QUARANTINED } from '../engine/cascade.js';
import type { Sample } from '../review/sample.js';
import type { RunReport } from '../run/report.js';
import { PACK_FORMAT, type CascadeLine, type PackGovernance, type PackHazard, type PackOutcome, type PackReview, type PackStep, type SignOffPack } from './pack-model.js';

/** Where a governed pack reads the control plane: as this actor, in this project. */
export interface PackProject {
  plane: ControlPlane;
  actor: Actor;
  projectId: string;
}

export interface PackInput {
  loaded: LoadedContract;
  tier: Tier;
  pilot: PackStep | null;
  full: PackStep;
  /** The governed project, or undefined for a rehearsal outside one. */
  project?: PackProject;
  /** A sample drawn outside a project (not recorded): shown as the pack's sampling selection. */
  unrecordedSample?: Sample;
  generatedAt?: Date;
}

/** A step that ran and returned its report. */
export function reportStep(report: RunReport): PackStep {
  return { report, error: null, skipped: null };
}

/** A step that failed before it had a report: its error code and message only (FerryError messages hold no row values). */
export function failedStep(code: string, message: string): PackStep {
  return { report: null, error: { code, message }, skipped: null };
}

/** A step that was not started, and why. */
export function skippedStep(reason: string): PackStep {
  return { report: null, error: null, skipped: reason };
}

/** The outcome the pack leads with: the pilot's failure first, then the full run's status. */
export function outcomeOf(pilot: PackStep | null, full: PackStep): { outcome: PackOutcome; headline: string } {
  if (pilot && pilot.report?.status !== 'succeeded') {
    const why = pilot.report ? `ended ${pilot.report.status}${pilot.report.error ? `: ${pilot.report.error.message}` : ''}` : `failed: ${pilot.error?.message ?? 'no report'}`;
    return { outcome: 'pilot_failed', headline: `NOT READY FOR SIGN-OFF — the pilot ${why}. The full run was not started.` };
  }
  const r = full.report;
  if (r?.status === 'succeeded') return { outcome: 'ready_for_sign_off', headline: 'The rehearsal succeeded: every quality gate passed and the load reconciled with its source.' };
  if (r?.status === 'failed_gate') return { outcome: 'gate_failed', headline: `NOT READY FOR SIGN-OFF — a quality gate failed: ${r.error?.message ?? 'see the gate decisions'}.` };
  const why = r ? `ended ${r.status}${r.error ? `: ${r.error.message}` : ''}` : `failed: ${full.error?.message ?? full.skipped ?? 'no report'}`;
  return { outcome: 'run_failed', headline: `NOT READY FOR SIGN-OFF — the full run ${why}.` };
}

/** Rows quarantined because their parent was, per table (the cascade of a quarantined patient). */
export function cascadeOf(report: RunReport | null): CascadeLine[] {
  if (!report) return [];
  return report.tables.map((t) => ({ table: t.table, rows: t.quarantineReasons.filter((q) => q.reasonCode === PARENT_QUARANTINED).reduce((n, q) => n + q.count, 0) })).filter((c) => c.rows > 0);
}

/** The approvals and runs of `digest` in the project, as `actor` may read them. */
export async function governanceOf(p: PackProject, digest: string): Promise<PackGovernance> {
  const [versions, status, runs] = await Promise.all([
    p.plane.listVersions(p.actor, p.projectId),
    p.plane.releaseStatus(p.actor, p.projectId, digest),
    p.plane.listRuns(p.actor, p.projectId, { digest }),
  ]);
  return {
    governed: true,
    projectId: p.projectId,
    version: versions.find((v) => v.digest === digest) ?? null,
    tiers: status.tiers.map((t) => ({ tier: t.tier, approvals: t.approvals, missing: t.missing, promotion: t.promotion })),
    runs: [...runs].sort((a, b) => b.recordedAt.localeCompare(a.recordedAt)),
  };
}

/** The project's current hazard log with every issue raised against it, or null when none was submitted. */
export async function hazardsOf(p: PackProject): Promise<PackHazard[] | null> {
  const [log, issues] = await Promise.all([p.plane.getHazardLog(p.actor, p.projectId), p.plane.listHazardIssues(p.actor, p.projectId)]);
  if (!log.version) return null;
  const rating = (r: { rating: number; name: string }) => `${r.rating} (${r.name})`;
  return log.hazards.map((h) => {
    const own = issues.filter((i) => i.hazardId === h.id);
    return {
      id: h.id,
      title: h.title,
      initialRisk: rating(h.initialRisk),
      residualRisk: rating(h.residualRisk),
      status: h.status,
      openIssues: own.filter((i) => i.status === 'open').length,
      resolvedIssues: own.filter((i) => i.status !== 'open').length,
      issues: own.map((i) => ({ signal: i.signal, detail: i.detail, status: i.status })),
    };
  });
}

/** The digest's most recent sampling review in the project with its verdicts so far, or null when it has none. */
export async function reviewOf(p: PackProject, digest: string): Promise<PackReview | null> {
  const latest = (await p.plane.listReviews(p.actor, p.projectId)).filter((r) => r.digest === digest).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (!latest) return null;
  const review = await p.plane.getReview(p.actor, p.projectId, latest.id);
  const drawn = (stratum: string) => review.sampled.filter((x) => x.stratum === stratum).length;
  return {
    id: review.id,
    runId: review.runId,
    seed: review.seed,
    patients: review.patients,
    reviewed: review.reviewed,
    matches: review.sampled.filter((x) => x.verdict === 'matches').length,
    discrepanciesOpen: review.sampled.filter((x) => x.discrepancyStatus === 'open').length,
    discrepanciesResolved: review.sampled.filter((x) => x.discrepancyStatus === 'resolved').length,
    complete: review.status === 'complete',
    strata: REVIEW_STRATA.map((stratum) => ({ stratum, inRun: review.population[stratum], patients: drawn(stratum) })),
    sampled: review.sampled.map((x) => ({ number: x.position + 1, patientKey: x.patientKey, stratum: x.stratum, verdict: x.verdict, discrepancy: x.discrepancyStatus })),
  };
}

/** A sample drawn outside a project, as the pack shows it: a selection nobody has reviewed in Ferry. */
export function sampleSection(sample: Sample): PackReview {
  return {
    id: null,
    runId: sample.runId,
    seed: sample.seed,
    patients: sample.patients.length,
    reviewed: 0,
    matches: 0,
    discrepanciesOpen: 0,
    discrepanciesResolved: 0,
    complete: false,
    strata: REVIEW_STRATA.map((stratum) => ({ stratum, inRun: sample.population[stratum], patients: sample.patients.filter((x) => x.stratum === stratum).length })),
    sampled: sample.patients.map((x) => ({ number: x.position + 1, patientKey: x.patientKey, stratum: x.stratum, verdict: null, discrepancy: null })),
  };
}

/** Builds the pack from the rehearsal's steps and, in a governed project, the control plane. */
export async function buildPack(input: PackInput): Promise<SignOffPack> {
  const digest = contractDigest(input.loaded);
  const { name, version } = input.loaded.contract.metadata;
  const p = input.project;
  const [governance, hazards, review] = p
    ? await Promise.all([governanceOf(p, digest), hazardsOf(p), reviewOf(p, digest)])
    : ([{ governed: false }, null, input.unrecordedSample ? sampleSection(input.unrecordedSample) : null] as const);
  return {
    format: PACK_FORMAT,
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    loaded: input.loaded,
    contract: { name, version, digest },
    tier: input.tier,
    ...outcomeOf(input.pilot, input.full),
    pilot: input.pilot,
    full: input.full,
    cascade: cascadeOf(input.full.report ?? input.pilot?.report ?? null),
    hazards,
    review,
    governance,
  };
}
