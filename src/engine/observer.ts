/**
 * Observers see every loaded row as it is evaluated and each committed batch's outcome: the
 * quality gates (KPIs) are computed from these without the engine calling into them. Observers
 * must not keep row values beyond what their measure needs, and must never log them.
 */
import type { QuarantineRecord, TargetTableDef, Value } from '../connectors/connector.js';
import type { Mapping } from '../contract/model.js';

export interface BatchOutcome {
  runId: string;
  /** Target table. */
  table: string;
  def: TargetTableDef;
  mapping: Mapping;
  /** One record per failure; a quarantined row may have several (same sourceKey). */
  quarantine: readonly QuarantineRecord[];
  /** Distinct rows quarantined in this batch. */
  quarantinedRows: number;
  /** Rows excluded by the mapping's filter or the pilot. */
  excluded: number;
}

/**
 * Sees one loaded row (aligned with `def.columns`), its source key and whether a rule warned
 * on it. Called as the row is evaluated, before its batch commits, so that a batch in flight
 * need not hold its rows; the row must not be kept.
 */
export type LoadedRowObserver = (row: readonly Value[], sourceKey: string, warned: boolean) => void;

export interface RunObserver {
  /** The per-row hook for one target table's loaded rows. */
  loadedRows(table: string, def: TargetTableDef, mapping: Mapping): LoadedRowObserver;
  /** Called once per batch, after the batch is committed (or, in a dry run, after it is processed). */
  batch(outcome: BatchOutcome): void;
}
