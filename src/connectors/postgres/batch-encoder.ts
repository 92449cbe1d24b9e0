/**
 * Batches of a plain-COPY load (append, or truncate without an undo log) encoded as their rows
 * are evaluated: the target rows, the undo log's inserted keys and the lineage records each go
 * into COPY text buffers, and the commit only streams those buffers. Upserts that merge by key
 * need the rows themselves and do not use this.
 */
import type { BatchEncoder, LineageOutcome, TargetTableDef, Value } from '../connector.js';
import { CopyChunks, escapeCopyText, type FieldEncoder } from './copy-text.js';
import { LineageLines } from './lineage.js';
import { insertedKeyPrefix } from './undo.js';

/** One batch's COPY text: the target rows, the inserted keys (undo) and the lineage records. */
export class PgEncodedBatch {
  constructor(
    readonly rows: number,
    readonly data: Buffer[],
    readonly undoKeys: Buffer[],
    readonly lineage: Buffer[],
  ) {}
}

export interface PgBatchEncoderOptions {
  def: TargetTableDef;
  encoders: readonly FieldEncoder[];
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
  private rows = 0;

  constructor(private readonly o: PgBatchEncoderOptions) {
    this.undoPrefix = o.undo ? insertedKeyPrefix(o.undo.runNo, o.def.name) : '';
  }

  row(row: readonly Value[]): void {
    this.data.addRow(row, this.o.encoders);
    if (this.o.undo) this.undoKeys.addLine(this.undoPrefix + escapeCopyText(this.o.undo.key(row)) + '\n');
    this.rows++;
  }

  lineage(sourceKey: string, outcome: LineageOutcome, targetKey: string | null, reason: string | null): void {
    if (this.o.lineage) this.lineageText.addLine(this.o.lineage.line(sourceKey, outcome, targetKey, reason));
  }

  take(): PgEncodedBatch {
    const batch = new PgEncodedBatch(this.rows, this.data.take(), this.undoKeys.take(), this.lineageText.take());
    this.rows = 0;
    return batch;
  }
}
