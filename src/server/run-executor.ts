/**
 * How the server executes a queued run: the engine's `migrate` over the materialised contract
 * version, with the run's events recorded in the audit trail (under the API's run id) and
 * streamed to subscribers; when it ends, its report and final view are stored and the run is
 * recorded with the control plane, which is what release gates read.
 */
import { auditRunListener } from '../audit/run-listener.js';
import type { Actor, ControlPlane } from '../control/plane.js';
import { migrate } from '../engine/migrate.js';
import type { RunStore } from './run-store.js';
import { RunWorker } from './run-worker.js';

/** What only the executor sees about a run: who started it and the resolved connections. */
export interface RunContext {
  actor: Actor;
  contractFile: string;
  sourceUrl: string;
  targetUrl: string | null;
  /** The references the run was started with, which its stored report names instead of URLs or paths. */
  sourceRef: string;
  targetRef: string | null;
}

export interface RunExecutorOptions {
  plane: ControlPlane;
  runs: RunStore;
  concurrency?: number;
  batchSize?: number;
  onError(err: unknown, runId: string): void;
}

/** The server's run worker. */
export function createRunWorker(o: RunExecutorOptions): RunWorker<RunContext> {
  return new RunWorker<RunContext>({
    concurrency: o.concurrency,
    onError: o.onError,
    execute: async ({ runId, spec, context }, signal, onEvent) => {
      const audit = auditRunListener(o.plane.audit, { actor: context.actor.userId, orgId: context.actor.orgId, projectId: spec.projectId, tier: spec.tier });
      try {
        const report = await migrate({
          contractFile: context.contractFile,
          sourceUrl: context.sourceUrl,
          targetUrl: context.targetUrl ?? undefined,
          dryRun: spec.dryRun,
          tier: spec.tier,
          batchSize: o.batchSize,
          countTotals: true,
          signal,
          onEvent: (e) => {
            onEvent(e);
            // The trail knows the run by the id the API handed out, so `?runId=` finds it.
            audit.listener({ ...e, runId });
          },
        });
        // An upload's or synthetic set's directory, or a target file, is the server's business.
        const rec = report.reconciliation;
        return {
          ...report,
          source: context.sourceRef,
          target: context.targetRef,
          ...(rec ? { reconciliation: { ...rec, report: { ...rec.report, source: context.sourceRef, target: context.targetRef ?? '' } } } : {}),
        };
      } finally {
        await audit.flush();
      }
    },
    onSettled: async (view, report, context) => {
      await o.runs.save({ view, report });
      await o.plane.recordRun(context.actor, view.projectId, {
        digest: view.digest,
        tier: view.tier,
        runId: view.runId,
        status: view.status === 'queued' || view.status === 'running' ? 'failed' : view.status,
        gateDecision: report?.quality?.decision ?? null,
        dryRun: view.dryRun,
      });
    },
  });
}
