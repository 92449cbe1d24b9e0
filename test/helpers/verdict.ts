/** What a run decided and measured, for comparing a disturbed run with an uninterrupted one. */
import type { RunReport } from '../../src/run/report.js';

/**
 * Status, error, accounting, quarantine reasons, warnings and the whole quality section of a run
 * report. Example keys are left out: which few rows a gate names depends on when batches commit.
 */
export function verdictOf(r: RunReport): unknown {
  const strip = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (k === 'exampleKeys' ? [] : [[k, strip(x)]]))) : v;
  return {
    status: r.status,
    error: r.error,
    totals: r.totals,
    tables: r.tables.map((t) => ({ table: t.table, read: t.read, loaded: t.loaded, quarantined: t.quarantined, excluded: t.excluded, reasons: t.quarantineReasons, warnings: t.warnings })),
    quality: strip(r.quality),
  };
}
