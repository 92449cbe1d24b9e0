/**
 * The console form of a reconciliation report: one line per table, then the findings. Keys
 * and counts only, like the JSON.
 */
import type { ReconciliationReport } from './report.js';

/** Formats a reconciliation report for the terminal. */
export function formatReconciliation(r: ReconciliationReport): string {
  const lines = [`Reconciliation of ${r.runId} (${r.contract.name} ${r.contract.version}): ${r.status.toUpperCase()}`, ''];
  lines.push('table                  source  loaded  quar.  excl.  target  matched  missing  extra  diff.  status');
  for (const t of r.tables) {
    const c = t.counts;
    lines.push(
      [
        t.table.padEnd(20),
        String(c.sourceRows).padStart(8),
        String(c.loaded).padStart(7),
        String(c.quarantined).padStart(6),
        String(c.excluded).padStart(6),
        String(c.targetRows).padStart(7),
        String(c.matched).padStart(8),
        String(c.missing).padStart(8),
        String(c.extra).padStart(6),
        String(c.different).padStart(6),
        `  ${t.status}`,
      ].join(' '),
    );
  }
  for (const t of r.tables) {
    const keys = (list: Array<{ targetKey: string }>) => list.map((k) => k.targetKey).join(', ');
    if (t.rows.missing.count) lines.push(`  ${t.table}: missing ${t.rows.missing.count}, e.g. ${keys(t.rows.missing.examples)}`);
    if (t.rows.extra.count) lines.push(`  ${t.table}: extra ${t.rows.extra.count}, e.g. ${keys(t.rows.extra.examples)}`);
    if (t.rows.different.count) {
      const cols = Object.entries(t.rows.differentByColumn)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ');
      lines.push(`  ${t.table}: different ${t.rows.different.count} (${cols}), e.g. ${keys(t.rows.different.examples)}`);
    }
  }
  if (r.business.length) {
    lines.push('', 'business checks');
    for (const b of r.business) {
      lines.push(`  ${b.pass ? 'pass' : 'FAIL'}  ${b.name}`);
      for (const g of b.groups) {
        const label = g.group === undefined ? '' : `${g.group === null ? '(null)' : g.group}: `;
        lines.push(`        ${label}source ${g.source}, target ${g.target}${g.pass ? '' : `  (differs by ${g.difference}, tolerance ${b.tolerance})`}`);
      }
    }
  }
  if (r.mismatches.length) {
    lines.push('', 'mismatches');
    for (const m of r.mismatches) lines.push(`  ${m.code}  ${m.message}`);
  }
  lines.push('', `elapsed ${(r.elapsedMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}
