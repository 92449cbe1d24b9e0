/**
 * Live progress of one run, folded from the engine's RunEvents: per-table counts, throughput
 * and ETA, and the same for the run as a whole. Counts only, never values, so it is safe to
 * stream to any reader of the run.
 */
import type { RunEvent, TableCounts } from '../engine/events.js';
import { rate } from '../engine/throughput.js';

export type TableState = 'pending' | 'running' | 'finished';

export interface TableProgress extends TableCounts {
  table: string;
  state: TableState;
  /** Source rows to read, when the engine counted them first; null otherwise. */
  total: number | null;
  /** Rows read per second since the table started; null before this run read any of its rows. */
  rowsPerSecond: number | null;
  /** Seconds until the table is read, from its total and throughput; null when unknown. */
  etaSeconds: number | null;
}

export interface RunProgressSnapshot {
  tables: TableProgress[];
  totals: TableCounts & { total: number | null };
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  /** The engine's own run id (target bookkeeping, resume, rollback), once started. */
  engineRunId: string | null;
}

const zero = (): TableCounts => ({ read: 0, loaded: 0, quarantined: 0, excluded: 0 });

/** Accumulates RunEvents into a progress snapshot. */
export class RunProgress {
  private readonly tables = new Map<string, TableProgress & { startedAt: number | null; baseRead: number }>();
  private startedAt: number | null = null;
  private engineRunId: string | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Folds one event in. */
  apply(e: RunEvent): void {
    const t = this.now();
    switch (e.type) {
      case 'run:started':
        this.startedAt = t;
        this.engineRunId = e.runId;
        for (const table of e.tables) this.tables.set(table, { table, state: 'pending', total: null, rowsPerSecond: null, etaSeconds: null, ...zero(), startedAt: null, baseRead: 0 });
        return;
      case 'table:started': {
        const p = this.table(e.table);
        p.state = 'running';
        p.startedAt = t;
        p.total = e.total;
        // A resumed table starts with rows already read; throughput counts only this run's reading.
        p.baseRead = e.resumedFrom;
        return;
      }
      case 'batch:loaded':
        Object.assign(this.table(e.table), e.counts);
        return;
      case 'table:finished': {
        const p = this.table(e.table);
        Object.assign(p, e.counts, { state: 'finished' as const, etaSeconds: 0 });
        p.rowsPerSecond = rate(p.read - p.baseRead, e.elapsedMs);
        return;
      }
      case 'run:finished':
        return;
      default:
        // Later stages (the reconciliation's `reconcile:` events) move no rows: the counts stand.
        return;
    }
  }

  private table(name: string) {
    let p = this.tables.get(name);
    if (!p) this.tables.set(name, (p = { table: name, state: 'pending', total: null, rowsPerSecond: null, etaSeconds: null, ...zero(), startedAt: null, baseRead: 0 }));
    return p;
  }

  /** The current figures, with throughput and ETA computed now. */
  snapshot(): RunProgressSnapshot {
    const t = this.now();
    const totals = { ...zero(), total: 0 as number | null };
    let remaining = 0;
    let remainingKnown = true;
    let readHere = 0;
    const tables: TableProgress[] = [];
    for (const p of this.tables.values()) {
      if (p.state === 'running' && p.startedAt !== null) {
        p.rowsPerSecond = rate(p.read - p.baseRead, t - p.startedAt);
        p.etaSeconds = p.total !== null && p.rowsPerSecond ? Math.max(0, Math.round((p.total - p.read) / p.rowsPerSecond)) : null;
      }
      for (const k of ['read', 'loaded', 'quarantined', 'excluded'] as const) totals[k] += p[k];
      readHere += p.read - p.baseRead;
      if (p.total === null && p.state !== 'finished') remainingKnown = false;
      if (p.state !== 'finished') remaining += Math.max(0, (p.total ?? 0) - p.read);
      if (totals.total !== null) totals.total = p.total === null ? (p.state === 'finished' ? totals.total + p.read : null) : totals.total + p.total;
      const { startedAt: _s, baseRead: _b, ...pub } = p;
      tables.push(pub);
    }
    // Rows a resumed run had read before it stopped took no time here: they count in the totals, not the rate.
    const rowsPerSecond = this.startedAt === null ? null : rate(readHere, t - this.startedAt);
    const etaSeconds = remainingKnown && rowsPerSecond ? Math.round(remaining / rowsPerSecond) : remainingKnown && remaining === 0 && this.startedAt !== null ? 0 : null;
    return { tables, totals, rowsPerSecond, etaSeconds, engineRunId: this.engineRunId };
  }
}
