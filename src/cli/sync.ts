/**
 * `ferry sync start|status|cutover|stop`: thin shells over src/sync (docs/sync.md).
 */
import { backupStoreOf } from '../backup/config.js';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { localActor } from '../audit/actor.js';
import { AuditLog } from '../audit/log.js';
import { openConfiguredStore } from '../audit/open-store.js';
import { TIERS, type Tier } from '../contract/model.js';
import { EXIT_CODES, FerryError } from '../errors.js';
import { cutover, type CutoverRecord } from '../sync/cutover.js';
import { SYNC_METHODS, type SyncMethod } from '../sync/open-capture.js';
import { startSync, type SyncEvent } from '../sync/start-sync.js';
import { stopSync } from '../sync/stop-sync.js';
import { syncStatus, type SyncStatus } from '../sync/sync-status.js';
import { METRICS_LISTEN_HELP, metricsSettings, startMetricsListener } from '../metrics/endpoint.js';
import { syncMetrics } from '../metrics/sync-metrics.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { createProgress } from './progress.js';
import { withInterrupt } from './run.js';

interface UrlFlags {
  source?: string;
  target?: string;
  store?: string;
}

interface StartFlags extends UrlFlags {
  method?: SyncMethod;
  resume?: string;
  tier: Tier;
  partitions: number;
  partitionMinRows?: number;
  concurrency: number;
  poll?: number;
  lineage: boolean;
  json?: boolean;
  metricsListen?: string;
  /** Commander's negation of --no-backup. */
  backup: boolean;
  backupDir?: string;
}

interface CutoverFlags extends UrlFlags {
  tier: Tier;
  quiet: number;
  freezeTimeout: number;
  json?: boolean;
}

function positive(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new FerryError('usage', 'cli.bad_number', `${name} must be a positive number`);
    return n;
  };
}

function urls(flags: UrlFlags, io: CliIO, needSource: boolean): { sourceUrl: string; targetUrl: string } {
  const sourceUrl = flags.source ?? io.env.FERRY_SOURCE_URL;
  const targetUrl = flags.target ?? io.env.FERRY_TARGET_URL;
  if (needSource && !sourceUrl) throw new FerryError('usage', 'cli.no_source', 'no source: give --source URL or set FERRY_SOURCE_URL');
  if (!targetUrl) throw new FerryError('usage', 'cli.no_target', 'no target: give --target URL or set FERRY_TARGET_URL');
  return { sourceUrl: sourceUrl ?? '', targetUrl };
}

/** Opens the audit trail the sync's events go to, as the local account. */
async function withAudit<T>(io: CliIO, flags: UrlFlags, fn: (audit: { log: AuditLog; actor: string }) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore({ flag: flags.store, env: io.env, cwd: io.cwd });
  try {
    return await fn({ log: new AuditLog(store), actor: localActor(io.env) });
  } finally {
    await store.close();
  }
}

async function startCommand(contract: string, flags: StartFlags, io: CliIO): Promise<number> {
  const { sourceUrl, targetUrl } = urls(flags, io, true);
  const progress = createProgress(io, Boolean(flags.json));
  const onEvent = (e: SyncEvent): void => {
    // One event per line, so a supervisor can follow the stream line by line.
    if (flags.json) return io.out(JSON.stringify(e.type === 'sync:snapshot' ? { type: e.type, runId: e.report.runId, status: e.report.status } : e));
    switch (e.type) {
      case 'sync:id':
        return io.out(e.syncId);
      case 'sync:snapshot':
        return io.out(`snapshot run ${e.report.runId}: ${e.report.status}, ${e.report.totals.loaded} loaded, ${e.report.totals.quarantined} quarantined`);
      case 'sync:streaming':
        return io.out(`streaming from ${e.position}`);
      case 'sync:progress': {
        const p = e.progress;
        return io.out(`lag ${p.lagBytes ?? '?'} bytes, ${p.lagSeconds.toFixed(1)} s, ${p.pendingTransactions} transaction(s) waiting; ${p.appliedPerSecond} applied/s`);
      }
      case 'sync:applied':
        return;
    }
  };
  // Read before anything connects, as for ferry run: a directory without a key is a usage error.
  const backupStore = flags.backup ? backupStoreOf({ dir: flags.backupDir, env: io.env, cwd: io.cwd }) : undefined;
  const served = await startMetricsListener(metricsSettings(flags.metricsListen, io.env), () => io.err('ferry sync: a metrics scrape failed'));
  if (served) io.err(`ferry sync: metrics at ${served.endpoint.url}/metrics`);
  const measured = served ? syncMetrics(served.metrics, flags.tier) : undefined;
  const outcome = await withAudit(io, flags, (audit) =>
    withInterrupt((signal) =>
      startSync({
        contractFile: path.resolve(io.cwd, contract),
        sourceUrl,
        targetUrl,
        method: flags.method,
        resume: flags.resume,
        tier: flags.tier,
        partitions: flags.partitions,
        minPartitionRows: flags.partitionMinRows,
        concurrency: flags.concurrency,
        pollSeconds: flags.poll,
        lineage: flags.lineage,
        backup: { store: backupStore, skip: !flags.backup, notice: (line) => io.err(line) },
        audit,
        signal,
        onEvent: measured
          ? (e) => {
              measured.onEvent(e);
              onEvent(e);
            }
          : onEvent,
        onRunEvent: measured
          ? (e) => {
              measured.onRunEvent(e);
              progress.listener(e);
            }
          : progress.listener,
      }).finally(() => progress.stop()),
    ),
  ).finally(() => served?.endpoint.close());
  if (!flags.json) io.out(`sync ${outcome.syncId} ${outcome.end === 'stopping' ? 'stopped on request' : 'interrupted'} at ${outcome.position}`);
  return 0;
}

