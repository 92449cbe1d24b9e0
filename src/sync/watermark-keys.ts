/**
 * Key lists and row digests of a watermark sync. Hard deletes leave nothing to poll for, so a
 * table without a delete marker is found out by its key list: every few polls the whole key
 * column is read and compared with the previous list. Keys are held as one string each (typed
 * JSON of the key's values), sorted by code unit, so memory is about the keys' text plus a
 * string header per row (docs/sync.md).
 */
import { createHash } from 'node:crypto';
import type { Value } from '../connectors/connector.js';

// Typed JSON: a bigint and a Buffer must come back as what they were, and 1 and '1' must differ.
type Encoded = string | number | boolean | null | { b: string } | { x: string };

/** One string for a tuple of values, reversible with decodeValues. */
export function encodeValues(values: readonly Value[]): string {
  return JSON.stringify(values.map((v): Encoded => (typeof v === 'bigint' ? { b: v.toString() } : Buffer.isBuffer(v) ? { x: v.toString('hex') } : v)));
}

/** The values encodeValues encoded. */
export function decodeValues(text: string): Value[] {
  return (JSON.parse(text) as Encoded[]).map((v) => (v !== null && typeof v === 'object' ? ('b' in v ? BigInt(v.b) : Buffer.from(v.x, 'hex')) : v));
}

/** SHA-256 of a whole row: a row read again unchanged (the overlap) is recognised without keeping its values. */
export function rowDigest(row: readonly Value[]): string {
  return createHash('sha256').update(encodeValues(row)).digest('base64');
}

/** Plain code-unit order: the same on every machine, unlike localeCompare. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when sorted `keys` holds `key` (binary search). */
export function hasKey(keys: readonly string[], key: string): boolean {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(keys[mid], key);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Keys that were there and are gone: those of the previous sorted list, and those upserted
 * since it was read (`added`), that the current sorted list lacks. Sorted, without repeats.
 */
export function vanishedKeys(previous: readonly string[], added: ReadonlySet<string>, current: readonly string[]): string[] {
  const gone: string[] = [];
  let j = 0;
  for (const key of previous) {
    while (j < current.length && compareKeys(current[j], key) < 0) j++;
    if (j >= current.length || current[j] !== key) gone.push(key);
  }
  for (const key of added) if (!hasKey(previous, key) && !hasKey(current, key)) gone.push(key);
  return gone.sort(compareKeys);
}
