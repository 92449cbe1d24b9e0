/**
 * What the step compilers need from the engine, and the shape every compiled step has.
 * Kept apart from compile.ts so each step family can import it without a cycle.
 */
import type { z } from 'zod';
import type { Value } from '../connectors/connector.js';
import type { CrosswalkEntry, CrosswalkRef, STEP_ARGS, StepName } from '../contract/model.js';
import type { StepFailure } from './failure.js';

/** Told about every non-null code a crosswalk sees, for the code-coverage KPI. */
export interface CrosswalkObserver {
  seen(crosswalk: string, code: string, mapped: boolean): void;
}

/** Everything a field needs at compile time; built once per mapping by the engine. */
export interface CompileContext {
  /** Index of a column reference (`COL` or `ALIAS.COL`) in the wide input row. Throws if unknown. */
  indexOf(ref: string): number;
  /** Crosswalk contents, from LoadedContract. */
  crosswalks: Record<string, CrosswalkEntry[]>;
  /** The contract's crosswalk declarations (for `case_insensitive`). */
  crosswalkRefs: Record<string, CrosswalkRef>;
  /** A preloaded lookup table: key column's string form to value column. */
  lookup(table: string, key: string, value: string): ReadonlyMap<string, Value>;
  /** Code-coverage KPI; called once per non-null code a crosswalk sees. */
  observer?: CrosswalkObserver;
}

/** One compiled step: the current value (and the wide row, for steps reading other columns) to the next value. */
export type StepFn = (v: Value, row: readonly Value[]) => Value | StepFailure;

/** A step's arguments after the contract model applied its defaults. */
export type StepArgs<K extends StepName> = z.infer<(typeof STEP_ARGS)[K]>;

/** Compiles one step; `label` is `field.step`, used to name failures. */
export type StepCompiler<K extends StepName> = (args: StepArgs<K>, label: string, ctx: CompileContext) => StepFn;
