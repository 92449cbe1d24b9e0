/**
 * Tenant scoping, in one place. Every tenant table carries `org_id`; control code reaches those
 * tables only through an `OrgScope`, whose builders already hold `<table>.org_id = <org>`
 * (reads, updates, deletes) or set `org_id` themselves (inserts), so no query can forget the
 * filter or write a row into another org. The few queries that must span orgs by their nature
 * (resolving a bearer token from its hash before its org is known, the operator's views, the
 * check that a new connection reaches no other org's data) go through `acrossOrgs`, whose
 * callers test/control/org-scope.test.ts lists one by one. Global tables (`org`, the audit
 * head, store identity, migrations) are queried directly.
 */
import {
  sql,
  type DeleteQueryBuilder,
  type DeleteResult,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type SelectQueryBuilder,
  type UpdateQueryBuilder,
  type UpdateResult,
} from 'kysely';
import type { StoreDb } from '../store/db.js';
import type { ControlDatabase } from '../store/schema.js';

/** Tables whose every row belongs to one org (its `org_id`). */
export const TENANT_TABLES = [
  'workspace',
  'project',
  'app_user',
  'login_throttle',
  'role_grant',
  'user_session',
  'api_token',
  'contract_version',
  'version_approval',
  'release_tier',
  'release_approval',
  'run_record',
  'promotion',
  'connection',
  'notify_subscription',
  'notify_delivery',
  'notify_sync_state',
  'backup_policy',
  'hazard_log_version',
  'hazard_issue',
  'review',
  'review_patient',
] as const;

export type TenantTable = (typeof TENANT_TABLES)[number];

/**
 * What a tenant may read: its tables, and its own events of the audit chain. The chain is
 * written only by audit/ (one chain for the deployment), so it is readable here, never writable.
 */
export type OrgReadable = TenantTable | 'audit_event';

type Db = ControlDatabase;
// Kysely's own spelling of "nothing selected yet".
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type NoSelection = {};

/** Query builders for one org's rows. */
export interface OrgScope {
  readonly orgId: string;
  /** `select … from <table> where <table>.org_id = <org>`; add columns and further conditions. */
  select<T extends OrgReadable>(table: T): SelectQueryBuilder<Db, T, NoSelection>;
  /** `update <table> … where <table>.org_id = <org>`; add `set` and further conditions. */
  update<T extends TenantTable>(table: T): UpdateQueryBuilder<Db, T, T, UpdateResult>;
  /** `delete from <table> where <table>.org_id = <org>`; add further conditions. */
  delete<T extends TenantTable>(table: T): DeleteQueryBuilder<Db, T, DeleteResult>;
  /** Inserts `row` into `table` as a row of this org (the row names no org itself). */
  insert<T extends TenantTable>(table: T, row: Omit<Insertable<Db[T]>, 'org_id'>): InsertQueryBuilder<Db, T, InsertResult>;
}

/** The rows of `orgId`, through `db` (the store's handle or an open transaction). */
export function orgScope(db: StoreDb, orgId: string): OrgScope {
  const own = (table: string) => sql.ref<string>(`${table}.org_id`);
  return {
    orgId,
    select: <T extends OrgReadable>(table: T) => (db.selectFrom(table as OrgReadable) as unknown as SelectQueryBuilder<Db, T, NoSelection>).where(own(table), '=', orgId),
    update: <T extends TenantTable>(table: T) => (db.updateTable(table as TenantTable) as unknown as UpdateQueryBuilder<Db, T, T, UpdateResult>).where(own(table), '=', orgId),
    delete: <T extends TenantTable>(table: T) => (db.deleteFrom(table as TenantTable) as unknown as DeleteQueryBuilder<Db, T, DeleteResult>).where(own(table), '=', orgId),
    insert: <T extends TenantTable>(table: T, row: Omit<Insertable<Db[T]>, 'org_id'>) =>
      (db.insertInto(table as TenantTable) as unknown as InsertQueryBuilder<Db, T, InsertResult>).values({ ...row, org_id: orgId } as unknown as Insertable<Db[T]>),
  };
}

/** Unscoped builders for tenant tables: only for the cross-org queries listed in this module's doc comment. */
export interface AcrossOrgs {
  select<T extends TenantTable>(table: T): SelectQueryBuilder<Db, T, NoSelection>;
  update<T extends TenantTable>(table: T): UpdateQueryBuilder<Db, T, T, UpdateResult>;
}

/** Every org's rows: each call site is a reviewed exception (see test/control/org-scope.test.ts). */
export function acrossOrgs(db: StoreDb): AcrossOrgs {
  return {
    select: <T extends TenantTable>(table: T) => db.selectFrom(table as TenantTable) as unknown as SelectQueryBuilder<Db, T, NoSelection>,
    update: <T extends TenantTable>(table: T) => db.updateTable(table as TenantTable) as unknown as UpdateQueryBuilder<Db, T, T, UpdateResult>,
  };
}
