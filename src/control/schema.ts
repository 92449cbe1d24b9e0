/**
 * Row types of the control store's tables, as kysely sees them. Each migration that adds a
 * table adds its interface here; column types are what both SQLite and PostgreSQL return
 * (PostgreSQL returns BIGINT as a string, hence `number | string` for sequence columns).
 */

export interface MigrationRow {
  id: number;
  name: string;
  /** SHA-256 of the migration's SQL for the dialect it ran on. */
  checksum: string;
  applied_at: string;
}

export interface AuditEventRow {
  seq: number | string;
  time: string;
  actor: string;
  org_id: string | null;
  project_id: string | null;
  type: string;
  /** Copied from `payload.runId` so `--run` filters use an index; not hashed separately. */
  run_id: string | null;
  /** Canonical JSON of the payload. */
  payload: string;
  prev_hash: string;
  hash: string;
}

/** One row (id 1): the last appended event, so a deleted tail is detectable. */
export interface AuditHeadRow {
  id: number;
  seq: number | string;
  hash: string;
}

export interface ControlDatabase {
  ferry_migrations: MigrationRow;
  audit_event: AuditEventRow;
  audit_head: AuditHeadRow;
}
