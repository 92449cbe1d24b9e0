/**
 * The assessment for people: a plain-text summary for the terminal and a self-contained,
 * printable HTML page (inline CSS, no scripts or external assets, every text escaped) a
 * programme board can read. Both show only what the Assessment holds: counts, shares, names and
 * reference codes.
 */
import { escapeHtml } from '../report.js';
import type { Assessment, CodeField, TableAssessment } from './model.js';
import { EFFORT_DAYS, RATING_STEPS } from './rating.js';

const LEVEL: Record<Assessment['rating']['level'], string> = { low: 'LOW', medium: 'MEDIUM', high: 'HIGH', very_high: 'VERY HIGH' };
const EST = '~';
const COVERED_BY: Record<NonNullable<CodeField['covered_by']>['kind'] | 'none', (name: string) => string> = {
  crosswalk: (n) => `covered by crosswalk ${n}`,
  reference_list: (n) => `already codes of the NHS Data Dictionary list ${n}`,
  carried_as_is: (n) => `carried as they are by ${n}`,
  none: () => 'covered by nothing yet',
};

/** The assessment as terminal text: the rating and its reasons, then one block per table. */
export function formatAssessmentText(a: Assessment): string {
  const lines = [
    `readiness assessment of ${a.source}${a.contract ? ` against contract ${a.contract.name} ${a.contract.version}` : ''}`,
    `${a.totals.tables} table(s), ${a.totals.rows} rows, ${a.totals.columns} columns, ~${bytes(a.totals.approx_bytes)}`,
    `complexity: ${LEVEL[a.rating.level]} (${a.rating.points} points)`,
    ...a.rating.reasons.map((r) => `  +${r.points} ${r.code}: ${r.detail}`),
    `effort estimate: ${a.totals.analyst_days} analyst day(s) (a heuristic: see docs/assessment.md)`,
  ];
  for (const t of a.tables) {
    lines.push('', `${t.name}: ${t.rows} rows, ${t.columns} columns — ${t.effort.analyst_days} day(s) = ${t.effort.basis.map((b) => `${b.count}×${b.days_each} ${b.item}`).join(' + ')}`);
    lines.push(`  keys: ${keysText(t)}`);
    if (t.free_text.free_text_columns.length)
      lines.push(`  free text: ${t.free_text.free_text_columns.length} of ${t.free_text.text_columns} text columns (${t.free_text.free_text_columns.join(', ')})`);
    for (const c of t.code_fields) lines.push(`  code field ${c.column}: ${codeText(c)}`);
    if (t.national_code_fields.length) lines.push(`  national codes: ${t.national_code_fields.map((n) => `${n.column} (${n.pattern})`).join(', ')}`);
    for (const d of t.dates.filter((x) => x.chaotic))
      lines.push(
        `  dates ${d.column}: ${d.formats.map((f) => `${f.format} ${pct(f.share)}`).join(', ')}${d.unparseable_share ? `, unparseable ${pct(d.unparseable_share)}` : ''}${d.estimated ? ` (${EST} from ${d.sampled_values} sampled)` : ''}`,
      );
    for (const o of t.orphans.filter((x) => (x.orphan_rows ?? 0) > 0))
      lines.push(`  orphans ${o.columns.join('+')} → ${o.references.table}: ${o.estimated ? EST : ''}${o.orphan_rows} of ${o.child_rows} rows (${pct(o.orphan_rate ?? 0)})`);
    if (t.binary.bytes) lines.push(`  binary: ${t.binary.values} value(s), ${bytes(t.binary.bytes)} in ${t.binary.columns.join(', ')}`);
    for (const p of t.encoding.problems)
      lines.push(`  read problem: ${p.rows} row(s) ${p.reason_code}${p.column ? ` in ${p.column}` : ''}${p.likely_encoding ? ` (looks like ${p.likely_encoding})` : ''}`);
  }
  if (a.coverage) {
    const c = a.coverage;
    lines.push('', `contract coverage: ${c.totals.mapped} of ${c.totals.fields} target fields mapped, ${c.totals.suggested} suggested, ${c.totals.unmapped} unmapped`);
    for (const t of c.targets.filter((x) => x.suggested || x.unmapped)) lines.push(`  ${t.table}: ${[...t.suggested_fields.map((f) => `${f} (suggested)`), ...t.unmapped_fields].join(', ')}`);
    for (const u of c.unread_source_columns) lines.push(`  unread source columns in ${u.table}: ${u.columns.join(', ')}`);
  }
  return lines.join('\n');
}