function formatStatus(s: SyncStatus): string {
  const lines = [
    `${s.syncId}  ${s.state}${s.state === 'streaming' && !s.streaming ? ' (no process is streaming it: ferry sync start --resume)' : ''}`,
    `  method ${s.method}, source ${s.source}`,
    `  position ${s.position ?? '-'}, last source commit applied ${s.lastCommitAt ?? '-'}`,
  ];
  if (s.streaming) lines.push(`  lag ${s.lag.bytes ?? '?'} bytes, ${s.lag.seconds?.toFixed(1) ?? '?'} s, ${s.lag.pendingTransactions ?? '?'} transaction(s) waiting`);
  lines.push(`  applied ${s.counts.transactions} transaction(s), ${s.counts.changes} change(s)`);
  for (const [table, t] of Object.entries(s.counts.tables)) lines.push(`    ${table}: ${t.upserted} upserted, ${t.deleted} deleted, ${t.quarantined} quarantined, ${t.excluded} excluded`);
  if (s.error) lines.push(`  error ${s.error.code}: ${s.error.message}`);
  if (s.cutover) lines.push(`  cutover ${s.cutover.matched ? 'matched' : 'did not match'} at ${s.cutover.finishedAt} (window ${(s.cutover.windowMs / 1000).toFixed(1)} s)`);
  return lines.join('\n');
}

function formatCutover(c: CutoverRecord): string {
  const lines = [
    `cutover of ${c.syncId}: ${c.matched ? 'MATCHED' : 'DID NOT MATCH'}`,
    `  frozen ${c.frozenAt}, drained ${c.drainedAt}, finished ${c.finishedAt}: window ${(c.windowMs / 1000).toFixed(1)} s`,
    `  final position ${c.position} (source head ${c.head})`,
    `  gates (${c.gate.tier}): ${c.gate.verdict}`,
    `  reconciliation: ${c.reconciliation.status}`,
  ];
  for (const t of c.reconciliation.tables) if (t.missing + t.extra + t.different > 0) lines.push(`    ${t.table}: ${t.missing} missing, ${t.extra} extra, ${t.different} different`);
  lines.push(`  rows quarantined during the sync and never loaded since: ${c.pending.length}`);
  for (const p of c.pending.slice(0, 50)) lines.push(`    ${p.sourceTable} ${p.sourceKey} → ${p.targetTable}: ${p.reasonCode} (${p.rule})`);
  if (c.pending.length > 50) lines.push(`    … ${c.pending.length - 50} more (ferry sync status ${c.syncId} --json)`);
  return lines.join('\n');
}

