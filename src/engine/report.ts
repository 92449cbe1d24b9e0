/**
 * The run report: a stable, documented JSON shape (docs/run-report.md). Consumers key on
 * `format`; fields are only ever added, never renamed or removed, within one format. The
 * engine fills everything but the reconciliation, which run/report.ts adds after the load.
 */
import type { QualityReport } from './quality-report.js';

export const REPORT_FORMAT = 'ferry.run-report/v1';

export type RunStatus = 'succeeded' | 'failed' | 'failed_gate' | 'cancelled';

export interface ReasonEntry {
  /** Stable reason code, e.g. `rule.nhs_number`, `transform.parse_date`, `crosswalk.unmapped`. */
  reasonCode: string;
  /** Field and rule or step that raised it, e.g. `nhs_number: nhs_number`. */
  rule: string;
  count: number;
}

export interface TableReport {
  table: string;
  source: string;
  read: number;
  loaded: number;
  quarantined: number;
  excluded: number;
  /** read = loaded + quarantined + excluded. */
  balanced: boolean;
  elapsedMs: number;
  rowsPerSecond: number | null;
  /** Key ranges (partitions) the table loaded in: 1 for a whole table; absent from reports stored before partitions existed. */
  keyRanges?: number;
  quarantineReasons: ReasonEntry[];
  warnings: ReasonEntry[];
}

/** The report as the engine returns it: everything but the end-of-run reconciliation. */
export interface EngineReport {
  format: typeof REPORT_FORMAT;
  runId: string;
  status: RunStatus;
  dryRun: boolean;
  resumed: boolean;
  contract: { name: string; version: string; digest: string };
  source: string;
  target: string | null;
  pilot: { root: string; patients: number } | null;
  startedAt: string;
  finishedAt: string;
  elapsedMs: number;
  totals: { read: number; loaded: number; quarantined: number; excluded: number };
  rowsPerSecond: number | null;
  tables: TableReport[];
  quarantineReasons: ReasonEntry[];
  /** KPIs, gate decisions and findings (docs/quality.md); present once a gated run got past preflight. */
  quality?: QualityReport;
  /** True when per-source-row lineage was written to the target (docs/lineage.md). */
  lineage?: boolean;
  error?: { code: string; message: string };
}
