/**
 * A sync's contract applied to source transactions: every changed row goes through the same
 * compiled row program a run uses (steps, crosswalks, rules, the cascade of quarantined parents)
 * and becomes an upsert or a delete by target key, a quarantine record, or an exclusion, with
 * its lineage. Several transactions become one ChangeUnit, so a burst of small transactions
 * costs one target transaction; within a unit the last change of a key wins, as it would at
 * the source.
 */
import type { Change, RowChange, SourceTransaction } from '../connectors/capture.js';
import type { ChangeUnit, LineageRow, QuarantineRecord, Source, TableChanges, TargetTableDef, Value } from '../connectors/connector.js';
import type { Contract, LoadedContract } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { cascadingKeys, LoadedKeys } from '../engine/cascade.js';
import { LookupCache } from '../engine/joins.js';
import { planLoad } from '../engine/plan.js';
import { compileRowProgram, EXCLUDED, LOADED, type RowProgram } from '../engine/row-program.js';
import { keyRenderer } from '../engine/source-key.js';
import { mappedTargetDefs } from '../engine/target-defs.js';
import { lookupSpecs } from '../transform/compile.js';
import { emptyTableCounts, type SyncCounts } from './sync-counts.js';

/** The lineage reason of a target row removed because its source row was deleted. */
export const DELETED_AT_SOURCE = 'sync.deleted';
/** The lineage reason of a row that now falls outside the mapping's filter: its target row is removed. */
export const NOW_EXCLUDED = 'excluded.filter';

export interface ChangeApplierOptions {
  loaded: LoadedContract;
  syncId: string;
  /** The run record the streamed changes' lineage and quarantine belong to. */
  runId: string;
  /** Where lookups are loaded from when the applier starts (the snapshot, or the live source on a restart). */
  source: Source;
  /** The target read as a source: the parent keys it holds are what children are checked against. */
  targetRows?: Source;
  lineage: boolean;
  today: () => string;
  /** Rows per slice when preloading lookups and parent keys. */
  sliceRows?: number;
  /** The sync's totals so far (a restart continues them). */
  counts?: SyncCounts;
  /**
   * The source's current values of a row whose unchanged large values were not sent (PostgreSQL's
   * unchanged TOAST without REPLICA IDENTITY FULL), by source key; undefined when the row is gone.
   */
  currentRow?: (table: string, columns: readonly string[], row: readonly Value[]) => Promise<Value[] | undefined>;
  /**
   * Opens the live source, to read the children of a parent row that has just loaded: rows that
   * followed it into quarantine (`parent.quarantined`, in the snapshot or earlier in the stream)
   * load with it. Without it they load only when they next change.
   */
  openSource?: () => Promise<Source>;
}

interface MappingState {
  table: string;
  def: TargetTableDef;
  program: RowProgram;
  targetKey: (row: readonly Value[]) => string;
  keyAt: number[];
  /** For each target key column, the position in the read row of the source column it copies as is; undefined when one is computed. */
  keyFromSource?: number[];
}

/** One target table's pending effect within a unit. */
interface TablePending {
  state: MappingState;
  truncate: boolean;
  /** By target key: the row to upsert, or the key to delete; the last change wins. */
  effects: Map<string, { row?: Value[]; key: Value[] }>;
  quarantine: QuarantineRecord[];
  /** By source key: true when its latest change left it quarantined. */
  latest: Map<string, boolean>;
  lineage: LineageRow[];
}

/** Turns source transactions into change units through the contract. */
export class ChangeApplier {
  private readonly bySource = new Map<string, MappingState[]>();
  private readonly order: string[];
  private readonly reorders = new Map<string, number[]>();
  /** Parent keys loaded in this unit that were not loaded before, by parent table and referenced columns. */
  private readonly released = new Map<string, { parent: string; columns: readonly string[]; keys: Set<string> }>();
  /** True while an old row is evaluated only to find its target key: what that records is not a release. */
  private probing = false;

