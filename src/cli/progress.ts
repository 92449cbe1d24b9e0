/**
 * Run progress for people: per-table bars on a terminal, plain timestamped lines otherwise
 * (CI logs, pipes), then the end-of-run reconciliation table by table. Listens to engine events; never sees row values.
 */
import cliProgress from 'cli-progress';
import type { RunEvent, RunEventListener } from '../engine/events.js';
import { rate } from '../engine/throughput.js';
import type { CliIO } from './io.js';

export interface Progress {
  listener: RunEventListener;
  stop(): void;
}

/** Chooses bars or lines by whether the output is a terminal. */
export function createProgress(io: CliIO, quiet: boolean): Progress {
  if (quiet) return { listener: () => undefined, stop: () => undefined };
  return io.isTTY ? barProgress() : lineProgress(io);
}

function barProgress(): Progress {
  const multi = new cliProgress.MultiBar(
    {
      format: ' {table} |{bar}| {percentage}% {value}/{total} rows | {rate} rows/s | ETA {eta_formatted} | quarantined {quarantined}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number; from: number }>();
  let width = 12;
  let reconciling: { bar: cliProgress.SingleBar; tables: string[]; mismatched: number } | undefined;
  const listener = (e: RunEvent) => {
    if (e.type === 'run:started') width = Math.max(12, ...e.tables.map((t) => t.length));
    if (e.type === 'reconcile:started') {
      const next = e.tables[0] ?? '';
      reconciling = {
        tables: e.tables,
        mismatched: 0,
        bar: multi.create(
          e.tables.length,
          0,
          { table: 'reconciling…'.padEnd(width), next, mismatched: 0 },
          { format: ' {table} |{bar}| {value}/{total} tables | now {next} | mismatched {mismatched}' },
        ),
      };
    }
    if (e.type === 'reconcile:table' && reconciling) {
      if (e.status === 'mismatch') reconciling.mismatched++;
      reconciling.bar.update(e.done, { next: reconciling.tables[e.done] ?? 'business checks', mismatched: reconciling.mismatched });
    }
    if (e.type === 'reconcile:finished' && reconciling) reconciling.bar.update(reconciling.tables.length, { table: `reconciled: ${e.status}`.padEnd(width), next: '-' });
    if (e.type === 'table:started') {
      const bar = multi.create(e.total ?? 0, e.resumedFrom, { table: e.table.padEnd(width), rate: '-', quarantined: 0 });
      bars.set(e.table, { bar, started: Date.now(), from: e.resumedFrom });
    }
    if (e.type === 'batch:loaded' || e.type === 'table:finished') {
      const b = bars.get(e.table);
      if (!b) return;
      if (e.type === 'table:finished' && b.bar.getTotal() === 0) b.bar.setTotal(e.counts.read);
      b.bar.update(e.counts.read, { rate: rate(e.counts.read - b.from, Date.now() - b.started) ?? '-', quarantined: e.counts.quarantined });
    }
  };
  return { listener, stop: () => multi.stop() };
}

function lineProgress(io: CliIO): Progress {
  const last = new Map<string, number>();
  const listener = (e: RunEvent) => {
    const ts = new Date().toISOString().slice(11, 19);
    switch (e.type) {
      case 'run:started':
        io.err(`${ts} run ${e.runId} ${e.resumed ? 'resumed' : 'started'}${e.dryRun ? ' (dry run)' : ''}: ${e.tables.length} table(s)`);
        break;
      case 'table:started':
        io.err(`${ts} ${e.table}: reading ${e.source}${e.total !== null ? ` (${e.total} rows)` : ''}${e.resumedFrom > 0 ? `, resuming after row ${e.resumedFrom}` : ''}`);
        last.set(e.table, Date.now());
        break;
      case 'batch:loaded': {
        // A line every ten seconds per table keeps CI logs readable on long runs.
        const t = last.get(e.table) ?? 0;
        if (Date.now() - t >= 10_000) {
          io.err(`${ts} ${e.table}: ${e.counts.read} read, ${e.counts.loaded} loaded, ${e.counts.quarantined} quarantined`);
          last.set(e.table, Date.now());
        }
        break;
      }
      case 'table:finished':
        io.err(`${ts} ${e.table}: done — ${e.counts.read} read, ${e.counts.loaded} loaded, ${e.counts.quarantined} quarantined, ${e.counts.excluded} excluded in ${(e.elapsedMs / 1000).toFixed(1)} s`);
        break;
      case 'run:finished':
        io.err(`${ts} run ${e.runId} ${e.status} in ${(e.elapsedMs / 1000).toFixed(1)} s`);
        break;
      case 'reconcile:started':
        io.err(`${ts} reconciling ${e.tables.length} table(s) against the source…`);
        break;
      case 'reconcile:table':
        io.err(`${ts} reconciled ${e.table} (${e.done}/${e.total}): ${e.status} in ${(e.elapsedMs / 1000).toFixed(1)} s`);
        break;
      case 'reconcile:finished':
        io.err(`${ts} reconciliation ${e.status} in ${(e.elapsedMs / 1000).toFixed(1)} s`);
        break;
    }
  };
  return { listener, stop: () => undefined };
}
