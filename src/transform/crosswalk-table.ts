/**
 * The lookup Map for a crosswalk, built once per crosswalk and case mode and shared by every
 * field (in every mapping) that uses it: crosswalks can hold tens of thousands of codes.
 */
import type { CrosswalkEntry } from '../contract/model.js';
import { FerryError } from '../errors.js';

const cache = new WeakMap<readonly CrosswalkEntry[], Map<boolean, ReadonlyMap<string, string>>>();

/** How a source code is compared: as written, or trimmed and upper-cased. */
export function foldCode(code: string, caseInsensitive: boolean): string {
  return caseInsensitive ? code.trim().toUpperCase() : code;
}

/** Source code → target code; throws a contract error when one source code maps to two targets. */
export function crosswalkTable(name: string, entries: readonly CrosswalkEntry[], caseInsensitive: boolean): ReadonlyMap<string, string> {
  let byMode = cache.get(entries);
  if (byMode === undefined) cache.set(entries, (byMode = new Map()));
  const hit = byMode.get(caseInsensitive);
  if (hit !== undefined) return hit;
  const table = new Map<string, string>();
  for (const e of entries) {
    const key = foldCode(e.source_code, caseInsensitive);
    const prior = table.get(key);
    if (prior !== undefined && prior !== e.target_code) {
      throw new FerryError(
        'contract',
        'contract.crosswalk_conflict',
        `crosswalk ${name} maps source code "${key}" to both "${prior}" and "${e.target_code}"${caseInsensitive ? ' (codes are compared ignoring case and surrounding spaces)' : ''}; keep one row per source code`,
      );
    }
    table.set(key, e.target_code);
  }
  byMode.set(caseInsensitive, table);
  return table;
}
