/**
 * What a run report says against the hazard log: the evidence signals of one run. Each is a
 * count, a code or a table name, never a row's value. Quarantine reasons have no threshold of
 * their own; validity counts every quarantined row, so a table's quarantine reasons are
 * evidence when that table's validity gate warned or failed (docs/clinical-safety.md).
 */
import type { Gate, QualityReport } from '../engine/quality-report.js';
import type { TableReport } from '../engine/report.js';
import type { Signal } from './hazards.js';

/** The parts of a run report (run/report.ts) that carry evidence. */
export interface EvidenceReport {
  tables: Pick<TableReport, 'table' | 'quarantineReasons'>[];
  quality?: Pick<QualityReport, 'gates' | 'crosswalks' | 'checks'>;
  reconciliation?: {
    tables: Array<{ table: string; status: string; expected: number; matched: number; missing: number; extra: number; different: number }>;
    business: Array<{ name: string; pass: boolean }>;
  };
}

const MAX_DETAIL = 2000;
const MAX_CODES = 20;

function pct(v: number | null): string {
  return v === null ? 'not measured' : `${(v * 100).toFixed(2)}%`;
}

function clip(text: string): string {
  return text.length <= MAX_DETAIL ? text : `${text.slice(0, MAX_DETAIL - 1)}…`;
}

function gateDetail(g: Gate): string {
  const warn = g.threshold.warnBelow === null ? '' : `, warn below ${pct(g.threshold.warnBelow)}`;
  return `${g.kpi} ${pct(g.value)} on ${g.table ?? 'all tables'} (${g.numerator} of ${g.denominator}); fail below ${pct(g.threshold.failBelow)}${warn}: ${g.decision}`;
}

/** The signals of one run's report: gates that warned or failed, quarantine reasons under them, reconciliation mismatches, unmapped codes, cross-check findings. */
export function signalsFromReport(report: EvidenceReport): Signal[] {
  const out: Signal[] = [];
  const run = (signal: string, detail: string, table?: string): Signal => ({ signal, ...(table ? { table } : {}), detail: clip(detail), sourceKind: 'run' });
  const gates = report.quality?.gates ?? [];
  for (const g of gates) {
    if (g.decision === 'warn' || g.decision === 'fail') out.push(run(`gate:${g.table ?? 'overall'}.${g.kpi}`, gateDetail(g)));
  }
  for (const t of report.tables) {
    const validity = gates.find((g) => g.kpi === 'validity' && g.table === t.table);
    if (!validity || (validity.decision !== 'warn' && validity.decision !== 'fail')) continue;
    const byCode = new Map<string, { count: number; rules: string[] }>();
    for (const r of t.quarantineReasons) {
      const e = byCode.get(r.reasonCode) ?? { count: 0, rules: [] };
      e.count += r.count;
      e.rules.push(r.rule);
      byCode.set(r.reasonCode, e);
    }
    for (const [code, e] of byCode) {
      if (e.count > 0) out.push(run(`quarantine:${code}`, `${e.count} rows of ${t.table} quarantined for ${code} (${e.rules.join('; ')}); validity gate ${validity.decision}`, t.table));
    }
  }
  for (const r of report.reconciliation?.tables ?? []) {
    if (r.status !== 'match') out.push(run(`reconciliation:${r.table}`, `${r.table}: expected ${r.expected}, matched ${r.matched}, missing ${r.missing}, extra ${r.extra}, different ${r.different}`));
  }
  for (const b of report.reconciliation?.business ?? []) {
    if (!b.pass) out.push(run(`reconciliation:${b.name}`, `business check ${b.name} differs between source and target`));
  }
  for (const c of report.quality?.crosswalks ?? []) {
    const unmappedRows = c.unmapped.reduce((n, u) => n + u.rows, 0) + c.unmappedOther;
    if (unmappedRows === 0) continue;
    const codes = c.unmapped.slice(0, MAX_CODES).map((u) => `${u.code} (${u.rows})`);
    const more = c.unmapped.length > MAX_CODES ? `, ${c.unmapped.length - MAX_CODES} more codes` : '';
    const other = c.unmappedOther > 0 ? `, ${c.unmappedOther} rows beyond the codes kept` : '';
    out.push(
      run(`crosswalk:${c.crosswalk}`, `${unmappedRows} rows with ${c.unmapped.length} unmapped codes${c.table ? ` in ${c.table}` : ''}: ${codes.join(', ')}${more}${other}`, c.table ?? undefined),
    );
  }
  for (const c of report.quality?.checks ?? []) {
    if (c.count > 0) out.push(run(`check:${c.name}`, `${c.count} findings of ${c.kind} (${c.severity}): ${c.decision}`));
  }
  return out;
}
