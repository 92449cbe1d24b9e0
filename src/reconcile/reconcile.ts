/**
 * Reconciliation of one run: proves the target holds exactly what the contract makes of the
 * source. Per target table: counts (source, the run's checkpoint, re-derived now, target),
 * per-column non-null counts, and the exact missing / extra / different rows; then the
 * contract's business checks. The expected rows are re-derived with the engine's own row
 * program, so this checks the load, not the transforms.
 *
 * Two passes. Pass 1 (database targets) compares the whole table at once: Node re-derives the
 * rows keeping only their count and row-hash sum while the target database computes the same
 * over its table, concurrently. Equal means the table matches. Otherwise pass 2 re-derives the
 * rows into the scratch store and finds every difference by checksum bisection. File targets
 * go straight to pass 2.
 *
 * Scope: a target table is fed by exactly one mapping, so every row in it should be backed
 * by a row the current source loads; "extra" is any target row whose key no loaded source row
 * produces (for upsert tables this includes rows left by earlier runs whose source rows were
 * since deleted or are now quarantined). See docs/reconciliation.md.
 */
import type { Source, Target } from '../connectors/connector.js';
import { openSource } from '../connectors/registry.js';
import { parseConnectorUrl } from '../connectors/url.js';
import type { LoadedContract } from '../contract/model.js';
import type { RunEventListener } from '../engine/events.js';
import { LookupCache } from '../engine/joins.js';
import { selectPilot, type PilotSelection } from '../engine/pilot.js';
import { LoadedKeys } from '../engine/cascade.js';
import { planLoad } from '../engine/plan.js';
import { targetTableDef } from '../engine/target-defs.js';
import { FerryError } from '../errors.js';
import { lookupSpecs } from '../transform/compile.js';
import { bisect } from './bisect.js';
import { runBusinessCheck } from './business.js';
import { Candidates } from './candidates.js';
import type { BinaryText } from './canonical.js';
import { buildExpected, deriveTotals, keyIndexes, type DeriveOptions, type DerivedCounts, type ExpectedOptions, type ExpectedTotals } from './expected.js';
import { mod64 } from './hash.js';
import {
  RECONCILIATION_FORMAT,
  type BisectionStats,
  type ColumnReconciliation,
  type DifferentRow,
  type KeyRef,
  type Mismatch,
  type ReconciliationReport,
  type RowCategory,
  type TableReconciliation,
} from './report.js';
import { openScratch, type Scratch } from './scratch.js';
import type { RangeAggregate, SideTable, TargetSide } from './side.js';
import { SqlSide } from './sql-side.js';
import { openSqlTarget, type SqlTarget } from './sql-target.js';
import { StreamSide } from './stream-side.js';

export interface ReconcileOptions {
  loaded: LoadedContract;
  /** Digest of `loaded`; must be the digest the run was pinned to. */
  digest: string;
  runId: string;
  source: Source;
  /** The run's target, for its run record and checkpoints. */
  target: Target;
  /** The target's URL: database targets are compared in SQL over a read-only connection of our own. */
  targetUrl: string;
  /** A read-only Source on the target (business checks, file targets); opened from `targetUrl` when absent. */
  targetAsSource?: Source;
  /** The pilot options the run used, so the same subset is expected. */
  pilot?: { patients: number; table?: string };
  /** Examples listed per row category (counts are always complete). Default 20. */
  maxExamples?: number;
  /** Bisection: at most this many expected rows are compared row by row per range. Default 256. */
  leafSize?: number;
  /** Bisection: ranges a differing range is cut into. Default 16. */
  fanout?: number;
  sliceRows?: number;
  /** Where the scratch store lives (default: the system temporary directory). */
  scratchDir?: string;
  today?: () => string;
  now?: () => Date;
  signal?: AbortSignal;
  /** Hears `reconcile:started`, one `reconcile:table` per table proved, and `reconcile:finished`. */
  onEvent?: RunEventListener;
  /**
   * Prove the target against the source as it is now, not against what one run recorded: no
   * checkpoint counts are compared (a sync's target moved on after its snapshot run; docs/sync.md).
   */
  asOfNow?: boolean;
}

