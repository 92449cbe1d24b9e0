/**
 * Operator-registered named connections replace tenant-typed target references. A tier names
 * a connection (`target_connection`); the URL, or the `env:`/`file:` reference holding it, is
 * kept only in `connection`, written by the operator with direct store access and never
 * returned over HTTP. `canonical` is the connection's identity when it was registered (a real
 * path, or engine + addresses + port + database) so a later registration or run can refuse to
 * point one tenant at another tenant's data. The old tenant-typed `target_ref` is dropped:
 * anything in it was chosen by a tenant, so none of it is trusted.
 *
 * The tier policy gets its own author and time (`policy_updated_by/at`), separate from the
 * target's, because separation of duties discounts the approval of whoever last changed it.
 */
import type { Migration } from './migration.js';

const common = [
  `CREATE TABLE "connection" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "name" TEXT NOT NULL, "direction" TEXT NOT NULL CHECK ("direction" IN ('source', 'target', 'both')), "kind" TEXT NOT NULL, "url_ref" TEXT NOT NULL, "projects" TEXT, "tiers" TEXT, "canonical" TEXT NOT NULL, "created_by" TEXT NOT NULL, "created_at" TEXT NOT NULL, UNIQUE ("org_id", "name"))`,
  `ALTER TABLE "release_tier" ADD COLUMN "target_connection" TEXT`,
  `ALTER TABLE "release_tier" ADD COLUMN "policy_updated_by" TEXT`,
  `ALTER TABLE "release_tier" ADD COLUMN "policy_updated_at" TEXT`,
  `UPDATE "release_tier" SET "policy_updated_by" = "updated_by", "policy_updated_at" = "updated_at"`,
  `ALTER TABLE "release_tier" DROP COLUMN "target_ref"`,
];

export const namedConnections: Migration = {
  id: 3,
  name: 'named_connections',
  sql: { sqlite: common, postgres: common },
};