  private constructor(
    private readonly o: ChangeApplierOptions,
    private readonly mappings: Map<string, MappingState>,
    private readonly lookups: LookupCache,
    private readonly parentKeys: LoadedKeys,
    readonly counts: SyncCounts,
  ) {
    this.order = planLoad(o.loaded.contract).map((p) => p.table);
    for (const m of mappings.values()) {
      const list = this.bySource.get(m.program.source) ?? [];
      list.push(m);
      this.bySource.set(m.program.source, list);
    }
    parentKeys.onAdded = (parent, columns, key) => {
      if (this.probing) return;
      const id = `${parent}(${columns.join(',')})`;
      let r = this.released.get(id);
      if (!r) this.released.set(id, (r = { parent, columns, keys: new Set() }));
      r.keys.add(key);
    };
  }

  /** Compiles every mapping, loads the lookups from the source and the loaded parent keys from the target. */
  static async create(o: ChangeApplierOptions): Promise<ChangeApplier> {
    const contract = o.loaded.contract;
    const sliceRows = o.sliceRows ?? 5_000;
    const lookups = new LookupCache();
    await lookups.load(o.source, lookupSpecs(contract), sliceRows);
    const parentKeys = new LoadedKeys(contract, o.loaded.crosswalks);
    const defs = mappedTargetDefs(contract);
    if (o.targetRows) await loadParentKeys(o.targetRows, defs, parentKeys, sliceRows);
    const mappings = new Map<string, MappingState>();
    for (const def of defs) {
      const program = await compileRowProgram({ loaded: o.loaded, table: def.name, def, source: o.source, lookups, sliceRows, today: o.today, parentKeys });
      const keyAt = def.primaryKey.map((c) => def.columns.findIndex((col) => col.name === c));
      mappings.set(def.name, { table: def.name, def, program, keyAt, targetKey: keyRenderer(keyAt), keyFromSource: keyCopies(contract, def, program) });
    }
    const counts = o.counts ?? { transactions: 0, changes: 0, tables: {} };
    for (const def of defs) counts.tables[def.name] ??= emptyTableCounts();
    return new ChangeApplier(o, mappings, lookups, parentKeys, counts);
  }

  /** The source tables the contract's mappings read (what a sync captures). */
  sourceTables(): string[] {
    return [...this.bySource.keys()];
  }

  /** One change unit for these transactions (in commit order), bringing the sync to the last one's position. */
  async unit(txs: readonly SourceTransaction[]): Promise<ChangeUnit> {
    if (txs.length === 0) throw new FerryError('internal', 'sync.empty_unit', 'a change unit needs at least one source transaction');
    const pending = new Map<string, TablePending>();
    const tableOf = (m: MappingState): TablePending => {
      let t = pending.get(m.table);
      if (!t) pending.set(m.table, (t = { state: m, truncate: false, effects: new Map(), quarantine: [], latest: new Map(), lineage: [] }));
      return t;
    };
    for (const tx of txs) {
      for (const change of tx.changes) await this.change(change, tableOf);
      // An empty transaction only moves the position (an idle stream's keepalive): not a source transaction.
      if (tx.changes.length > 0) this.counts.transactions++;
      this.counts.changes += tx.changes.length;
    }
    await this.releaseChildren(tableOf);
    const tables: TableChanges[] = [];
    for (const name of this.order) {
      const t = pending.get(name);
      if (!t) continue;
      const upserts: Value[][] = [];
      const deletes: Value[][] = [];
      for (const e of t.effects.values()) (e.row ? upserts : deletes).push(e.row ?? e.key);
      const settled = [...t.latest].filter(([, quarantined]) => !quarantined).map(([key]) => key);
      const counts = this.counts.tables[name];
      counts.upserted += upserts.length;
      counts.deleted += deletes.length;
      if (t.truncate) counts.truncated++;
      tables.push({
        table: t.state.def,
        sourceTable: t.state.program.source,
        ...(t.truncate ? { truncate: true } : {}),
        deletes,
        upserts,
        quarantine: t.quarantine,
        settled,
        ...(this.o.lineage ? { lineage: { sourceTable: t.state.program.source, rows: t.lineage } } : {}),
      });
    }
    const last = txs[txs.length - 1];
    return { syncId: this.o.syncId, runId: this.o.runId, position: last.position, committedAt: last.committedAt.toISOString(), tables, counts: JSON.stringify(this.counts) };
  }