// Key types a database can range-compare in the same order as the scratch store.
const SQL_KEY_TYPES = new Set(['integer', 'text', 'date', 'timestamp']);

/** Reconciles a finished (or partial) run and returns the report; throws only when the run or its contract cannot be matched. */
export async function reconcileRun(o: ReconcileOptions): Promise<ReconciliationReport> {
  const now = o.now ?? (() => new Date());
  const startedAt = now();
  const contract = o.loaded.contract;
  const sliceRows = o.sliceRows ?? 10_000;
  const maxExamples = o.maxExamples ?? 20;
  const leafSize = Math.max(1, o.leafSize ?? 256);
  const fanout = Math.max(2, o.fanout ?? 16);

  const run = await o.target.getRun(o.runId);
  if (!run) throw new FerryError('not_found', 'reconcile.unknown_run', `run ${o.runId} is not recorded in the target ${o.target.displayUrl}; check the run id and the --target URL`);
  // Date rules judged the run's rows by the day it started (engine/run.ts); re-deriving them by another day would report differences the load never made.
  const runDay = run.startedAt.slice(0, 10);
  const today = o.today ?? (() => runDay);
  if (run.contractDigest !== o.digest) {
    throw new FerryError(
      'conflict',
      'reconcile.digest_mismatch',
      `run ${o.runId} was made with contract ${run.contractDigest.slice(0, 12)}…, not ${o.digest.slice(0, 12)}…; reconcile it with the contract version it ran with`,
    );
  }
  const checkpoints = new Map((await o.target.checkpoints(o.runId)).map((c) => [c.table, c]));

  let scratch: Scratch | undefined;
  let sql: SqlTarget | undefined;
  let ownTargetSource: Source | undefined;
  const targetKind = parseConnectorUrl(o.targetUrl).kind;
  const targetSource = async (): Promise<Source> => o.targetAsSource ?? (ownTargetSource ??= await openSource(o.targetUrl));
  try {
    sql = await openSqlTarget(o.targetUrl);
    const plan = planLoad(contract);
    // Pass 1's target side: every table's whole-table aggregate is queued first, in plan order on
    // the one read-only connection, so the database computes while Node loads lookups and re-derives the rows.
    const targetTotals = new Map<string, Promise<RangeAggregate>>();
    if (sql) {
      for (const { table } of plan) {
        const def = targetTableDef(contract, table);
        const totals = new SqlSide(sql.dialect, sql.exec, sql.tableSql(table), { name: table, columns: def.columns, keyIdx: keyIndexes(def) }, async () => {}).aggregate({}, true);
        totals.catch(() => {}); // awaited (and thrown) in its table's turn
        targetTotals.set(table, totals);
      }
    }
    const lookups = new LookupCache();
    await lookups.load(o.source, lookupSpecs(contract), sliceRows, o.signal);
    let pilot: PilotSelection | undefined;
    if (o.pilot) pilot = await selectPilot(contract, o.source, { ...o.pilot, sliceRows, signal: o.signal });

    const tables: TableReconciliation[] = [];
    o.onEvent?.({ type: 'reconcile:started', runId: o.runId, tables: plan.map((p) => p.table) });
    // The run quarantined children of parents it did not load; the expected side follows them the same way (plan order: parents first).
    const parentKeys = new LoadedKeys(contract, o.loaded.crosswalks);
    for (const [tableId, { table }] of plan.entries()) {
      o.signal?.throwIfAborted();
      const started = Date.now();
      const def = targetTableDef(contract, table);
      const mapping = contract.mappings[table];
      const derive: DeriveOptions = {
        loaded: o.loaded,
        table,
        def,
        source: o.source,
        lookups,
        sliceRows,
        pilotKeys: pilot?.included.get(mapping.source),
        today,
        signal: o.signal,
        parentKeys,
      };
      let cmp: Comparison | undefined;
      let pass1: DerivedCounts | undefined;
      const totals = targetTotals.get(table);
      if (totals) {
        const exp = await deriveTotals(derive);
        const tgt = await totals;
        pass1 = exp.derived;
        // Equal multisets of rows ⇔ (up to a 64-bit hash collision) equal count and row-hash sum.
        // Two loaded rows with one target key cannot make the multisets equal: the target table
        // has that primary key, so it holds at most one of them.
        if (exp.count === tgt.count && mod64(exp.sum) === mod64(tgt.sum)) cmp = totalsMatch(exp, tgt, fanout, leafSize);
      }
      cmp ??= await compareRows({
        expected: { ...derive, scratch: (scratch ??= await openScratch(o.scratchDir)), id: tableId },
        sql,
        targetSource,
        binaryText: targetKind === 'csv' || targetKind === 'ndjson' ? 'base64' : 'hex',
        maxExamples,
        leafSize,
        fanout,
      });

      const cp = o.asOfNow ? { offset: cmp.derived.read, ...cmp.derived, done: true } : checkpoints.get(table);
      const sourceRows = cmp.derived.read;
      const counts = {
        sourceRows,
        read: cp?.offset ?? 0,
        loaded: cp?.loaded ?? 0,
        quarantined: cp?.quarantined ?? 0,
        excluded: cp?.excluded ?? 0,
        derived: cmp.derived,
        expected: cmp.expected,
        targetRows: cmp.targetRows,
        present: cmp.expected - cmp.missing.count,
        matched: cmp.expected - cmp.missing.count - cmp.different.count,
        missing: cmp.missing.count,
        extra: cmp.extra.count,
        different: cmp.different.count,
      };
      const columns: ColumnReconciliation[] = def.columns.map((col, i) => {
        const differentRows = cmp.differentByColumn[col.name] ?? 0;
        const expected = { nonNull: cmp.expectedNonNull[i] };
        const target = { nonNull: cmp.targetNonNull[i] };
        return { name: col.name, type: col.type, expected, target, differentRows, match: differentRows === 0 && expected.nonNull === target.nonNull };
      });
      const flags: string[] = [];
      if (!cp) flags.push('counts.no_checkpoint');
      else if (!cp.done) flags.push('counts.incomplete');
      if (counts.read !== counts.loaded + counts.quarantined + counts.excluded) flags.push('counts.unbalanced');
      // Pass 2 re-reads the source: if it now derives differently, the source changed under us.
      if ((cp && counts.read !== sourceRows) || (pass1 && !sameDerived(pass1, cmp.derived))) flags.push('counts.source_changed');
      for (const k of ['loaded', 'quarantined', 'excluded'] as const) if (cp && counts.derived[k] !== counts[k]) flags.push(`counts.derived_${k}`);
      if (cmp.missing.count) flags.push('rows.missing');
      if (cmp.extra.count) flags.push('rows.extra');
      if (cmp.different.count) flags.push('rows.different');
      if (columns.some((c) => !c.match)) flags.push('columns.different');
      tables.push({
        table,
        source: mapping.source,
        load: mapping.load,
        status: flags.length ? 'mismatch' : 'match',
        counts,
        flags,
        columns,
        rows: { missing: cmp.missing, extra: cmp.extra, different: cmp.different, differentByColumn: cmp.differentByColumn },
        bisection: cmp.bisection,
        elapsedMs: Date.now() - started,
      });
      const done = tables[tables.length - 1]!;
      o.onEvent?.({ type: 'reconcile:table', runId: o.runId, table, status: done.status, done: tables.length, total: plan.length, elapsedMs: done.elapsedMs });
    }

    const business = [];
    if (contract.reconciliation.length) {
      const t = await targetSource();
      for (const check of contract.reconciliation) business.push(await runBusinessCheck(check, contract, o.source, t, sliceRows, o.signal));
    }

    const mismatches = tables.flatMap(tableMismatches);
    for (const b of business) {
      if (b.pass) continue;
      const failing = b.groups.filter((g) => !g.pass).length;
      const nonNumeric = b.nonNumeric.source + b.nonNumeric.target;
      mismatches.push({
        kind: 'business',
        check: b.name,
        code: 'business.mismatch',
        message: `${b.name}: ${failing} group(s) differ beyond the tolerance of ${b.tolerance}${nonNumeric ? `; ${nonNumeric} value(s) could not be summed as numbers` : ''}`,
      });
    }
    const finishedAt = now();
    const status = mismatches.length ? 'mismatch' : 'match';
    o.onEvent?.({ type: 'reconcile:finished', runId: o.runId, status, elapsedMs: finishedAt.getTime() - startedAt.getTime() });
    return {
      format: RECONCILIATION_FORMAT,
      runId: o.runId,
      status,
      contract: { name: contract.metadata.name, version: contract.metadata.version, digest: o.digest },
      run: { status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt ?? null },
      source: o.source.displayUrl,
      target: o.target.displayUrl,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      elapsedMs: finishedAt.getTime() - startedAt.getTime(),
      tables,
      business,
      mismatches,
    };
  } finally {
    await Promise.allSettled([scratch?.close(), sql?.close(), ownTargetSource?.close()]);
  }
}

