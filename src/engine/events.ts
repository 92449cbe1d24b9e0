/**
 * Run lifecycle events as a typed map with `noun:verb` keys. The engine emits (the end-of-run
 * reconciliation its `reconcile:` events); progress bars,
 * the audit trail and the server's live progress stream listen. Payloads hold names, keys and
 * counts only, never row values.
 */

export interface TableCounts {
  read: number;
  loaded: number;
  quarantined: number;
  excluded: number;
}

export interface RunEventMap {
  'run:started': { runId: string; contractDigest: string; tables: string[]; resumed: boolean; dryRun: boolean };
  'table:started': { runId: string; table: string; source: string; total: number | null; resumedFrom: number };
  'batch:loaded': { runId: string; table: string; batchRows: number; counts: TableCounts };
  'table:finished': { runId: string; table: string; counts: TableCounts; elapsedMs: number };
  'run:finished': { runId: string; status: string; elapsedMs: number };
  /** The end-of-run reconciliation begins (after `run:finished`): the tables it will prove, in order. */
  'reconcile:started': { runId: string; tables: string[] };
  /** One table proved: `done` of `total` tables, and whether it matched. */
  'reconcile:table': { runId: string; table: string; status: 'match' | 'mismatch'; done: number; total: number; elapsedMs: number };
  'reconcile:finished': { runId: string; status: 'match' | 'mismatch'; elapsedMs: number };
}

export type RunEventType = keyof RunEventMap;
export type RunEvent = { [K in RunEventType]: { type: K } & RunEventMap[K] }[RunEventType];
export type RunEventListener = (event: RunEvent) => void;
