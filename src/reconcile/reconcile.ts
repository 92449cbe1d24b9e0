/**
 * Reconciliation of one run: proves the target holds exactly what the contract makes of the
 * source. Per target table: counts (source, the run's checkpoint, re-derived now, target),
 * per-column checksums, and the exact missing / extra / different rows by checksum bisection;
 * then the contract's business checks. The expected rows are re-derived with the engine's own
 * row program, so this checks the load, not the transforms.
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
import { buildExpected, keyIndexes } from './expected.js';
import { u64Hex } from './hash.js';
import { RECONCILIATION_FORMAT, type ColumnReconciliation, type Mismatch, type ReconciliationReport, type TableReconciliation } from './report.js';
import { openScratch, type Scratch } from './scratch.js';
import type { SideTable, TargetSide } from './side.js';
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
  const today = o.today ?? (() => now().toISOString().slice(0, 10));

  const run = await o.target.getRun(o.runId);
  if (!run) throw new FerryError('not_found', 'reconcile.unknown_run', `run ${o.runId} is not recorded in the target ${o.target.displayUrl}; check the run id and the --target URL`);
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
    scratch = await openScratch(o.scratchDir);
    sql = await openSqlTarget(o.targetUrl);
    const lookups = new LookupCache();
    await lookups.load(o.source, lookupSpecs(contract), sliceRows, o.signal);
    let pilot: PilotSelection | undefined;
    if (o.pilot) pilot = await selectPilot(contract, o.source, { ...o.pilot, sliceRows, signal: o.signal });

    const tables: TableReconciliation[] = [];
    let id = 0;
    const plan = planLoad(contract);
    o.onEvent?.({ type: 'reconcile:started', runId: o.runId, tables: plan.map((p) => p.table) });
    // The run quarantined children of parents it did not load; the expected side follows them the same way (plan order: parents first).
    const parentKeys = new LoadedKeys(contract);
    for (const { table } of plan) {
      o.signal?.throwIfAborted();
      const started = Date.now();
      const def = targetTableDef(contract, table);
      const mapping = contract.mappings[table];
      const tableId = id++;
      const exp = await buildExpected({
        scratch,
        id: tableId,
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
      });
      const sideTable: SideTable = { name: table, columns: def.columns, keyIdx: keyIndexes(def) };
      const keyTypes = sideTable.keyIdx.map((i) => def.columns[i].type);
      let side: TargetSide;
      if (sql && keyTypes.every((t) => SQL_KEY_TYPES.has(t))) {
        side = new SqlSide(sql.dialect, sql.exec, sql.tableSql(table), sideTable, async () => {});
      } else {
        side = await StreamSide.load({
          scratch,
          id: tableId,
          target: await targetSource(),
          table: sideTable,
          sliceRows,
          binaryText: targetKind === 'csv' || targetKind === 'ndjson' ? 'base64' : 'hex',
          signal: o.signal,
        });
      }
      const candidates = new Candidates(scratch, tableId);
      let found;
      try {
        found = await bisect({ scratch, exp, side, keyCount: keyTypes.length, columnCount: def.columns.length, candidates, leafSize, fanout, signal: o.signal });
      } finally {
        await side.close();
      }
      candidates.resolve();

      // Column checksums over the keys present on both sides: missing rows leave the
      // expected side, extra rows leave the target side, so a column differs only when
      // values differ.
      const expCols = exp.columns.map((s) => ({ nonNull: s.count, sum: s.value() }));
      const tgtCols = found.targetColumns.map((c) => ({ ...c }));
      const subtract = (cols: typeof expCols, packed: Buffer | null): void => {
        if (!packed) return;
        cols.forEach((c, i) => {
          const hex = packed.toString('hex', i * 8, i * 8 + 8);
          if (hex === '0000000000000000') return;
          c.nonNull--;
          c.sum -= BigInt(`0x${hex}`);
        });
      };
      for (const c of candidates.each('missing')) subtract(expCols, c.ech);
      for (const c of candidates.each('extra')) subtract(tgtCols, c.tch);
      const columns: ColumnReconciliation[] = def.columns.map((col, i) => {
        const expected = { nonNull: expCols[i].nonNull, checksum: u64Hex(expCols[i].sum) };
        const target = { nonNull: tgtCols[i].nonNull, checksum: u64Hex(tgtCols[i].sum) };
        return { name: col.name, type: col.type, expected, target, match: expected.nonNull === target.nonNull && expected.checksum === target.checksum };
      });

      const missing = candidates.keys('missing', maxExamples);
      const extra = candidates.keys('extra', maxExamples);
      const different = candidates.different(
        def.columns.map((c) => c.name),
        maxExamples,
      );
      const cp = checkpoints.get(table);
      const sourceRows = exp.derived.read;
      const counts = {
        sourceRows,
        read: cp?.offset ?? 0,
        loaded: cp?.loaded ?? 0,
        quarantined: cp?.quarantined ?? 0,
        excluded: cp?.excluded ?? 0,
        derived: exp.derived,
        expected: exp.count,
        targetRows: found.targetRows,
        present: exp.count - missing.count,
        matched: exp.count - missing.count - different.category.count,
        missing: missing.count,
        extra: extra.count,
        different: different.category.count,
      };
      const flags: string[] = [];
      if (!cp) flags.push('counts.no_checkpoint');
      else if (!cp.done) flags.push('counts.incomplete');
      if (counts.read !== counts.loaded + counts.quarantined + counts.excluded) flags.push('counts.unbalanced');
      if (cp && counts.read !== sourceRows) flags.push('counts.source_changed');
      for (const k of ['loaded', 'quarantined', 'excluded'] as const) if (cp && counts.derived[k] !== counts[k]) flags.push(`counts.derived_${k}`);
      if (missing.count) flags.push('rows.missing');
      if (extra.count) flags.push('rows.extra');
      if (different.category.count) flags.push('rows.different');
      if (columns.some((c) => !c.match)) flags.push('columns.checksum');
      tables.push({
        table,
        source: mapping.source,
        load: mapping.load,
        status: flags.length ? 'mismatch' : 'match',
        counts,
        flags,
        columns,
        rows: { missing, extra, different: different.category, differentByColumn: different.byColumn },
        bisection: { method: side.method, ranges: found.ranges, leaves: found.leaves, rowsCompared: found.rowsCompared, leafSize, fanout },
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

const FLAG_MESSAGES: Record<string, (t: TableReconciliation) => string> = {
  'counts.no_checkpoint': (t) => `${t.table}: the run recorded no checkpoint for this table`,
  'counts.incomplete': (t) => `${t.table}: the run did not finish this table (read ${t.counts.read} rows)`,
  'counts.unbalanced': (t) => `${t.table}: read ${t.counts.read} ≠ loaded ${t.counts.loaded} + quarantined ${t.counts.quarantined} + excluded ${t.counts.excluded}`,
  'counts.source_changed': (t) => `${t.table}: the source now has ${t.counts.sourceRows} rows but the run read ${t.counts.read}`,
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
    if (flag === 'columns.checksum') {
      for (const c of t.columns.filter((x) => !x.match)) {
        out.push({
          kind: 'columns',
          table: t.table,
          code: 'columns.checksum',
          message: `${t.table}.${c.name}: checksum ${c.expected.checksum}/${c.expected.nonNull} expected, ${c.target.checksum}/${c.target.nonNull} in the target`,
        });
      }
      continue;
    }
    out.push({ kind: flag.startsWith('rows.') ? 'rows' : 'counts', table: t.table, code: flag, message: FLAG_MESSAGES[flag](t) });
  }
  return out;
}
