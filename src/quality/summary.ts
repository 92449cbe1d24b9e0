/**
 * Plain-text words for the quality section: the gate lines of the console summary and the run
 * error message of a failed gate. Keys, KPI names and figures only.
 */
import type { ExampleKey, Gate, QualityReport } from '../engine/quality-report.js';

/** A ratio as a percentage with two decimals, or `n/a`. */
export function percent(v: number | null): string {
  return v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`;
}

function figure(g: Gate): string {
  return `${g.kpi} ${g.table ?? 'overall'}`;
}

function keys(list: readonly ExampleKey[]): string {
  return list.map((k) => `${k.sourceTable}:${k.sourceKey}`).join(', ');
}

/** One sentence naming every failing gate with value and threshold, for the run's error. */
export function failingGateMessage(q: QualityReport): string {
  const gates = q.gates.filter((g) => g.decision === 'fail').map((g) => `${figure(g)} ${percent(g.value)} < ${percent(g.threshold.failBelow)}`);
  const checks = q.checks.filter((c) => c.decision === 'fail').map((c) => `check ${c.name}: ${c.count} row(s)`);
  return `quality gate failed in tier ${q.tier}: ${[...gates, ...checks].join('; ')}; see the report's quality.gates for example source keys`;
}

/** Console lines: the decision, then every failing or warning gate and check with example keys. */
export function formatQuality(q: QualityReport): string[] {
  const lines = [`quality gates (${q.tier}): ${q.decision.toUpperCase()}`];
  for (const g of q.gates) {
    if (g.decision !== 'fail' && g.decision !== 'warn') continue;
    const limit = g.decision === 'fail' ? g.threshold.failBelow : (g.threshold.warnBelow ?? g.threshold.failBelow);
    lines.push(`  ${g.decision.toUpperCase()} ${figure(g)}: ${percent(g.value)} (${g.numerator}/${g.denominator}) below ${percent(limit)}`);
    if (g.exampleKeys.length > 0) lines.push(`       e.g. ${keys(g.exampleKeys)}`);
  }
  for (const c of q.checks) {
    if (c.decision === 'pass') continue;
    lines.push(`  ${c.decision.toUpperCase()} check ${c.name}: ${c.count} row(s)`);
    if (c.exampleKeys.length > 0) lines.push(`       e.g. ${keys(c.exampleKeys)}`);
  }
  return lines;
}
