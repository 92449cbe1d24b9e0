/**
 * The release gate around a run in a project: before anything connects, the actor's run of
 * this contract digest must be allowed in the tier (canRun, whose refusal lists every missing
 * condition); afterwards the outcome is recorded (recordRun), which is what lets the digest
 * move on to the next tier.
 */
import type { Tier } from '../contract/model.js';
import type { RunStatus } from '../engine/report.js';
import { signalsFromReport } from '../control/hazard-evidence.js';
import { refusal } from '../control/release.js';
import type { Actor, ControlPlane } from '../control/plane.js';
import type { RunReport } from './report.js';

export interface ReleaseContext {
  plane: ControlPlane;
  actor: Actor;
  projectId: string;
}

/** Throws the refusal unless `digest` may run in `tier`; a dry run writes nothing and needs no gate. */
export async function checkRelease(r: ReleaseContext, digest: string, tier: Tier, dryRun: boolean): Promise<void> {
  if (dryRun) return;
  const decision = await r.plane.canRun(r.actor, r.projectId, digest, tier);
  if (!decision.allowed) throw refusal(tier, decision.missing);
}

/** What a run record says about one run: its outcome, or `failed` with no gate decision when it never produced a report. */
export interface RunOutcome {
  runId: string;
  digest: string;
  tier: Tier;
  dryRun: boolean;
  status: RunStatus;
  report: RunReport | null;
}

/** Records a run's outcome against the project, then raises its evidence against the project's hazard log (real runs with a report). */
export async function recordRelease(r: ReleaseContext, o: RunOutcome): Promise<void> {
  await r.plane.recordRun(r.actor, r.projectId, {
    digest: o.digest,
    tier: o.tier,
    runId: o.runId,
    status: o.status,
    gateDecision: o.report?.quality?.decision ?? null,
    dryRun: o.dryRun,
  });
  if (o.dryRun || !o.report) return;
  const signals = signalsFromReport(o.report);
  if (signals.length > 0) await r.plane.raiseHazardIssues(r.actor, r.projectId, { runId: o.runId, signals });
}
