/**
 * Run lifecycle events as a typed map with `noun:verb` keys. The engine emits; progress bars,
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
}

export type RunEventType = keyof RunEventMap;
export type RunEvent = { [K in RunEventType]: { type: K } & RunEventMap[K] }[RunEventType];
export type RunEventListener = (event: RunEvent) => void;
