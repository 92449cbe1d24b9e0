/**
 * Crosswalk coverage over a live source: for every crosswalk in a contract, which source codes
 * actually occur, which of them it translates, and which it does not (with how many rows each),
 * so an analyst can complete a code list before the first trial load rather than after it.
 *
 * The codes are produced exactly as a run produces them: each field that uses a crosswalk is
 * compiled with the transform compiler (its steps before the crosswalk, joins, lookups and the
 * mapping's filter all apply) and the crosswalk reports every code it sees to an observer.
 * Only the columns those fields read are fetched from the source.
 */
import type { Source, Value } from '../connectors/connector.js';
import { contractDigest } from '../contract/canonical.js';
import { stepParts, type Contract, type FieldMapping, type LoadedContract, type Mapping } from '../contract/model.js';
import { compileFilter } from '../engine/filter.js';
import { loadJoin, LookupCache, type LoadedJoin } from '../engine/joins.js';
import { FerryError } from '../errors.js';
import { compileField, lookupSpecs, type CompileContext, type CrosswalkObserver, type FieldProgram } from '../transform/compile.js';
import { foldCode } from '../transform/crosswalk-table.js';

export interface CoverageOptions {
  sliceRows?: number;
  signal?: AbortSignal;
  /** List at most this many unmapped codes per crosswalk (the counts still cover all of them). */
  top?: number;
}

/** A field that feeds a crosswalk. */
export interface CrosswalkUse {
  table: string;
  field: string;
  source: string;
}

/** Coverage of one crosswalk; part of `ferry crosswalk coverage --json` (docs/crosswalks.md). */
export interface CrosswalkCoverage {
  crosswalk: string;
  file: string;
  version: string | null;
  entries: number;
  used_by: CrosswalkUse[];
  /** Non-null codes that reached the crosswalk (one per row and field). */
  rows: number;
  rows_translated: number;
  rows_unmapped: number;
  distinct_seen: number;
  distinct_translated: number;
  distinct_unmapped: number;
  /** distinct_translated / distinct_seen; null when no code was seen (not applicable, not 100%). */
  distinct_coverage: number | null;
  /** rows_translated / rows; null when no code was seen. */
  row_coverage: number | null;
  /** Unmapped codes as the crosswalk compared them (trimmed and upper-cased unless case-sensitive), most rows first. */
  unmapped: Array<{ code: string; rows: number }>;
  /** Crosswalk entries whose source code never occurred. */
  unused_entries: number;
}

/** Rows scanned for one mapping. */
export interface CoverageTable {
  table: string;
  source: string;
  rows_read: number;
  /** Rows the mapping's filter excludes; a run never translates their codes, so neither does coverage. */
  rows_excluded: number;
}

/** The result of `crosswalkCoverage`, stable as `ferry crosswalk coverage --json`. */
export interface CoverageReport {
  contract: { name: string; version: string; digest: string };
  source: string;
  tables: CoverageTable[];
  crosswalks: CrosswalkCoverage[];
}

/** Names of the crosswalks a field uses, in the order it applies them. */
export function fieldCrosswalks(field: FieldMapping): string[] {
  const names: string[] = [];
  for (const step of field.steps) {
    const { name, args } = stepParts(step);
    if (name === 'crosswalk') names.push(args as string);
  }
  if (field.crosswalk !== undefined) names.push(field.crosswalk);
  return names;
}

