/**
 * Lag and apply rate from the `sync:applied` events a `ferry sync start --json` process prints:
 * each applied unit carries, per source transaction, the milliseconds from its source commit to
 * the target commit. The bench stamps each event when it reads it, so arrival − delay places each
 * transaction's source commit on the bench's clock (same machine, same clock).
 */

/** One applied unit as the bench read it. */
export interface AppliedUnit {
  /** Date.now() when the bench read the event. */
  at: number;
  transactions: number;
  changes: number;
  delaysMs: number[];
}

/** The value at percentile `p` (0–100) of ascending `sorted`, nearest rank; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Lag of the source transactions committed between `from` and `to` (Date.now() times), as far as the stream applied them. */
export function lagOf(units: AppliedUnit[], from: number, to: number): { transactions: number; p50: number; p95: number; p99: number; max: number } {
  const delays: number[] = [];
  for (const u of units) {
    for (const d of u.delaysMs) {
      const committed = u.at - d;
      if (committed >= from && committed <= to) delays.push(d);
    }
  }
  delays.sort((a, b) => a - b);
  return { transactions: delays.length, p50: percentile(delays, 50), p95: percentile(delays, 95), p99: percentile(delays, 99), max: delays.at(-1) ?? NaN };
}

/** Transactions and changes in the units applied (read) between `from` and `to`, and how many units. */
export function appliedBetween(units: AppliedUnit[], from: number, to: number): { units: number; transactions: number; changes: number } {
  let n = 0;
  let transactions = 0;
  let changes = 0;
  for (const u of units) {
    if (u.at < from || u.at > to) continue;
    n++;
    transactions += u.transactions;
    changes += u.changes;
  }
  return { units: n, transactions, changes };
}
