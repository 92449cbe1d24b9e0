/**
 * The clinician sampling review (issue #20): a review is a drawn sample of one run's patients,
 * stored as keys and strata only, never values (the side-by-side view is built live); each
 * sampled patient carries the reviewer's verdict and, for a discrepancy, whether it is still
 * open. A tier may require a completed review with no open discrepancy (`require_review`).
 */
import type { Migration } from './migration.js';

const common = [
  `CREATE TABLE "review" ("id" TEXT PRIMARY KEY, "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "project_id" TEXT NOT NULL REFERENCES "project" ("id"), "run_id" TEXT NOT NULL, "target_run_id" TEXT NOT NULL, "digest" TEXT NOT NULL, "tier" TEXT NOT NULL, "root_table" TEXT NOT NULL, "seed" BIGINT NOT NULL, "patients_requested" INTEGER NOT NULL, "stratify" TEXT, "population" TEXT NOT NULL, "source_ref" TEXT NOT NULL, "target_ref" TEXT NOT NULL, "created_by" TEXT NOT NULL, "created_at" TEXT NOT NULL, "status" TEXT NOT NULL CHECK ("status" IN ('open', 'complete')), "completed_at" TEXT)`,
  `CREATE INDEX "review_project" ON "review" ("org_id", "project_id", "created_at")`,
  `CREATE INDEX "review_digest" ON "review" ("org_id", "project_id", "digest")`,
  `CREATE TABLE "review_patient" ("review_id" TEXT NOT NULL REFERENCES "review" ("id"), "org_id" TEXT NOT NULL REFERENCES "org" ("id"), "position" INTEGER NOT NULL, "patient_key" TEXT NOT NULL, "stratum" TEXT NOT NULL CHECK ("stratum" IN ('quarantined', 'cascaded', 'crosswalked', 'clean')), "verdict" TEXT CHECK ("verdict" IN ('matches', 'discrepancy')), "comment" TEXT, "reviewer_id" TEXT, "reviewed_at" TEXT, "discrepancy_status" TEXT CHECK ("discrepancy_status" IN ('open', 'resolved')), "resolved_by" TEXT, "resolved_at" TEXT, "resolution_comment" TEXT, PRIMARY KEY ("review_id", "position"), UNIQUE ("review_id", "patient_key"))`,
  `ALTER TABLE "release_tier" ADD COLUMN "require_review" SMALLINT NOT NULL DEFAULT 0`,
];

export const samplingReview: Migration = {
  id: 8,
  name: 'sampling-review',
  sql: { sqlite: common, postgres: common },
};
