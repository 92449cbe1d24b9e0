/**
 * PostgreSQL change capture (issue #18) by logical replication: a publication of the sync's
 * tables and a pgoutput slot, both named from the sync id (slotName). begin creates them and
 * exports the slot's snapshot, so the snapshot load and the stream meet exactly at the slot's
 * consistent point; stream checks the slot still guarantees every change after a stored position.
 */
import pg from 'pg';
import { FerryError } from '../../../errors.js';
import type { CaptureFinding, CaptureLag, CaptureStart, ChangeCapture, ChangePosition, ChangeStream } from '../../capture.js';
import type { Source } from '../../connector.js';
import type { PgConfig } from '../config.js';
import { connectionError, keepFirstError, safePgReason } from '../errors.js';
import { ident } from '../quote.js';
import { connectClient, sessionConfig } from '../session.js';
import { PgSource } from '../source.js';
import { compareLsn, parseLsn } from './lsn.js';
import { slotName } from './names.js';
import { preflight } from './preflight.js';
import { checkSlot, createPublication, createSlot, dropSlot } from './slot.js';
import { IDLE_ADVANCE_MS, openStream } from './stream.js';
import { catalogTables } from './tables.js';

// Domains resolve to their base type, as introspect does for the pinned source schema.
const BASE_TYPES_SQL = `
SELECT t.oid::int8 AS oid, coalesce(bt.typname, t.typname) AS base
  FROM pg_type t LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
 WHERE t.oid = ANY($1::oid[])`;

/** Change capture of one PostgreSQL database's schema (the URL's ?schema=). */
export class PgCapture implements ChangeCapture {
  readonly kind = 'postgres';
  readonly displayUrl: string;
  private closed = false;

  private constructor(
    private readonly cfg: PgConfig,
    /** Catalog queries, slot checks and drops; never inside a transaction. */
    private readonly admin: pg.Client,
    private readonly idleAdvanceMs: number,
  ) {
    this.displayUrl = cfg.display;
  }

  /** Connects the catalog connection; `idleAdvanceMs`: how long a stream with nothing to yield waits before it moves the stored position (default 60 s). */
  static async open(cfg: PgConfig, tuning: { idleAdvanceMs?: number } = {}): Promise<PgCapture> {
    return new PgCapture(cfg, await connectClient(cfg), tuning.idleAdvanceMs ?? IDLE_ADVANCE_MS);
  }

  preflight(tables: string[]): Promise<CaptureFinding[]> {
    return this.guard('sync.preflight_failed', 'checking the source for change capture', () => preflight(this.admin, this.cfg.where, this.cfg.schema, tables));
  }

