/** Builds fields and compile contexts for transform tests without an engine. */
import type { Value } from '../../src/connectors/connector.js';
import { fieldMappingSchema, type CrosswalkEntry, type FieldMapping } from '../../src/contract/model.js';
import { compileField, type CompileContext, type TransformFailure } from '../../src/transform/compile.js';

/** Columns of the wide test row: the source table's, then a joined table aliased P. */
export const COLUMNS = ['A', 'B', 'C', 'D', 'P.NAME'];

/** Crosswalk entries from `source=target` pairs. */
export function entries(pairs: Record<string, string>): CrosswalkEntry[] {
  return Object.entries(pairs).map(([source_code, target_code]) => ({ source_code, target_code, target_display: '', equivalence: 'equivalent', note: '' }));
}

/** A compile context over COLUMNS with optional crosswalks, lookups and observer. */
export function context(over: Partial<CompileContext> = {}): CompileContext {
  return {
    indexOf(ref) {
      const i = COLUMNS.indexOf(ref);
      if (i < 0) throw new Error(`unknown column ${ref}`);
      return i;
    },
    crosswalks: {},
    crosswalkRefs: {},
    lookup: () => new Map(),
    ...over,
  };
}

/** A field mapping as the contract loader would produce it (defaults applied). */
export function field(spec: Record<string, unknown>): FieldMapping {
  return fieldMappingSchema.parse({ rationale: 'test', ...spec });
}

/** Runs the steps on one value placed in column A; other columns come from `rest`. */
export function run(steps: unknown[], input: Value, opts: { ctx?: CompileContext; rest?: Value[]; name?: string } = {}): Value | TransformFailure {
  const program = compileField(opts.name ?? 'f', field({ from: 'A', steps }), opts.ctx ?? context());
  const rest = opts.rest ?? [];
  const row: Value[] = COLUMNS.map((_, i) => (i === 0 ? input : (rest[i - 1] ?? null)));
  return program(row);
}

/** The fields of a failure, for `toEqual`. */
export function failure(step: string, reasonCode: string): Partial<TransformFailure> {
  return { failed: true, step, reasonCode };
}