/** Streams the source columns that feed each crosswalk of the contract and reports what the crosswalks make of them. */
export async function crosswalkCoverage(loaded: LoadedContract, source: Source, options: CoverageOptions = {}): Promise<CoverageReport> {
  const contract = loaded.contract;
  const sliceRows = options.sliceRows ?? 10_000;
  const seen = new Map<string, Map<string, { rows: number; mapped: boolean }>>();
  const observer: CrosswalkObserver = {
    seen(crosswalk, code, mapped) {
      let codes = seen.get(crosswalk);
      if (!codes) seen.set(crosswalk, (codes = new Map()));
      const hit = codes.get(code);
      if (hit) hit.rows++;
      else codes.set(code, { rows: 1, mapped });
    },
  };

  const plans = planMappings(contract);
  const lookups = new LookupCache();
  const mappingsUsed = Object.fromEntries(plans.map((p) => [p.table, { ...p.mapping, fields: Object.fromEntries(p.fields) }]));
  await lookups.load(source, lookupSpecs({ ...contract, mappings: mappingsUsed }), sliceRows, options.signal);

  const tables: CoverageTable[] = [];
  for (const plan of plans) tables.push(await scanMapping(loaded, plan, source, lookups, observer, sliceRows, options.signal));

  const uses = new Map<string, CrosswalkUse[]>();
  for (const plan of plans)
    for (const [field, f] of plan.fields)
      for (const name of new Set(fieldCrosswalks(f))) {
        const list = uses.get(name) ?? [];
        list.push({ table: plan.table, field, source: plan.mapping.source });
        uses.set(name, list);
      }

  const crosswalks = Object.entries(contract.crosswalks).map(([name, ref]) =>
    summarise(name, ref.file, ref.version ?? null, loaded.crosswalks[name] ?? [], ref.case_insensitive, uses.get(name) ?? [], seen.get(name), options.top),
  );
  const { name, version } = contract.metadata;
  return { contract: { name, version, digest: contractDigest(loaded) }, source: source.displayUrl, tables, crosswalks };
}

interface MappingPlan {
  table: string;
  mapping: Mapping;
  fields: Array<[string, FieldMapping]>;
}

// Rejected fields are never compiled by a run, so their crosswalks see nothing there either.
function planMappings(contract: Contract): MappingPlan[] {
  const plans: MappingPlan[] = [];
  for (const [table, mapping] of Object.entries(contract.mappings)) {
    const fields = Object.entries(mapping.fields).filter(([, f]) => f.status !== 'rejected' && fieldCrosswalks(f).length > 0);
    if (fields.length > 0) plans.push({ table, mapping, fields });
  }
  return plans;
}

type Ref = { join: undefined; column: string } | { join: Mapping['joins'][number]; column: string };

