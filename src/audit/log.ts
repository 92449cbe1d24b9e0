/**
 * The append-only audit log in the control store. Appends are serialised so two writers, even
 * in two processes, never fork the chain: on SQLite the append runs under `BEGIN IMMEDIATE`
 * (one writer at a time), on PostgreSQL it locks the single `audit_head` row `FOR UPDATE`.
 * Either way an append is one read of the head row, one indexed insert and one head update;
 * after the commit the store's audit anchor advances to the new head (src/audit/anchor.ts).
 */
import { z } from 'zod';
import { FerryError } from '../errors.js';
import type { Store, StoreDb } from '../store/db.js';
import type { AuditEventRow } from '../store/schema.js';
import { eventHash, type AuditRecord } from './chain.js';
import { parsePayload, type AuditEventMap, type AuditEventType } from './events.js';
import { canonicalJson } from '../contract/canonical.js';
import { parseAuditTime } from './time.js';
import { scheduleAnchor } from './anchor.js';

/** What a caller supplies; seq, time and hashes are assigned by the log. */
export type AuditEventInput = {
  [K in AuditEventType]: { type: K; actor: string; orgId?: string | null; projectId?: string | null; payload: AuditEventMap[K] };
}[AuditEventType];

export interface AuditFilter {
  type?: string;
  actor?: string;
  runId?: string;
  projectId?: string;
  /** Inclusive lower bound on event time (ISO 8601). */
  from?: string;
  /** Exclusive upper bound on event time (ISO 8601). */
  to?: string;
  /** Newest first unless `order` is 'asc'. */
  order?: 'asc' | 'desc';
  limit?: number;
}

export interface ChainHead {
  /** 0 when the log is empty. */
  seq: number;
  hash: string;
}

const actorSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\r\n]*$/);

export class AuditLog {
  constructor(
    readonly store: Store,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Appends one event in its own serialised transaction and returns it as stored. */
  append(input: AuditEventInput): Promise<AuditRecord> {
    return this.store.writeTransaction((trx) => this.appendIn(trx, input));
  }

  /**
   * Appends inside the caller's transaction, so a privileged change and its audit event commit
   * or roll back together. The transaction must come from `store.writeTransaction`.
   */
  async appendIn(trx: StoreDb, input: AuditEventInput): Promise<AuditRecord> {
    const payload = parsePayload(input.type, input.payload);
    if (!actorSchema.safeParse(input.actor).success) {
      throw new FerryError('usage', 'audit.bad_actor', 'the audit actor must be a non-empty single-line identifier of at most 200 characters');
    }
    let headQuery = trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
    if (this.store.dialect === 'postgres') headQuery = headQuery.forUpdate();
    const head = await headQuery.executeTakeFirstOrThrow();
    const fields = {
      seq: Number(head.seq) + 1,
      time: this.clock().toISOString(),
      actor: input.actor,
      orgId: input.orgId ?? null,
      projectId: input.projectId ?? null,
      type: input.type,
      payload,
      prevHash: head.hash,
    };
    const record: AuditRecord = { ...fields, hash: eventHash(fields) };
    await trx.insertInto('audit_event').values(toRow(record)).execute();
    await trx.updateTable('audit_head').set({ seq: record.seq, hash: record.hash }).where('id', '=', 1).execute();
    scheduleAnchor(this.store, trx);
    return record;
  }

  /** The last appended event's seq and hash, as the head row records it. */
  async head(): Promise<ChainHead> {
    const h = await this.store.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { seq: Number(h.seq), hash: h.hash };
  }

  /** Events matching every given filter, newest first by default. */
  async list(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    let q = this.store.db.selectFrom('audit_event').selectAll();
    if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.actor) q = q.where('actor', '=', filter.actor);
    if (filter.runId) q = q.where('run_id', '=', filter.runId);
    if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
    if (filter.from) q = q.where('time', '>=', normaliseTime(filter.from, 'from'));
    if (filter.to) q = q.where('time', '<', normaliseTime(filter.to, 'to'));
    q = q.orderBy('seq', filter.order ?? 'desc');
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return (await q.execute()).map(fromRow);
  }

  /** One event by sequence number. */
  async get(seq: number): Promise<AuditRecord | undefined> {
    const row = await this.store.db.selectFrom('audit_event').selectAll().where('seq', '=', seq).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Stored rows with `first <= seq <= last` in seq order, paged so memory stays flat. */
  async *scan(range: { first?: number; last?: number; pageSize?: number } = {}): AsyncIterable<AuditEventRow & { seq: number }> {
    let after = (range.first ?? 1) - 1;
    const pageSize = range.pageSize ?? 5_000;
    for (;;) {
      let q = this.store.db.selectFrom('audit_event').selectAll().where('seq', '>', after);
      if (range.last !== undefined) q = q.where('seq', '<=', range.last);
      const rows = await q.orderBy('seq').limit(pageSize).execute();
      for (const r of rows) yield { ...r, seq: Number(r.seq) };
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1].seq);
    }
  }

  /** The seq range of events with `from <= time < to`, or null when there are none. */
  async seqRange(from: string, to: string): Promise<{ first: number; last: number } | null> {
    const r = await this.store.db
      .selectFrom('audit_event')
      .select((eb) => [eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last')])
      .where('time', '>=', normaliseTime(from, 'from'))
      .where('time', '<', normaliseTime(to, 'to'))
      .executeTakeFirst();
    if (!r || r.first === null || r.last === null) return null;
    return { first: Number(r.first), last: Number(r.last) };
  }
}

/** Parses a user-given time bound (strict ISO 8601, see time.ts) into the stored form; `flag` names the parameter. */
export function normaliseTime(value: string, flag: string): string {
  return parseAuditTime(value, flag);
}

/** The stored row for a record (payload as canonical JSON text). */
export function toRow(r: AuditRecord): AuditEventRow {
  const runId = (r.payload as { runId?: unknown }).runId;
  return {
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    org_id: r.orgId,
    project_id: r.projectId,
    type: r.type,
    run_id: typeof runId === 'string' ? runId : null,
    payload: canonicalJson(r.payload),
    prev_hash: r.prevHash,
    hash: r.hash,
  };
}

/** The record for a stored row; a payload that is not JSON means the store was tampered with. */
export function fromRow(row: AuditEventRow): AuditRecord {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    throw new FerryError('conflict', 'audit.corrupt_payload', `audit event ${row.seq} has a payload that is not JSON; the store was altered: run ferry audit verify`);
  }
  return {
    seq: Number(row.seq),
    time: row.time,
    actor: row.actor,
    orgId: row.org_id,
    projectId: row.project_id,
    type: row.type,
    payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
