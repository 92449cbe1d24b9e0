/**
 * Checks a crosswalk against a national reference list: every target code must be a national
 * code, and its display should be the national display. This is how a trust finds a crosswalk
 * written against an old or misremembered version of a code list before it loads a single row.
 */
import type { CrosswalkEntry } from '../contract/model.js';
import type { ReferenceList } from '../reference/code-lists.js';

/** A target code the reference list does not contain, with the source codes mapped onto it. */
export interface UnknownTarget {
  target_code: string;
  target_display: string;
  source_codes: string[];
}

/** An entry whose target code is national but whose display differs from the national display. */
export interface DisplayMismatch {
  source_code: string;
  target_code: string;
  target_display: string;
  reference_display: string;
}

/** The result of `ferry crosswalk check --json`; documented in docs/crosswalks.md. */
export interface CrosswalkCheck {
  reference: string;
  element: string;
  entries: number;
  /** True when every target code is in the reference list (display mismatches are warnings). */
  ok: boolean;
  unknown_targets: UnknownTarget[];
  display_mismatches: DisplayMismatch[];
  /** National codes no entry maps onto, e.g. "not known" codes a local system never used. */
  unused_reference_codes: Array<{ code: string; display: string }>;
}

// Displays are compared the way a reviewer reads them: case and spacing differences are not mismatches.
function displayKey(s: string): string {
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Compares crosswalk entries with a reference list; target codes must match exactly (national codes are case-sensitive). */
export function checkCrosswalk(entries: readonly CrosswalkEntry[], list: ReferenceList): CrosswalkCheck {
  const national = new Map(list.codes.map((c) => [c.code, c]));
  const unknown = new Map<string, UnknownTarget>();
  const mismatches: DisplayMismatch[] = [];
  const used = new Set<string>();
  for (const e of entries) {
    const ref = national.get(e.target_code);
    if (!ref) {
      const hit = unknown.get(e.target_code);
      if (hit) hit.source_codes.push(e.source_code);
      else unknown.set(e.target_code, { target_code: e.target_code, target_display: e.target_display, source_codes: [e.source_code] });
      continue;
    }
    used.add(ref.code);
    if (displayKey(e.target_display) !== displayKey(ref.display)) {
      mismatches.push({ source_code: e.source_code, target_code: e.target_code, target_display: e.target_display, reference_display: ref.display });
    }
  }
  return {
    reference: list.name,
    element: list.element,
    entries: entries.length,
    ok: unknown.size === 0,
    unknown_targets: [...unknown.values()],
    display_mismatches: mismatches,
    unused_reference_codes: list.codes.filter((c) => !used.has(c.code)).map((c) => ({ code: c.code, display: c.display })),
  };
}
