/**
 * Differences between two versions of one crosswalk file, code by code: what a reviewer needs
 * to sign off a new version of a code list (which local codes now land somewhere else).
 */
import type { CrosswalkEntry } from '../contract/model.js';
import { foldCode } from '../transform/crosswalk-table.js';

/** A source code whose mapping differs between the two versions. */
export interface CrosswalkEntryChange {
  source_code: string;
  old: CrosswalkEntry;
  new: CrosswalkEntry;
}

/** The result of `ferry crosswalk diff --json`; documented in docs/crosswalks.md. */
export interface CrosswalkDiff {
  /** Source codes only in the new version. */
  added: CrosswalkEntry[];
  /** Source codes only in the old version. */
  removed: CrosswalkEntry[];
  /** Same source code, different target code (the display and equivalence may differ too). */
  target_changed: CrosswalkEntryChange[];
  /** Same source and target code, different target display. */
  display_changed: CrosswalkEntryChange[];
  /** Same source and target code, different equivalence. */
  equivalence_changed: CrosswalkEntryChange[];
  /** Source codes whose target, display and equivalence are all the same (notes are not compared). */
  unchanged: number;
  /** True when nothing above changed. */
  identical: boolean;
}

/**
 * Compares two crosswalks by source code. With `caseInsensitive` (the contract's default)
 * codes are matched trimmed and upper-cased, as a run matches them, so re-casing a code in the
 * sheet is not reported as a removal plus an addition.
 */
export function diffCrosswalks(before: readonly CrosswalkEntry[], after: readonly CrosswalkEntry[], options: { caseInsensitive?: boolean } = {}): CrosswalkDiff {
  const ci = options.caseInsensitive ?? true;
  const index = (entries: readonly CrosswalkEntry[]) => new Map(entries.map((e) => [foldCode(e.source_code, ci), e]));
  const oldBy = index(before);
  const newBy = index(after);
  const diff: CrosswalkDiff = { added: [], removed: [], target_changed: [], display_changed: [], equivalence_changed: [], unchanged: 0, identical: true };
  for (const [key, o] of oldBy) {
    const n = newBy.get(key);
    if (!n) {
      diff.removed.push(o);
      continue;
    }
    const change = { source_code: n.source_code, old: o, new: n };
    if (o.target_code !== n.target_code) {
      diff.target_changed.push(change);
      continue;
    }
    const display = o.target_display !== n.target_display;
    const equivalence = o.equivalence !== n.equivalence;
    if (display) diff.display_changed.push(change);
    if (equivalence) diff.equivalence_changed.push(change);
    if (!display && !equivalence) diff.unchanged++;
  }
  for (const [key, n] of newBy) if (!oldBy.has(key)) diff.added.push(n);
  diff.identical = diff.added.length + diff.removed.length + diff.target_changed.length + diff.display_changed.length + diff.equivalence_changed.length === 0;
  return diff;
}
