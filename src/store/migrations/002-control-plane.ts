/**
 * The governed control plane: tenancy (org → workspace → project), users, sessions, API
 * tokens, role grants, contract versions with their approvals, release tier configuration,
 * release approvals, recorded runs and promotions. Every tenant table carries `org_id` so each
 * query can filter by tenant without a join. Contract versions, approvals and promotions are
 * immutable: triggers refuse UPDATE and DELETE, so "an approved version can never change" holds
 * even for someone with direct SQL access who has not first dropped the triggers.
 */
import type { Migration } from './migration.js';

const tables = [
  `CREATE TABLE "org" ("id" TEXT PRIMARY KEY, "slug" TEXT NOT NULL UNIQUE, "name" TEXT NOT NULL, "created_at" TEXT NOT NULL)`,
  `CREATE TABLE "workspace" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "name" TEXT NOT NULL, "created_at" TEXT NOT NULL, UNIQUE ("org_id", "name"))`,
  `CREATE TABLE "project" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "workspace_id" TEXT NOT NULL REFERENCES "workspace" ("id"), "name" TEXT NOT NULL, "created_at" TEXT NOT NULL, UNIQUE ("workspace_id", "name"))`,
  `CREATE INDEX "project_org" ON "project" ("org_id")`,
  // password_hash is self-describing (scrypt$N$r$p$keylen$salt$hash): salt and cost per user.
  `CREATE TABLE "app_user" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "username" TEXT NOT NULL UNIQUE, "display_name" TEXT NOT NULL, "password_hash" TEXT NOT NULL, "failed_logins" INTEGER NOT NULL DEFAULT 0, "locked_at" TEXT, "locked_reason" TEXT, "created_at" TEXT NOT NULL)`,
  `CREATE INDEX "app_user_org" ON "app_user" ("org_id")`,
  // scope is '*' for an org-wide grant or the project id, so the primary key dedups both kinds.
  `CREATE TABLE "role_grant" ("user_id" TEXT NOT NULL REFERENCES "app_user" ("id"), "role" TEXT NOT NULL, "scope" TEXT NOT NULL, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT REFERENCES "project" ("id"), "granted_by" TEXT NOT NULL, "granted_at" TEXT NOT NULL, PRIMARY KEY ("user_id", "role", "scope"))`,
  `CREATE TABLE "user_session" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "user_id" TEXT NOT NULL REFERENCES "app_user" ("id"), "token_hash" TEXT NOT NULL UNIQUE, "created_at" TEXT NOT NULL, "last_seen_at" TEXT NOT NULL, "expires_at" TEXT NOT NULL, "revoked_at" TEXT)`,
  `CREATE INDEX "user_session_user" ON "user_session" ("user_id")`,
  `CREATE TABLE "api_token" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "user_id" TEXT NOT NULL REFERENCES "app_user" ("id"), "name" TEXT NOT NULL, "token_hash" TEXT NOT NULL UNIQUE, "created_at" TEXT NOT NULL, "expires_at" TEXT, "revoked_at" TEXT, "last_used_at" TEXT)`,
  `CREATE INDEX "api_token_user" ON "api_token" ("user_id")`,
  `CREATE TABLE "contract_version" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT NOT NULL REFERENCES "project" ("id"), "number" INTEGER NOT NULL CHECK ("number" >= 1), "digest" TEXT NOT NULL, "contract_name" TEXT NOT NULL, "contract_version" TEXT NOT NULL, "author_id" TEXT NOT NULL REFERENCES "app_user" ("id"), "created_at" TEXT NOT NULL, "message" TEXT NOT NULL, "yaml" TEXT NOT NULL, "crosswalks" TEXT NOT NULL, UNIQUE ("project_id", "digest"), UNIQUE ("project_id", "number"))`,
  `CREATE TABLE "version_approval" ("version_id" TEXT PRIMARY KEY REFERENCES "contract_version" ("id"), "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT NOT NULL REFERENCES "project" ("id"), "approver_id" TEXT NOT NULL REFERENCES "app_user" ("id"), "approved_at" TEXT NOT NULL, "comment" TEXT NOT NULL)`,
  `CREATE TABLE "release_tier" ("project_id" TEXT NOT NULL REFERENCES "project" ("id"), "tier" TEXT NOT NULL, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "target_ref" TEXT, "required_roles" TEXT NOT NULL, "min_approvers" INTEGER NOT NULL, "exclude_author" INTEGER NOT NULL, "updated_by" TEXT NOT NULL, "updated_at" TEXT NOT NULL, PRIMARY KEY ("project_id", "tier"))`,
  `CREATE TABLE "release_approval" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT NOT NULL REFERENCES "project" ("id"), "digest" TEXT NOT NULL, "tier" TEXT NOT NULL, "approver_id" TEXT NOT NULL REFERENCES "app_user" ("id"), "role" TEXT NOT NULL, "comment" TEXT NOT NULL, "approved_at" TEXT NOT NULL, UNIQUE ("project_id", "digest", "tier", "approver_id"))`,
  `CREATE TABLE "run_record" ("project_id" TEXT NOT NULL REFERENCES "project" ("id"), "run_id" TEXT NOT NULL, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "digest" TEXT NOT NULL, "tier" TEXT NOT NULL, "status" TEXT NOT NULL, "gate_decision" TEXT, "dry_run" INTEGER NOT NULL, "actor_id" TEXT NOT NULL, "recorded_at" TEXT NOT NULL, PRIMARY KEY ("project_id", "run_id"))`,
  `CREATE INDEX "run_record_digest" ON "run_record" ("project_id", "digest", "tier")`,
  `CREATE TABLE "promotion" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT NOT NULL REFERENCES "project" ("id"), "digest" TEXT NOT NULL, "tier" TEXT NOT NULL, "promoted_by" TEXT NOT NULL REFERENCES "app_user" ("id"), "promoted_at" TEXT NOT NULL)`,
  `CREATE INDEX "promotion_tier" ON "promotion" ("project_id", "tier", "promoted_at")`,
];

const IMMUTABLE = ['contract_version', 'version_approval', 'release_approval', 'promotion'];

export const controlPlane: Migration = {
  id: 2,
  name: 'control_plane',
  sql: {
    sqlite: [
      ...tables,
      ...IMMUTABLE.flatMap((t) => [
        `CREATE TRIGGER "${t}_no_update" BEFORE UPDATE ON "${t}" BEGIN SELECT RAISE(ABORT, '${t} rows are immutable: UPDATE is not allowed'); END`,
        `CREATE TRIGGER "${t}_no_delete" BEFORE DELETE ON "${t}" BEGIN SELECT RAISE(ABORT, '${t} rows are immutable: DELETE is not allowed'); END`,
      ]),
    ],
    postgres: [
      ...tables,
      `CREATE FUNCTION "ferry_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% rows are immutable: % is not allowed', TG_TABLE_NAME, TG_OP; END $$`,
      ...IMMUTABLE.flatMap((t) => [
        `CREATE TRIGGER "${t}_immutable" BEFORE UPDATE OR DELETE ON "${t}" FOR EACH ROW EXECUTE FUNCTION "ferry_immutable"()`,
        `CREATE TRIGGER "${t}_no_truncate" BEFORE TRUNCATE ON "${t}" FOR EACH STATEMENT EXECUTE FUNCTION "ferry_immutable"()`,
      ]),
    ],
  },
};
