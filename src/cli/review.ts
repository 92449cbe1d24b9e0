/**
 * `ferry review`: the clinician sampling review from the command line — draw a reproducible
 * stratified sample of a recorded run's patients, list and show reviews, view one patient side
 * by side (audited), mark verdicts and resolve discrepancies. Patients are numbered from 1 in
 * the order `ferry review show` lists them. Thin over src/review/ and the control plane.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { loadContract } from '../contract/load.js';
import type { Review, ReviewSummary } from '../control/plane.js';
import { FerryError } from '../errors.js';
import { withReviewSides } from '../review/open.js';
import { formatPatientView, patientView } from '../review/patient-view.js';
import { drawSample, seedOf, STRATA } from '../review/sample.js';
import { asCliUser, withUserOptions } from './control-session.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

interface Common {
  store?: string;
  user?: string;
  org?: string;
  json?: boolean;
  project: string;
}

interface Sides {
  contract: string;
  source: string;
  target: string;
}

function withCommon(cmd: Command): Command {
  return withUserOptions(cmd, 'required');
}

function withSides(cmd: Command): Command {
  return cmd
    .requiredOption('--contract <file>', 'the contract version the run used')
    .requiredOption('--source <url>', 'the legacy source the run read')
    .requiredOption('--target <url>', 'the target the run wrote (its ledger holds the lineage)');
}

/** A patient number as listed (1, 2, …) → its 0-based position. */
function position(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new FerryError('usage', 'review.bad_patient', `PATIENT is the patient's number in the review (1, 2, …, as ferry review show lists them), not ${JSON.stringify(text)}`);
  return n - 1;
}

function progress(r: ReviewSummary): string {
  return `${r.reviewed}/${r.patients} reviewed, ${r.openDiscrepancies} open discrepancy(ies), ${r.status}`;
}

/** A review as text: header, then one line per sampled patient. */
export function formatReview(r: Review): string {
  const lines = [
    `review ${r.id} of run ${r.runId} (${r.tier}, contract ${r.digest.slice(0, 12)}…): ${progress(r)}`,
    `  seed ${r.seed}${r.stratify ? `, stratified by ${r.stratify}` : ''}; patients of the run per stratum: ${STRATA.map((s) => `${s} ${r.population[s]}`).join(', ')}`,
  ];
  for (const p of r.sampled) {
    const verdict = p.verdict === null ? 'not reviewed' : p.verdict === 'matches' ? 'matches' : `discrepancy (${p.discrepancyStatus})${p.comment ? `: ${p.comment}` : ''}`;
    lines.push(`  ${p.position + 1}. ${r.root}:${p.patientKey} [${p.stratum}] ${verdict}`);
  }
  return lines.join('\n');
}

function print(io: CliIO, flags: { json?: boolean }, value: unknown, text: string): number {
  if (flags.json) printJson(io, value);
  else io.out(text);
  return 0;
}

export const register: Register = (program: Command, io, setExit) => {
  const review = program.command('review').description('clinician sampling review: sample a run’s patients, view them side by side (audited), mark verdicts');

  withSides(
    withCommon(
      review
        .command('sample')
        .description('draw a reproducible stratified sample of a recorded run’s patients and store it as a review (integration_lead, clinical_safety_officer)')
        .argument('<runId>'),
    ),
  )
    .requiredOption('--patients <n>', 'how many patients to sample')
    .option('--seed <n>', 'PRNG seed: the same seed over the same run gives the same sample (default: random, printed)')
    .option('--stratify <table>', 'only this source table’s rows count as evidence of a stratum')
    .action(async (runId: string, flags: Common & Sides & { patients: string; seed?: string; stratify?: string }) => {
      const loaded = await loadContract(path.resolve(io.cwd, flags.contract));
      const seed = seedOf(flags.seed);
      const { sample, sourceRef, targetRef } = await withReviewSides({ sourceUrl: flags.source, targetUrl: flags.target }, async (s) => ({
        sample: await drawSample({ loaded, source: s.source, target: s.target, runId, patients: Number(flags.patients), seed, stratify: flags.stratify }),
        sourceRef: s.source.displayUrl,
        targetRef: s.target.displayUrl,
      }));
      const r = await asCliUser(io, flags, (plane, actor) => plane.createReview(actor, flags.project, { ...sample, sourceRef, targetRef }));
      setExit(print(io, flags, r, formatReview(r)));
    });

  withCommon(review.command('list').description('the project’s reviews, newest first, with progress')).action(async (flags: Common) => {
    const list = await asCliUser(io, flags, (plane, actor) => plane.listReviews(actor, flags.project));
    setExit(print(io, flags, list, list.length === 0 ? 'no reviews yet' : list.map((r) => `${r.id}  run ${r.runId} (${r.tier})  ${progress(r)}`).join('\n')));
  });

  withCommon(review.command('show').description('one review: its patients (keys, strata), verdicts and discrepancies; no patient values').argument('<reviewId>')).action(
    async (reviewId: string, flags: Common) => {
      const r = await asCliUser(io, flags, (plane, actor) => plane.getReview(actor, flags.project, reviewId));
      setExit(print(io, flags, r, formatReview(r)));
    },
  );

  withSides(
    withCommon(
      review
        .command('view')
        .description('one sampled patient side by side: legacy rows next to the target rows they became, field by field (clinical_reviewer, clinical_safety_officer; audited)')
        .argument('<reviewId>')
        .argument('<patient>', 'the patient’s number in the review (1, 2, …)'),
    ),
  ).action(async (reviewId: string, patient: string, flags: Common & Sides) => {
    const at = position(patient);
    const loaded = await loadContract(path.resolve(io.cwd, flags.contract));
    const access = await asCliUser(io, flags, (plane, actor) => plane.recordPatientView(actor, flags.project, reviewId, at));
    const view = await withReviewSides({ sourceUrl: flags.source, targetUrl: flags.target }, (s) =>
      patientView({ loaded, source: s.source, target: s.target, targetRows: s.targetRows, runId: access.review.targetRunId, patientKey: access.patient.patientKey, root: access.review.root }),
    );
    setExit(print(io, flags, { ...access, view }, formatPatientView(view)));
  });

  withCommon(
    review.command('mark').description('mark a sampled patient: matches, or discrepancy with a comment (clinical_reviewer, clinical_safety_officer)').argument('<reviewId>').argument('<patient>'),
  )
    .addOption(new Option('--verdict <verdict>', 'what the reviewer found').choices(['matches', 'discrepancy']).makeOptionMandatory())
    .option('--comment <text>', 'what differs (required for a discrepancy)')
    .action(async (reviewId: string, patient: string, flags: Common & { verdict: 'matches' | 'discrepancy'; comment?: string }) => {
      const r = await asCliUser(io, flags, (plane, actor) => plane.recordVerdict(actor, flags.project, reviewId, position(patient), { verdict: flags.verdict, comment: flags.comment }));
      setExit(print(io, flags, r, formatReview(r)));
    });

  withCommon(review.command('resolve').description('resolve an open discrepancy, saying how (integration_lead, clinical_safety_officer)').argument('<reviewId>').argument('<patient>'))
    .requiredOption('--comment <text>', 'how the discrepancy was resolved')
    .action(async (reviewId: string, patient: string, flags: Common & { comment: string }) => {
      const r = await asCliUser(io, flags, (plane, actor) => plane.resolveDiscrepancy(actor, flags.project, reviewId, position(patient), flags.comment));
      setExit(print(io, flags, r, formatReview(r)));
    });
};
