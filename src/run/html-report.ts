/**
 * The self-contained HTML quality report (`ferry run --html FILE`): one file with inline CSS
 * and inline SVG, no script and no external asset, so it can be mailed to a clinical safety
 * officer or archived as evidence. It shows counts, codes, keys and figures — the same content
 * as the JSON report, never a patient value — every string is escaped, and a CSP meta tag
 * forbids script wherever the file is opened.
 */
import { KPI_NAMES, type KpiName } from '../contract/model.js';
import type { RunReport } from './report.js';
import { countBar, DECISION_COLOURS, kpiChart, type ChartBar } from '../quality/html-charts.js';
import { esc } from '../quality/html-escape.js';
import type { ExampleKey, Gate, GateDecision, QualityReport } from '../engine/quality-report.js';
import { percent } from '../quality/summary.js';
import { qualityVerdict } from './quality-verdict.js';

const KPI_LABELS: Record<KpiName, string> = {
  completeness: 'Completeness',
  validity: 'Validity',
  referential_integrity: 'Referential integrity',
  code_coverage: 'Code coverage',
  uniqueness: 'Uniqueness',
  reconciliation: 'Reconciliation',
};

const KPI_MEANING: Record<KpiName, string> = {
  completeness: 'rows with every required field populated / rows evaluated',
  validity: 'rows with no rule, transform or type failure / rows evaluated',
  referential_integrity: 'loaded rows whose foreign keys resolve / loaded rows with foreign keys',
  code_coverage: 'codes translated / codes seen by crosswalks',
  uniqueness: 'loaded rows not repeating a key, unique field set or patient / rows loaded',
  reconciliation: 'rows loaded, quarantined or excluded / rows read',
};

