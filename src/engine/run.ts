/**
 * A run: contract digest × source × target. Stages: preflight (connect, drift check) → plan
 * (foreign-key order) → per table: extract → transform → validate → load, checkpointed per
 * batch → accounting check → report. Resumable with the run id; idempotent per batch.
 */
import { randomBytes } from 'node:crypto';
import type { Checkpoint, RunRecord, Source, Target } from '../connectors/connector.js';
import type { LoadedContract } from '../contract/model.js';
import { FerryError, issue, type Issue } from '../errors.js';
import { lookupSpecs, type CrosswalkObserver } from '../transform/compile.js';
import { crosswalkVersions } from '../lineage/crosswalks.js';
import { LoadedKeys } from './cascade.js';
import { detectDrift } from './drift.js';
import type { RunEventListener, TableCounts } from './events.js';
import type { RunGate } from './gate.js';
import { LookupCache } from './joins.js';
import type { RunObserver } from './observer.js';
import { selectPilot, type PilotSelection } from './pilot.js';
import { decodePlan, encodePlan, partitionsOf, planPartitions, WHOLE_TABLES, type Partition, type PartitionPlan } from './partitions.js';
import { planLoad, runPlanned } from './plan.js';
import { REPORT_FORMAT, type EngineReport, type ReasonEntry, type RunStatus, type TableReport } from './report.js';
import { runPartition, type ReasonCount, type TableResult } from './table-job.js';
import { TableRun } from './table-run.js';
import { VerdictReplay } from './verdict-replay.js';
import { rate } from './throughput.js';
import { mappedTargetDefs } from './target-defs.js';

/**
 * Source rows per commit unit unless told otherwise. Every unit costs a transaction, a few
 * round trips and its checkpoint: 50,000-row units loaded the 1M-row benchmark about 15% faster
 * than 10,000-row ones (median 3.0 s against 3.6 s), and a resumed run redoes at most one unit.
 */
export const DEFAULT_BATCH_SIZE = 50_000;

/** A table below this many source rows is not cut: its partitions would each be a fraction of one commit unit. */
export const MIN_PARTITION_ROWS = 100_000;
export interface RunOptions {
  loaded: LoadedContract;
  digest: string;
  source: Source;
  /** Required unless `dryRun`. A factory is only called after preflight passed, so a drifted source never touches the target. */
  target?: Target | (() => Promise<Target>);
  dryRun?: boolean;
  pilot?: { patients: number; table?: string };
  /** Continue this earlier run from its last committed checkpoints. */
  resume?: string;
  /** Source rows per commit unit (default DEFAULT_BATCH_SIZE; see table-job.ts for the memory bounds). */
  batchSize?: number;
  /** Bytes of binary values after which a batch commits early (default 64 MB; see table-job.ts). */
  batchBytes?: number;
  /** Values a commit unit may hold for targets that keep its rows (default 500,000; see table-job.ts). */
  unitValues?: number;
  /** Partitions loaded at once: of one table, or of tables with no foreign-key dependency between them (default 2). */
  concurrency?: number;
  /**
   * Key ranges each large table is cut into (default 1: whole tables); see partitions.ts for
   * which tables can be. Ignored on resume, which keeps the plan the run began with.
   */
  partitions?: number;
  /** Tables with fewer source rows than this stay whole (default MIN_PARTITION_ROWS). */
  minPartitionRows?: number;
  /**
   * Loads each partition elsewhere (a queue worker) instead of here; the run then replays every
   * partition here, without writing, so the gate and observers see every row (RemotePartitions).
   */
  remote?: RemotePartitions;
  /** Count source rows first so progress can show totals and ETA. */
  countTotals?: boolean;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  observer?: CrosswalkObserver;
  /** Sees every committed batch's outcome, besides the gate. */
  runObserver?: RunObserver;
  /**
   * The quality gate (quality/collector.ts, built by the caller): it sees every batch and code,
   * and its failure makes the run `failed_gate`. Without one the report has no quality section.
   */
  gate?: RunGate;
  /** Write per-source-row lineage into the target (default true; dry runs never write any). */
  lineage?: boolean;
  /** Record the undo log that `ferry rollback` needs (default true). */
  undo?: boolean;
  /**
   * The caller reconciles the run afterwards and records its final status: a load that ends
   * succeeded or failed_gate is recorded `reconciling` (with its report), and resuming such a
   * run returns the stored report without loading anything.
   */
  reconcileAfter?: boolean;
  today?: () => string;
  now?: () => Date;
}

