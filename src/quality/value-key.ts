/**
 * Renders target values as map keys for uniqueness and referential-integrity sets. Values are
 * already conformed to their column types, so `1` and `"1"` in integer columns render alike.
 */
import { canonicalInt } from '../connectors/canonical-int.js';
import type { Value } from '../connectors/connector.js';

/** True for null and the empty string: both mean "no value" after transform (docs/engine.md). */
export function isMissing(v: Value | undefined): boolean {
  return v === null || v === undefined || v === '';
}

/** A rendered key: a number for canonical whole numbers (a Set holds those far more cheaply than strings), else text. */
export type KeyValue = string | number;

// Single-column keys are mostly integer surrogates: as numbers, a million of them cost about a
// third of the memory. The mapping is one-to-one ('7' → 7, while '07' stays text), so no two
// distinct keys of a column collide.
function single(v: Value): KeyValue {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string') {
    const n = canonicalInt(v);
    if (n === n) return n;
  }
  return part(v);
}

function part(v: Value): string {
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

/**
 * Builds a function rendering the values at `indexes` as one key, or undefined when any is
 * missing: like SQL, a key with a null part neither collides nor references anything.
 */
export function valueKey(indexes: readonly number[]): (row: readonly Value[]) => KeyValue | undefined {
  if (indexes.length === 1) {
    const i = indexes[0];
    return (row) => (isMissing(row[i]) ? undefined : single(row[i]));
  }
  return (row) => {
    let s = '';
    for (let k = 0; k < indexes.length; k++) {
      const v = row[indexes[k]];
      if (isMissing(v)) return undefined;
      s = k === 0 ? part(v) : `${s}\u0000${part(v)}`;
    }
    return s;
  };
}

/** Case- and space-insensitive form of a text value, for matching people and substances. */
export function normalText(v: Value | undefined): string | undefined {
  if (isMissing(v)) return undefined;
  let s = part(v as Value)
    .trim()
    .toLowerCase();
  // Most values hold no run of spaces: skip the regular expression for them.
  if (/\s\s|[\t\r\n]/.test(s)) s = s.replace(/\s+/g, ' ');
  return s === '' ? undefined : s;
}

/** Like normalText but with every space removed, so `LS1 4AP` and `ls14ap` match. */
export function compactText(v: Value | undefined): string | undefined {
  const s = normalText(v);
  return s === undefined ? undefined : s.replace(/ /g, '');
}
