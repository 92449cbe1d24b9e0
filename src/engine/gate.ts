/**
 * The quality gate as the engine sees it: an observer of every committed batch and crosswalk
 * code that, after the run, yields the report's quality section and the gate decision. The
 * caller builds it (quality/collector.ts does), so the engine measures nothing itself.
 */
import type { CrosswalkObserver } from '../transform/compile.js';
import type { RunObserver } from './observer.js';
import type { QualityReport } from './quality-report.js';

/** A table's accounting, as the run report has it. */
export interface GateTableCounts {
  table: string;
  source?: string;
  read: number;
  loaded: number;
  quarantined: number;
  excluded: number;
}

export interface RunGate extends RunObserver {
  /** A crosswalk observer attributing codes to one target table. */
  forTable(table: string): CrosswalkObserver;
  /** Tells the gate a table has loaded every row, so its children resolve against it at once. */
  tableDone(table: string): void;
  /** The report's quality section with its decision; call once, after the run. */
  result(counts: readonly GateTableCounts[]): QualityReport;
  /** One sentence naming what failed, for the run's error when `result` decided `fail`. */
  failure(report: QualityReport): string;
}
