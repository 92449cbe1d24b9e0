/**
 * Bounded lists of example failing rows: a gate names at most `quality.example_keys` of them,
 * so memory stays constant however many rows fail.
 */
import type { ExampleKey } from '../engine/quality-report.js';

/**
 * Keeps the `limit` lowest example keys it is given (integers by value, before other keys in
 * code-unit order): which rows a gate names then does not depend on the order rows were
 * evaluated in, so a run whose partitions load in parallel names the same rows as one that
 * loads each table in one piece, and the lowest keys of a key-ordered read are its first rows.
 */
export class Examples {
  readonly keys: ExampleKey[] = [];
  constructor(
    private readonly limit: number,
    private readonly table: string,
    private readonly sourceTable: string,
  ) {}

  /** Records a failing row's source key if it is among the lowest seen. */
  add(sourceKey: string): void {
    const keys = this.keys;
    if (keys.length >= this.limit && (this.limit === 0 || compareKeys(sourceKey, keys[keys.length - 1].sourceKey) >= 0)) return;
    let at = keys.length;
    while (at > 0 && compareKeys(sourceKey, keys[at - 1].sourceKey) < 0) at--;
    // A row quarantined for several reasons is offered once per batch outcome and once per evaluation: name it once.
    if (at > 0 && keys[at - 1].sourceKey === sourceKey) return;
    keys.splice(at, 0, { table: this.table, sourceTable: this.sourceTable, sourceKey });
    if (keys.length > this.limit) keys.pop();
  }

  get full(): boolean {
    return this.keys.length >= this.limit;
  }
}

const INTEGER = /^-?(0|[1-9]\d*)$/;

/** Orders source keys: canonical integers by value, then everything else by code units. */
export function compareKeys(a: string, b: string): number {
  const ai = INTEGER.test(a);
  const bi = INTEGER.test(b);
  if (ai && bi) {
    const an = a.startsWith('-');
    const bn = b.startsWith('-');
    if (an !== bn) return an ? -1 : 1;
    // Same sign: a longer magnitude is larger (smaller when negative); equal lengths compare as text.
    const byMagnitude = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
    return an ? -byMagnitude : byMagnitude;
  }
  if (ai !== bi) return ai ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
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
