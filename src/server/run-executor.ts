/**
 * How the server executes a queued run: a `governedRun` of the contract version loaded from its
 * stored texts, under the API's run id, with its events streamed to subscribers; what the run
 * resolved is scrubbed from its report and errors, and the report and final view are stored.
 */
import type { BackupPolicy, BackupStore } from '../backup/config.js';
import type { Actor, ControlPlane } from '../control/plane.js';
import { governedRun, RunNotRecordedError } from '../run/governed-run.js';
import type { RunEvent } from '../engine/events.js';
import type { RunReport } from '../run/report.js';
import { recordRelease } from '../run/release-gate.js';
import type { RunStore } from './run-store.js';
import { RunWorker } from './run-worker.js';
import { FerryError } from '../errors.js';
import type { LoadedContract } from '../contract/model.js';
import { parseConnectorUrl } from '../connectors/url.js';
import type { FerryMetrics } from '../metrics/registry.js';
import { countUnstartedRun, trackRun, type RunTracker } from '../metrics/run-metrics.js';

/**
 * Replaces, in a message, everything the run resolved that its viewers must not see — the
 * source's and target's URLs, paths, hosts and databases and the data directory — with the references the run was started with.
 */
export function resolvedScrubber(context: RunContext, dataDir: string): (message: string) => string {
  const pairs: Array<[string, string]> = [];
  const add = (url: string | null, name: string | null) => {
    if (!url || !name) return;
    pairs.push([url, name]);
    try {
      if (/^(postgres|postgresql|mysql|mariadb):\/\//i.test(url)) {
        // Read as a plain URL: the connector's parser would resolve password_env, and fail without it.
        const u = new URL(url);
        if (u.hostname) pairs.push([decodeURIComponent(u.hostname), `${name} (host)`]);
        if (u.username) pairs.push([decodeURIComponent(u.username), `${name} (user)`]);
        const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
        if (db) pairs.push([db, `${name} (database)`]);
      } else {
        const parsed = parseConnectorUrl(url, {});
        if (parsed.path) pairs.push([parsed.path, name]);
      }
    } catch {
      // An unparsable URL is still replaced whole above.
    }
  };
  add(context.targetUrl, context.targetRef);
  add(context.sourceUrl, context.sourceRef);
  pairs.push([dataDir, "the server's data directory"]);
  // Longest first, so a path is replaced before the directory it lies in.
  const ordered = pairs.filter(([from]) => from.length >= 3).sort((a, b) => b[0].length - a[0].length);
  return (message) => ordered.reduce((text, [from, to]) => text.split(from).join(to), message);
}

/** What only the executor sees about a run: who started it and the resolved connections. */
export interface RunContext {
  actor: Actor;
  /** The contract version, loaded from its stored texts. */
  contract: LoadedContract;
  sourceUrl: string;
  targetUrl: string | null;
  /** The references the run was started with, which its stored report names instead of URLs or paths. */
  sourceRef: string;
  targetRef: string | null;
  /** The engine's id of an earlier attempt of this run to continue (a job-queue retry), if it started one. */
  resume?: string;
}

/** Backups before the server's runs: the operator's store, and each project's policy (kept in the control plane). */
export interface ServerBackup {
  /** The operator's backup store; unset, runs record `backup:skipped` (not_configured), or are refused where a policy requires one. */
  store?: BackupStore;
  /** The project's backup policy (required, retention), if it has one. */
  policyFor?: (orgId: string, projectId: string) => Promise<BackupPolicy | undefined>;
}

export interface RunExecutorOptions {
  plane: ControlPlane;
  /** Take a backup before every writing run (src/backup); without it server runs take none. */
  backup?: ServerBackup;
  /** The server's data directory, never named in a run's error. */
  dataDir: string;
  runs: RunStore;
  concurrency?: number;
  batchSize?: number;
  onError(err: unknown, runId: string): void;
  /** Sees every engine event (the job-queue worker notes the engine's run id for a retry to resume). */
  onEvent?: (runId: string, e: RunEvent) => void;
  /**
   * True for a run whose attempt was handed back to the job queue (lease run out, server
   * stopping): its next attempt resumes it, so this one stores no final view.
   */
  handedBack?: (runId: string) => boolean;
  /** The process's metrics, which every run's events and end move (docs/operations.md). */
  metrics?: FerryMetrics;
}

