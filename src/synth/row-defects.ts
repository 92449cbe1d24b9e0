/**
 * Defects that several tables share: a date written in another format, a local code no
 * crosswalk knows, a foreign key pointing at nothing. Each claims its cell first, so the
 * manifest names exactly one defect per damaged cell.
 */
import type { Cell, GenContext } from './context.js';
import { ALTERNATIVE_DATE_FORMATS, formatAlternative } from './dates.js';

/** Maybe rewrites a date cell in one of the other formats legacy extracts contain. */
export function injectMixedDate(ctx: GenContext, table: number, row: Cell[], key: number, col: number, name: string, day: number): void {
  if (!ctx.hit('mixed_date_format') || row[col] === '' || !ctx.claim(col)) return;
  const format = ALTERNATIVE_DATE_FORMATS[ctx.drng.int(ALTERNATIVE_DATE_FORMATS.length)];
  row[col] = formatAlternative(day, format);
  ctx.record('mixed_date_format', table, key, name, format);
}

/** Maybe replaces one of the candidate code cells with a code its crosswalk does not know. */
export function injectUnmapped(ctx: GenContext, table: number, row: Cell[], key: number, candidates: Array<[number, string, string]>): void {
  if (!ctx.hit('unmapped_code')) return;
  const [col, name, code] = candidates[ctx.drng.int(candidates.length)];
  if (!ctx.claim(col)) return;
  row[col] = code;
  ctx.record('unmapped_code', table, key, name);
}

/** Maybe points a foreign-key cell at a row that does not exist. */
export function injectOrphan(ctx: GenContext, table: number, row: Cell[], key: number, col: number, name: string): void {
  if (!ctx.hit('orphan_foreign_key') || !ctx.claim(col)) return;
  const missing = ctx.orphanKey();
  row[col] = missing;
  ctx.record('orphan_foreign_key', table, key, name, undefined, String(missing));
}
