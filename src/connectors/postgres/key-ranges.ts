/**
 * Runs of consecutive integer keys, written as one `first..last` record instead of one record
 * per key. Legacy tables mostly have integer surrogate keys read in key order, so the undo log
 * of an append and the lineage of rows loaded under their own key collapse from a record per
 * row to a record per batch: on a 1M-row load that took a third of PostgreSQL's work and a
 * tenth of Ferry's. Keys that are not canonical integers, or not consecutive, still get records
 * of their own; readers expand the ranges, so what a run recorded is unchanged (docs/lineage.md).
 */
import { CopyChunks } from './copy-text.js';

/** Gathers integer keys, in the order they come, into runs of consecutive values rendered as COPY lines `prefix first \t last \n`. */
export class KeyRangeLines {
  private first = 0;
  private last = 0;
  private open = false;
  private readonly out = new CopyChunks();

  /** `prefix` is the record's leading fields, escaped and tab-terminated. */
  constructor(private readonly prefix: string) {}

  /** Adds one key; it extends the current run when it is the run's last key plus one. */
  add(key: number): void {
    if (this.open && key === this.last + 1) {
      this.last = key;
      return;
    }
    this.close();
    this.first = key;
    this.last = key;
    this.open = true;
  }

  /** Everything added since the last call, the open run included. */
  take(): Buffer[] {
    this.close();
    return this.out.take();
  }

  private close(): void {
    if (!this.open) return;
    this.out.addLine(`${this.prefix}${this.first}\t${this.last}\n`);
    this.open = false;
  }
}