/**
 * Has one partition of run `runId` loaded by someone else (partition-job.ts runs it there) and
 * returns its result; adds the rows it commits to `tally` as they commit, when it can, for progress.
 */
export type RemotePartitions = (job: RemotePartition) => Promise<TableResult>;

/** What a remote partition needs from the run that hands it out. */
export interface RemotePartition {
  runId: string;
  /** The run's day, fixed when it began (date rules). */
  runDay: string;
  partition: Partition;
  /** The table's running totals: add the partition's commits as they are seen. */
  tally: TableCounts;
  /** The run's target, to follow the partition's checkpoint. */
  target: Target;
}

/** A fresh, sortable run id: time plus randomness. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Executes a migration run and returns its report; throws only for preflight failures. */
export async function runMigration(o: RunOptions): Promise<EngineReport> {
  const now = o.now ?? (() => new Date());
  const startedAt = now();
  const contract = o.loaded.contract;
  const dryRun = o.dryRun ?? false;
  if (!dryRun && !o.target) throw new FerryError('usage', 'run.no_target', 'a target is required unless --dry-run is given');
  if (o.remote && (dryRun || o.pilot)) throw new FerryError('usage', 'run.queue_unsupported', 'a dry run or a pilot runs in one process: leave out --queue');
  const batchSize = o.batchSize ?? DEFAULT_BATCH_SIZE;
  // One day per run, fixed when it starts (a resume takes the original start's), so date rules
  // judge every row alike: a run that crosses midnight or is resumed tomorrow decides as one that did not.
  let runDay = startedAt.toISOString().slice(0, 10);
  const today = o.today ?? (() => runDay);

  // Preflight: the live source must match the pinned schema before a single row moves.
  const live = await o.source.introspect();
  const drift = detectDrift(contract, live, { compareTypes: o.source.kind !== 'csv' && o.source.kind !== 'ndjson' });
  if (drift.length > 0) {
    throw new FerryError('drift', 'run.schema_drift', `the source schema has drifted from the contract's pinned schema (${drift.length} difference(s)); nothing was moved`, drift);
  }
  const target = dryRun || !o.target ? undefined : typeof o.target === 'function' ? await o.target() : o.target;
  const gate = o.gate;
  const defs = mappedTargetDefs(contract);
  const defByName = new Map(defs.map((d) => [d.name, d]));

  let runId = o.resume ?? newRunId(startedAt);
  let checkpoints = new Map<string, Checkpoint>();
  // A pilot reads a subset chosen by key; cutting it would gain nothing.
  const planNew = (): Promise<PartitionPlan> =>
    o.pilot ? Promise.resolve(WHOLE_TABLES) : planPartitions(contract, o.source, { partitions: o.partitions ?? 1, minRows: o.minPartitionRows ?? MIN_PARTITION_ROWS, signal: o.signal });
  let partitionPlan: PartitionPlan;
  if (target) {
    await target.ensureSchema(defs, { create: true });
    if (o.resume) {
      const existing = await target.getRun(o.resume);
      if (!existing) throw new FerryError('not_found', 'run.unknown', `run ${o.resume} is not recorded in the target ${target.displayUrl}; check the run id`);
      if (existing.contractDigest !== o.digest) {
        throw new FerryError(
          'conflict',
          'run.digest_mismatch',
          `run ${o.resume} was started with contract ${existing.contractDigest.slice(0, 12)}…, not ${o.digest.slice(0, 12)}…; resume it with the same contract or start a new run`,
        );
      }
      if (existing.status === 'succeeded') throw new FerryError('conflict', 'run.already_finished', `run ${o.resume} already finished successfully; there is nothing to resume`);
      // The gate decided over every row of the finished load; a resume has nothing left to load or decide.
      if (existing.status === 'failed_gate')
        throw new FerryError('conflict', 'run.gate_failed', `run ${o.resume} finished with a failed quality gate; fix the contract or the source data and start a new run`);
      if (existing.status === 'rolled_back') throw new FerryError('conflict', 'run.rolled_back', `run ${o.resume} was rolled back; start a new run instead of resuming it`);
      runDay = existing.startedAt.slice(0, 10);
      if (existing.status === 'reconciling') return loadedRun(o, target, existing);
      partitionPlan = decodePlan(runId, existing.plan);
      await target.beginRun({ ...existing, status: 'running' });
      checkpoints = new Map((await target.checkpoints(runId)).map((c) => [c.table, c]));
    } else {
      partitionPlan = await planNew();
      await target.beginRun({ runId, contractDigest: o.digest, startedAt: startedAt.toISOString(), status: 'running', crosswalks: crosswalkVersions(o.loaded), plan: encodePlan(partitionPlan) });
    }
  } else if (o.resume) {
    throw new FerryError('usage', 'run.resume_dry', '--resume needs a target; a dry run keeps no checkpoints');
  } else {
    runId = `${runId}-dry`;
    partitionPlan = await planNew();
  }

  const plan = planLoad(contract);
  o.onEvent?.({ type: 'run:started', runId, contractDigest: o.digest, tables: plan.map((p) => p.table), resumed: Boolean(o.resume), dryRun });

  let pilot: PilotSelection | undefined;
  if (o.pilot) pilot = await selectPilot(contract, o.source, { ...o.pilot, sliceRows: batchSize, signal: o.signal });
  const observers: RunObserver[] = [...(gate ? [gate] : []), ...(o.runObserver ? [o.runObserver] : [])];
  const runObserver: RunObserver | undefined =
    observers.length <= 1
      ? observers[0]
      : {
          loadedRows: (table, def, mapping) => {
            const each = observers.map((ob) => ob.loadedRows(table, def, mapping));
            return (row, key, warned) => each.forEach((f) => f(row, key, warned));
          },
          batch: (outcome) => observers.forEach((ob) => ob.batch(outcome)),
        };
  const lookups = new LookupCache();
  await lookups.load(o.source, lookupSpecs(contract), batchSize, o.signal);
  // A resumed run's table jobs replay what earlier processes committed (table-job.ts), which re-derives these keys too.
  const parentKeys = new LoadedKeys(contract, o.loaded.crosswalks);

  /**
   * Runs every partition of the plan, parents' tables before children's: here (`remote`
   * undefined), or each on a queue worker; returns the tables' results and the first failure.
   */
  /** Loads (or, from a done checkpoint, replays) one partition in this process. */
  const partitionHere = (part: Partition, resumeFrom: Checkpoint | undefined, tally: TableCounts): Promise<TableResult> =>
    runPartition({
      runId,
      loaded: o.loaded,
      table: part.table,
      def: defByName.get(part.table)!,
      partition: part,
      tally,
      source: o.source,
      target,
      batchSize,
      batchBytes: o.batchBytes,
      unitValues: o.unitValues,
      resumeFrom,
      pilotKeys: pilot?.included.get(contract.mappings[part.table].source),
      lookups,
      signal: o.signal,
      onEvent: o.onEvent,
      observer: crosswalkObserver(gate?.forTable(part.table), o.observer),
      runObserver,
      today,
      lineage: o.lineage ?? true,
      undo: o.undo ?? true,
      parentKeys,
    });
  // Workers load without this process's observers: the gate, the crosswalk observer and the
  // caller's observer see the run by replaying each partition here as soon as it has loaded,
  // in key order and parents first, which writes nothing and decides exactly as a run that
  // loaded here would; a source that changed under the workers fails it (run.source_changed).
  const replay =
    o.remote && target
      ? new VerdictReplay({
          runId,
          plan,
          cut: partitionPlan,
          target,
          replay: (part, done) => partitionHere(part, done, { read: 0, loaded: 0, quarantined: 0, excluded: 0 }),
          tableDone: (table) => gate?.tableDone(table),
        })
      : undefined;

  const loadAll = async (cut: PartitionPlan, checkpoints: ReadonlyMap<string, Checkpoint>, remote?: RemotePartitions): Promise<{ results: Map<string, TableResult>; failure: unknown }> => {
    const tableRuns = new Map<string, TableRun>();
    const units: Array<Partition & { after: string[] }> = [];
    for (const p of plan) {
      const partitions = partitionsOf(cut, p.table);
      tableRuns.set(
        p.table,
        new TableRun({
          runId,
          table: p.table,
          def: defByName.get(p.table)!,
          mapping: contract.mappings[p.table],
          partitions,
          checkpoints,
          source: o.source,
          target,
          undo: o.undo ?? true,
          countTotal: o.countTotals ?? false,
          onEvent: o.onEvent,
        }),
      );
      for (const part of partitions) units.push({ ...part, after: p.after });
    }
    const results = new Map<string, TableResult>();
    let failure: unknown;
    try {
      await runPlanned(
        units,
        Math.max(1, o.concurrency ?? 2),
        async (part) => {
          const table = part.table;
          const tableRun = tableRuns.get(table)!;
          await tableRun.start();
          const r = remote ? await remote({ runId, runDay, partition: part, tally: tableRun.tally, target: target as Target }) : await partitionHere(part, tableRun.resumeFrom(part), tableRun.tally);
          if (!o.signal?.aborted) replay?.partitionLoaded(part);
          const whole = await tableRun.partitionDone(r, o.signal?.aborted === true);
          if (!whole) return;
          results.set(table, whole);
          if (!o.signal?.aborted && !remote) gate?.tableDone(table);
        },
        o.signal,
      );
    } catch (err) {
      failure = err;
    }
    if (o.signal?.aborted) {
      for (const [table, tableRun] of tableRuns) {
        const partial = results.has(table) ? undefined : tableRun.partial();
        if (partial) results.set(table, partial);
      }
    }
    return { results, failure };
  };

  let { results, failure } = await loadAll(partitionPlan, checkpoints, o.remote);
  if (replay) {
    if (failure !== undefined || o.signal?.aborted) replay.stop(failure ?? o.signal?.reason);
    else {
      try {
        const loads = results;
        results = await replay.results();
        // The report's timings and rates are the load's, not the replay's.
        for (const [t, r] of results) Object.assign(r, { readHere: loads.get(t)?.readHere ?? 0, elapsedMs: loads.get(t)?.elapsedMs ?? r.elapsedMs });
      } catch (err) {
        failure = err;
      }
    }
  }

  const tables: TableReport[] = [];
  for (const p of plan) {
    const r = results.get(p.table);
    if (!r) continue;
    tables.push({
      table: r.table,
      source: r.source,
      read: r.read,
      loaded: r.loaded,
      quarantined: r.quarantined,
      excluded: r.excluded,
      balanced: r.read === r.loaded + r.quarantined + r.excluded,
      elapsedMs: r.elapsedMs,
      rowsPerSecond: rate(r.readHere, r.elapsedMs),
      keyRanges: partitionsOf(partitionPlan, r.table).length,
      quarantineReasons: sortReasons(r.reasons),
      warnings: sortReasons(r.warnings),
    });
  }

  const issues: Issue[] = [];
  for (const t of tables) {
    if (!t.balanced) {
      issues.push(issue('run.unbalanced', `tables.${t.table}`, `${t.table}: read ${t.read} ≠ loaded ${t.loaded} + quarantined ${t.quarantined} + excluded ${t.excluded}`));
    }
  }
  const qualityReport = gate?.result(tables);
  let status: RunStatus = 'succeeded';
  let error: EngineReport['error'];
  if (o.signal?.aborted) {
    status = 'cancelled';
    error = { code: 'run.cancelled', message: 'the run was cancelled; resume it with --resume ' + runId };
  } else if (failure !== undefined) {
    status = 'failed';
    error = failure instanceof FerryError ? { code: failure.code, message: failure.message } : { code: 'run.failed', message: failure instanceof Error ? failure.message : String(failure) };
  } else if (issues.length > 0) {
    status = 'failed';
    error = { code: 'run.unbalanced', message: issues.map((i) => i.message).join('; ') };
  } else if (gate && qualityReport?.decision === 'fail') {
    status = 'failed_gate';
    error = { code: 'run.failed_gate', message: gate.failure(qualityReport) };
  }
  const finishedAt = now();
  const totals = tables.reduce((a, t) => ({ read: a.read + t.read, loaded: a.loaded + t.loaded, quarantined: a.quarantined + t.quarantined, excluded: a.excluded + t.excluded }), {
    read: 0,
    loaded: 0,
    quarantined: 0,
    excluded: 0,
  });
  const report: EngineReport = {
    format: REPORT_FORMAT,
    runId,
    status,
    dryRun,
    resumed: Boolean(o.resume),
    contract: { name: contract.metadata.name, version: contract.metadata.version, digest: o.digest },
    source: o.source.displayUrl,
    target: target?.displayUrl ?? null,
    pilot: pilot ? { root: pilot.root, patients: pilot.patients } : null,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    elapsedMs: finishedAt.getTime() - startedAt.getTime(),
    totals,
    rowsPerSecond: rate(
      [...results.values()].reduce((n, r) => n + r.readHere, 0),
      finishedAt.getTime() - startedAt.getTime(),
    ),
    tables,
    quarantineReasons: mergeReasons(tables.flatMap((t) => t.quarantineReasons)),
    ...(qualityReport ? { quality: qualityReport } : {}),
    lineage: Boolean(target) && (o.lineage ?? true),
    ...(error ? { error } : {}),
  };
  // A run its caller reconciles is not final until it has been: the stored report lets --resume finish a reconciliation that was cut short.
  const reconciling = o.reconcileAfter === true && (status === 'succeeded' || status === 'failed_gate');
  if (target) await target.finishRun(runId, reconciling ? 'reconciling' : status, JSON.stringify(report));
  o.onEvent?.({ type: 'run:finished', runId, status, elapsedMs: report.elapsedMs });
  return report;
}