/** What one table's comparison found, whichever pass decided it. */
interface Comparison {
  derived: DerivedCounts;
  expected: number;
  targetRows: number;
  missing: RowCategory<KeyRef>;
  extra: RowCategory<KeyRef>;
  different: RowCategory<DifferentRow>;
  differentByColumn: Record<string, number>;
  /** Per column, over the keys present on both sides. */
  expectedNonNull: number[];
  targetNonNull: number[];
  bisection: BisectionStats;
}

const NONE = { count: 0, examples: [] };

/** Pass 1 agreed: the expected rows are the target's rows, so both sides' non-null counts are over the same keys. */
function totalsMatch(exp: ExpectedTotals, tgt: RangeAggregate, fanout: number, leafSize: number): Comparison {
  return {
    derived: exp.derived,
    expected: exp.count,
    targetRows: tgt.count,
    missing: NONE,
    extra: NONE,
    different: NONE,
    differentByColumn: {},
    expectedNonNull: exp.nonNull,
    targetNonNull: tgt.nonNull ?? [],
    bisection: { method: 'totals', ranges: 1, leaves: 0, rowsCompared: 0, leafSize, fanout },
  };
}

interface CompareRowsOptions {
  expected: ExpectedOptions;
  sql: SqlTarget | undefined;
  targetSource: () => Promise<Source>;
  binaryText: BinaryText;
  maxExamples: number;
  leafSize: number;
  fanout: number;
}

