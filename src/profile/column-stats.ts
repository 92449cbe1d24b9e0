/**
 * Streaming statistics for one column in fixed memory: counts, the K shortest and longest lengths
 * and K smallest and largest numbers (extremes.ts: what a profile may show of them), exact
 * distinct values up to a limit and then HyperLogLog, frequent values (exact, then
 * Misra-Gries), and a k-minimum-values sketch for foreign-key inclusion tests.
 */
import type { Value } from '../connectors/connector.js';
import { FrequentValues } from './frequent.js';
import { hash32, unitHash } from './hash.js';
import { KExtremes } from './extremes.js';
import { HyperLogLog } from './hll.js';
import { KmvSketch } from './kmv.js';

const NUMBER = /^[-+]?\d*\.?\d+$/;

export class ColumnStats {
  rows = 0;
  nulls = 0;
  empties = 0;
  padded = 0;
  /** Characters of all non-null text values: with binaryBytes, the column's volume. */
  characters = 0;
  /** Binary values and their total size: they are volume a migration moves but no profile can show. */
  binaryValues = 0;
  binaryBytes = 0;
  /** Lengths of non-null values. */
  readonly lengths: KExtremes;
  /** Values that parse as numbers. */
  readonly numbers: KExtremes;
  /** Non-empty values that are not numbers: the numeric range only describes numeric columns. */
  nonNumeric = 0;
  readonly frequent: FrequentValues;
  readonly hll = new HyperLogLog(14);
  readonly kmv: KmvSketch;

  /** `extremeRows` is K: how many rows must share an extreme before a profile may show it. */
  constructor(exactLimit: number, kmvSize = 1024, extremeRows = 5) {
    this.lengths = new KExtremes(extremeRows);
    this.numbers = new KExtremes(extremeRows);
    this.frequent = new FrequentValues(exactLimit);
    this.kmv = new KmvSketch(kmvSize);
  }

  /** Counts one value. */
  add(value: Value | undefined): void {
    this.rows++;
    if (value === null || value === undefined) {
      this.nulls++;
      return;
    }
    const text = textOf(value);
    const len = text.length;
    if (Buffer.isBuffer(value)) {
      this.binaryValues++;
      this.binaryBytes += value.length;
    } else this.characters += len;
    this.lengths.add(len);
    const trimmed = text.trim();
    if (trimmed.length === 0) {
      this.empties++;
      return;
    }
    if (trimmed.length !== len) this.padded++;
    if (NUMBER.test(trimmed)) {
      this.numbers.add(Number(trimmed));
    } else this.nonNumeric++;
    this.frequent.add(trimmed);
    this.hll.addHash(hash32(trimmed, 0x2f0b3c5d));
    this.kmv.addHash(unitHash(trimmed));
  }

  /** Non-null, non-empty values. */
  get filled(): number {
    return this.rows - this.nulls - this.empties;
  }

  /** Distinct non-empty values: exact while under the limit, else the HyperLogLog estimate. */
  distinct(): { count: number; estimated: boolean } {
    if (this.frequent.exact) return { count: this.frequent.counts.size, estimated: false };
    return { count: Math.min(this.hll.estimate(), this.filled), estimated: true };
  }
}

/** A cell as text for profiling: binary values are summarised by their length, never shown. */
export function textOf(value: Value): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  return String(value);
}
