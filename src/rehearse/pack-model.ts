/**
 * The sign-off pack's data model: everything the integration lead and the clinical safety officer
 * sign, gathered once (pack-data.ts) and rendered once (pack-html.ts). It holds counts, codes,
 * keys, digests and user ids only — never a patient value.
 */
import type { LoadedContract, Tier } from '../contract/model.js';
import type { ContractVersionSummary, Promotion, ReleaseApproval, RunRecord } from '../control/plane.js';
import type { RunReport } from '../run/report.js';

export const PACK_FORMAT = 'ferry.signoff-pack/v1';

/** What the rehearsal, or the stored run, came to: the pack states it first and prominently. */
export type PackOutcome =
  /** Pilot and full run succeeded, every gate passed and the load reconciled. */
  | 'ready_for_sign_off'
  /** The pilot (a dry run of a linked subset) did not succeed: the full run was not started. */
  | 'pilot_failed'
  /** The full run finished but a quality gate (or its reconciliation) failed. */
  | 'gate_failed'
  /** The full run failed or was cancelled before its gates decided. */
  | 'run_failed';

/** One issue raised against a hazard: a signal (a KPI, check or reason code) and what it showed. */
export interface HazardIssueLine {
  signal: string;
  detail: string;
  status: string;
}

/** One hazard of the project's clinical hazard log (DCB0129/DCB0160), with its evidence. */
export interface PackHazard {
  id: string;
  title: string;
  initialRisk: string;
  residualRisk: string;
  status: string;
  openIssues: number;
  resolvedIssues: number;
  issues: HazardIssueLine[];
}

/** The sampling review of the run's patients (a clinician compares legacy and migrated records side by side). */
export interface PackReview {
  /** The review's id, or null for a selection drawn outside a project (not recorded, so nobody can review it in Ferry). */
  id: string | null;
  /** The run the sample was drawn from. */
  runId: string;
  seed: number;
  patients: number;
  reviewed: number;
  matches: number;
  discrepanciesOpen: number;
  discrepanciesResolved: number;
  complete: boolean;
  /** Per stratum (`quarantined`, `cascaded`, `crosswalked`, `clean`): patients in the run and patients drawn. */
  strata: Array<{ stratum: string; inRun: number; patients: number }>;
  /** The sampled patients by their legacy key (a key, never a value), with the verdict so far. */
  sampled: Array<{ number: number; patientKey: string; stratum: string; verdict: string | null; discrepancy: string | null }>;
}

/** Approvals and runs of the contract digest in a governed project; `governed: false` outside one. */
export type PackGovernance =
  | { governed: false }
  | {
      governed: true;
      projectId: string;
      /** The project's contract version with this digest, with its sign-off, or null if never submitted. */
      version: ContractVersionSummary | null;
      tiers: Array<{ tier: Tier; approvals: ReleaseApproval[]; missing: string[]; promotion: Promotion | null }>;
      /** Every recorded run of the digest in the project, newest first. */
      runs: RunRecord[];
    };

/** One step of the rehearsal as the pack shows it: the run's report, or why there is none. */
export interface PackStep {
  report: RunReport | null;
  /** Set when the step failed before its report existed (a preflight or connection error): code and message. */
  error: { code: string; message: string } | null;
  /** Set when the step was not started (the pilot failed first). */
  skipped: string | null;
}

/** Rows that followed a quarantined parent (`parent.quarantined`), per target table. */
export interface CascadeLine {
  table: string;
  rows: number;
}

/** The whole pack. `loaded` renders the specification; everything else is plain data. */
export interface SignOffPack {
  format: typeof PACK_FORMAT;
  generatedAt: string;
  loaded: LoadedContract;
  contract: { name: string; version: string; digest: string };
  tier: Tier;
  outcome: PackOutcome;
  /** One sentence on the outcome, for the banner. */
  headline: string;
  /** The pilot dry run; null when the pack was built from a stored run (no rehearsal). */
  pilot: PackStep | null;
  full: PackStep;
  /** From the full run's report, or the pilot's when the full run never ran. */
  cascade: CascadeLine[];
  /** Null: no hazard log was submitted for this project. */
  hazards: PackHazard[] | null;
  /** Null: no sampling review yet. */
  review: PackReview | null;
  governance: PackGovernance;
}