/** Pass 2 (and file targets): the expected rows into the scratch store, then checksum bisection against the target, row by row where ranges differ. */
async function compareRows(o: CompareRowsOptions): Promise<Comparison> {
  const { scratch, id, def, table, signal } = o.expected;
  const exp = await buildExpected(o.expected);
  const sideTable: SideTable = { name: table, columns: def.columns, keyIdx: keyIndexes(def) };
  const keyTypes = sideTable.keyIdx.map((i) => def.columns[i].type);
  let side: TargetSide;
  if (o.sql && keyTypes.every((t) => SQL_KEY_TYPES.has(t))) {
    side = new SqlSide(o.sql.dialect, o.sql.exec, o.sql.tableSql(table), sideTable, async () => {});
  } else {
    side = await StreamSide.load({ scratch, id, target: await o.targetSource(), table: sideTable, sliceRows: o.expected.sliceRows, binaryText: o.binaryText, signal });
  }
  const candidates = new Candidates(scratch, id);
  let found;
  try {
    found = await bisect({ scratch, exp, side, keyCount: keyTypes.length, columnCount: def.columns.length, candidates, leafSize: o.leafSize, fanout: o.fanout, signal });
  } finally {
    await side.close();
  }
  candidates.resolve();

  // Non-null counts over the keys present on both sides: missing rows leave the expected
  // side, extra rows leave the target side.
  const expectedNonNull = [...exp.nonNull];
  const targetNonNull = [...found.targetNonNull];
  const subtract = (counts: number[], packed: Buffer | null): void => {
    if (packed) counts.forEach((_, i) => packed.readBigUInt64BE(i * 8) !== 0n && counts[i]--);
  };
  for (const c of candidates.each('missing')) subtract(expectedNonNull, c.ech);
  for (const c of candidates.each('extra')) subtract(targetNonNull, c.tch);
  const different = candidates.different(
    def.columns.map((c) => c.name),
    o.maxExamples,
  );
  return {
    derived: exp.derived,
    expected: exp.count,
    targetRows: found.targetRows,
    missing: candidates.keys('missing', o.maxExamples),
    extra: candidates.keys('extra', o.maxExamples),
    different: different.category,
    differentByColumn: different.byColumn,
    expectedNonNull,
    targetNonNull,
    bisection: { method: side.method, ranges: found.ranges, leaves: found.leaves, rowsCompared: found.rowsCompared, leafSize: o.leafSize, fanout: o.fanout },
  };
}

