/**
 * Sync records and pending rows in `_ferry_syncs` and `_ferry_sync_pending` (ledger version 4),
 * the same for every SQL target (see statements.ts for how they run). Applying a change unit's
 * rows stays with each target, which reuses its own upsert path; what a unit records in the
 * ledger beside them (pending rows, the new position) is here, in the unit's transaction.
 */
import { FerryError } from '../../errors.js';
import type { ChangeUnit, QuarantineRecord, SyncLedger, SyncRecord, TableChanges } from '../connector.js';
import type { SqlLedgerDialect } from './dialect.js';
import type { LedgerOp } from './statements.js';

/** The fields of a sync record a caller may set, with their columns; `updated_at` is always set by the ledger. */
const FIELDS = [
  ['contractDigest', 'contract_digest'],
  ['method', 'method'],
  ['source', 'source'],
  ['snapshotRunId', 'snapshot_run_id'],
  ['streamRunId', 'stream_run_id'],
  ['state', 'state'],
  ['position', 'position'],
  ['lastCommitAt', 'last_commit_at'],
  ['counts', 'counts'],
  ['progress', 'progress'],
  ['cutover', 'cutover'],
  ['error', 'error'],
] as const satisfies ReadonlyArray<readonly [keyof SyncRecord, string]>;

const COLUMNS = ['sync_id', 'started_at', 'updated_at', ...FIELDS.map(([, c]) => c)];
const PENDING_KEY = ['sync_id', 'source_table', 'source_key', 'target_table'];
const PENDING_COLUMNS = [...PENDING_KEY, 'rule', 'reason_code', 'message', 'seq'];

/** Rows per multi-row statement: 8 parameters each stays far below every driver's limit (PostgreSQL: 65,535). */
const CHUNK = 1000;

/** One `_ferry_syncs` row as a SyncRecord (absent optional fields stay absent). */
function toRecord(r: Record<string, unknown>): SyncRecord {
  const rec = { syncId: String(r.sync_id), startedAt: String(r.started_at), updatedAt: String(r.updated_at) } as SyncRecord;
  for (const [field, column] of FIELDS) {
    const v = r[column];
    if (v !== null && v !== undefined) (rec as unknown as Record<string, string>)[field] = String(v);
  }
  return rec;
}

/** The error for beginning a sync whose id is already recorded. */
export function syncExists(syncId: string, where: string): FerryError {
  return new FerryError('conflict', 'sync.exists', `a sync with id ${syncId} is already recorded in ${where}; resume it, or start a new sync with another id`);
}

/** The error for a sync id the target does not record. */
export function syncUnknown(syncId: string, where: string): FerryError {
  return new FerryError('not_found', 'sync.unknown', `sync ${syncId} is not recorded in ${where}; check the sync id and the --target URL`);
}

/** The error for a unit that failed and was rolled back; `reason` is the connector's safe reason (no row value). */
export function syncApplyFailed(unit: ChangeUnit, where: string, reason: string): FerryError {
  return new FerryError(
    'run',
    'sync.apply_failed',
    `applying sync ${unit.syncId}'s changes up to source position ${unit.position} to ${where} failed and was rolled back, so the sync stays at its previous position: ${reason}`,
  );
}

/** The error for a unit that would break an enforced foreign key, naming the table and the constraint. */
export function syncForeignKey(unit: ChangeUnit, where: string, fk: { table?: string; constraint?: string }, reason: string): FerryError {
  return new FerryError(
    'run',
    'sync.apply_foreign_key',
    `applying sync ${unit.syncId}'s changes up to source position ${unit.position} to ${where} would break foreign key ${fk.constraint ?? '(unnamed)'} on table ${fk.table ?? '(unknown)'}, so it was rolled back and the sync stays at its previous position; a parent row is missing or still referenced (check the order of the contract's tables and the source's referential integrity): ${reason}`,
  );
}

/** The sync ledger's statements for one dialect (and, for PostgreSQL, one schema). */
export class SqlSyncLedger {
  private readonly syncs: string;
  private readonly pending: string;
  /** Syncs known to have no pending rows (their settled keys need no DELETE) or known to have some. */
  private readonly pendingState = new Map<string, 'none' | 'some'>();
  /** Set once `_ferry_syncs` is seen: a table, once created, is never dropped by Ferry. */
  private syncsSeen = false;

  constructor(private readonly d: SqlLedgerDialect) {
    this.syncs = d.table('_ferry_syncs');
    this.pending = d.table('_ferry_sync_pending');
  }

  /** Records a new sync; returns false (writing nothing) when its id is already recorded. Call inside a transaction. */
  *beginSync(rec: SyncRecord): LedgerOp<boolean> {
    const { rows } = yield { sql: `SELECT 1 AS found FROM ${this.syncs} WHERE sync_id = ${this.d.param(1)}${this.d.forUpdate}`, params: [rec.syncId] };
    if (rows.length > 0) return false;
    const values = [rec.syncId, rec.startedAt, rec.updatedAt, ...FIELDS.map(([f]) => rec[f] ?? null)];
    yield { sql: `INSERT INTO ${this.syncs} (${COLUMNS.join(', ')}) VALUES (${values.map((_, i) => this.d.param(i + 1)).join(', ')})`, params: values };
    // A new sync has no pending rows yet, unless an earlier one with the same id left some behind.
    this.pendingState.delete(rec.syncId);
    return true;
  }

