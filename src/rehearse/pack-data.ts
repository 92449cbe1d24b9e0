/**
 * Gathers the sign-off pack's data: the outcome of the rehearsal, the cascade summary from the
 * run report, and — in a governed project — the contract version's sign-off, the release
 * approvals per tier and the recorded runs of the digest. The hazard log and the sampling review
 * come from loaders (one function each) so the CLI and the server fill them the same way.
 */
import { contractDigest } from '../contract/canonical.js';
import type { LoadedContract, Tier } from '../contract/model.js';
import type { Actor, ControlPlane } from '../control/plane.js';
import { PARENT_QUARANTINED } from '../engine/cascade.js';
import type { RunReport } from '../run/report.js';
import { PACK_FORMAT, type CascadeLine, type PackGovernance, type PackHazard, type PackOutcome, type PackReview, type PackStep, type SignOffPack } from './pack-model.js';

/** Where a governed pack reads the control plane: as this actor, in this project. */
export interface PackProject {
  plane: ControlPlane;
  actor: Actor;
  projectId: string;
}

/**
 * Loaders of the sections other parts of Ferry own. A loader answers null when the project has
 * none (the pack then says so); leaving a loader out means the same.
 */
export interface PackLoaders {
  hazards?: (p: PackProject, digest: string) => Promise<PackHazard[] | null>;
  review?: (p: PackProject, digest: string) => Promise<PackReview | null>;
}

export interface PackInput {
  loaded: LoadedContract;
  tier: Tier;
  pilot: PackStep | null;
  full: PackStep;
  /** The governed project, or undefined for a rehearsal outside one. */
  project?: PackProject;
  loaders?: PackLoaders;
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

/** Builds the pack from the rehearsal's steps and, in a governed project, the control plane. */
export async function buildPack(input: PackInput): Promise<SignOffPack> {
  const digest = contractDigest(input.loaded);
  const { name, version } = input.loaded.contract.metadata;
  const p = input.project;
  const [governance, hazards, review] = p
    ? await Promise.all([governanceOf(p, digest), input.loaders?.hazards?.(p, digest) ?? null, input.loaders?.review?.(p, digest) ?? null])
    : ([{ governed: false }, null, null] as const);
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
