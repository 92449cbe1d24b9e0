/**
 * The dress rehearsal (`ferry rehearse`): one command that runs what a migration team does
 * before cutover and gathers the evidence into the sign-off pack.
 *
 * 1. Pilot — a dry run of a linked subset (the first N patients and every row linked to them)
 *    through the whole contract and its gates, writing nothing: contract and data errors
 *    surface in seconds, before the full load touches the target.
 * 2. Full run — the governed run (release gate, quality gates, end-of-run reconciliation, audit
 *    trail, run record) into the target.
 * 3. The pack — built whatever happened: when the pilot fails the full run is not started, and
 *    the pack says so first; when a gate fails, the pack says that.
 *
 * Both runs go through `governedRun`, so they are audited and, in a project, recorded and
 * gated exactly like `ferry run`.
 */
import { contractOf } from '../contract/load.js';
import type { LoadedContract, Tier } from '../contract/model.js';
import type { RunEventListener } from '../engine/events.js';
import { FerryError } from '../errors.js';
import { governedRun, RunNotRecordedError, type GovernedRunOptions } from '../run/governed-run.js';
import type { MigrateOptions } from '../run/migrate.js';
import type { RunReport } from '../run/report.js';
import { withReviewSides } from '../review/open.js';
import { drawSample, type Sample } from '../review/sample.js';
import { buildPack, failedStep, reportStep, skippedStep, type PackProject } from './pack-data.js';
import type { PackStep, SignOffPack } from './pack-model.js';

/** Patients in the pilot subset when the caller does not say. */
export const DEFAULT_PILOT_PATIENTS = 100;

/** Engine options the rehearsal passes to both runs unchanged. */
export type RehearsalEngineOptions = Pick<MigrateOptions, 'batchSize' | 'concurrency' | 'partitions' | 'minPartitionRows' | 'lineage' | 'countTotals'>;

export interface RehearseOptions {
  contractFile: string;
  sourceUrl: string;
  targetUrl: string;
  tier: Tier;
  /** Patients in the pilot subset (default 100). */
  pilotPatients?: number;
  /** Root source table of the pilot subset (default: the table most others reference). */
  pilotTable?: string;
  engine?: RehearsalEngineOptions;
  /** Audit trail, release gate and backup for both runs, as `ferry run` builds them. */
  governance?: Pick<GovernedRunOptions, 'audit' | 'release' | 'backup'>;
  /** The governed project the pack reads approvals and runs from; absent: "not governed". */
  project?: PackProject;
  /** Draw the clinicians' sample from the full run (its lineage must be on). */
  sample?: { patients: number; seed: number; stratify?: string };
  /** One line per step (`ferry rehearse` prints them on stderr). */
  onStep?: (line: string) => void;
  onEvent?: RunEventListener;
  signal?: AbortSignal;
}

export interface Rehearsal {
  pack: SignOffPack;
  /** The step whose result decides the exit: the pilot's when it failed, else the full run's. */
  decisive: PackStep;
  /** The error that ended the decisive step before it had a report (for its exit code). */
  failure: FerryError | null;
  /** A run that finished but could not be recorded in the control store. */
  unrecorded: RunNotRecordedError | null;
  /** The sample drawn (null when none was asked for or the run loaded nothing), and the review that stores it in a project. */
  sample: { sample: Sample; reviewId: string | null } | null;
  /** Why the sample could not be drawn (the pack is still written). */
  samplingError: { code: string; message: string } | null;
}

/** Runs one governed step; a FerryError before the report becomes the step's error, a recording failure keeps the report. */
async function step(o: GovernedRunOptions): Promise<{ step: PackStep; failure: FerryError | null; unrecorded: RunNotRecordedError | null }> {
  try {
    return { step: reportStep(await governedRun(o)), failure: null, unrecorded: null };
  } catch (err) {
    if (err instanceof RunNotRecordedError) return { step: reportStep(err.report), failure: null, unrecorded: err };
    // Anything else is a defect, not a rehearsal outcome: let it surface.
    if (!(err instanceof FerryError)) throw err;
    return { step: failedStep(err.code, err.message), failure: err, unrecorded: null };
  }
}

function describe(r: RunReport | null, fallback: string): string {
  if (!r) return fallback;
  const t = r.totals;
  return `${r.status} (run ${r.runId}): ${t.read} read, ${t.loaded} loaded, ${t.quarantined} quarantined, quality ${r.verdict ?? r.quality?.decision ?? 'not measured'}`;
}

