/**
 * Code-translation coverage: every non-null code a crosswalk sees, mapped or not, per crosswalk
 * and target table. Unmapped codes are kept with their row counts for the report, at most
 * MAX_UNMAPPED distinct codes per crosswalk and table so a crosswalk misapplied to free text
 * cannot grow memory without bound; rows beyond that are counted as `unmappedOther`.
 */
import type { CrosswalkObserver } from '../transform/context.js';
import { ratio } from './kpis.js';
import type { CrosswalkCoverage } from '../engine/quality-report.js';

export const MAX_UNMAPPED = 1000;

class Tally {
  seen = 0;
  mapped = 0;
  other = 0;
  readonly unmapped = new Map<string, number>();

  add(code: string, mapped: boolean): void {
    this.seen++;
    if (mapped) {
      this.mapped++;
      return;
    }
    const n = this.unmapped.get(code);
    if (n !== undefined) this.unmapped.set(code, n + 1);
    else if (this.unmapped.size < MAX_UNMAPPED) this.unmapped.set(code, 1);
    else this.other++;
  }
}

/** Coverage tallies keyed by table (null when unknown) and crosswalk. */
export class CodeCoverage {
  private readonly tallies = new Map<string | null, Map<string, Tally>>();

  /** An observer that attributes every code to `table`. */
  observer(table: string | null): CrosswalkObserver {
    let byCrosswalk = this.tallies.get(table);
    if (!byCrosswalk) this.tallies.set(table, (byCrosswalk = new Map()));
    const tallies = byCrosswalk;
    return {
      seen(crosswalk, code, mapped) {
        let t = tallies.get(crosswalk);
        if (!t) tallies.set(crosswalk, (t = new Tally()));
        t.add(code, mapped);
      },
    };
  }

  /** Codes seen and mapped for one table (or the unattributed ones, for null). */
  totals(table: string | null): { seen: number; mapped: number } {
    let seen = 0;
    let mapped = 0;
    for (const t of this.tallies.get(table)?.values() ?? []) {
      seen += t.seen;
      mapped += t.mapped;
    }
    return { seen, mapped };
  }

  /** Tables (and null) that saw codes. */
  tables(): Array<string | null> {
    return [...this.tallies.keys()];
  }

  /** One entry per crosswalk and table, unmapped codes largest first. */
  report(): CrosswalkCoverage[] {
    const out: CrosswalkCoverage[] = [];
    for (const [table, byCrosswalk] of this.tallies) {
      for (const [crosswalk, t] of byCrosswalk) {
        if (t.seen === 0) continue;
        out.push({
          crosswalk,
          table,
          seen: t.seen,
          mapped: t.mapped,
          coverage: ratio(t.mapped, t.seen),
          unmapped: [...t.unmapped].map(([code, rows]) => ({ code, rows })).sort((a, b) => b.rows - a.rows || a.code.localeCompare(b.code)),
          unmappedOther: t.other,
        });
      }
    }
    return out.sort((a, b) => a.crosswalk.localeCompare(b.crosswalk) || (a.table ?? '').localeCompare(b.table ?? ''));
  }
}
