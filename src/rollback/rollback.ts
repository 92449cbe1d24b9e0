/**
 * `ferry rollback`: return a target to its exact pre-run state for the rows one run touched,
 * from the undo log the run recorded in the target (docs/lineage.md#rollback). Without
 * `execute` it only checks the rollback is allowed and counts what it would do.
 */
import type { RollbackTableResult } from '../connectors/connector.js';
import { openTarget } from '../connectors/registry.js';
import { contractDigest } from '../contract/canonical.js';
import { loadContract } from '../contract/load.js';
import type { LoadedContract } from '../contract/model.js';
import { FerryError } from '../errors.js';

export const ROLLBACK_FORMAT = 'ferry.rollback/v1';

export interface RollbackReport {
  format: typeof ROLLBACK_FORMAT;
  runId: string;
  target: string;
  /** False for a check (no --yes): nothing was written. */
  executed: boolean;
  tables: RollbackTableResult[];
  totals: { deleted: number; restored: number };
}

export interface RollbackRunOptions {
  targetUrl: string;
  runId: string;
  /** When given (loaded, or its file), the run must have been made with exactly this contract version. */
  contract?: LoadedContract;
  contractFile?: string;
  execute: boolean;
}

/** Checks or performs the rollback of one run. */
export async function rollbackRun(o: RollbackRunOptions): Promise<RollbackReport> {
  const loaded = o.contract ?? (o.contractFile ? await loadContract(o.contractFile) : undefined);
  const digest = loaded ? contractDigest(loaded) : undefined;
  const target = await openTarget(o.targetUrl);
  try {
    if (!target.rollback) throw new FerryError('usage', 'rollback.unsupported', `${target.kind} targets keep no undo log`);
    const run = await target.getRun(o.runId);
    if (!run) throw new FerryError('not_found', 'rollback.run_unknown', `run ${o.runId} is not recorded in ${target.displayUrl}; check the run id and the --target URL`);
    if (digest !== undefined && run.contractDigest !== digest) {
      throw new FerryError(
        'conflict',
        'rollback.contract_mismatch',
        `run ${o.runId} was made with contract ${run.contractDigest.slice(0, 12)}…, not the given one (${digest.slice(0, 12)}…); pass the contract version the run used, or leave out --contract`,
      );
    }
    const tables = await target.rollback(o.runId, { check: !o.execute });
    const totals = tables.reduce((a, t) => ({ deleted: a.deleted + t.deleted, restored: a.restored + t.restored }), { deleted: 0, restored: 0 });
    return { format: ROLLBACK_FORMAT, runId: o.runId, target: target.displayUrl, executed: o.execute, tables, totals };
  } finally {
    await target.close();
  }
}

/** A plain-text summary for terminals. */
export function formatRollback(r: RollbackReport): string {
  const lines = [r.executed ? `run ${r.runId} rolled back in ${r.target}` : `run ${r.runId} can be rolled back in ${r.target}; nothing was changed (add --yes to do it)`];
  for (const t of r.tables)
    lines.push(`  ${t.table}: ${t.deleted} inserted row(s) ${r.executed ? 'removed' : 'to remove'}, ${t.restored} row(s) ${r.executed ? 'restored' : 'to restore'} to their before-image`);
  if (r.tables.length === 0) lines.push('  the run wrote no rows');
  return lines.join('\n');
}