/** The server's run worker. */
export function createRunWorker(o: RunExecutorOptions): RunWorker<RunContext> {
  const trackers = new Map<string, RunTracker>();
  return new RunWorker<RunContext>({
    concurrency: o.concurrency,
    onError: o.onError,
    onEvent: o.onEvent,
    execute: async ({ runId, spec, context }, signal, notify) => {
      const tracker = o.metrics ? trackRun(o.metrics, { runId, project: spec.projectId, tier: spec.tier }) : undefined;
      if (tracker) trackers.set(runId, tracker);
      const onEvent = tracker
        ? (e: RunEvent) => {
            tracker.onEvent(e);
            notify(e);
          }
        : notify;
      const scrub = resolvedScrubber(context, o.dataDir);
      // An upload's or synthetic set's directory, or a target file, is the server's business.
      const present = (report: RunReport, error = report.error): RunReport => {
        const rec = report.reconciliation;
        return {
          ...report,
          source: context.sourceRef,
          target: context.targetRef,
          ...(rec ? { reconciliation: { ...rec, report: { ...rec.report, source: context.sourceRef, target: context.targetRef ?? '' } } } : {}),
          ...(error ? { error: { code: error.code, message: scrub(error.message) } } : {}),
        };
      };
      try {
        const backup = o.backup ? { store: o.backup.store, policy: await o.backup.policyFor?.(context.actor.orgId, spec.projectId) } : undefined;
        const report = await governedRun({
          backup,
          run: {
            contract: context.contract,
            sourceUrl: context.sourceUrl,
            targetUrl: context.targetUrl ?? undefined,
            dryRun: spec.dryRun,
            tier: spec.tier,
            ...(context.resume ? { resume: context.resume } : {}),
            batchSize: o.batchSize,
            countTotals: true,
            signal,
            onEvent,
          },
          // The trail and the record know the run by the id the API handed out, so `?runId=` finds it.
          runId,
          audit: { log: o.plane.audit, actor: context.actor.userId, orgId: context.actor.orgId, projectId: spec.projectId },
          release: { plane: o.plane, actor: context.actor, projectId: spec.projectId },
        });
        return present(report);
      } catch (err) {
        if (err instanceof RunNotRecordedError) {
          // The run finished: its report is stored and shown, with why the project has no record of it.
          o.onError(err.cause, runId);
          return present(err.report, { code: err.code, message: err.message });
        }
        if (err instanceof FerryError) throw new FerryError(err.kind, err.code, scrub(err.message));
        // The cause goes to the operator's log only: a driver's message names hosts, paths and values.
        o.onError(err, runId);
        throw new FerryError('internal', 'run.internal', 'the run failed unexpectedly; the operator finds the cause in the server log under this run id');
      }
    },
    onSettled: async (view, report, context) => {
      const tracker = trackers.get(view.runId);
      trackers.delete(view.runId);
      if (o.handedBack?.(view.runId)) {
        tracker?.abandon();
        return;
      }
      if (tracker) tracker.finish(view.status, report);
      else if (o.metrics) countUnstartedRun(o.metrics, view.status, view.tier);
      await o.runs.save({ view, report });
      // A run cancelled while queued never reached governedRun, which records every run it starts.
      if (view.startedAt === null) {
        await recordRelease(
          { plane: o.plane, actor: context.actor, projectId: view.projectId },
          { runId: view.runId, digest: view.digest, tier: view.tier, dryRun: view.dryRun, status: 'cancelled', report: null },
        );
      }
    },
  });
}
