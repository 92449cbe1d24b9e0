/**
 * What stops logical replication of a PostgreSQL source before anything is created: server
 * settings, free slots and WAL senders, the role's privilege, transactions that would hold up
 * slot creation, and tables whose updates and deletes could not be told apart by key.
 */
import type { ClientBase } from 'pg';
import type { CaptureFinding } from '../../capture.js';
import { catalogTables } from './tables.js';

/** Transactions open longer than this hold up slot creation noticeably. */
const LONG_TRANSACTION_SECONDS = 60;

const SERVER_SQL = `
SELECT current_setting('wal_level') AS wal_level,
       current_setting('max_replication_slots')::int AS max_slots,
       (SELECT count(*) FROM pg_replication_slots)::int AS slots,
       current_setting('max_wal_senders')::int AS max_senders,
       (SELECT count(*) FROM pg_stat_replication)::int AS senders,
       current_setting('max_slot_wal_keep_size') AS keep_size,
       r.rolreplication AS replication, r.rolsuper AS superuser, current_user AS role
  FROM pg_roles r WHERE r.rolname = current_user`;

// Slot creation waits until every transaction running when it starts has ended. Only the pid
// and age are read: the query text may quote patient values.
const LONG_SQL = `
SELECT pid, extract(epoch FROM now() - xact_start)::int AS age
  FROM pg_stat_activity
 WHERE pid <> pg_backend_pid() AND xact_start < now() - make_interval(secs => $1)
   AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL)
 ORDER BY xact_start`;

interface ServerRow {
  wal_level: string;
  max_slots: number;
  slots: number;
  max_senders: number;
  senders: number;
  keep_size: string;
  replication: boolean;
  superuser: boolean;
  role: string;
}

/** Every reason `tables` of `schema` cannot be captured now, as findings; empty when ready. `longAfterSeconds` is for tests. */
export async function preflight(client: ClientBase, where: string, schema: string, tables: readonly string[], longAfterSeconds = LONG_TRANSACTION_SECONDS): Promise<CaptureFinding[]> {
  const findings: CaptureFinding[] = [];
  const s = (await client.query<ServerRow>(SERVER_SQL)).rows[0];
  if (s.wal_level !== 'logical') {
    findings.push({
      code: 'sync.wal_level',
      message: `${where} has wal_level = ${s.wal_level}; change capture needs wal_level = logical (ALTER SYSTEM SET wal_level = logical, then restart the server)`,
    });
  }
  if (s.slots >= s.max_slots) {
    findings.push({
      code: 'sync.no_free_slot',
      message: `${where} uses all ${s.max_slots} replication slots (max_replication_slots); drop an unused slot (pg_replication_slots) or raise max_replication_slots and restart`,
    });
  }
  if (s.senders >= s.max_senders) {
    findings.push({
      code: 'sync.no_free_wal_sender',
      message: `${where} uses all ${s.max_senders} WAL senders (max_wal_senders); stop an idle replication client or raise max_wal_senders and restart`,
    });
  }
  if (!s.replication && !s.superuser) {
    findings.push({
      code: 'sync.no_replication_privilege',
      message: `role ${s.role} on ${where} may not stream changes: it needs the REPLICATION attribute (ALTER ROLE ${s.role} REPLICATION) or a superuser`,
    });
  }
  if (s.keep_size.trim() === '-1') {
    findings.push({
      code: 'sync.wal_keep_unbounded',
      message: `${where} has max_slot_wal_keep_size = -1: a stalled sync would keep WAL until the disk fills; set a bound (ALTER SYSTEM SET max_slot_wal_keep_size = '50GB'; SELECT pg_reload_conf())`,
    });
  }
  const long = await client.query<{ pid: number; age: number }>(LONG_SQL, [longAfterSeconds]);
  for (const t of long.rows) {
    findings.push({
      code: 'sync.long_transaction',
      message: `a transaction in server process ${t.pid} on ${where} has been open for ${t.age} s; creating the replication slot waits until it ends: let it finish or end it (SELECT pg_terminate_backend(${t.pid}))`,
    });
  }
  const found = await catalogTables(client, schema, tables);
  found.forEach((t, i) => {
    const name = tables[i];
    if (!t) {
      findings.push({ code: 'sync.table_missing', table: name, message: `table ${name} does not exist in schema "${schema}" of ${where}; check the contract's source tables and ?schema=` });
    } else if (t.kind !== 'r' && t.kind !== 'p') {
      findings.push({ code: 'sync.not_a_table', table: name, message: `${name} in schema "${schema}" of ${where} is not a table (a view or similar): only tables' changes can be captured` });
    } else if (t.generated.length > 0) {
      findings.push({
        code: 'sync.generated_column',
        table: name,
        message: `table ${name} has generated column(s) ${t.generated.join(', ')}, which PostgreSQL's logical replication does not send, so its changes would never match the pinned schema; turn them into plain columns (ALTER TABLE ${name} ALTER COLUMN ${t.generated[0]} DROP EXPRESSION) or leave the table out of the sync`,
      });
    }
    if (t && (t.kind === 'r' || t.kind === 'p') && (t.replicaIdentity === 'n' || (t.replicaIdentity === 'd' && !t.hasPrimaryKey))) {
      findings.push({
        code: 'sync.no_primary_key',
        table: name,
        message: `table ${name} has ${t.replicaIdentity === 'n' ? 'REPLICA IDENTITY NOTHING' : 'no primary key'}, so its updates and deletes cannot be matched to rows; add a primary key or ALTER TABLE ${name} REPLICA IDENTITY FULL`,
      });
    }
  });
  return findings;
}
