/** Throughput as reports and progress displays show it. */

/**
 * Rows per second over the rows read by this process; null when it read none, so a table a
 * resumed run skipped (its rows read before the resume, "finished" in a few milliseconds now)
 * shows no rate rather than a huge one.
 */
export function rate(rowsReadHere: number, elapsedMs: number): number | null {
  return rowsReadHere > 0 && elapsedMs > 0 ? Math.round((rowsReadHere / elapsedMs) * 1000) : null;
}
