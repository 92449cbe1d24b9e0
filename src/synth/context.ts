/**
 * What every generator function shares while producing one patient's rows: the seeded PRNGs,
 * vocabulary pools, id counters, defect rates and the sinks rows and defects go to.
 */
import type { DefectEntry, DefectKind, DefectRates } from './defects.js';
import { NhsNumberSequence } from './identifiers.js';
import type { Pools } from './pools.js';
import { Prng } from './prng.js';
import { LEGACY_TABLES, type LegacyTableName } from './schema.js';

/** A cell as generated: text, or an integer key. The empty string means "no value". */
export type Cell = string | number;

/** Receives rows one at a time, aligned with the table's columns in schema.ts. */
export interface RowSink {
  row(table: number, values: Cell[]): void;
}

/** Receives each injected defect as it happens, in generation order. */
export interface DefectSink {
  defect(entry: DefectEntry): void;
}

/** Table numbers (indexes into LEGACY_TABLES), so the hot path passes integers, not names. */
export const T = Object.fromEntries(LEGACY_TABLES.map((t, i) => [t.name, i])) as Record<LegacyTableName, number>;

// Keys that can never exist: orphan rows point here. Real keys stay far below (one per patient
// or event), so the two ranges cannot meet at any practical scale.
export const ORPHAN_KEY_BASE = 900_000_000;

/** Per-run generation state. */
export class GenContext {
  /** Draws the patient's data; reseeded per patient so rows depend only on (seed, index). */
  readonly rng: Prng;
  /** Draws defect decisions, on its own stream so clean and defective runs share the same people. */
  readonly drng: Prng;
  /** Indexes into ALLERGENS of the current patient's allergies, and into MEDICINES of their orders. */
  readonly allergens: number[] = [];
  readonly medicines: number[] = [];
  /** Next key per table. */
  readonly nextId: number[];
  readonly nhsNumbers: NhsNumberSequence;
  /** Duplicate patients get keys after every real patient, as a later re-registration would. */
  nextDuplicateId: number;
  // Columns of the current row that already carry a defect: one defect per cell keeps the
  // manifest exact (a later defect would otherwise silently overwrite an earlier one).
  private touched = 0;

  constructor(
    readonly seed: number,
    readonly patients: number,
    /** "Today" for the data set, as a day number: nothing clean happens after it. */
    readonly asOf: number,
    readonly rates: DefectRates,
    readonly pools: Pools,
    readonly rows: RowSink,
    readonly defects: DefectSink,
  ) {
    this.rng = new Prng(seed, 1, 0);
    this.drng = new Prng(seed, 2, 0);
    this.nextId = LEGACY_TABLES.map(() => 1);
    this.nhsNumbers = new NhsNumberSequence(seed);
    this.nextDuplicateId = patients + 1;
  }

  /** Reseeds both streams for patient `index`. */
  startPatient(index: number): void {
    this.rng.reseed(this.seed, 1, index);
    this.drng.reseed(this.seed, 2, index);
    this.allergens.length = 0;
    this.medicines.length = 0;
  }

  /** Allocates the next key of a table. */
  id(table: number): number {
    return this.nextId[table]++;
  }

  /** Decides whether to inject a defect of this kind into one eligible record. */
  hit(kind: DefectKind): boolean {
    const r = this.rates[kind];
    return r > 0 && this.drng.float() < r;
  }

  /** Records an injected defect. */
  record(kind: DefectKind, table: number, key: number, column: string, variant?: string, related?: string): void {
    const entry: DefectEntry = { kind, table: LEGACY_TABLES[table].name, key: String(key), column };
    if (variant !== undefined) entry.variant = variant;
    if (related !== undefined) entry.related = related;
    this.defects.defect(entry);
  }

  /** Starts defect bookkeeping for a new row. */
  newRow(): void {
    this.touched = 0;
  }

  /** Claims a cell of the current row for a defect; false when it already carries one. */
  claim(column: number): boolean {
    const bit = 1 << column;
    if (this.touched & bit) return false;
    this.touched |= bit;
    return true;
  }

  /** A key that no row of any table has. */
  orphanKey(): number {
    return ORPHAN_KEY_BASE + this.drng.int(99_000_000);
  }
}

/** Column positions of a legacy table, by name. */
export function columnIndex(table: LegacyTableName): Record<string, number> {
  const t = LEGACY_TABLES[T[table]];
  return Object.fromEntries(t.columns.map((c, i) => [c.name, i]));
}

/** Right-pads a code to its fixed width, as the PAS stores it. */
export function pad(value: string, width: number): string {
  return value.length >= width ? value : value + ' '.repeat(width - value.length);
}
