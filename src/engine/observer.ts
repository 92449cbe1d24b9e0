/**
 * Observers see each committed batch's outcome: the quality gates (KPIs) and, later, lineage
 * are computed from these without the engine calling into them. Observers must not keep row
 * values beyond what their measure needs, and must never log them.
 */
import type { QuarantineRecord, TargetTableDef, Value } from '../connectors/connector.js';
import type { Mapping } from '../contract/model.js';

export interface BatchOutcome {
  runId: string;
  /** Target table. */
  table: string;
  def: TargetTableDef;
  mapping: Mapping;
  /** Rows written, aligned with `def.columns`. */
  loaded: readonly Value[][];
  /** Source key of each loaded row, aligned with `loaded`. */
  loadedKeys: readonly string[];
  /** One record per failure; a quarantined row may have several (same sourceKey). */
  quarantine: readonly QuarantineRecord[];
  /** Distinct rows quarantined in this batch. */
  quarantinedRows: number;
  /** Rows excluded by the mapping's filter or the pilot. */
  excluded: number;
  /** Warnings raised on rows of this batch (rule and reason, keys only). */
  warnings: ReadonlyArray<{ sourceKey: string; rule: string; reasonCode: string }>;
}

export interface RunObserver {
  /** Called once per batch, after the batch is committed (or, in a dry run, after it is processed). */
  batch(outcome: BatchOutcome): void;
}
