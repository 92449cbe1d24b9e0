/**
 * The opt-in release gate for `ferry run --project ID --tier T`: before anything connects, the
 * logged-in user's run of this contract digest must be allowed in the tier (canRun); the
 * refusal lists every missing condition. Afterwards the outcome is recorded (recordRun), which
 * is what lets the digest move on to the next tier.
 */
import { loadContract } from '../contract/load.js';
import { contractDigest } from '../contract/canonical.js';
import type { Tier } from '../contract/model.js';
import type { RunReport } from '../engine/report.js';
import { refusal } from '../control/release.js';
import type { CliIO } from './io.js';
import { cliActor, openPlane } from './control-session.js';

export interface ReleaseGuard {
  /** Records the finished run against the project, then logs out and closes the store. */
  finish(report: RunReport | undefined): Promise<void>;
}

/** Checks the gate for `contractFile` in `tier`; throws the refusal, or returns the recorder. */
export async function openReleaseGuard(io: CliIO, flags: { store?: string; user?: string; org?: string; project: string; tier: Tier }, contractFile: string): Promise<ReleaseGuard> {
  const digest = contractDigest(await loadContract(contractFile));
  const session = await openPlane(io, flags.store);
  try {
    const { actor, logout } = await cliActor(session.plane, io, flags.user, flags.org);
    try {
      const decision = await session.plane.canRun(actor, flags.project, digest, flags.tier);
      if (!decision.allowed) throw refusal(flags.tier, decision.missing);
    } catch (err) {
      await logout();
      throw err;
    }
    return {
      async finish(report) {
        try {
          if (report) {
            const decision = report.quality?.decision;
            await session.plane.recordRun(actor, flags.project, {
              digest: report.contract.digest,
              tier: flags.tier,
              runId: report.runId,
              status: report.status,
              gateDecision: decision === 'pass' || decision === 'warn' || decision === 'fail' || decision === 'not_applicable' ? decision : null,
              dryRun: report.dryRun,
            });
          }
        } finally {
          await logout();
          await session.close();
        }
      },
    };
  } catch (err) {
    await session.close();
    throw err;
  }
}
