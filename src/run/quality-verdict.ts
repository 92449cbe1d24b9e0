/**
 * What a run's quality section may honestly claim. The collector's decision is `pass` when the
 * tier declares no gates, and its figures after a failed or cancelled load cover only the rows
 * it got to; the console summary and the HTML report must say neither "PASS" then.
 */
import type { RunReport, RunVerdict } from './report.js';

export type QualityVerdict =
  /** The run stopped before its rows were measured: there is no quality section. */
  | { kind: 'not_measured' }
  /** The run failed or was cancelled: the gate figures describe a partial load. */
  | { kind: 'not_decided' }
  /** The contract declares no gate or check for the run's tier: nothing was judged. */
  | { kind: 'none_declared' }
  /** The gates' own decision. */
  | { kind: 'decided'; decision: NonNullable<RunReport['quality']>['decision'] };

/** The quality claim `r` supports. */
export function qualityVerdict(r: RunReport): QualityVerdict {
  const stopped = r.status === 'failed' || r.status === 'cancelled';
  if (!r.quality) return { kind: 'not_measured' };
  if (stopped) return { kind: 'not_decided' };
  if (r.quality.gates.length === 0 && r.quality.checks.length === 0) return { kind: 'none_declared' };
  return { kind: 'decided', decision: r.quality.decision };
}

/** The verdict as the JSON report states it: the decision when there is one, else why there is none. */
export function verdictOf(r: RunReport): RunVerdict {
  const v = qualityVerdict(r);
  return v.kind === 'decided' ? v.decision : v.kind;
}

/** `r` with its verdict stated. */
export function withVerdict(r: RunReport): RunReport {
  return { ...r, verdict: verdictOf(r) };
}