/** Rehearses the migration: pilot dry run, full governed run, then the sign-off pack. */
export async function rehearse(o: RehearseOptions): Promise<Rehearsal> {
  const loaded: LoadedContract = await contractOf({ contractFile: o.contractFile });
  const say = o.onStep ?? (() => undefined);
  const base = { contract: loaded, sourceUrl: o.sourceUrl, tier: o.tier, ...o.engine, onEvent: o.onEvent, signal: o.signal };
  const patients = o.pilotPatients ?? DEFAULT_PILOT_PATIENTS;

  const steps = o.sample ? 4 : 3;
  say(`ferry rehearse: 1/${steps} pilot: dry run of ${patients} patient(s) and their linked rows`);
  const pilot = await step({ ...o.governance, backup: undefined, run: { ...base, targetUrl: o.targetUrl, dryRun: true, reconcile: false, pilot: { patients, table: o.pilotTable } } });
  say(`ferry rehearse: pilot ${describe(pilot.step.report, `failed: ${pilot.step.error?.code ?? ''}`)}`);

  let full: Awaited<ReturnType<typeof step>>;
  const pilotOk = pilot.step.report?.status === 'succeeded';
  if (pilotOk) {
    say(`ferry rehearse: 2/${steps} full run with quality gates and reconciliation`);
    full = await step({ ...o.governance, run: { ...base, targetUrl: o.targetUrl, reconcile: true } });
    say(`ferry rehearse: full run ${describe(full.step.report, `failed: ${full.step.error?.code ?? ''}`)}`);
  } else {
    full = { step: skippedStep('the pilot did not succeed, so the full run was not started'), failure: null, unrecorded: null };
    say(`ferry rehearse: 2/${steps} full run skipped: the pilot did not succeed`);
  }

  let sampled: Rehearsal['sample'] = null;
  let samplingError: Rehearsal['samplingError'] = null;
  if (o.sample) {
    const loadedRun = full.step.report && LOADED.has(full.step.report.status) ? full.step.report : null;
    if (loadedRun) {
      say(`ferry rehearse: 3/4 sampling ${o.sample.patients} patient(s) of run ${loadedRun.runId} for the clinicians' review (seed ${o.sample.seed})`);
      try {
        sampled = await drawRehearsalSample(o, loaded, loadedRun.runId, o.sample);
        say(`ferry rehearse: sample ${sampled.reviewId ? `stored as review ${sampled.reviewId}` : 'drawn (not recorded: no --project)'}`);
      } catch (err) {
        // The runs' evidence still makes the pack; a sample can be drawn later with `ferry review sample`.
        if (!(err instanceof FerryError)) throw err;
        samplingError = { code: err.code, message: err.message };
        say(`ferry rehearse: sampling failed (${err.code}): ${err.message}`);
      }
    } else say('ferry rehearse: 3/4 sampling skipped: the full run loaded nothing to sample');
  }

  say(`ferry rehearse: ${steps}/${steps} sign-off pack`);
  const pack = await buildPack({ loaded, tier: o.tier, pilot: pilot.step, full: full.step, project: o.project, unrecordedSample: sampled && !sampled.reviewId ? sampled.sample : undefined });
  const decisive = pilotOk ? full : pilot;
  return { pack, decisive: decisive.step, failure: decisive.failure, unrecorded: pilot.unrecorded ?? full.unrecorded, sample: sampled, samplingError };
}

/** Run outcomes whose rows are in the target for a clinician to compare: a gate decides after loading. */
const LOADED = new Set<RunReport['status']>(['succeeded', 'failed_gate']);

/** Draws the sample from the full run; in a project, stores it as a review (review.manage) the clinicians then work through. */
async function drawRehearsalSample(o: RehearseOptions, loaded: LoadedContract, runId: string, s: NonNullable<RehearseOptions['sample']>): Promise<NonNullable<Rehearsal['sample']>> {
  const { sample, sourceRef, targetRef } = await withReviewSides({ sourceUrl: o.sourceUrl, targetUrl: o.targetUrl }, async (sides) => ({
    sample: await drawSample({ loaded, source: sides.source, target: sides.target, runId, patients: s.patients, seed: s.seed, stratify: s.stratify }),
    sourceRef: sides.source.displayUrl,
    targetRef: sides.target.displayUrl,
  }));
  if (!o.project) return { sample, reviewId: null };
  const review = await o.project.plane.createReview(o.project.actor, o.project.projectId, { ...sample, sourceRef, targetRef });
  return { sample, reviewId: review.id };
}