  /**
   * Whether `_ferry_syncs` exists. Readers (`ferry sync status`, the server) open targets no
   * sync ever prepared (no ledger, or one older than version 4): those have no syncs, and a
   * read must not create the ledger.
   */
  private *hasSyncs(): LedgerOp<boolean> {
    if (!this.syncsSeen) this.syncsSeen = (yield this.d.hasTable('_ferry_syncs')).rows.length > 0;
    return this.syncsSeen;
  }

  /** The sync record, or undefined (also when the target has no sync ledger). */
  *getSync(syncId: string): LedgerOp<SyncRecord | undefined> {
    if (!(yield* this.hasSyncs())) return undefined;
    const { rows } = yield { sql: `SELECT ${COLUMNS.join(', ')} FROM ${this.syncs} WHERE sync_id = ${this.d.param(1)}`, params: [syncId] };
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Every sync record, newest first; none when the target has no sync ledger. */
  *listSyncs(): LedgerOp<SyncRecord[]> {
    if (!(yield* this.hasSyncs())) return [];
    const { rows } = yield { sql: `SELECT ${COLUMNS.join(', ')} FROM ${this.syncs} ORDER BY started_at DESC, sync_id DESC`, params: [] };
    return rows.map(toRecord);
  }

  /** Sets the given fields and `updated_at`; returns false when the sync is unknown. */
  *updateSync(syncId: string, patch: Partial<SyncRecord>): LedgerOp<boolean> {
    const set = FIELDS.filter(([f]) => patch[f] !== undefined);
    const params: unknown[] = [...set.map(([f]) => patch[f]), new Date().toISOString(), syncId];
    const assignments = [...set.map(([, c], i) => `${c} = ${this.d.param(i + 1)}`), `updated_at = ${this.d.param(set.length + 1)}`];
    // MySQL reports matched rows here (mysql2 connects with FOUND_ROWS), so an unchanged record still counts as found.
    const { changes } = yield { sql: `UPDATE ${this.syncs} SET ${assignments.join(', ')} WHERE sync_id = ${this.d.param(set.length + 2)}`, params };
    return changes > 0;
  }

  /**
   * What a change unit records beside its rows, in its transaction: each table's quarantined
   * rows become (or stay) pending, its settled keys leave, then the sync's position, last
   * commit time and counts move. Throws `sync.unknown` when the sync is not recorded.
   */
  *recordUnit(unit: ChangeUnit, where: string): LedgerOp<void> {
    for (const t of unit.tables) {
      // A truncated source table has no rows left to re-enter: its pending rows go with it.
      if (t.truncate) {
        yield {
          sql: `DELETE FROM ${this.pending} WHERE sync_id = ${this.d.param(1)} AND source_table = ${this.d.param(2)} AND target_table = ${this.d.param(3)}`,
          params: [unit.syncId, t.sourceTable, t.table.name],
        };
      }
      if (t.quarantine.length > 0) yield* this.addPending(unit.syncId, t.quarantine);
      if (t.settled.length > 0) yield* this.settle(unit.syncId, t);
    }
    const p = (n: number) => this.d.param(n);
    const { changes } = yield {
      sql: `UPDATE ${this.syncs} SET position = ${p(1)}, last_commit_at = ${p(2)}, counts = ${p(3)}, updated_at = ${p(4)} WHERE sync_id = ${p(5)}`,
      params: [unit.position, unit.committedAt, unit.counts, new Date().toISOString(), unit.syncId],
    };
    if (changes === 0) throw syncUnknown(unit.syncId, where);
  }

  /** One page of the sync's pending rows after `seq` `after`, oldest first (keyset pages keep memory flat). */
  *pendingPage(syncId: string, after: number, limit: number): LedgerOp<{ last: number; records: QuarantineRecord[] }> {
    const p = (n: number) => this.d.param(n);
    const { rows } = yield {
      sql: `SELECT source_table, source_key, target_table, rule, reason_code, message, seq FROM ${this.pending}
             WHERE sync_id = ${p(1)} AND seq > ${p(2)} ORDER BY seq LIMIT ${p(3)}`,
      params: [syncId, after, limit],
    };
    const records = rows.map((r) => ({
      runId: syncId,
      sourceTable: String(r.source_table),
      sourceKey: String(r.source_key),
      targetTable: String(r.target_table),
      rule: String(r.rule),
      reasonCode: String(r.reason_code),
      message: String(r.message),
    }));
    return { last: rows.length ? Number(rows[rows.length - 1].seq) : after, records };
  }

  /**
   * Upserts quarantined rows by key; a row quarantined again keeps its place in the order
   * (`seq`) and takes the newest reason. One sync applies its units one at a time, so the
   * next `seq` is read rather than generated: the same statements serve all three databases.
   */
  private *addPending(syncId: string, records: readonly QuarantineRecord[]): LedgerOp<void> {
    // The last record of a key wins; one statement must not touch a row twice (PostgreSQL refuses).
    const byKey = new Map<string, QuarantineRecord>();
    for (const q of records) byKey.set(`${q.sourceTable}\u0000${q.sourceKey}\u0000${q.targetTable}`, q);
    const unique = [...byKey.values()];
    const { rows } = yield { sql: `SELECT coalesce(max(seq), 0) AS m FROM ${this.pending} WHERE sync_id = ${this.d.param(1)}`, params: [syncId] };
    let seq = Number(rows[0]?.m ?? 0);
    const width = PENDING_COLUMNS.length;
    for (let at = 0; at < unique.length; at += CHUNK) {
      const chunk = unique.slice(at, at + CHUNK);
      const tuples = chunk.map((_, r) => `(${PENDING_COLUMNS.map((__, c) => this.d.param(r * width + c + 1)).join(', ')})`);
      const params = chunk.flatMap((q) => [syncId, q.sourceTable, q.sourceKey, q.targetTable, q.rule, q.reasonCode, q.message, ++seq]);
      yield {
        sql: `INSERT INTO ${this.pending} (${PENDING_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ${this.d.upsert(PENDING_KEY, ['rule', 'reason_code', 'message'])}`,
        params,
      };
    }
    this.pendingState.set(syncId, 'some');
  }

  /** Removes settled keys from the pending rows; skipped once the sync is known to have none (the common case). */
  private *settle(syncId: string, t: TableChanges): LedgerOp<void> {
    let state = this.pendingState.get(syncId);
    if (state === undefined) {
      const { rows } = yield { sql: `SELECT 1 AS found FROM ${this.pending} WHERE sync_id = ${this.d.param(1)} LIMIT 1`, params: [syncId] };
      state = rows.length > 0 ? 'some' : 'none';
      this.pendingState.set(syncId, state);
    }
    if (state === 'none') return;
    const keys = [...new Set(t.settled)];
    for (let at = 0; at < keys.length; at += CHUNK) {
      const chunk = keys.slice(at, at + CHUNK);
      yield {
        sql: `DELETE FROM ${this.pending} WHERE sync_id = ${this.d.param(1)} AND source_table = ${this.d.param(2)} AND target_table = ${this.d.param(3)}
               AND source_key IN (${chunk.map((_, i) => this.d.param(i + 4)).join(', ')})`,
        params: [syncId, t.sourceTable, t.table.name, ...chunk],
      };
    }
  }
}

/**
 * The part of a SyncLedger every SQL target shares: the sync records and the pending rows, over
 * the target's own way of running a ledger operation (a pooled client, a connection, SQLite's
 * one handle). Each target adds applyChanges, its fast path.
 */
export abstract class SqlSyncRecords implements Omit<SyncLedger, 'applyChanges'> {
  protected abstract readonly shared: SqlSyncLedger;
  /** Where the target is, for messages (no password). */
  protected abstract readonly where: string;
  /** Rows per page of syncPending. */
  protected abstract readonly pendingPage: number;
  /** Runs one ledger operation, alone or in a transaction of its own. */
  protected abstract run<T>(op: LedgerOp<T>, transaction: boolean): Promise<T>;

