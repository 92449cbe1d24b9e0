/**
 * The benchmark's steady write load on the legacy PAS: several PAS churn clients
 * (test/helpers/pas-churn.ts), each on its own connection, sharing the offered rate between them,
 * since one client's round trips cap what it can commit.
 */
import { startChurn, type Churn, type ChurnOptions } from '../../test/helpers/pas-churn.js';

/** Changes per transaction the churn makes on average (40% one update, 20% a patient with an address, 25% an address update, 15% a delete). */
export const CHANGES_PER_TRANSACTION = 1.2;

/** What the load wrote, as its clients counted it. */
export interface LoadResult {
  clients: number;
  transactions: number;
  /** Statements' rows as the clients counted them: a few may have touched no row (another client deleted it first). */
  changes: number;
  /** From the first client started to the last one stopped. */
  ms: number;
}

export interface Load {
  /** Transactions committed so far by all clients. */
  readonly committed: number;
  /** Stops every client after its transaction in flight. */
  stop(): Promise<LoadResult>;
}

/** Starts `clients` churn clients at `changesPerSecond` in all against the PAS at `url`. */
export async function startLoad(url: string, o: { changesPerSecond: number; clients: number; columns: ChurnOptions['columns'] }): Promise<Load> {
  if (!Number.isInteger(o.clients) || o.clients < 1 || o.clients > 9) throw new Error(`BENCH_SYNC_CLIENTS must be 1 to 9, got ${o.clients}`);
  const tps = o.changesPerSecond / CHANGES_PER_TRANSACTION / o.clients;
  const churns: Churn[] = [];
  const started = performance.now();
  try {
    // Each client's new rows get their own key range of 100,000 (a client makes about 10,000 new patients a minute at the whole 1,000 changes/s):
    // the churn derives a new patient's NHS number from its key modulo 1,000,000, so ranges a million apart would share numbers.
    for (let i = 0; i < o.clients; i++) churns.push(await startChurn(url, { tps, seed: 101 + i, keyOffset: 1_000_000 + i * 100_000, columns: o.columns }));
  } catch (err) {
    await Promise.allSettled(churns.map((c) => c.stop()));
    throw err;
  }
  return {
    get committed() {
      return churns.reduce((n, c) => n + c.committed, 0);
    },
    async stop() {
      const done = await Promise.all(churns.map((c) => c.stop()));
      return { clients: o.clients, transactions: done.reduce((n, d) => n + d.transactions, 0), changes: done.reduce((n, d) => n + d.changes, 0), ms: performance.now() - started };
    },
  };
}
