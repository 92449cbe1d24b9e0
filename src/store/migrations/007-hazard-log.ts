/**
 * The hazard log (issue #20): each project's DCB0129 hazard log as immutable versions (the
 * parsed document as JSON with the digest of its canonical form), and the hazard issues that
 * runs and reviews raise against it. An issue is unique per project, signal and reference, so
 * a signal that fires on every run bumps `occurrences` rather than adding rows. Issues hold
 * counts, codes and table names, never patient values.
 */
import type { Migration } from './migration.js';

const common = [
  `CREATE TABLE "hazard_log_version" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT NOT NULL REFERENCES "project" ("id"), "version" INTEGER NOT NULL, "digest" TEXT NOT NULL, "body" TEXT NOT NULL, "author_id" TEXT NOT NULL, "comment" TEXT NOT NULL, "created_at" TEXT NOT NULL, UNIQUE ("project_id", "version"))`,
  `CREATE TABLE "hazard_issue" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT NOT NULL REFERENCES "project" ("id"), "hazard_id" TEXT, "signal" TEXT NOT NULL, "source_kind" TEXT NOT NULL, "run_id" TEXT, "ref" TEXT NOT NULL, "detail" TEXT NOT NULL, "status" TEXT NOT NULL CHECK ("status" IN ('open', 'resolved', 'accepted')), "occurrences" INTEGER NOT NULL, "first_seen_at" TEXT NOT NULL, "last_seen_at" TEXT NOT NULL, "last_run_id" TEXT, "resolved_by" TEXT, "resolved_at" TEXT, "resolution_comment" TEXT, UNIQUE ("project_id", "signal", "ref"))`,
  `CREATE INDEX "hazard_issue_project" ON "hazard_issue" ("org_id", "project_id", "status")`,
];

export const hazardLog: Migration = {
  id: 7,
  name: 'hazard-log',
  sql: { sqlite: common, postgres: common },
};