function keysText(t: TableAssessment): string {
  const parts = [t.keys.declared_primary_key.length ? `primary key ${t.keys.declared_primary_key.join('+')}` : 'no declared primary key'];
  const found = t.keys.candidate_keys.filter((k) => k.join('+') !== t.keys.declared_primary_key.join('+'));
  if (found.length) parts.push(`candidates ${found.map((k) => k.join('+')).join(', ')}`);
  else if (!t.keys.declared_primary_key.length) parts.push('no candidate key');
  const pk = t.keys.primary_key_duplicates;
  if (pk?.duplicates) parts.push(`${pk.estimated ? EST : ''}${pk.duplicates} repeated ${pk.column} value(s)`);
  for (const i of t.keys.identifiers.filter((x) => x.duplicates > 0)) parts.push(`${i.estimated ? EST : ''}${i.duplicates} repeated ${i.column} value(s)`);
  return parts.join('; ');
}

function codeText(c: CodeField): string {
  const left = c.codes_needing_crosswalk ? `; ${c.codes_needing_crosswalk} still to crosswalk (${c.rows_needing_crosswalk} rows: ${c.uncovered.map((u) => u.code).join(', ')})` : '';
  return `${c.distinct_codes} codes, ${COVERED_BY[c.covered_by?.kind ?? 'none'](c.covered_by?.name ?? '')}${left}`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** The assessment as one printable, self-contained HTML page. */
export function formatAssessmentHtml(a: Assessment): string {
  const e = escapeHtml;
  const reasons = a.rating.reasons.map((r) => `<tr><td>${e(r.code)}</td><td class=n>+${r.points}</td><td>${e(r.detail)}</td></tr>`).join('\n');
  const summary = a.tables
    .map((t) => {
      const orphanRows = t.orphans.reduce((n, o) => n + (o.orphan_rows ?? 0), 0);
      const dups = Math.max(t.keys.primary_key_duplicates?.duplicates ?? 0, ...t.keys.identifiers.map((i) => i.duplicates));
      const codes = t.code_fields.reduce((n, c) => n + c.codes_needing_crosswalk, 0);
      return `<tr><td><a href="#t-${e(t.name)}">${e(t.name)}</a></td><td class=n>${t.rows}</td><td class=n>${t.columns}</td><td class=n>${dups}</td><td class=n>${t.free_text.share === null ? '' : pct(t.free_text.share)}</td><td class=n>${t.code_fields.length}</td><td class=n>${codes}</td><td class=n>${t.dates.filter((d) => d.chaotic).length}</td><td class=n>${orphanRows}</td><td class=n>${t.binary.bytes ? e(bytes(t.binary.bytes)) : ''}</td><td class=n>${t.encoding.problem_rows || ''}</td><td class=n><b>${t.effort.analyst_days}</b></td></tr>`;
    })
    .join('\n');
  const tables = a.tables.map((t) => tableHtml(t)).join('\n');
  const coverage = a.coverage ? coverageHtml(a.coverage) : '';
  const steps = RATING_STEPS.map((s) => `${LEVEL[s.level].toLowerCase()} from ${s.from}`).join(', ');
  const days = Object.entries(EFFORT_DAYS)
    .map(([k, v]) => `${e(k.replace(/_/g, ' '))} ${v}`)
    .join('; ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry readiness assessment: ${e(a.source)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222;max-width:75em}table{border-collapse:collapse;width:100%;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}th{background:#f3f3f3}td.n{text-align:right}small{color:#666}a{color:inherit}.rating{font-size:1.6em;font-weight:bold}.low{color:#1a7f37}.medium{color:#9a6700}.high{color:#bc4c00}.very_high{color:#cf222e}section{break-inside:avoid}@media print{a{text-decoration:none}body{margin:0}}</style>
</head><body>
<h1>Migration readiness assessment</h1>
<p>Source <code>${e(a.source)}</code>${a.contract ? `, contract <b>${e(a.contract.name)} ${e(a.contract.version)}</b> <small>${e(a.contract.digest)}</small>` : ''}. Generated ${e(a.generated_at)}. ${a.totals.tables} tables, ${a.totals.rows} rows, ${a.totals.columns} columns, about ${e(bytes(a.totals.approx_bytes))}.</p>
<p>Overall complexity: <span class="rating ${a.rating.level}">${LEVEL[a.rating.level]}</span> (${a.rating.points} points; ${e(steps)}). Effort estimate: <b>${a.totals.analyst_days} analyst days</b>.</p>
<table><thead><tr><th>reason</th><th>points</th><th>basis</th></tr></thead><tbody>
${reasons || '<tr><td colspan=3>no reason for extra complexity found</td></tr>'}
</tbody></table>
<h2>Tables</h2>
<table><thead><tr><th>table</th><th>rows</th><th>columns</th><th>repeated ids</th><th>free text</th><th>code fields</th><th>codes to crosswalk</th><th>chaotic dates</th><th>orphan rows</th><th>binary</th><th>read problems</th><th>analyst days</th></tr></thead><tbody>
${summary}
</tbody></table>
${coverage}
${tables}
<p><small>The rating and the effort estimate are heuristics for planning, computed from the figures above by the documented scheme (docs/assessment.md; days per item: ${days}). ${EST} marks estimated figures. No patient value appears on this page: only counts, shares, table and column names and reference codes.</small></p>
</body></html>
`;
}

function tableHtml(t: TableAssessment): string {
  const e = escapeHtml;
  const items: string[] = [`<li>Keys: ${e(keysText(t))}</li>`];
  if (t.free_text.free_text_columns.length)
    items.push(`<li>Free text: ${t.free_text.free_text_columns.length} of ${t.free_text.text_columns} text columns (${e(t.free_text.free_text_columns.join(', '))})</li>`);
  for (const c of t.code_fields) items.push(`<li>Code field <b>${e(c.column)}</b>: ${e(codeText(c))}</li>`);
  if (t.national_code_fields.length) items.push(`<li>National codes: ${e(t.national_code_fields.map((n) => `${n.column} (${n.pattern})`).join(', '))}</li>`);
  for (const d of t.dates.filter((x) => x.chaotic))
    items.push(
      `<li>Date layouts in <b>${e(d.column)}</b>: ${e(d.formats.map((f) => `${f.format} ${pct(f.share)}`).join(', '))}${d.unparseable_share ? `, unparseable ${pct(d.unparseable_share)}` : ''}${d.estimated ? ` <small>(${EST} from ${d.sampled_values} sampled values)</small>` : ''}</li>`,
    );
  for (const o of t.orphans)
    items.push(
      `<li>Reference ${e(o.columns.join('+'))} → ${e(o.references.table)}.${e(o.references.columns.join('+'))} <small>(${e(o.strength)})</small>: ${o.orphan_rows === null ? 'not measurable' : `${o.estimated ? EST : ''}${o.orphan_rows} orphan row(s) of ${o.child_rows} (${pct(o.orphan_rate ?? 0)})`}</li>`,
    );
  if (t.binary.bytes) items.push(`<li>Binary: ${t.binary.values} value(s), ${e(bytes(t.binary.bytes))} in ${e(t.binary.columns.join(', '))}</li>`);
  for (const p of t.encoding.problems)
    items.push(`<li>Read problem: ${p.rows} row(s) ${e(p.reason_code)}${p.column ? ` in ${e(p.column)}` : ''}${p.likely_encoding ? ` (looks like ${e(p.likely_encoding)})` : ''}</li>`);
  const basis = t.effort.basis.map((b) => `<tr><td>${e(b.item.replace(/_/g, ' '))}</td><td class=n>${b.count}</td><td class=n>${b.days_each}</td><td class=n>${b.days}</td></tr>`).join('');
  return `<section id="t-${e(t.name)}"><h3>${e(t.name)} <small>${t.rows} rows, ${t.columns} columns${t.sample_estimated ? '; layouts from a sample' : ''}</small></h3>
<ul>${items.join('\n')}</ul>
<table><thead><tr><th>effort basis</th><th>count</th><th>days each</th><th>days</th></tr></thead><tbody>${basis}<tr><td colspan=3><b>total</b></td><td class=n><b>${t.effort.analyst_days}</b></td></tr></tbody></table></section>`;
}

function coverageHtml(c: NonNullable<Assessment['coverage']>): string {
  const e = escapeHtml;
  const rows = c.targets
    .map(
      (t) =>
        `<tr><td>${e(t.table)}</td><td>${t.source ? e(t.source) : '<i>no mapping</i>'}</td><td class=n>${t.fields}</td><td class=n>${t.mapped}</td><td class=n>${t.suggested}</td><td class=n>${t.unmapped}</td><td>${e([...t.suggested_fields.map((f) => `${f} (suggested)`), ...t.unmapped_fields].join(', '))}</td></tr>`,
    )
    .join('\n');
  const unread = c.unread_source_columns.map((u) => `<li><b>${e(u.table)}</b>: ${e(u.columns.join(', '))}</li>`).join('');
  return `<h2>Contract coverage</h2>
<p>${c.totals.mapped} of ${c.totals.fields} target fields mapped, ${c.totals.suggested} suggested, ${c.totals.unmapped} unmapped.</p>
<table><thead><tr><th>target table</th><th>source</th><th>fields</th><th>mapped</th><th>suggested</th><th>unmapped</th><th>still open</th></tr></thead><tbody>
${rows}
</tbody></table>${unread ? `<p>Source columns no mapping reads:</p><ul>${unread}</ul>` : ''}`;
}
