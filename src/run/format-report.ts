/**
 * The run report as plain text, for terminals and logs: per-table counts, warnings, the
 * reconciliation line and the quality gate lines. It never claims more than the run decided: a
 * run that stopped early decided no gate, and a contract without gates for the tier passed none.
 */
import type { ReasonEntry } from '../engine/report.js';
import { formatQuality, percent } from '../quality/summary.js';
import { RECONCILIATION_PENDING, type RunReport } from './report.js';
import { qualityVerdict } from './quality-verdict.js';

const total = (list: readonly ReasonEntry[]) => list.reduce((n, e) => n + e.count, 0);

/** Whether `r` loaded everything and only its reconciliation is outstanding. */
const pendingReconciliation = (r: RunReport): boolean => Object.values<string>(RECONCILIATION_PENDING).includes(r.error?.code ?? '');

/** The quality section: the gate decision when there is one to state, else why there is none. */
export function qualityLines(r: RunReport): string[] {
  const q = r.quality;
  const verdict = qualityVerdict(r);
  if (verdict.kind === 'not_measured') return r.status === 'failed' || r.status === 'cancelled' ? [`quality gates: not measured (the run ${r.status} before its rows were measured)`] : [];
  if (!q) return [];
  // Gate figures over a load that did not finish describe only the rows it got to.
  if (verdict.kind === 'not_decided') {
    const stage = pendingReconciliation(r) ? 'its reconciliation' : 'its load';
    return [`quality gates (${q.tier}): NOT DECIDED — the run ${r.status} before ${stage} finished`, ...formatQuality(q).slice(1)];
  }
  if (verdict.kind === 'none_declared') {
    const lines = [`quality gates (${q.tier}): none declared in the contract for this tier — nothing was gated`];
    const t = r.totals;
    if (t.quarantined > 0) lines.push(`  ${t.quarantined} of ${t.read} rows read (${percent(t.quarantined / t.read)}) were quarantined and no gate judged that; declare quality.thresholds to gate it`);
    return lines;
  }
  return formatQuality(q);
}

/** A plain-text summary per table, for terminals and logs. */
export function formatReport(r: RunReport): string {
  const lines: string[] = [];
  const head = r.dryRun ? 'Dry run' : 'Run';
  lines.push(`${head} ${r.runId}: ${r.status}${r.pilot ? ` (pilot: ${r.pilot.patients} rows of ${r.pilot.root} and linked rows)` : ''}`);
  lines.push(`contract ${r.contract.name} ${r.contract.version} (${r.contract.digest.slice(0, 12)}…)`);
  const w = Math.max(5, ...r.tables.map((t) => t.table.length));
  lines.push(`${'table'.padEnd(w)}  ${'read'.padStart(9)}  ${'loaded'.padStart(9)}  ${'quarant.'.padStart(9)}  ${'excluded'.padStart(9)}  rows/s`);
  for (const t of r.tables) {
    lines.push(
      `${t.table.padEnd(w)}  ${String(t.read).padStart(9)}  ${String(t.loaded).padStart(9)}  ${String(t.quarantined).padStart(9)}  ${String(t.excluded).padStart(9)}  ${t.rowsPerSecond ?? '-'}${t.balanced ? '' : '  UNBALANCED'}`,
    );
    for (const q of t.quarantineReasons.slice(0, 5)) lines.push(`${''.padEnd(w)}    ${String(q.count).padStart(7)} × ${q.reasonCode} (${q.rule})`);
    if (t.quarantineReasons.length > 5) lines.push(`${''.padEnd(w)}    … ${t.quarantineReasons.length - 5} more reason(s) in the JSON report`);
    const warned = total(t.warnings);
    if (warned > 0) {
      const top = t.warnings.slice(0, 3).map((x) => `${x.count} × ${x.reasonCode} (${x.rule})`);
      lines.push(`${''.padEnd(w)}    ${warned} warning(s), rows loaded: ${top.join(', ')}${t.warnings.length > 3 ? `, … ${t.warnings.length - 3} more` : ''}`);
    }
  }
  const tt = r.totals;
  lines.push(
    `${'total'.padEnd(w)}  ${String(tt.read).padStart(9)}  ${String(tt.loaded).padStart(9)}  ${String(tt.quarantined).padStart(9)}  ${String(tt.excluded).padStart(9)}  ${r.rowsPerSecond ?? '-'}`,
  );
  const warnings = r.tables.reduce((n, t) => n + total(t.warnings), 0);
  if (warnings > 0) lines.push(`warnings: ${warnings} in total (warning-severity rules; those rows were loaded)`);
  if (r.reconciliation) {
    const rc = r.reconciliation;
    const bad = rc.tables.filter((t) => t.status !== 'match').map((t) => `${t.table} (missing ${t.missing}, extra ${t.extra}, different ${t.different})`);
    const failedChecks = rc.business.filter((b) => !b.pass).map((b) => b.name);
    lines.push(
      `reconciliation: ${rc.status}${bad.length ? ` — ${bad.join('; ')}` : ''}${failedChecks.length ? `; business checks failed: ${failedChecks.join(', ')}` : ''} (${(rc.elapsedMs / 1000).toFixed(2)} s)`,
    );
  }
  lines.push(`elapsed ${(r.elapsedMs / 1000).toFixed(2)} s`);
  lines.push(...qualityLines(r));
  if (r.error) lines.push(`error ${r.error.code}: ${r.error.message}`);
  return lines.join('\n');
}