  private async change(change: Change, tableOf: (m: MappingState) => TablePending): Promise<void> {
    if (change.kind === 'schema') return this.checkSchema(change.table, change.columns);
    if (change.kind === 'truncate') {
      for (const table of change.tables) {
        this.lookups.clear(table);
        for (const m of this.bySource.get(table) ?? []) {
          const t = tableOf(m);
          t.truncate = true;
          t.effects.clear();
          t.latest.clear();
          this.parentKeys.forgetAll(m.table);
        }
      }
      return;
    }
    const mappings = this.bySource.get(change.table);
    const before = change.old ? this.readRow(change, change.old) : undefined;
    const after = change.row ? await this.afterRow(change, before) : undefined;
    this.followLookups(change, before, after);
    if (!mappings) return;
    for (const m of mappings) {
      // An update without its old row keeps the source key; a target key computed from other columns could move unseen.
      if (change.kind === 'update' && !before && !m.keyFromSource) throw keyNotDerivable(m);
      this.applyRow(m, tableOf(m), before, after);
    }
  }

  /** Evaluates one changed row for one mapping and records its effect. */
  private applyRow(m: MappingState, t: TablePending, before: Value[] | undefined, after: Value[] | undefined): void {
    const p = m.program;
    const counts = this.counts.tables[m.table];
    // The target row the old source row became, so a delete, a key change or a row that now
    // fails or is filtered out removes exactly it.
    const oldKey = before ? this.oldTargetKey(m, before) : undefined;
    if (!after) {
      const sourceKey = p.sourceKey(before!);
      if (oldKey) this.remove(m, t, oldKey);
      t.latest.set(sourceKey, false);
      t.lineage.push([sourceKey, 'X', null, DELETED_AT_SOURCE]);
      return;
    }
    const sourceKey = p.sourceKey(after);
    const status = p.evaluate(after);
    if (status === LOADED) {
      const row = p.out;
      const key = m.targetKey(row);
      if (oldKey && oldKey.text !== key) this.remove(m, t, oldKey);
      t.effects.set(key, { row, key: m.keyAt.map((i) => row[i]) });
      t.latest.set(sourceKey, false);
      t.lineage.push([sourceKey, 'L', key, null]);
      return;
    }
    if (status === EXCLUDED) {
      if (oldKey) this.remove(m, t, oldKey);
      t.latest.set(sourceKey, false);
      t.lineage.push([sourceKey, 'X', null, NOW_EXCLUDED]);
      counts.excluded++;
      return;
    }
    // Quarantined: the target keeps what it had for the row (its last good version), and the
    // row stays pending until a later change loads it; cutover lists it for manual re-entry.
    for (const i of p.issues) {
      t.quarantine.push({ runId: this.o.runId, sourceTable: p.source, sourceKey, targetTable: m.table, rule: i.rule, reasonCode: i.reasonCode, message: i.message });
      counts.reasons[i.reasonCode] = (counts.reasons[i.reasonCode] ?? 0) + 1;
    }
    counts.quarantined++;
    t.latest.set(sourceKey, true);
    t.lineage.push([sourceKey, 'Q', null, p.issues[0]?.reasonCode ?? null]);
  }

  private remove(m: MappingState, t: TablePending, key: { text: string; values: Value[] }): void {
    t.effects.set(key.text, { key: key.values });
    this.parentKeys.forget(m.def, key.values);
  }

  /** The target key the old source row maps to: evaluated from a whole old row, or copied from its key columns. */
  private oldTargetKey(m: MappingState, before: Value[]): { text: string; values: Value[] } | undefined {
    if (m.keyFromSource && m.keyFromSource.every((i) => before[i] !== undefined)) {
      const values = m.keyFromSource.map((i) => before[i]);
      if (values.some((v) => v === null)) return undefined;
      return { text: keyRenderer(values.map((_, i) => i))(values), values };
    }
    if (before.some((v) => v === undefined)) throw keyNotDerivable(m);
    const p = m.program;
    this.probing = true;
    try {
      if (p.evaluate(before) !== LOADED) return undefined;
    } finally {
      this.probing = false;
    }
    const values = m.keyAt.map((i) => p.out[i]);
    return { text: m.targetKey(p.out), values };
  }

