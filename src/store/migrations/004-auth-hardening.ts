/**
 * Authentication hardening. User names become unique per org instead of across the
 * deployment (a 409 must not reveal another tenant's users), and failed logins are counted per
 * (account, client address) in `login_throttle`, so a stranger's guesses pause only their own
 * address, never the owner's. The address is stored only as its SHA-256.
 *
 * SQLite cannot drop a UNIQUE constraint, so `app_user` is rebuilt. The runner applies
 * migrations inside one transaction, where `PRAGMA foreign_keys` cannot change; instead the
 * foreign keys from role_grant, user_session, api_token, contract_version, … are deferred to
 * commit, by which time every referenced user exists again under the same id.
 */
import type { Migration } from './migration.js';

const USER_COLUMNS = '"id", "org_id", "username", "display_name", "password_hash", "failed_logins", "locked_at", "locked_reason", "created_at"';

const throttle = `CREATE TABLE "login_throttle" ("user_id" TEXT NOT NULL REFERENCES "app_user" ("id"), "address_hash" TEXT NOT NULL, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "failures" INTEGER NOT NULL, "lockouts" INTEGER NOT NULL, "locked_until" TEXT, "last_failure_at" TEXT NOT NULL, PRIMARY KEY ("user_id", "address_hash"))`;

export const authHardening: Migration = {
  id: 4,
  name: 'auth_hardening',
  sql: {
    sqlite: [
      'PRAGMA defer_foreign_keys = ON',
      `CREATE TABLE "app_user_before_004" AS SELECT ${USER_COLUMNS} FROM "app_user"`,
      'DROP TABLE "app_user"',
      `CREATE TABLE "app_user" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "username" TEXT NOT NULL, "display_name" TEXT NOT NULL, "password_hash" TEXT NOT NULL, "failed_logins" INTEGER NOT NULL DEFAULT 0, "locked_at" TEXT, "locked_reason" TEXT, "created_at" TEXT NOT NULL, UNIQUE ("org_id", "username"))`,
      `INSERT INTO "app_user" (${USER_COLUMNS}) SELECT ${USER_COLUMNS} FROM "app_user_before_004"`,
      'DROP TABLE "app_user_before_004"',
      throttle,
    ],
    postgres: [
      'ALTER TABLE "app_user" DROP CONSTRAINT "app_user_username_key"',
      'ALTER TABLE "app_user" ADD CONSTRAINT "app_user_org_username" UNIQUE ("org_id", "username")',
      'DROP INDEX "app_user_org"',
      throttle,
    ],
  },
};
