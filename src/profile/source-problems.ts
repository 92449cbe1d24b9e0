/**
 * What the source could not read faithfully while profiling (Slice.problems): counted per column
 * and reason, with the advice a user needs before a run — above all which `?encoding=` reads a
 * file whose bytes are not UTF-8. Positions and values are never kept, only counts.
 */
import type { RowProblem } from '../connectors/connector.js';
import type { SourceProblem } from './types.js';

const LABEL: Record<string, string> = { 'windows-1252': 'Windows-1252', latin1: 'Latin-1' };

/** Counts a table's row problems by column and reason. */
export class SourceProblemTally {
  private readonly byKey = new Map<string, { column: string | null; reasonCode: string; rows: number; encodings: Map<string, number> }>();

  /** Adds one slice's problems. */
  add(problems: readonly RowProblem[]): void {
    for (const p of problems) {
      const column = p.column ?? null;
      const k = `${p.reasonCode}\u0000${column ?? ''}`;
      let hit = this.byKey.get(k);
      if (!hit) this.byKey.set(k, (hit = { column, reasonCode: p.reasonCode, rows: 0, encodings: new Map() }));
      hit.rows++;
      if (p.likelyEncoding) hit.encodings.set(p.likelyEncoding, (hit.encodings.get(p.likelyEncoding) ?? 0) + 1);
    }
  }

  /** The problems found, most rows first; empty when the table read cleanly. */
  result(): SourceProblem[] {
    return [...this.byKey.values()]
      .sort((a, b) => b.rows - a.rows || (a.column ?? '').localeCompare(b.column ?? ''))
      .map((h) => {
        // Latin-1 wins over Windows-1252 as soon as one row needs it: it decodes every byte.
        const likely = h.encodings.has('latin1') ? 'latin1' : h.encodings.size ? [...h.encodings.keys()][0] : null;
        return { column: h.column, reason_code: h.reasonCode, rows: h.rows, likely_encoding: likely, note: note(h.column, h.reasonCode, h.rows, likely) };
      });
  }
}

function note(column: string | null, reasonCode: string, rows: number, likely: string | null): string {
  const where = `${rows} row(s)`;
  if (reasonCode === 'source.encoding') {
    const advice = likely ? `; they look like ${LABEL[likely] ?? likely}: use ?encoding=${likely}` : '; re-export the file in the declared encoding';
    return `column ${column ?? '?'} holds bytes that are not valid in the declared encoding in ${where}${advice} (a run would quarantine these rows)`;
  }
  if (reasonCode === 'source.malformed') return `${where} are malformed records (another number of fields than the header); a run would quarantine them`;
  return `${where} could not be read (${reasonCode}); a run would quarantine them`;
}