  /**
   * Loads the children of parent rows that loaded in this unit and were not loaded before:
   * their rows are read from the live source by the foreign key's source column and those that
   * now load are upserted (a grandchild released in turn is read next). Children that still do
   * not load stay as they were. Only single-column keys copied from one source column can be
   * followed this way (docs/sync.md).
   */
  private async releaseChildren(tableOf: (m: MappingState) => TablePending): Promise<void> {
    if (!this.o.openSource || this.released.size === 0) {
      this.released.clear();
      return;
    }
    const contract = this.o.loaded.contract;
    let source: Source | undefined;
    try {
      for (let round = 0; this.released.size > 0 && round < 16; round++) {
        const batch = [...this.released.values()];
        this.released.clear();
        for (const r of batch) {
          for (const child of this.mappings.values()) {
            const via = cascadingKeys(contract, child.table).filter((k) => k.parent === r.parent && k.columns.length === 1 && k.parentColumns.join(',') === r.columns.join(','));
            for (const k of via) {
              const field = contract.mappings[child.table].fields[k.columns[0]];
              const column = typeof field?.from === 'string' && field.crosswalk === undefined && field.value === undefined ? field.from : undefined;
              if (!column || !child.program.readColumns.includes(column)) continue;
              source ??= await this.o.openSource();
              const keys = [...r.keys];
              for (let at = 0; at < keys.length; at += 1000) {
                const read = source.read(child.program.source, { columns: child.program.readColumns, valuesIn: { column, values: keys.slice(at, at + 1000) }, sliceRows: 5000 });
                for await (const slice of read) for (const row of slice.rows) this.loadReleased(child, tableOf(child), row);
              }
            }
          }
        }
      }
    } finally {
      this.released.clear();
      await source?.close();
    }
  }

  /** A released child row: upserted when it now loads, left as it was otherwise. */
  private loadReleased(m: MappingState, t: TablePending, row: Value[]): void {
    const p = m.program;
    if (p.evaluate(row) !== LOADED) return;
    const sourceKey = p.sourceKey(row);
    const key = m.targetKey(p.out);
    t.effects.set(key, { row: p.out, key: m.keyAt.map((i) => p.out[i]) });
    t.latest.set(sourceKey, false);
    t.lineage.push([sourceKey, 'L', key, null]);
  }

  /** The change's new row in the program's column order, with unchanged large values filled in. */
  private async afterRow(change: RowChange, before: Value[] | undefined): Promise<Value[]> {
    const row = this.readRow(change, change.row!);
    if (!change.unchanged || change.unchanged.length === 0) return row;
    const at = this.reorder(change);
    const missing: number[] = [];
    for (let i = 0; i < at.length; i++) {
      if (!change.unchanged.includes(at[i])) continue;
      if (before && before[i] !== undefined) row[i] = before[i];
      else missing.push(i);
    }
    if (missing.length === 0) return row;
    const current = this.o.currentRow ? await this.o.currentRow(change.table, change.columns, change.row!) : undefined;
    if (!current) {
      throw new FerryError(
        'run',
        'sync.unchanged_value',
        `an update of ${change.table} left large values out as unchanged and the source can no longer give them; give the table REPLICA IDENTITY FULL so updates carry them, then start a new sync`,
      );
    }
    const now = this.readRow(change, current);
    for (const i of missing) row[i] = now[i];
    return row;
  }

  /** A change's values (aligned with its columns) in the program's read order; `undefined` stays undefined. */
  private readRow(change: RowChange, values: ReadonlyArray<Value | undefined>): Value[] {
    const at = this.reorder(change);
    const out = new Array<Value>(at.length);
    for (let i = 0; i < at.length; i++) out[i] = values[at[i]] as Value;
    return out;
  }