  async begin(name: string, tables: string[]): Promise<CaptureStart> {
    const slot = slotName(name);
    const found = await this.guard('sync.begin_failed', 'reading the source tables', () => catalogTables(this.admin, this.cfg.schema, tables));
    const missing = tables.filter((_, i) => !found[i]);
    if (missing.length > 0) {
      throw new FerryError(
        'not_found',
        'sync.table_missing',
        `table(s) ${missing.join(', ')} do not exist in schema "${this.cfg.schema}" of ${this.cfg.where}; check the contract's source tables and ?schema=`,
      );
    }
    let publication = false;
    let replication: pg.Client | undefined;
    let created = false;
    try {
      await createPublication(
        this.admin,
        slot,
        this.cfg.schema,
        found.map((t) => t!.name),
      );
      publication = true;
      replication = await this.connectReplication();
      const { position, snapshot } = await createSlot(replication, slot);
      created = true;
      const holder = replication;
      let released = false;
      return {
        position,
        openSnapshot: async (): Promise<Source> => {
          if (released) throw new FerryError('internal', 'sync.snapshot_released', `the snapshot of sync ${name} was released; open the snapshot before releasing it`);
          return PgSource.open(this.cfg, { snapshot });
        },
        release: async () => {
          released = true;
          await holder.end().catch(() => {});
        },
      };
    } catch (err) {
      const reason = safePgReason(err, replication ?? this.admin);
      await replication?.end().catch(() => {});
      // Only what this call created: an existing slot or publication belongs to someone else.
      if (created) await this.admin.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => {});
      if (publication) await this.admin.query(`DROP PUBLICATION IF EXISTS ${ident(slot)}`).catch(() => {});
      if (err instanceof FerryError) throw err;
      if ((err as { code?: string }).code === '42710') {
        throw new FerryError(
          'conflict',
          'sync.already_begun',
          `a publication or replication slot named ${slot} already exists on ${this.cfg.where}: sync ${name} was begun before; drop it (ferry sync drop) to start over`,
        );
      }
      throw new FerryError('run', 'sync.begin_failed', `could not create publication and replication slot ${slot} on ${this.cfg.where}: ${reason}`, [], { cause: err });
    }
  }

  async stream(name: string, tables: string[], from: ChangePosition, signal?: AbortSignal): Promise<ChangeStream> {
    parseLsn(from);
    const slot = slotName(name);
    const { found, senderTimeoutMs } = await this.guard('sync.stream_failed', 'checking the replication slot', async () => {
      await checkSlot(this.admin, slot, this.cfg.where, from);
      const timeout = await this.admin.query<{ ms: number }>("SELECT setting::int AS ms FROM pg_settings WHERE name = 'wal_sender_timeout'");
      return { found: await catalogTables(this.admin, this.cfg.schema, tables), senderTimeoutMs: timeout.rows[0]?.ms ?? 60_000 };
    });
    const tableNames = new Map<string, string>();
    for (const t of found) if (t) tableNames.set(t.name, t.requested);
    return openStream({ cfg: this.cfg, slot, from, tableNames, baseTypes: (oids) => this.baseTypes(oids), senderTimeoutMs, idleAdvanceMs: this.idleAdvanceMs, signal });
  }

  async lag(_name: string, position: ChangePosition): Promise<CaptureLag> {
    parseLsn(position);
    return this.guard('sync.lag_failed', 'reading the source position', async () => {
      // The insert position: the WAL a commit made is there at once, even before the WAL writer
      // flushes it (synchronous_commit = off), so a freeze check never mistakes a write for quiet.
      const res = await this.admin.query<{ head: string; bytes: string }>('SELECT pg_current_wal_insert_lsn()::text AS head, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::text AS bytes', [
        position,
      ]);
      return { head: res.rows[0].head, bytes: Number(res.rows[0].bytes) };
    });
  }

  async readerActive(name: string): Promise<boolean | undefined> {
    return this.guard('sync.slot_check_failed', 'checking the replication slot', async () => {
      const res = await this.admin.query<{ pid: number | null }>('SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1', [slotName(name)]);
      return res.rows.length === 0 ? undefined : res.rows[0].pid !== null;
    });
  }

  comparePositions(a: ChangePosition, b: ChangePosition): number {
    return compareLsn(a, b);
  }

  drop(name: string): Promise<void> {
    return dropSlot(this.admin, slotName(name), this.cfg.where);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.admin.end().catch(() => {});
  }

  private async baseTypes(oids: number[]): Promise<Map<number, string>> {
    const res = await this.admin.query<{ oid: string; base: string }>(BASE_TYPES_SQL, [oids]);
    return new Map(res.rows.map((r) => [Number(r.oid), r.base]));
  }

  /** A replication connection (walsender) with the same session settings as every other Ferry connection. */
  private async connectReplication(): Promise<pg.Client> {
    const client = new pg.Client({ ...sessionConfig(this.cfg), replication: 'database' } as pg.ClientConfig);
    keepFirstError(client);
    try {
      await client.connect();
    } catch (err) {
      client.end().catch(() => {});
      throw connectionError(this.cfg.where, this.cfg.client.user, err);
    }
    return client;
  }

  /** Runs catalog work, turning a driver failure into `code` with the server's reason. */
  private async guard<T>(code: string, what: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new FerryError('internal', 'sync.capture_closed', 'the PostgreSQL change capture was used after it was closed');
    try {
      return await work();
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('run', code, `${what} on ${this.cfg.where} failed: ${safePgReason(err, this.admin)}`, [], { cause: err });
    }
  }
}
