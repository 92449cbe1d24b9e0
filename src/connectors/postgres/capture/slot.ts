/**
 * The publication and logical replication slot a sync owns at the source: created together by
 * begin, checked before every stream so no change can be skipped unnoticed, dropped together.
 */
import type pg from 'pg';
import { FerryError } from '../../../errors.js';
import { safePgReason } from '../errors.js';
import { ident, qualified } from '../quote.js';
import { compareLsn } from './lsn.js';

/** Creates the publication of `tables` (catalog names in `schema`), every kind of change, partitions under their root's name. */
export async function createPublication(client: pg.ClientBase, name: string, schema: string, tables: readonly string[]): Promise<void> {
  const list = tables.map((t) => qualified(schema, t)).join(', ');
  await client.query(`CREATE PUBLICATION ${ident(name)} FOR TABLE ${list} WITH (publish = 'insert, update, delete, truncate', publish_via_partition_root = true)`);
}

/** Creates the slot on a replication connection and exports its snapshot, valid while that connection stays idle and open. */
export async function createSlot(replication: pg.Client, name: string): Promise<{ position: string; snapshot: string }> {
  const res = await replication.query<{ consistent_point: string; snapshot_name: string }>(`CREATE_REPLICATION_SLOT ${ident(name)} LOGICAL pgoutput (SNAPSHOT 'export')`);
  const row = res.rows[0];
  return { position: row.consistent_point, snapshot: row.snapshot_name };
}

interface SlotRow {
  plugin: string | null;
  same_db: boolean;
  active_pid: number | null;
  wal_status: string | null;
  confirmed: string | null;
  publication: boolean;
}

const SLOT_SQL = `
SELECT s.plugin, s.database = current_database() AS same_db, s.active_pid, s.wal_status, s.confirmed_flush_lsn::text AS confirmed,
       EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1) AS publication
  FROM pg_replication_slots s WHERE s.slot_name = $1`;

/**
 * Refuses to stream from `from` when a change after it could be missing: the slot is gone or
 * its WAL was removed, or it was acknowledged past `from` (by another consumer, or it is a new
 * slot); or when another process streams from it.
 */
export async function checkSlot(client: pg.ClientBase, name: string, where: string, from: string): Promise<void> {
  const res = await client.query<SlotRow>(SLOT_SQL, [name]);
  const s = res.rows[0];
  const fresh = 'start the sync again from a new snapshot (ferry sync start)';
  if (!s) throw new FerryError('conflict', 'sync.slot_missing', `replication slot ${name} no longer exists on ${where}, so changes since position ${from} are lost to this sync; ${fresh}`);
  if (s.plugin !== 'pgoutput' || !s.same_db) {
    throw new FerryError('conflict', 'sync.slot_recreated', `replication slot ${name} on ${where} is not this sync's (another database or plugin); ${fresh}`);
  }
  if (!s.publication) throw new FerryError('conflict', 'sync.slot_missing', `publication ${name} no longer exists on ${where}, so the slot cannot say which changes to send; ${fresh}`);
  if (s.wal_status === 'lost') {
    throw new FerryError(
      'conflict',
      'sync.position_lost',
      `the server removed WAL that replication slot ${name} on ${where} still needed (wal_status = lost, beyond max_slot_wal_keep_size), so changes since position ${from} are gone; ${fresh}`,
    );
  }
  if (s.confirmed && compareLsn(s.confirmed, from) > 0) {
    throw new FerryError(
      'conflict',
      'sync.slot_recreated',
      `replication slot ${name} on ${where} has confirmed changes up to ${s.confirmed}, past this sync's position ${from}: it was recreated or another client consumed from it, so changes in between are missing here; a new snapshot is needed: ${fresh}`,
    );
  }
  if (s.active_pid !== null) throw slotInUse(name, where, s.active_pid);
}

/** Another process streams from the slot. */
export function slotInUse(name: string, where: string, pid?: number): FerryError {
  return new FerryError(
    'conflict',
    'sync.slot_in_use',
    `replication slot ${name} on ${where} is in use by ${pid ? `server process ${pid}` : 'another process'}: another copy of this sync is running, or a stopped one's connection has not timed out yet (wal_sender_timeout); stop the other copy or retry in a minute`,
  );
}

/** Ends any server process streaming from the slot, then drops the slot and the publication; nothing when they are gone. */
export async function dropSlot(client: pg.ClientBase, name: string, where: string): Promise<void> {
  try {
    // A terminated walsender releases the slot a moment later; until then dropping fails with 55006.
    for (let attempt = 0; ; attempt++) {
      const res = await client.query<{ pid: number | null }>('SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1', [name]);
      if (res.rows.length === 0) break;
      const pid = res.rows[0].pid;
      if (pid !== null) {
        await client.query('SELECT pg_terminate_backend($1)', [pid]);
        if (attempt > 100) throw slotInUse(name, where, pid);
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      try {
        await client.query('SELECT pg_drop_replication_slot($1)', [name]);
        break;
      } catch (err) {
        const code = (err as { code?: string }).code;
        // Someone took or dropped it between the look and the drop: look again.
        if ((code !== '55006' && code !== '42704') || attempt > 100) throw err;
      }
    }
    await client.query(`DROP PUBLICATION IF EXISTS ${ident(name)}`);
  } catch (err) {
    if (err instanceof FerryError) throw err;
    throw new FerryError('run', 'sync.drop_failed', `could not drop replication slot and publication ${name} on ${where}: ${safePgReason(err, client)}`);
  }
}