export const register: Register = (program: Command, io, setExit) => {
  const sync = program.command('sync').description('incremental sync from a running legacy system, and the cutover that ends it (docs/sync.md)');
  const tier = new Option('--tier <tier>', 'release tier whose quality gates judge the snapshot and the cutover').choices(TIERS).default('pre_production');
  const store = ['--store <url>', 'control store for the audit trail: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)'] as const;
  sync
    .command('start')
    .description('snapshot the source through the contract, then stream and apply its changes until stopped; prints the sync id first')
    .argument('<contract>', 'contract YAML file')
    .option('--source <url>', 'source URL: postgres://… (logical replication), mysql://… (binlog), or any SQL source with --method watermark (default $FERRY_SOURCE_URL)')
    .option('--target <url>', 'target URL: postgres://…, mysql://… or sqlite:FILE (default $FERRY_TARGET_URL)')
    .addOption(new Option('--method <method>', 'log: the source database change log; watermark: poll the change columns the contract names').choices(SYNC_METHODS))
    .option('--resume <syncId>', 'continue this sync from the position its target holds (after a crash or Ctrl-C)')
    .addOption(tier)
    .option('--partitions <n>', 'key ranges each large table of the snapshot is cut into', positive('--partitions'), 1)
    .option('--partition-min-rows <n>', 'snapshot tables with fewer rows stay whole (default 100000)', positive('--partition-min-rows'))
    .option('--concurrency <n>', 'snapshot partitions loaded at once', positive('--concurrency'), 2)
    .option('--poll <seconds>', 'watermark syncs: seconds between polls (default 5)', positive('--poll'))
    .option('--no-lineage', 'do not write per-row lineage for the snapshot and the changes')
    .option('--json', 'print events as JSON lines')
    .option('--metrics-listen <address>', METRICS_LISTEN_HELP)
    .option(
      '--backup-dir <dir>',
      "back up the target tables a new sync's snapshot writes into this directory first, encrypted with $FERRY_BACKUP_KEY (default $FERRY_BACKUP_DIR; docs/operations.md#backups)",
    )
    .option('--no-backup', "let a new sync's snapshot write without taking a backup first (recorded in the audit trail)")
    .option(...store)
    .action(async (contract: string, flags: StartFlags) => setExit(await startCommand(contract, flags, io)));
  sync
    .command('status')
    .description("a sync's state, lag, totals and cutover record, read from its target (all syncs without an id)")
    .argument('[syncId]', 'the sync (printed by ferry sync start)')
    .option('--target <url>', 'the sync target (default $FERRY_TARGET_URL)')
    .option('--json', 'print JSON')
    .action(async (syncId: string | undefined, flags: UrlFlags & { json?: boolean }) => {
      const all = await syncStatus(urls(flags, io, false).targetUrl, syncId);
      if (flags.json) printJson(io, syncId ? all[0] : all);
      else io.out(all.length ? all.map(formatStatus).join('\n\n') : 'no syncs recorded in this target');
      setExit(0);
    });
  sync
    .command('cutover')
    .description('confirm the source is frozen, drain to lag 0, stop streaming, reconcile and gate; exits 0 only if everything matched')
    .argument('<syncId>', 'the sync to cut over')
    .argument('<contract>', 'the contract the sync streams')
    .option('--source <url>', 'source URL (default $FERRY_SOURCE_URL)')
    .option('--target <url>', 'target URL (default $FERRY_TARGET_URL)')
    .addOption(tier)
    .option('--quiet <seconds>', 'the source counts as frozen once it has written nothing for this long', positive('--quiet'), 10)
    .option('--freeze-timeout <seconds>', 'give up if the source does not freeze within this long', positive('--freeze-timeout'), 600)
    .option('--json', 'print the cutover record as JSON')
    .option(...store)
    .action(async (syncId: string, contract: string, flags: CutoverFlags) => {
      const { sourceUrl, targetUrl } = urls(flags, io, true);
      const record = await withAudit(io, flags, (audit) =>
        withInterrupt((signal) =>
          cutover({
            syncId,
            contractFile: path.resolve(io.cwd, contract),
            sourceUrl,
            targetUrl,
            tier: flags.tier,
            quietSeconds: flags.quiet,
            freezeTimeoutSeconds: flags.freezeTimeout,
            audit,
            signal,
            onStep: flags.json ? undefined : (step, detail) => io.err(`${step}: ${detail}`),
          }),
        ),
      );
      if (flags.json) printJson(io, record);
      else io.out(formatCutover(record));
      setExit(record.matched ? 0 : EXIT_CODES.gate);
    });
  sync
    .command('stop')
    .description('stop streaming and remove the capture at the source (replication slot and publication); the target keeps what was applied')
    .argument('<syncId>', 'the sync to stop')
    .argument('<contract>', 'the contract the sync streams')
    .option('--source <url>', 'source URL (default $FERRY_SOURCE_URL)')
    .option('--target <url>', 'target URL (default $FERRY_TARGET_URL)')
    .option(...store)
    .action(async (syncId: string, contract: string, flags: UrlFlags) => {
      const { sourceUrl, targetUrl } = urls(flags, io, true);
      await withAudit(io, flags, (audit) => stopSync({ syncId, contractFile: path.resolve(io.cwd, contract), sourceUrl, targetUrl, audit }));
      io.out(`sync ${syncId} stopped; its capture was removed from the source`);
      setExit(0);
    });
};
