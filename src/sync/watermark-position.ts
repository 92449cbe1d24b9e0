/**
 * The position of a watermark sync (docs/sync.md): the poll number and, per captured table, the
 * greatest change value read so far, as JSON text `{"n":POLL_NO,"w":{TABLE:WATERMARK}}`. The
 * poll number alone orders positions; the watermarks say where the next poll reads from.
 */
import { z } from 'zod';
import type { ChangeKind } from '../connectors/changed-after.js';
import { FerryError } from '../errors.js';

/** A decoded watermark position: poll number and each table's watermark (null: the table held no change value). */
export interface WatermarkPosition {
  n: number;
  w: Record<string, string | null>;
}

const positionSchema = z.strictObject({
  n: z.number().int().min(0),
  w: z.record(z.string().min(1), z.string().nullable()),
});

/** The position as JSON text, tables in name order, so equal positions are equal text. */
export function encodePosition(p: WatermarkPosition): string {
  const w: Record<string, string | null> = {};
  for (const table of Object.keys(p.w).sort()) w[table] = p.w[table];
  return JSON.stringify({ n: p.n, w });
}

/** Parses a stored position; refuses text that is not one with `sync.position_invalid` (never quoting it: it holds column values). */
export function decodePosition(text: string): WatermarkPosition {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = positionSchema.safeParse(json);
  if (!parsed.success) {
    throw new FerryError(
      'usage',
      'sync.position_invalid',
      'the stored sync position is not a watermark position ({"n":POLL,"w":{TABLE:VALUE}}); was this sync started with another capture method? Start it again from a new snapshot',
    );
  }
  return parsed.data;
}

/** Orders positions by poll number. */
export function comparePositions(a: string, b: string): number {
  return decodePosition(a).n - decodePosition(b).n;
}

// ISO date and time as the SQL sources write them; fraction and zone are kept as written.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:([ T])(\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Where a poll reads from: above the watermark, minus the overlap for time columns, so a row
 * committed a little late with a time at or just below the watermark is still read (duplicates
 * are harmless: the applier upserts). A timestamp goes back `overlapSeconds`; a date goes back
 * whole days, at least one, because a row changed later on the watermark's day carries the same
 * date; integers and text have no overlap. Undefined (read from the start) when there is no
 * watermark yet.
 */
export function readFrom(watermark: string | null | undefined, kind: ChangeKind, overlapSeconds: number): string | undefined {
  if (watermark === null || watermark === undefined) return undefined;
  if (kind === 'integer' || kind === 'text') return watermark;
  const m = TIMESTAMP.exec(watermark);
  if (!m) throw new FerryError('run', 'sync.bad_watermark', `a ${kind} watermark is not an ISO ${kind}; the change column holds values Ferry cannot order as ${kind}s`);
  const back = kind === 'date' ? Math.max(1, Math.ceil(overlapSeconds / 86_400)) * 86_400 : overlapSeconds;
  const t = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  t.setUTCFullYear(+m[1], +m[2] - 1, +m[3]);
  t.setUTCHours(+(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? 0), 0);
  t.setTime(t.getTime() - back * 1000);
  const day = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  if (kind === 'date') return day;
  return `${day}${m[4] ?? ' '}${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${m[8] ?? ''}${m[9] ?? ''}`;
}

/**
 * True when change value `a` is above `b`: integers as numbers, ISO times as text with either
 * date-time separator (one source writes one format). Text compares by code unit, not in the
 * column's collation, so callers do not rely on it for text.
 */
export function changeAbove(a: string, b: string, kind: ChangeKind): boolean {
  if (kind === 'integer') return BigInt(a) > BigInt(b);
  const iso = (t: string): string => (t.length > 10 ? `${t.slice(0, 10)} ${t.slice(11)}` : t);
  return iso(a) > iso(b);
}