function sameDerived(a: DerivedCounts, b: DerivedCounts): boolean {
  return a.read === b.read && a.loaded === b.loaded && a.quarantined === b.quarantined && a.excluded === b.excluded;
}

const FLAG_MESSAGES: Record<string, (t: TableReconciliation) => string> = {
  'counts.no_checkpoint': (t) => `${t.table}: the run recorded no checkpoint for this table`,
  'counts.incomplete': (t) => `${t.table}: the run did not finish this table (read ${t.counts.read} rows)`,
  'counts.unbalanced': (t) => `${t.table}: read ${t.counts.read} ≠ loaded ${t.counts.loaded} + quarantined ${t.counts.quarantined} + excluded ${t.counts.excluded}`,
  'counts.source_changed': (t) =>
    t.counts.sourceRows !== t.counts.read
      ? `${t.table}: the source now has ${t.counts.sourceRows} rows but the run read ${t.counts.read}`
      : `${t.table}: the source changed while it was being reconciled (two reads derived different rows); reconcile again when it is quiet`,
  'counts.derived_loaded': (t) => `${t.table}: the contract now loads ${t.counts.derived.loaded} rows, the run loaded ${t.counts.loaded}`,
  'counts.derived_quarantined': (t) => `${t.table}: the contract now quarantines ${t.counts.derived.quarantined} rows, the run quarantined ${t.counts.quarantined}`,
  'counts.derived_excluded': (t) => `${t.table}: the contract now excludes ${t.counts.derived.excluded} rows, the run excluded ${t.counts.excluded}`,
  'rows.missing': (t) => `${t.table}: ${t.counts.missing} expected row(s) missing from the target`,
  'rows.extra': (t) => `${t.table}: ${t.counts.extra} target row(s) not backed by a loaded source row`,
  'rows.different': (t) => `${t.table}: ${t.counts.different} row(s) differ from what the contract derives`,
};

function tableMismatches(t: TableReconciliation): Mismatch[] {
  const out: Mismatch[] = [];
  for (const flag of t.flags) {
    if (flag === 'columns.different') {
      for (const c of t.columns.filter((x) => !x.match)) {
        out.push({
          kind: 'columns',
          table: t.table,
          code: 'columns.different',
          message: `${t.table}.${c.name}: differs in ${c.differentRows} row(s); ${c.expected.nonNull} non-null value(s) expected, ${c.target.nonNull} in the target (rows on both sides)`,
        });
      }
      continue;
    }
    out.push({ kind: flag.startsWith('rows.') ? 'rows' : 'counts', table: t.table, code: flag, message: FLAG_MESSAGES[flag](t) });
  }
  return out;
}
