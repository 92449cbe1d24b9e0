/**
 * Bounded lists of example failing rows: a gate names at most `quality.example_keys` of them,
 * so memory stays constant however many rows fail.
 */
import type { ExampleKey } from '../engine/quality-report.js';

/** Keeps the first `limit` example keys it is given. */
export class Examples {
  readonly keys: ExampleKey[] = [];
  constructor(
    private readonly limit: number,
    private readonly table: string,
    private readonly sourceTable: string,
  ) {}

  /** Records a failing row's source key if there is still room. */
  add(sourceKey: string): void {
    if (this.keys.length < this.limit) this.keys.push({ table: this.table, sourceTable: this.sourceTable, sourceKey });
  }

  get full(): boolean {
    return this.keys.length >= this.limit;
  }
}

/** The first `limit` keys across several lists, in order. */
export function firstKeys(lists: ReadonlyArray<readonly ExampleKey[]>, limit: number): ExampleKey[] {
  const out: ExampleKey[] = [];
  for (const l of lists) {
    for (const k of l) {
      if (out.length >= limit) return out;
      out.push(k);
    }
  }
  return out;
}
