/**
 * The run report as plain text, for terminals and logs: per-table counts, the reconciliation
 * line and the quality gate lines.
 */
import { formatQuality } from '../quality/summary.js';
import type { RunReport } from './report.js';

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
  }
  const tt = r.totals;
  lines.push(
    `${'total'.padEnd(w)}  ${String(tt.read).padStart(9)}  ${String(tt.loaded).padStart(9)}  ${String(tt.quarantined).padStart(9)}  ${String(tt.excluded).padStart(9)}  ${r.rowsPerSecond ?? '-'}`,
  );
  if (r.reconciliation) {
    const rc = r.reconciliation;
    const bad = rc.tables.filter((t) => t.status !== 'match').map((t) => `${t.table} (missing ${t.missing}, extra ${t.extra}, different ${t.different})`);
    const failedChecks = rc.business.filter((b) => !b.pass).map((b) => b.name);
    lines.push(
      `reconciliation: ${rc.status}${bad.length ? ` — ${bad.join('; ')}` : ''}${failedChecks.length ? `; business checks failed: ${failedChecks.join(', ')}` : ''} (${(rc.elapsedMs / 1000).toFixed(2)} s)`,
    );
  }
  lines.push(`elapsed ${(r.elapsedMs / 1000).toFixed(2)} s`);
  if (r.quality) lines.push(...formatQuality(r.quality));
  if (r.error) lines.push(`error ${r.error.code}: ${r.error.message}`);
  return lines.join('\n');
}
