/**
 * Batches of a plain-COPY load (append, or truncate without an undo log) encoded as their rows
 * are evaluated: the target rows, the undo log's inserted keys and the lineage records each go
 * into COPY text buffers, and the commit only streams those buffers. Upserts that merge by key
 * need the rows themselves and do not use this. Consecutive integer keys go into range records
 * (key-ranges.ts) rather than one record per row.
 */
import type { BatchEncoder, LineageOutcome, TargetTableDef, Value } from '../connector.js';
import { CopyChunks, escapeCopyText, type FieldEncoder } from './copy-text.js';
import { canonicalInt } from '../canonical-int.js';
import { KeyRangeLines } from './key-ranges.js';
import { type LineageLines } from './lineage.js';
import { insertedKeyPrefix } from './undo.js';

/** One batch's COPY text: the target rows, the inserted keys and key ranges (undo), and the lineage records and ranges. */
export class PgEncodedBatch {
  constructor(
    readonly rows: number,
    readonly data: Buffer[],
    readonly undoKeys: Buffer[],
    readonly undoRanges: Buffer[],
    readonly lineage: Buffer[],
    readonly lineageRanges: Buffer[],
  ) {}
}

export interface PgBatchEncoderOptions {
  def: TargetTableDef;
  encoders: readonly FieldEncoder[];
  /** The same for rows known to hold no character COPY escapes: text goes out without a scan. */
  cleanEncoders: readonly FieldEncoder[];
  /** Present when the run keeps an undo log: the run's number and the key renderer. */
  undo?: { runNo: number; key: (row: readonly Value[]) => string };
  /** Present when the run writes lineage. */
  lineage?: LineageLines;
}

/** Encodes one table's batches for the PostgreSQL target (see the module comment). */
export class PgBatchEncoder implements BatchEncoder {
  private readonly data = new CopyChunks();
  private readonly undoKeys = new CopyChunks();
  private readonly lineageText = new CopyChunks();
  private readonly undoPrefix: string;
  /** Position of the table's only key column when it is an integer column: its keys can go into ranges. */
  private readonly intKey: number;
  private readonly undoRanges: KeyRangeLines;
  private readonly lineageRanges: KeyRangeLines;
  private rows = 0;
  /** The last row's integer key text ('' when none) and its canonicalInt: the row's lineage record reuses them. */
  private lastKey = '';
  private lastNum = NaN;

  constructor(private readonly o: PgBatchEncoderOptions) {
    this.undoPrefix = o.undo ? insertedKeyPrefix(o.undo.runNo, o.def.name) : '';
    const pk = o.def.primaryKey.length === 1 ? o.def.columns.findIndex((c) => c.name === o.def.primaryKey[0]) : -1;
    this.intKey = pk >= 0 && o.def.columns[pk].type === 'integer' ? pk : -1;
    this.undoRanges = new KeyRangeLines(this.undoPrefix);
    this.lineageRanges = new KeyRangeLines(o.lineage?.rangePrefix ?? '');
  }

  row(row: readonly Value[], clean = false): void {
    this.data.addRow(row, clean ? this.o.cleanEncoders : this.o.encoders);
    // The row's integer key, read once for the undo log and the row's lineage record.
    const k = this.intKey >= 0 ? row[this.intKey] : null;
    this.lastKey = typeof k === 'string' ? k : '';
    this.lastNum = this.lastKey === '' ? NaN : canonicalInt(this.lastKey);
    if (this.o.undo) {
      if (this.lastNum === this.lastNum) this.undoRanges.add(this.lastNum);
      else this.undoKeys.addLine(this.undoPrefix + escapeCopyText(this.o.undo.key(row)) + '\n');
    }
    this.rows++;
  }

  lineage(sourceKey: string, outcome: LineageOutcome, targetKey: string | null, reason: string | null): void {
    if (!this.o.lineage) return;
    // A row loaded under its own integer key: source key, target key and outcome are the range's.
    if (outcome === 'L' && targetKey === sourceKey) {
      const n = sourceKey === this.lastKey ? this.lastNum : canonicalInt(sourceKey);
      if (n === n) {
        this.lineageRanges.add(n);
        return;
      }
    }
    this.lineageText.addLine(this.o.lineage.line(sourceKey, outcome, targetKey, reason));
  }

  take(): PgEncodedBatch {
    const batch = new PgEncodedBatch(this.rows, this.data.take(), this.undoKeys.take(), this.undoRanges.take(), this.lineageText.take(), this.lineageRanges.take());
    this.rows = 0;
    return batch;
  }
}
