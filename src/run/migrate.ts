/**
 * A run by path and URL: load the contract, build its quality gate, open source and target,
 * run, reconcile what landed, and always close what was opened. `governedRun` adds the release
 * gate, the audit trail and the run record around it.
 */
import { openSource, openTarget } from '../connectors/registry.js';
import type { Source, Target } from '../connectors/connector.js';
import { contractDigest } from '../contract/canonical.js';
import { FerryError } from '../errors.js';
import { contractOf, type ContractSource } from '../contract/load.js';
import type { Tier } from '../contract/model.js';
import { DEFAULT_BATCH_SIZE, runMigration, type RunOptions } from '../engine/run.js';
import { createQualityCollector } from '../quality/collector.js';
import { withVerdict } from './quality-verdict.js';
import { reconcileAfterRun } from './reconcile-step.js';
import type { RunReport } from './report.js';
import { queuedPartitions } from './queued-partitions.js';
import type { JobQueue } from '../queue/job-queue.js';

interface MigrateRun extends Omit<RunOptions, 'loaded' | 'digest' | 'source' | 'target' | 'gate' | 'reconcileAfter' | 'remote'> {
  sourceUrl: string;
  targetUrl?: string;
  /** Release tier whose quality thresholds gate the run (default `pre_production`). */
  tier?: Tier;
  /** Reconcile source against target at the end of the run (default true). */
  reconcile?: boolean;
  /** Load the partitions on the workers of this queue instead of here (queued-partitions.ts). */
  queue?: JobQueue;
  /** With `queue`: each partition job's lease in seconds (default 15 minutes). */
  leaseSeconds?: number;
  /**
   * Opens the source instead of `sourceUrl` (a sync's snapshot: every read, partitions included,
   * sees the one consistent point the change stream starts from); `sourceUrl` still names it.
   */
  openSourceWith?: () => Promise<Source>;
  /** Runs once preflight passed, just before the target is opened for writing (the pre-run backup); never for a dry run. */
  beforeWrite?: () => Promise<void>;
}

/** A run's options: the contract (loaded, or its file), the source and target URLs, and the engine's options. */
export type MigrateOptions = MigrateRun & ContractSource;

/**
 * Loads the contract, opens source and target by URL, runs, reconciles, and closes both. With
 * reconciliation the run is recorded final only once it is reconciled; resuming a run whose
 * reconciliation was cut short reconciles its stored load without loading again.
 */
export async function migrate(o: MigrateOptions): Promise<RunReport> {
  const loaded = await contractOf(o);
  const digest = contractDigest(loaded);
  // Built before anything connects: a table rule or check naming an unknown column stops here.
  const gate = createQualityCollector(loaded, { tier: o.tier ?? 'pre_production' });
  let source: Source | undefined;
  let target: Target | undefined;
  try {
    if (o.openSourceWith && o.queue) throw new FerryError('usage', 'run.queue_snapshot', "a sync's snapshot is read in one process (its snapshot cannot travel to queue workers): leave out --queue");
    source = o.openSourceWith ? await o.openSourceWith() : await openSource(o.sourceUrl);
    const targetUrl = o.targetUrl;
    const beforeWrite = o.beforeWrite;
    const lazyTarget =
      targetUrl && !o.dryRun
        ? async () => {
            await beforeWrite?.();
            return (target = await openTarget(targetUrl));
          }
        : undefined;
    const reconcile = o.reconcile !== false && lazyTarget !== undefined;
    const remote =
      o.queue && targetUrl
        ? queuedPartitions({
            queue: o.queue,
            loaded,
            digest,
            sourceUrl: o.sourceUrl,
            targetUrl,
            batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
            batchBytes: o.batchBytes,
            unitValues: o.unitValues,
            lineage: o.lineage ?? true,
            undo: o.undo ?? true,
            onEvent: o.onEvent,
            signal: o.signal,
            leaseSeconds: o.leaseSeconds,
          })
        : undefined;
    const report = await runMigration({ ...o, loaded, digest, source, target: lazyTarget, gate, reconcileAfter: reconcile, remote });
    // Reconcile what landed, unless the run did not finish its load (nothing to prove yet).
    if (reconcile && target && targetUrl && (report.status === 'succeeded' || report.status === 'failed_gate')) {
      return await reconcileAfterRun(report, { loaded, digest, source, target, targetUrl, pilot: o.pilot, signal: o.signal, onEvent: o.onEvent });
    }
    return withVerdict(report);
  } finally {
    await Promise.allSettled([source?.close(), target?.close()]);
  }
}