/**
 * A resumed run whose load had finished (`reconciling`): nothing is loaded again; its stored
 * report is returned for the caller to reconcile, or, when the caller will not, recorded final.
 */
async function loadedRun(o: RunOptions, target: Target, existing: RunRecord): Promise<EngineReport> {
  const report: EngineReport = { ...storedReport(existing), resumed: true };
  if (!o.reconcileAfter) await target.finishRun(report.runId, report.status, JSON.stringify(report));
  o.onEvent?.({ type: 'run:started', runId: report.runId, contractDigest: o.digest, tables: report.tables.map((t) => t.table), resumed: true, dryRun: false });
  for (const t of report.tables)
    o.onEvent?.({ type: 'table:finished', runId: report.runId, table: t.table, counts: { read: t.read, loaded: t.loaded, quarantined: t.quarantined, excluded: t.excluded }, elapsedMs: t.elapsedMs });
  o.onEvent?.({ type: 'run:finished', runId: report.runId, status: report.status, elapsedMs: report.elapsedMs });
  return report;
}

/** The report a run stored in the target's ledger when its load finished (or, later, once it was reconciled). */
export function storedReport(run: RunRecord): EngineReport {
  let parsed: unknown;
  try {
    parsed = run.report === undefined ? undefined : JSON.parse(run.report);
  } catch {
    parsed = undefined;
  }
  const r = parsed as Partial<EngineReport> | undefined;
  if (!r || r.format !== REPORT_FORMAT || r.runId !== run.runId || !Array.isArray(r.tables) || (r.status !== 'succeeded' && r.status !== 'failed_gate')) {
    throw new FerryError(
      'internal',
      'run.report_unreadable',
      `run ${run.runId} is recorded as ${run.status}, but the report it stored in the target's ledger is missing or damaged; prove it with \`ferry reconcile ${run.runId}\` or start a new run`,
    );
  }
  return r as EngineReport;
}

/** Both observers see every code: the gate's per-table one and the caller's. */
function crosswalkObserver(table: CrosswalkObserver | undefined, extra: CrosswalkObserver | undefined): CrosswalkObserver | undefined {
  if (!table || !extra) return table ?? extra;
  return { seen: (crosswalk, code, mapped) => (table.seen(crosswalk, code, mapped), extra.seen(crosswalk, code, mapped)) };
}

function sortReasons(m: Map<string, ReasonCount>): ReasonEntry[] {
  return [...m.values()].sort((a, b) => b.count - a.count || a.reasonCode.localeCompare(b.reasonCode) || a.rule.localeCompare(b.rule));
}

function mergeReasons(list: ReasonEntry[]): ReasonEntry[] {
  const m = new Map<string, ReasonCount>();
  for (const r of list) {
    const k = `${r.reasonCode}\u0000${r.rule}`;
    const hit = m.get(k);
    if (hit) hit.count += r.count;
    else m.set(k, { ...r });
  }
  return sortReasons(m);
}