async function scanMapping(
  loaded: LoadedContract,
  plan: MappingPlan,
  source: Source,
  lookups: LookupCache,
  observer: CrosswalkObserver,
  sliceRows: number,
  signal: AbortSignal | undefined,
): Promise<CoverageTable> {
  const contract = loaded.contract;
  const { table, mapping } = plan;
  const srcDef = contract.source.tables[mapping.source];
  if (!srcDef) throw new FerryError('contract', 'contract.unknown_source_table', `mapping ${table} reads source table ${mapping.source}, which is not pinned in the contract`);
  const resolveRef = (ref: string): Ref => {
    if (ref in srcDef.columns) return { join: undefined, column: ref };
    const dot = ref.indexOf('.');
    const [prefix, column] = [ref.slice(0, dot), ref.slice(dot + 1)];
    if (dot > 0 && prefix === mapping.source && column in srcDef.columns) return { join: undefined, column };
    const join = dot > 0 ? mapping.joins.find((j) => (j.alias ?? j.table) === prefix) : undefined;
    if (join && column in (contract.source.tables[join.table]?.columns ?? {})) return { join, column };
    throw new FerryError('contract', 'contract.unknown_column', `mapping ${table} refers to ${ref}, which is neither a column of ${mapping.source} nor of a joined table`);
  };

  // First pass: compile only to learn which columns and joins the fields and filter read, so
  // a wide legacy table is fetched a few columns at a time rather than whole.
  const refs = new Set<string>();
  const probe: CompileContext = {
    indexOf: (ref) => {
      resolveRef(ref);
      refs.add(ref);
      return 0;
    },
    crosswalks: loaded.crosswalks,
    crosswalkRefs: contract.crosswalks,
    lookup: () => new Map(),
  };
  for (const [name, f] of plan.fields) compileField(name, f, probe);
  compileFilter(mapping.filter, probe.indexOf);

  const resolved = [...refs].map(resolveRef);
  const joinsUsed = mapping.joins.filter((j) => resolved.some((r) => r.join === j));
  const wanted = new Set<string>([...resolved.filter((r) => r.join === undefined).map((r) => r.column), ...joinsUsed.flatMap((j) => Object.keys(j.on))]);
  const readColumns = Object.keys(srcDef.columns).filter((c) => wanted.has(c));
  // A field built only from constants still needs the rows counted: read the cheapest column.
  if (readColumns.length === 0) readColumns.push(srcDef.primary_key[0]);
  const index = new Map(readColumns.map((c, i) => [c, i]));
  let width = readColumns.length;
  const joins: LoadedJoin[] = [];
  const joinOffset = new Map<Mapping['joins'][number], number>();
  for (const j of joinsUsed) {
    const joined = await loadJoin(source, contract, j, index, sliceRows, signal);
    joinOffset.set(j, width);
    width += joined.columns.length;
    joins.push(joined);
  }
  const indexOf = (ref: string): number => {
    const r = resolveRef(ref);
    if (r.join === undefined) return index.get(r.column) as number;
    const columns = Object.keys(contract.source.tables[r.join.table].columns);
    return (joinOffset.get(r.join) as number) + columns.indexOf(r.column);
  };

  const ctx: CompileContext = {
    indexOf,
    crosswalks: loaded.crosswalks,
    crosswalkRefs: contract.crosswalks,
    lookup: (t, k, v) => lookups.get(t, k, v),
    observer,
  };
  const programs: FieldProgram[] = plan.fields.map(([name, f]) => compileField(name, f, ctx));
  const filter = compileFilter(mapping.filter, indexOf);

  let read = 0;
  let excluded = 0;
  for await (const slice of source.read(mapping.source, { columns: readColumns, sliceRows, signal })) {
    for (const src of slice.rows) {
      let wide: readonly Value[] = src;
      if (joins.length > 0) {
        const w = src.slice();
        for (const j of joins) w.push(...j.match(src));
        wide = w;
      }
      if (!filter(wide)) {
        excluded++;
        continue;
      }
      // The values are discarded: the observer inside each crosswalk records what it saw.
      for (const p of programs) p(wide);
    }
    read += slice.rows.length;
  }
  return { table, source: mapping.source, rows_read: read, rows_excluded: excluded };
}

function summarise(
  name: string,
  file: string,
  version: string | null,
  entries: LoadedContract['crosswalks'][string],
  caseInsensitive: boolean,
  usedBy: CrosswalkUse[],
  codes: Map<string, { rows: number; mapped: boolean }> | undefined,
  top: number | undefined,
): CrosswalkCoverage {
  let rows = 0;
  let rowsTranslated = 0;
  let distinctTranslated = 0;
  const unmapped: Array<{ code: string; rows: number }> = [];
  for (const [code, s] of codes ?? []) {
    rows += s.rows;
    if (s.mapped) {
      rowsTranslated += s.rows;
      distinctTranslated++;
    } else unmapped.push({ code, rows: s.rows });
  }
  // Largest first; ties by code so the report is identical from run to run.
  unmapped.sort((a, b) => b.rows - a.rows || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const distinctSeen = codes?.size ?? 0;
  const unused = entries.filter((e) => !codes?.has(foldCode(e.source_code, caseInsensitive))).length;
  return {
    crosswalk: name,
    file,
    version,
    entries: entries.length,
    used_by: usedBy,
    rows,
    rows_translated: rowsTranslated,
    rows_unmapped: rows - rowsTranslated,
    distinct_seen: distinctSeen,
    distinct_translated: distinctTranslated,
    distinct_unmapped: unmapped.length,
    distinct_coverage: distinctSeen === 0 ? null : distinctTranslated / distinctSeen,
    row_coverage: rows === 0 ? null : rowsTranslated / rows,
    unmapped: top === undefined ? unmapped : unmapped.slice(0, top),
    unused_entries: unused,
  };
}
