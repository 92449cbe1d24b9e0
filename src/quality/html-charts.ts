/**
 * Inline SVG charts for the HTML quality report: no script, no external asset. One horizontal
 * bar per figure (tables and overall) with the fail and warn thresholds drawn as markers.
 */
import type { GateDecision } from '../engine/quality-report.js';
import { esc } from './html-escape.js';
import { percent } from './summary.js';

export interface ChartBar {
  label: string;
  value: number | null;
  failBelow: number | null;
  warnBelow: number | null;
  decision: GateDecision | 'ungated';
}

export const DECISION_COLOURS: Record<ChartBar['decision'], string> = {
  pass: '#2e7d32',
  warn: '#c77700',
  fail: '#c62828',
  not_applicable: '#9e9e9e',
  ungated: '#1565c0',
};

/**
 * The axis starts below 100% only as far as the data and thresholds need (in steps of 10%), so
 * figures between 95% and 100% stay distinguishable; the axis is labelled so it does not mislead.
 */
export function axisMin(bars: readonly ChartBar[]): number {
  let lo = 1;
  for (const b of bars) for (const v of [b.value, b.failBelow, b.warnBelow]) if (v !== null) lo = Math.min(lo, v);
  const floored = Math.floor((lo - 0.05) * 10) / 10;
  return Math.max(0, Math.min(0.8, floored));
}

/** A horizontal bar chart of one KPI against its thresholds. */
export function kpiChart(title: string, bars: readonly ChartBar[]): string {
  const labelW = 130;
  const plotW = 330;
  const valueW = 70;
  const rowH = 26;
  const top = 28;
  const height = top + bars.length * rowH + 26;
  const width = labelW + plotW + valueW;
  const min = axisMin(bars);
  const x = (v: number) => labelW + ((Math.max(min, Math.min(1, v)) - min) / (1 - min)) * plotW;
  const parts: string[] = [];
  parts.push(`<svg role="img" width="100%" viewBox="0 0 ${width} ${height}" aria-label="${esc(title)}">`);
  parts.push(`<title>${esc(title)}</title>`);
  parts.push(`<text x="0" y="16" class="ct">${esc(title)}</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = min + ((1 - min) * k) / 4;
    const gx = x(v).toFixed(1);
    parts.push(`<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${height - 22}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${gx}" y="${height - 8}" text-anchor="middle" class="ax">${esc(percent(v).replace('.00', ''))}</text>`);
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const label = b.label.length > 19 ? `${b.label.slice(0, 18)}…` : b.label;
    parts.push(`<text x="${labelW - 8}" y="${y + 16}" text-anchor="end" class="lb">${esc(label)}<title>${esc(b.label)}</title></text>`);
    parts.push(`<rect x="${labelW}" y="${y + 4}" width="${plotW}" height="16" fill="#f5f5f5"/>`);
    if (b.value !== null) {
      const w = Math.max(1, x(b.value) - labelW);
      parts.push(`<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="16" fill="${DECISION_COLOURS[b.decision]}"><title>${esc(`${b.label}: ${percent(b.value)}`)}</title></rect>`);
    } else {
      parts.push(`<text x="${labelW + 6}" y="${y + 16}" class="na">not applicable (no rows to measure)</text>`);
    }
    for (const [t, colour, name] of [
      [b.failBelow, DECISION_COLOURS.fail, 'fail below'],
      [b.warnBelow, DECISION_COLOURS.warn, 'warn below'],
    ] as const) {
      if (t === null) continue;
      const tx = x(t).toFixed(1);
      parts.push(
        `<line x1="${tx}" y1="${y + 1}" x2="${tx}" y2="${y + 23}" stroke="${colour}" stroke-width="2.5" stroke-dasharray="${name === 'fail below' ? '0' : '4 2'}"><title>${esc(`${name} ${percent(t)}`)}</title></line>`,
      );
    }
    parts.push(`<text x="${labelW + plotW + 8}" y="${y + 16}" class="vl">${esc(percent(b.value))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A small horizontal bar proportional to `count / max`, for ranked lists. */
export function countBar(count: number, max: number, colour = '#78909c'): string {
  const w = max > 0 ? Math.max(1, Math.round((count / max) * 120)) : 0;
  return `<svg width="120" height="10" aria-hidden="true"><rect width="${w}" height="10" fill="${colour}"/></svg>`;
}
