/**
 * Notifications and project settings (issue #21). A project's subscriptions (webhook or email)
 * to audited events, the delivery log that is also the outbox (one row per subscription and
 * event key, unique, so a restart or a second server never delivers twice), the notifier's
 * cursor over the audit chain, the sync-lag watcher's per-sync state, and the project's backup
 * policy. A subscription hears of events after its own `notify:subscribed` event (`since_seq`),
 * never of the backlog before it. The cursor starts at the audit head when the migration runs, so upgrading a store
 * does not notify its whole history.
 */
import type { Migration } from './migration.js';

const common = [
  `CREATE TABLE "notify_subscription" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT NOT NULL REFERENCES "project" ("id"), "name" TEXT NOT NULL, "channel" TEXT NOT NULL CHECK ("channel" IN ('webhook', 'email')), "target" TEXT NOT NULL, "events" TEXT NOT NULL, "secret" TEXT, "lag_seconds" INTEGER, "since_seq" BIGINT NOT NULL, "created_by" TEXT NOT NULL, "created_at" TEXT NOT NULL, "removed_by" TEXT, "removed_at" TEXT)`,
  `CREATE INDEX "notify_subscription_project" ON "notify_subscription" ("org_id", "project_id")`,
  `CREATE TABLE "notify_delivery" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT NOT NULL, "subscription_id" TEXT NOT NULL REFERENCES "notify_subscription" ("id"), "event_key" TEXT NOT NULL, "event_type" TEXT NOT NULL, "audit_seq" BIGINT, "payload" TEXT NOT NULL, "status" TEXT NOT NULL CHECK ("status" IN ('pending', 'delivered', 'failed')), "attempts" INTEGER NOT NULL, "next_attempt_at" TEXT, "last_attempt_at" TEXT, "last_status" INTEGER, "last_error" TEXT, "delivered_at" TEXT, "created_at" TEXT NOT NULL, UNIQUE ("subscription_id", "event_key"))`,
  `CREATE INDEX "notify_delivery_due" ON "notify_delivery" ("status", "next_attempt_at")`,
  `CREATE INDEX "notify_delivery_project" ON "notify_delivery" ("org_id", "project_id", "created_at")`,
  `CREATE TABLE "notify_cursor" ("id" SMALLINT PRIMARY KEY CHECK ("id" = 1), "seq" BIGINT NOT NULL)`,
  `INSERT INTO "notify_cursor" ("id", "seq") SELECT 1, "seq" FROM "audit_head" WHERE "id" = 1`,
  `CREATE TABLE "notify_sync_state" ("subscription_id" TEXT NOT NULL REFERENCES "notify_subscription" ("id"), "sync_id" TEXT NOT NULL, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "lagging" SMALLINT NOT NULL, "crossings" INTEGER NOT NULL, "updated_at" TEXT NOT NULL, PRIMARY KEY ("subscription_id", "sync_id"))`,
  `CREATE TABLE "backup_policy" ("project_id" TEXT PRIMARY KEY REFERENCES "project" ("id"), "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "required" SMALLINT NOT NULL, "keep_last" INTEGER, "keep_days" INTEGER, "updated_by" TEXT NOT NULL, "updated_at" TEXT NOT NULL)`,
];

export const notifications: Migration = {
  id: 6,
  name: 'notifications',
  sql: { sqlite: common, postgres: common },
};
