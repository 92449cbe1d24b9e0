/**
 * Partitions: a large table is cut into key ranges of its source primary key, and each range is
 * read, transformed and committed as its own job with its own checkpoint, so partitions of one
 * table load in parallel (in this process or on queue workers) and resume independently.
 *
 * The plan is made once, when the run starts, and stored in the run's ledger record: a resumed
 * run (or a worker) cuts the table exactly as the run began, whatever the source's statistics
 * say later.
 */
import { z } from 'zod';
import type { KeyRange, Source } from '../connectors/connector.js';
import type { Contract } from '../contract/model.js';
import { FerryError } from '../errors.js';

export const PLAN_FORMAT = 'ferry.partitions/v1';

/** How each partitioned table is cut; tables not named load as one partition. */
export interface PartitionPlan {
  format: typeof PLAN_FORMAT;
  tables: Record<string, { column: string; bounds: string[] }>;
}

/** One job's share of a table. */
export interface Partition {
  table: string;
  /** 0-based position in key order. */
  index: number;
  count: number;
  /** The checkpoint it commits under: the table's own name when the table is one partition. */
  checkpoint: string;
  range?: KeyRange;
}

export interface PlanPartitionsOptions {
  /** Partitions wanted per table (1: none). */
  partitions: number;
  /** Tables with fewer source rows than this stay whole: a partition costs a query and a checkpoint. */
  minRows: number;
  signal?: AbortSignal;
}

const planSchema = z.strictObject({
  format: z.literal(PLAN_FORMAT),
  tables: z.record(z.string(), z.strictObject({ column: z.string(), bounds: z.array(z.string()) })),
});

/** The empty plan: every table one partition. */
export const WHOLE_TABLES: PartitionPlan = { format: PLAN_FORMAT, tables: {} };

/** A partition's checkpoint name: `/` cannot appear in a contract identifier, so it never names a table. */
export function partitionCheckpoint(table: string, index: number): string {
  return `${table}/${index}`;
}

/**
 * Why a mapped table cannot be cut by key, or undefined when it can: a range read needs one
 * integer or text key column, and an upsert whose target key is computed could send two source
 * rows of different partitions to one target row, whose final value would then depend on which
 * partition committed last.
 */
export function unpartitionable(contract: Contract, table: string): string | undefined {
  const mapping = contract.mappings[table];
  const src = contract.source.tables[mapping.source];
  if (!src) return 'its source table is not pinned';
  if (src.primary_key.length !== 1) return 'its source key has several columns';
  const column = src.primary_key[0];
  const type = src.columns[column]?.type;
  if (type !== 'integer' && type !== 'text') return `its source key ${column} is ${type ?? 'unknown'}, not integer or text`;
  if (mapping.load === 'upsert') {
    const targetKey = contract.target.tables[table]?.primary_key ?? [];
    const copies = targetKey.length === 1 && isPlainCopy(mapping.fields[targetKey[0]], column);
    if (!copies) return 'it is loaded by upsert and its target key is not a plain copy of the source key';
  }
  return undefined;
}

function isPlainCopy(field: Contract['mappings'][string]['fields'][string] | undefined, column: string): boolean {
  return field !== undefined && field.from === column && field.steps.length === 0 && field.crosswalk === undefined && field.value === undefined && field.default === undefined;
}

/** Cuts every eligible table of at least `minRows` source rows into about `partitions` key ranges. */
export async function planPartitions(contract: Contract, source: Source, o: PlanPartitionsOptions): Promise<PartitionPlan> {
  const plan: PartitionPlan = { format: PLAN_FORMAT, tables: {} };
  if (o.partitions <= 1 || !source.keyBounds) return plan;
  for (const table of Object.keys(contract.mappings)) {
    if (unpartitionable(contract, table) !== undefined) continue;
    const sourceTable = contract.mappings[table].source;
    if ((await source.count(sourceTable)) < o.minRows) continue;
    const column = contract.source.tables[sourceTable].primary_key[0];
    const bounds = await source.keyBounds(sourceTable, column, o.partitions, o.signal);
    if (bounds.length > 0) plan.tables[table] = { column, bounds };
  }
  return plan;
}

/** The partitions of one table under `plan`, in key order. */
export function partitionsOf(plan: PartitionPlan, table: string): Partition[] {
  const cut = plan.tables[table];
  if (!cut) return [{ table, index: 0, count: 1, checkpoint: table }];
  const count = cut.bounds.length + 1;
  return Array.from({ length: count }, (_, index) => ({
    table,
    index,
    count,
    checkpoint: partitionCheckpoint(table, index),
    range: { column: cut.column, ...(index > 0 ? { after: cut.bounds[index - 1] } : {}), ...(index < count - 1 ? { through: cut.bounds[index] } : {}) },
  }));
}

/** Serialises a plan for the run's ledger record. */
export function encodePlan(plan: PartitionPlan): string {
  return JSON.stringify(plan);
}

/** Reads back the plan a run stored when it began; a run recorded before partitions existed has none and loads whole tables. */
export function decodePlan(runId: string, stored: string | undefined): PartitionPlan {
  if (stored === undefined) return WHOLE_TABLES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    parsed = undefined;
  }
  const r = planSchema.safeParse(parsed);
  if (!r.success) {
    throw new FerryError('internal', 'run.plan_unreadable', `run ${runId}'s partition plan in the target's ledger is damaged, so it cannot resume as it began; start a new run`);
  }
  return r.data as PartitionPlan;
}