/** The report's stylesheet, shared with the sign-off pack (rehearse/pack-html.ts). */
export const QUALITY_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212121;margin:0;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}
.meta{color:#555;margin:0 0 12px}.meta code{font-size:12px}
table{border-collapse:collapse;background:#fff;margin:6px 0 12px;width:100%}
th,td{border:1px solid #e0e0e0;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eceff1;font-weight:600}.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;color:#fff;font-weight:600;font-size:12px;text-transform:uppercase}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.card{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:20px}.card span{color:#666;font-size:12px}
.keys{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#37474f}
.cell{font-weight:600;display:block}.muted{color:#777}
td.k{text-align:right;font-variant-numeric:tabular-nums}.thr{display:block;font-size:11px;color:#777;white-space:nowrap}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:10px}
.chart{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:8px 12px}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
svg .ct{font-weight:600;font-size:13px}svg .ax{font-size:11px;fill:#666}svg .lb{font-size:12px}svg .vl{font-size:12px;font-weight:600}svg .na{font-size:11px;fill:#777}
.fail{background:#ffebee}.warn{background:#fff8e1}
footer{color:#777;font-size:12px;margin-top:28px}
`;

/**
 * The report's own content security policy, for when it is opened from a file or a mail client
 * rather than served (the server sends a stricter header). It allows the inline CSS and nothing
 * else, so no script runs even if a hostile name ever slipped past escaping.
 */
export const REPORT_META_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** The quality claim the run supports (quality-verdict.ts): never a pass the gates did not make. */
function verdictBadge(r: RunReport): string {
  const v = qualityVerdict(r);
  if (v.kind === 'decided') return badge(v.decision);
  const text = v.kind === 'not_measured' ? 'not measured' : v.kind === 'not_decided' ? `not decided: the run ${r.status} before its load finished` : 'no gates declared for this tier';
  return `<span class="muted">${esc(text)}</span>`;
}

/** A coloured decision or status badge. */
export function badge(decision: string): string {
  const colour =
    (DECISION_COLOURS as Record<string, string>)[decision] ?? (decision === 'succeeded' ? DECISION_COLOURS.pass : decision === 'cancelled' ? DECISION_COLOURS.not_applicable : DECISION_COLOURS.fail);
  return `<span class="badge" style="background:${colour}">${esc(decision.replace('_', ' '))}</span>`;
}

function keyList(keys: readonly ExampleKey[]): string {
  if (keys.length === 0) return '<span class="muted">—</span>';
  return `<span class="keys">${keys.map((k) => esc(`${k.sourceTable}:${k.sourceKey}`)).join(', ')}</span>`;
}

function n(v: number): string {
  return v.toLocaleString('en-GB');
}

/** The gate that decides a figure's colour: its worst gate, or none. */
function gateFor(q: QualityReport, kpi: KpiName, table: string | null): Gate | undefined {
  const rank: Record<GateDecision, number> = { not_applicable: 0, pass: 1, warn: 2, fail: 3 };
  let best: Gate | undefined;
  for (const g of q.gates) if (g.kpi === kpi && g.table === table && (!best || rank[g.decision] > rank[best.decision])) best = g;
  return best;
}

/** The run's headline figures, status and quality decision. */
export function summary(r: RunReport, q: QualityReport | undefined): string {
  const t = r.totals;
  const cards = [
    ['rows read', n(t.read)],
    ['loaded', n(t.loaded)],
    ['quarantined', n(t.quarantined)],
    ['excluded', n(t.excluded)],
    ['elapsed', `${(r.elapsedMs / 1000).toFixed(2)} s`],
  ];
  return `<div class="cards">${cards.map(([k, v]) => `<div class="card"><b>${esc(v)}</b><span>${esc(k)}</span></div>`).join('')}</div>
<p>Run status ${badge(r.status)} · quality decision ${verdictBadge(r)}${q ? ` in tier <b>${esc(q.tier)}</b>` : ''}</p>
${r.error ? `<p><b>${esc(r.error.code)}</b>: ${esc(r.error.message)}</p>` : ''}`;
}

/** The failing and warning gates and checks, worst first. */
export function failingGates(q: QualityReport): string {
  const gates = q.gates.filter((g) => g.decision === 'fail' || g.decision === 'warn');
  const checks = q.checks.filter((c) => c.decision !== 'pass');
  if (gates.length === 0 && checks.length === 0) return '<p>Every gate and check passed.</p>';
  const rows = gates
    .sort((a, b) => (a.decision === b.decision ? 0 : a.decision === 'fail' ? -1 : 1))
    .map(
      (g) =>
        `<tr class="${g.decision}"><td>${badge(g.decision)}</td><td>${esc(KPI_LABELS[g.kpi])}</td><td>${esc(g.table ?? 'overall')}</td><td class="n">${esc(percent(g.value))}</td><td class="n">${n(g.numerator)} / ${n(g.denominator)}</td><td class="n">${esc(percent(g.threshold.failBelow))}</td><td class="n">${esc(g.threshold.warnBelow === null ? '—' : percent(g.threshold.warnBelow))}</td><td>${keyList(g.exampleKeys)}</td></tr>`,
    );
  const checkRows = checks.map(
    (c) =>
      `<tr class="${c.decision}"><td>${badge(c.decision)}</td><td>check ${esc(c.name)}</td><td>—</td><td class="n">${n(c.count)} row(s)</td><td></td><td></td><td></td><td>${keyList(c.exampleKeys)}</td></tr>`,
  );
  return `<table><tr><th>decision</th><th>KPI</th><th>table</th><th>measured</th><th>rows</th><th>fail below</th><th>warn below</th><th>example source keys (up to ${q.exampleKeyLimit})</th></tr>${[...rows, ...checkRows].join('')}</table>`;
}

/** Rows read, loaded, quarantined and excluded per table. */
export function countsTable(r: RunReport): string {
  const rows = r.tables.map(
    (t) =>
      `<tr><td>${esc(t.table)}</td><td>${esc(t.source)}</td><td class="n">${n(t.read)}</td><td class="n">${n(t.loaded)}</td><td class="n">${n(t.quarantined)}</td><td class="n">${n(t.excluded)}</td><td>${t.balanced ? 'yes' : '<b>NO</b>'}</td></tr>`,
  );
  const tt = r.totals;
  rows.push(`<tr><th>total</th><th></th><th class="n">${n(tt.read)}</th><th class="n">${n(tt.loaded)}</th><th class="n">${n(tt.quarantined)}</th><th class="n">${n(tt.excluded)}</th><th></th></tr>`);
  return `<table><tr><th>target table</th><th>source table</th><th>read</th><th>loaded</th><th>quarantined</th><th>excluded</th><th>balanced</th></tr>${rows.join('')}</table>`;
}

function kpiCell(q: QualityReport, kpi: KpiName, table: string | null, value: number | null): string {
  const g = gateFor(q, kpi, table);
  const colour = g ? DECISION_COLOURS[g.decision] : '#212121';
  const thr = g
    ? `<span class="thr">fail &lt; ${esc(percent(g.threshold.failBelow))}${g.threshold.warnBelow !== null ? ` · warn &lt; ${esc(percent(g.threshold.warnBelow))}` : ''}</span>`
    : '<span class="thr">no threshold</span>';
  const cls = g && (g.decision === 'fail' || g.decision === 'warn') ? ` class="k ${g.decision}"` : ' class="k"';
  return `<td${cls}><span class="cell" style="color:${colour}">${esc(percent(value))}</span>${thr}</td>`;
}

/** Every KPI per table against its thresholds. */
export function kpiTable(q: QualityReport): string {
  const head = `<tr><th>table</th>${KPI_NAMES.map((k) => `<th title="${esc(KPI_MEANING[k])}">${esc(KPI_LABELS[k])}</th>`).join('')}</tr>`;
  const rows = q.tables.map((t) => `<tr><td>${esc(t.table)}</td>${KPI_NAMES.map((k) => kpiCell(q, k, t.table, t.kpis[k].value)).join('')}</tr>`);
  rows.push(`<tr><th>overall</th>${KPI_NAMES.map((k) => kpiCell(q, k, null, q.overall[k].value)).join('')}</tr>`);
  const defs = KPI_NAMES.map((k) => `<li><b>${esc(KPI_LABELS[k])}</b>: ${esc(KPI_MEANING[k])}</li>`).join('');
  return `<table>${head}${rows.join('')}</table><p class="muted">n/a: nothing to measure (empty denominator) — never counted as 100%. Thresholds shown are those in force for tier ${esc(q.tier)}.</p><ul class="muted">${defs}</ul>`;
}

/** Every gate of the tier with its decision. */
export function gatesTable(q: QualityReport): string {
  if (q.gates.length === 0) return '<p class="muted">The contract sets no quality thresholds for this tier.</p>';
  const rows = q.gates.map(
    (g) =>
      `<tr><td>${esc(KPI_LABELS[g.kpi])}</td><td>${esc(g.table ?? 'overall')}</td><td class="n">${esc(percent(g.value))}</td><td class="n">${esc(percent(g.threshold.failBelow))}</td><td class="n">${esc(g.threshold.warnBelow === null ? '—' : percent(g.threshold.warnBelow))}</td><td>${esc(g.threshold.table === null ? 'global' : 'table')}${g.threshold.tiers ? ` · ${esc(g.threshold.tiers.join(', '))}` : ' · all tiers'}</td><td>${badge(g.decision)}</td></tr>`,
  );
  return `<table><tr><th>KPI</th><th>figure</th><th>measured</th><th>fail below</th><th>warn below</th><th>threshold</th><th>decision</th></tr>${rows.join('')}</table>`;
}

function charts(q: QualityReport): string {
  const legend = `<p class="legend">${(['pass', 'warn', 'fail', 'not_applicable', 'ungated'] as const).map((d) => `<span><i style="background:${DECISION_COLOURS[d]}"></i>${esc(d === 'ungated' ? 'no threshold' : d.replace('_', ' '))}</span>`).join('')}<span>solid line: fail below · dashed: warn below</span></p>`;
  const svgs = KPI_NAMES.map((kpi) => {
    const bars: ChartBar[] = [...q.tables.map((t) => ({ table: t.table as string | null, value: t.kpis[kpi].value })), { table: null, value: q.overall[kpi].value }].map(({ table, value }) => {
      const g = gateFor(q, kpi, table);
      return {
        label: table ?? 'overall',
        value,
        failBelow: g?.threshold.failBelow ?? null,
        warnBelow: g?.threshold.warnBelow ?? null,
        decision: g ? g.decision : value === null ? 'not_applicable' : 'ungated',
      };
    });
    return `<div class="chart">${kpiChart(KPI_LABELS[kpi], bars)}</div>`;
  });
  return `${legend}<div class="charts">${svgs.join('')}</div>`;
}

/** The top quarantine reasons with the tables that raised them. */
export function reasons(r: RunReport): string {
  const top = r.quarantineReasons.slice(0, 15);
  if (top.length === 0) return '<p>No row was quarantined.</p>';
  const max = top[0].count;
  const byTable = new Map<string, string[]>();
  for (const t of r.tables) for (const q of t.quarantineReasons) byTable.set(`${q.reasonCode}\u0000${q.rule}`, [...(byTable.get(`${q.reasonCode}\u0000${q.rule}`) ?? []), t.table]);
  const rows = top.map(
    (q) =>
      `<tr><td class="n">${n(q.count)}</td><td>${countBar(q.count, max, DECISION_COLOURS.fail)}</td><td><code>${esc(q.reasonCode)}</code></td><td>${esc(q.rule)}</td><td>${esc((byTable.get(`${q.reasonCode}\u0000${q.rule}`) ?? []).join(', '))}</td></tr>`,
  );
  const more = r.quarantineReasons.length > top.length ? `<p class="muted">${r.quarantineReasons.length - top.length} more reason(s) in the JSON report.</p>` : '';
  return `<table><tr><th>rows</th><th></th><th>reason code</th><th>field and rule</th><th>tables</th></tr>${rows.join('')}</table>${more}`;
}

function unmapped(q: QualityReport): string {
  const withGaps = q.crosswalks.filter((c) => c.unmapped.length > 0 || c.unmappedOther > 0);
  const all = q.crosswalks.map(
    (c) =>
      `<tr><td>${esc(c.crosswalk)}</td><td>${esc(c.table ?? '—')}</td><td class="n">${n(c.seen)}</td><td class="n">${n(c.mapped)}</td><td class="n">${esc(percent(c.coverage.value))}</td><td class="n">${n(c.unmapped.length)}${c.unmappedOther > 0 ? '+' : ''}</td></tr>`,
  );
  const overview =
    q.crosswalks.length === 0
      ? '<p class="muted">No crosswalk saw a code in this run.</p>'
      : `<table><tr><th>crosswalk</th><th>table</th><th>codes seen</th><th>translated</th><th>coverage</th><th>distinct unmapped</th></tr>${all.join('')}</table>`;
  const details = withGaps.map((c) => {
    const top = c.unmapped.slice(0, 10);
    const max = top[0]?.rows ?? 0;
    const rows = top.map((u) => `<tr><td><code>${esc(u.code)}</code></td><td class="n">${n(u.rows)}</td><td>${countBar(u.rows, max, DECISION_COLOURS.warn)}</td></tr>`);
    const rest = c.unmapped.length - top.length;
    const tail =
      rest > 0 || c.unmappedOther > 0
        ? `<p class="muted">${rest > 0 ? `${rest} more code(s)` : ''}${c.unmappedOther > 0 ? ` · ${n(c.unmappedOther)} row(s) with further codes not itemised` : ''}</p>`
        : '';
    return `<h3>${esc(c.crosswalk)} · ${esc(c.table ?? '—')}</h3><table><tr><th>unmapped source code</th><th>rows</th><th></th></tr>${rows.join('')}</table>${tail}`;
  });
  return overview + details.join('');
}

function findings(q: QualityReport): string {
  const checks =
    q.checks.length === 0
      ? '<p class="muted">The contract defines no cross-table checks.</p>'
      : `<table><tr><th>check</th><th>kind</th><th>matched by</th><th>severity</th><th>rows</th><th>quarantined</th><th>cross-reactive only</th><th>decision</th><th>example source keys</th></tr>${q.checks.map((c) => `<tr><td>${esc(c.name)}</td><td>${esc(c.kind)}</td><td>${esc(c.match === 'class' ? 'substance or drug class' : 'substance')}</td><td>${esc(c.severity)}</td><td class="n">${n(c.count)}</td><td class="n">${c.action === 'quarantine' ? n(c.quarantined ?? 0) : '–'}</td><td class="n">${c.crossReactive === undefined ? '–' : n(c.crossReactive)}</td><td>${badge(c.decision)}</td><td>${keyList(c.exampleKeys)}</td></tr>`).join('')}</table>`;
  const rules = `<table><tr><th>table</th><th>rule</th><th>kind</th><th>fields</th><th>severity</th><th>repeated rows</th><th>example source keys</th></tr>${q.tableRules.map((t) => `<tr${t.failures > 0 ? ' class="warn"' : ''}><td>${esc(t.table)}</td><td>${esc(t.rule)}</td><td>${esc(t.kind)}</td><td>${esc(t.fields.join(', '))}</td><td>${esc(t.severity)}</td><td class="n">${n(t.failures)}</td><td>${keyList(t.exampleKeys)}</td></tr>`).join('')}</table>`;
  const refs =
    q.references.length === 0
      ? '<p class="muted">No target foreign keys.</p>'
      : `<table><tr><th>table</th><th>columns</th><th>references</th><th>rows with a key</th><th>resolved</th><th>status</th></tr>${q.references.map((f) => `<tr${f.rows > f.resolved ? ' class="fail"' : ''}><td>${esc(f.table)}</td><td>${esc(f.columns.join(', '))}</td><td>${esc(`${f.references.table}(${f.references.columns.join(', ')})`)}</td><td class="n">${n(f.rows)}</td><td class="n">${n(f.resolved)}</td><td>${esc(f.status)}${f.reason ? ` <span class="muted">— ${esc(f.reason)}</span>` : ''}</td></tr>`).join('')}</table>`;
  const missing = q.tables.filter((t) => t.missingByField.length > 0);
  const miss =
    missing.length === 0
      ? '<p class="muted">No required field was missing.</p>'
      : `<table><tr><th>table</th><th>required field</th><th>rows missing it</th></tr>${missing.flatMap((t) => t.missingByField.map((m) => `<tr><td>${esc(t.table)}</td><td>${esc(m.field)}</td><td class="n">${n(m.rows)}</td></tr>`)).join('')}</table>`;
  return `<h3>Cross-table checks</h3>${checks}<h3>Uniqueness rules</h3>${rules}<h3>Referential integrity</h3>${refs}<h3>Missing required fields</h3>${miss}`;
}

/** The end-of-run reconciliation: per table and the business checks. */
export function reconciliation(r: RunReport): string {
  const rc = r.reconciliation?.report;
  if (!rc) return '<p class="muted">Not reconciled (dry run, unfinished run, or --no-reconcile): run <code>ferry reconcile RUN</code>.</p>';
  const rows = rc.tables.map((t) => {
    const c = t.counts;
    const cols = t.columns.filter((col) => !col.match).map((col) => col.name);
    const keys = [...t.rows.missing.examples, ...t.rows.different.examples].slice(0, 5).map((k) => k.targetKey);
    return `<tr class="${t.status === 'match' ? 'pass' : 'fail'}"><td>${badge(t.status === 'match' ? 'pass' : 'fail')}</td><td>${esc(t.table)}</td><td class="n">${n(c.sourceRows)}</td><td class="n">${n(c.loaded)}</td><td class="n">${n(c.expected)}</td><td class="n">${n(c.targetRows)}</td><td class="n">${n(c.matched)}</td><td class="n">${n(c.missing)}</td><td class="n">${n(c.extra)}</td><td class="n">${n(c.different)}</td><td>${esc(cols.join(', ') || '—')}</td><td>${esc(keys.join(', ') || '—')}</td></tr>`;
  });
  const table = `<table><tr><th>status</th><th>table</th><th>source rows</th><th>loaded</th><th>expected</th><th>in target</th><th>matched</th><th>missing</th><th>extra</th><th>different</th><th>columns differing</th><th>example target keys</th></tr>${rows.join('')}</table>`;
  const business =
    rc.business.length === 0
      ? '<p class="muted">The contract declares no business reconciliation checks.</p>'
      : `<table><tr><th>check</th><th>group</th><th>source</th><th>target</th><th>difference</th><th>result</th></tr>${rc.business
          .flatMap((b) =>
            b.groups.map(
              (g) =>
                `<tr class="${g.pass ? 'pass' : 'fail'}"><td>${esc(b.name)}</td><td>${esc(g.group === undefined ? '—' : (g.group ?? 'NULL'))}</td><td class="n">${esc(g.source)}</td><td class="n">${esc(g.target)}</td><td class="n">${esc(g.difference)}</td><td>${badge(g.pass ? 'pass' : 'fail')}</td></tr>`,
            ),
          )
          .join('')}</table>`;
  return `<p>Source against target: <b>${esc(rc.status)}</b> (${esc((rc.elapsedMs / 1000).toFixed(2))} s). Expected rows are derived from the source through the contract; a table whose row count and row-checksum sum agree with the target's matches, any other is compared by checksum bisection over key ranges.</p>${table}<h3>Business checks, side by side</h3>${business}`;
}

/** Renders the whole report as one self-contained HTML document. */
export function renderQualityHtml(r: RunReport): string {
  const q = r.quality;
  const title = `Ferry quality report — ${r.contract.name} ${r.contract.version} — ${r.runId}`;
  const body = [
    `<h1>Quality report: ${esc(r.contract.name)} ${esc(r.contract.version)}</h1>`,
    `<p class="meta">Run <code>${esc(r.runId)}</code>${r.dryRun ? ' (dry run)' : ''}${r.resumed ? ' (resumed)' : ''} · contract digest <code>${esc(r.contract.digest.slice(0, 16))}…</code> · started ${esc(r.startedAt)} · source ${esc(r.source)} · target ${esc(r.target ?? 'none (dry run)')}${r.pilot ? ` · pilot: ${n(r.pilot.patients)} rows of ${esc(r.pilot.root)}` : ''}</p>`,
    `<h2>Summary</h2>${summary(r, q)}`,
  ];
  if (q) {
    body.push(`<h2>Failing and warning gates</h2>${failingGates(q)}`);
  }
  body.push(`<h2>Rows per table</h2>${countsTable(r)}`);
  if (q) {
    body.push(`<h2>KPIs per table</h2>${kpiTable(q)}`);
    body.push(`<h2>KPIs against thresholds</h2>${charts(q)}`);
  }
  body.push(`<h2>Top quarantine reasons</h2>${reasons(r)}`);
  body.push(`<h2>Reconciliation</h2>${reconciliation(r)}`);
  if (q) {
    body.push(`<h2>Code translation: top unmapped codes</h2>${unmapped(q)}`);
    body.push(`<h2>Findings</h2>${findings(q)}`);
    body.push(`<h2>All gates (tier ${esc(q.tier)})</h2>${gatesTable(q)}`);
  }
  body.push(`<footer>Generated by Ferry from run report format ${esc(r.format)}. This report holds counts, codes, reason codes and source keys only — never a patient value.</footer>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${REPORT_META_CSP}"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${QUALITY_CSS}</style></head>
<body><main>
${body.join('\n')}
</main></body></html>
`;
}
