/**
 * The hash-chained audit log. Events are append-only: triggers refuse UPDATE and DELETE, so an
 * accidental edit fails loudly; a deliberate one (dropping the trigger first) is still caught
 * by `ferry audit verify`, because every event's hash covers its content and its predecessor.
 * `audit_head` holds the last event so a deleted tail is detectable too.
 */
import type { Migration } from './migration.js';

const GENESIS = '0'.repeat(64);

const columns = (seqType: string) => `
  "seq" ${seqType} PRIMARY KEY CHECK ("seq" >= 1),
  "time" TEXT NOT NULL,
  "actor" TEXT NOT NULL,
  "org_id" TEXT,
  "project_id" TEXT,
  "type" TEXT NOT NULL,
  "run_id" TEXT,
  "payload" TEXT NOT NULL,
  "prev_hash" TEXT NOT NULL,
  "hash" TEXT NOT NULL`;

const indexes = [
  `CREATE INDEX "audit_event_time" ON "audit_event" ("time")`,
  `CREATE INDEX "audit_event_type" ON "audit_event" ("type", "seq")`,
  `CREATE INDEX "audit_event_actor" ON "audit_event" ("actor", "seq")`,
  `CREATE INDEX "audit_event_project" ON "audit_event" ("project_id", "seq")`,
  `CREATE INDEX "audit_event_run" ON "audit_event" ("run_id", "seq") WHERE "run_id" IS NOT NULL`,
];

export const auditLog: Migration = {
  id: 1,
  name: 'audit_log',
  sql: {
    sqlite: [
      `CREATE TABLE "audit_event" (${columns('INTEGER')})`,
      ...indexes,
      `CREATE TABLE "audit_head" ("id" INTEGER PRIMARY KEY CHECK ("id" = 1), "seq" INTEGER NOT NULL, "hash" TEXT NOT NULL)`,
      `INSERT INTO "audit_head" ("id", "seq", "hash") VALUES (1, 0, '${GENESIS}')`,
      `CREATE TRIGGER "audit_event_no_update" BEFORE UPDATE ON "audit_event" BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE is not allowed'); END`,
      `CREATE TRIGGER "audit_event_no_delete" BEFORE DELETE ON "audit_event" BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE is not allowed'); END`,
    ],
    postgres: [
      `CREATE TABLE "audit_event" (${columns('BIGINT')})`,
      ...indexes,
      `CREATE TABLE "audit_head" ("id" SMALLINT PRIMARY KEY CHECK ("id" = 1), "seq" BIGINT NOT NULL, "hash" TEXT NOT NULL)`,
      `INSERT INTO "audit_head" ("id", "seq", "hash") VALUES (1, 0, '${GENESIS}')`,
      `CREATE FUNCTION "ferry_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit events are append-only: % is not allowed', TG_OP; END $$`,
      `CREATE TRIGGER "audit_event_append_only" BEFORE UPDATE OR DELETE ON "audit_event" FOR EACH ROW EXECUTE FUNCTION "ferry_audit_append_only"()`,
      `CREATE TRIGGER "audit_event_no_truncate" BEFORE TRUNCATE ON "audit_event" FOR EACH STATEMENT EXECUTE FUNCTION "ferry_audit_append_only"()`,
    ],
  },
};