  private reorder(change: RowChange): number[] {
    const id = `${change.table}\u0000${change.columns.join('\u0000')}`;
    let at = this.reorders.get(id);
    if (at) return at;
    const pinned = Object.keys(this.o.loaded.contract.source.tables[change.table]?.columns ?? {});
    const names = change.columns.map((c) => c.toLowerCase());
    at = pinned.map((c) => {
      const i = names.indexOf(c.toLowerCase());
      if (i < 0) throw sourceDdl(change.table, `column ${c}, pinned in the contract, is missing from its changes`);
      return i;
    });
    this.reorders.set(id, at);
    return at;
  }

  private followLookups(change: RowChange, before: Value[] | undefined, after: Value[] | undefined): void {
    const pinned = Object.keys(this.o.loaded.contract.source.tables[change.table]?.columns ?? {});
    const reader = (row: Value[] | undefined) => (row ? (column: string) => row[pinned.indexOf(column)] : undefined);
    this.lookups.change(change.table, reader(before), reader(after));
  }

  /** Stops the sync when a captured table no longer has the shape the contract pinned (DDL needs a new snapshot). */
  private checkSchema(table: string, columns: ReadonlyArray<{ name: string; type: string }>): void {
    const pinned = this.o.loaded.contract.source.tables[table];
    if (!pinned) return;
    const live = new Map(columns.map((c) => [c.name.toLowerCase(), c.type]));
    for (const [name, col] of Object.entries(pinned.columns)) {
      const type = live.get(name.toLowerCase());
      if (type === undefined) throw sourceDdl(table, `column ${name} was dropped or renamed`);
      if (type !== col.type) throw sourceDdl(table, `column ${name} changed from ${col.type} to ${type}`);
    }
    const known = new Set(Object.keys(pinned.columns).map((c) => c.toLowerCase()));
    const added = columns.filter((c) => !known.has(c.name.toLowerCase())).map((c) => c.name);
    if (added.length > 0) throw sourceDdl(table, `column(s) ${added.join(', ')} were added`);
  }
}

function keyNotDerivable(m: MappingState): FerryError {
  return new FerryError(
    'run',
    'sync.key_not_derivable',
    `the target key of ${m.table} is computed from source columns that updates and deletes of ${m.program.source} do not carry; give the source table REPLICA IDENTITY FULL (PostgreSQL) so old rows arrive whole, then start a new sync`,
  );
}

function sourceDdl(table: string, what: string): FerryError {
  return new FerryError(
    'drift',
    'sync.source_ddl',
    `the captured source table ${table} changed shape during the sync (${what}); the stream cannot be applied through the pinned contract: re-pin the schema, review the mappings, and start a new sync from a fresh snapshot`,
  );
}

/** For each target key column, the read position of the source column it is a plain copy of; undefined when any is computed. */
function keyCopies(contract: Contract, def: TargetTableDef, program: RowProgram): number[] | undefined {
  const mapping = contract.mappings[def.name];
  const at: number[] = [];
  for (const k of def.primaryKey) {
    const f = mapping.fields[k];
    if (!f || typeof f.from !== 'string' || f.steps.length > 0 || f.crosswalk !== undefined || f.value !== undefined || f.default !== undefined) return undefined;
    const i = program.readColumns.indexOf(f.from);
    if (i < 0) return undefined;
    at.push(i);
  }
  return at;
}

/** Reads the key columns children reference from each parent table in the target. */
async function loadParentKeys(target: Source, defs: readonly TargetTableDef[], keys: LoadedKeys, sliceRows: number): Promise<void> {
  const live = new Set((await target.introspect()).tables.map((t) => t.name));
  for (const [parent, lists] of keys.parents()) {
    const def = defs.find((d) => d.name === parent);
    if (!def || !live.has(parent)) continue;
    const columns = [...new Set(lists.flat())];
    const record = keys.recorder(def)!;
    const at = columns.map((c) => def.columns.findIndex((col) => col.name === c));
    const row: Value[] = new Array(def.columns.length).fill(null);
    for await (const slice of target.read(parent, { columns, sliceRows })) {
      for (const r of slice.rows) {
        for (let i = 0; i < at.length; i++) row[at[i]] = r[i];
        record(row);
      }
    }
  }
}
