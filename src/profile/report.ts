/**
 * Human-readable renderings of a profile: plain text for the terminal and a self-contained HTML
 * page (inline CSS, no scripts or external assets; every value escaped).
 */
import type { ColumnProfile, SourceProfile, TableProfile } from './types.js';

const EST = '~';
/** Marks an end replaced by a bound because fewer than K rows shared it (extremes.ts). */
const BELOW = '≤';
const ABOVE = '≥';

/** A range or length with its protected ends marked: `≤1931-02-11..≥2024-12-30`. */
function ends(r: { min: string | number; max: string | number; min_is_bound: boolean; max_is_bound: boolean }, sep: string, e: (s: string) => string = String): string {
  return `${r.min_is_bound ? BELOW : ''}${e(String(r.min))}${sep}${r.max_is_bound ? ABOVE : ''}${e(String(r.max))}`;
}

const BOUND_NOTE = (k: number) =>
  `${BELOW} and ${ABOVE} mark a smallest or largest value (or length) shared by fewer than ${k} rows: it is not shown, and the ${k}th smallest or largest is shown instead; the true end lies beyond it.`;

/** The profile as terminal text: one block per table, one line per column. */
export function formatProfileText(p: SourceProfile): string {
  const lines: string[] = [
    `profile of ${p.source} (sample ${p.options.sample} rows per table, values seen fewer than ${p.options.min_frequency} times hidden; ${EST} marks estimates)`,
    BOUND_NOTE(p.options.min_frequency),
  ];
  for (const t of p.tables) {
    lines.push('', `${t.name}: ${t.rows} rows${t.sample_estimated ? `, patterns from a ${t.sampled}-row sample` : ''}`);
    lines.push(`  keys: ${keysText(t)}`);
    if (t.foreign_keys.length) lines.push(`  foreign keys: ${t.foreign_keys.map(fkText).join('; ')}`);
    for (const p of t.source_problems ?? []) lines.push(`  note: ${p.note}`);
    for (const c of t.columns) lines.push(`  ${c.name.padEnd(22)} ${columnText(c)}`);
  }
  return lines.join('\n');
}

function keysText(t: TableProfile): string {
  return t.candidate_keys.length ? t.candidate_keys.map((k) => `${k.columns.join('+')}${k.declared ? ' (declared)' : ''}${k.estimated ? ` (${EST})` : ''}`).join(', ') : 'none found';
}

function fkText(f: TableProfile['foreign_keys'][number]): string {
  const c = f.containment === null ? '' : ` ${(f.containment * 100).toFixed(1)}%${f.estimated ? EST : ''} found`;
  return `${f.columns.join('+')} → ${f.references.table}.${f.references.columns.join('+')} (${f.strength}${c})`;
}

function columnText(c: ColumnProfile): string {
  const parts = [`${c.declared_type}→${c.inferred_type}`];
  if (c.dominant_pattern)
    parts.push(c.date_format ? `${c.dominant_pattern} ${c.date_format.format}${c.date_format.ambiguous_with.length ? ` (or ${c.date_format.ambiguous_with.join(', ')})` : ''}` : c.dominant_pattern);
  parts.push(`null ${pct(c.null_rate)}`, `empty ${pct(c.empty_rate)}`, `distinct ${c.distinct.estimated ? EST : ''}${c.distinct.count}`);
  if (c.length) parts.push(`len ${ends(c.length, '-')}`);
  if (c.padded) parts.push(`${c.padded} padded`);
  if (c.range) parts.push(`range ${c.range.estimated ? EST : ''}${ends(c.range, '..')}`);
  if (c.top_values.length)
    parts.push(
      `top ${c.top_values
        .slice(0, 5)
        .map((v) => `${JSON.stringify(v.value)}×${c.top_values_exact ? '' : '≥'}${v.count}`)
        .join(' ')}`,
    );
  return parts.join(' · ');
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** The profile as one self-contained HTML page. */
export function formatProfileHtml(p: SourceProfile): string {
  const e = escapeHtml;
  const tables = p.tables
    .map((t) => {
      const rows = t.columns
        .map((c) => {
          const top = c.top_values.map((v) => `${e(v.value)} <small>×${c.top_values_exact ? '' : '≥'}${v.count}</small>`).join('<br>');
          const pattern = c.dominant_pattern ? `${e(c.dominant_pattern)}${c.date_format ? ` <code>${e(c.date_format.format)}</code>` : ''}` : '<i>mixed</i>';
          const range = c.range ? `${c.range.estimated ? EST : ''}${ends(c.range, ' – ', e)}` : '';
          return `<tr><td><b>${e(c.name)}</b></td><td>${e(c.declared_type)} → ${e(c.inferred_type)}</td><td>${pattern}</td><td class=n>${pct(c.null_rate)}</td><td class=n>${pct(c.empty_rate)}</td><td class=n>${c.distinct.estimated ? EST : ''}${c.distinct.count}</td><td class=n>${c.length ? ends(c.length, '–') : ''}</td><td>${range}</td><td>${top}${c.hidden_values ? `<br><small>${c.hidden_values} rarer value(s) hidden</small>` : ''}</td></tr>`;
        })
        .join('\n');
      const fks = t.foreign_keys.map((f) => `<li>${e(fkText(f))}</li>`).join('');
      const notes = (t.source_problems ?? []).map((p) => `<li>${e(p.note)}</li>`).join('');
      return `<section><h2>${e(t.name)} <small>${t.rows} rows${t.sample_estimated ? `; patterns from a ${t.sampled}-row sample (estimated)` : ''}</small></h2>
<p>Candidate keys: ${e(keysText(t))}</p>${fks ? `<p>Foreign keys:</p><ul>${fks}</ul>` : ''}${notes ? `<p>Read problems:</p><ul>${notes}</ul>` : ''}
<table><thead><tr><th>column</th><th>type (declared → inferred)</th><th>pattern</th><th>null</th><th>empty</th><th>distinct</th><th>length</th><th>range</th><th>top values (≥ ${p.options.min_frequency})</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry profile: ${e(p.source)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%;margin-bottom:2em}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}th{background:#f3f3f3}td.n{text-align:right}small{color:#666}code{background:#f3f3f3}</style>
</head><body>
<h1>Profile of ${e(p.source)}</h1>
<p>Sample ${p.options.sample} rows per table (seed ${p.options.seed}); values seen fewer than ${p.options.min_frequency} times are hidden because rare values can identify a person. ${EST} marks estimated figures. ${e(BOUND_NOTE(p.options.min_frequency))}</p>
${tables}
</body></html>
`;
}