  async beginSync(record: SyncRecord): Promise<void> {
    if (!(await this.run(this.shared.beginSync(record), true))) throw syncExists(record.syncId, this.where);
  }

  getSync(syncId: string): Promise<SyncRecord | undefined> {
    return this.run(this.shared.getSync(syncId), false);
  }

  listSyncs(): Promise<SyncRecord[]> {
    return this.run(this.shared.listSyncs(), false);
  }

  async updateSync(syncId: string, patch: Partial<Omit<SyncRecord, 'syncId' | 'startedAt' | 'updatedAt'>>): Promise<void> {
    if (!(await this.run(this.shared.updateSync(syncId, patch), false))) throw syncUnknown(syncId, this.where);
  }

  async *syncPending(syncId: string): AsyncIterable<QuarantineRecord> {
    let after = 0;
    for (;;) {
      const page = await this.run(this.shared.pendingPage(syncId, after, this.pendingPage), false);
      yield* page.records;
      if (page.records.length < this.pendingPage) return;
      after = page.last;
    }
  }

  /** Refuses a unit that changes rows of a table without a primary key: changes apply by key. */
  protected checkKeys(unit: ChangeUnit): void {
    for (const t of unit.tables) {
      if (t.table.primaryKey.length === 0 && (t.upserts.length > 0 || t.deletes.length > 0)) {
        throw new FerryError('contract', 'sync.no_primary_key', `table ${t.table.name} has no primary key, so sync ${unit.syncId} cannot apply changes to it by key; declare one in the contract`);
      }
    }
  }
}
