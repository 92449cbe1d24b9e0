/**
 * Crash safety, measured: a PostgreSQL → PostgreSQL run of the example contract over `ferry
 * synth` data is killed with SIGKILL at a random moment (start-up and preflight, mid-COPY,
 * between a batch's commit and the next, during reconciliation), resumed with --resume, and
 * must then leave exactly what a clean run leaves: the same rows in every table (checksums),
 * the same quarantine and lineage, no duplicates, every table's accounting balanced, and the
 * same status and gate verdict. A run killed during its reconciliation is recorded
 * `reconciling`, and its resume reconciles without loading again.
 *
 * FERRY_KILL_TRIALS sets the number of trials (default 4); FERRY_KILL_SEED replays a sequence
 * of kill delays. Each trial logs its delay, the phase it hit and the run id.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/synth/prng.js';
import { createPgDatabase } from '../helpers/databases.js';
import { BATCH, exampleFixture, expectReconciles, gatesOf, readReport } from './example-source.js';
import { doneTables, EXAMPLE_CONTRACT, query, recordedRun, runFerry, startFerry, targetFingerprint, until, type FerryProcess } from './ferry-process.js';
import { runsFrom } from './runs.js';

const TRIALS = runsFrom('FERRY_KILL_TRIALS', 4);
const SEED = runsFrom('FERRY_KILL_SEED', Date.now() % 1_000_000);

const fx = exampleFixture('ferry-kill-');

async function checkpointedRows(url: string): Promise<number> {
  const rows = await query<{ n: number }>(url, 'SELECT coalesce(sum(row_offset), 0)::int AS n FROM _ferry_checkpoints').catch(() => [{ n: 0 }]);
  return rows[0].n;
}

const PHASES = ['preflight', 'loading', 'reconciliation', 'loading'] as const;

/**
 * Waits for the moment trial `trial` kills at: a random delay within the clean run's start-up
 * and preflight, a random share of the source rows checkpointed (the kill then lands mid-batch,
 * mid-COPY or between a commit and the next batch), or a random delay into reconciliation.
 * False when the run ended first.
 */
async function killPoint(trial: number, run: FerryProcess, url: string, next: () => number): Promise<{ finished: boolean; aim: string }> {
  const phase = PHASES[trial % PHASES.length];
  if (phase === 'preflight') {
    const delay = Math.round(next() * fx.example.preflightMs);
    const finished = await Promise.race([run.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), delay))]);
    return { finished, aim: `${delay} ms after spawn` };
  }
  if (phase === 'loading') {
    const share = 0.05 + next() * 0.9;
    const rows = Math.round(share * fx.example.sourceRows);
    return { finished: !(await until(async () => (await checkpointedRows(url)) >= rows, run)), aim: `${rows} source rows checkpointed` };
  }
  const delay = Math.round(next() * fx.example.reconcileMs);
  if (!(await until(() => doneTables(run.stderr()) >= fx.example.tables, run))) return { finished: true, aim: 'reconciliation' };
  const finished = await Promise.race([run.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), delay))]);
  return { finished, aim: `${delay} ms after the last table` };
}

/** Which phase the run was in, judged from its progress lines when it was killed. */
function phaseOf(stderr: string, tables: number): string {
  if (!/run run-[\w-]+ started/.test(stderr)) return 'start-up/preflight';
  const done = doneTables(stderr);
  if (done >= tables) return 'reconciliation and reporting';
  return `loading (${done}/${tables} tables done)`;
}

describe('random kill -9 and resume, PostgreSQL → PostgreSQL', () => {
  it(`ends every one of ${TRIALS} killed and resumed runs with exactly the target of a clean run`, async () => {
    const prng = new Prng(SEED);
    const next = (): number => prng.float();
    const tables = fx.example.tables;
    const log: string[] = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      const target = await createPgDatabase('ferry_kill_t');
      fx.dbs.push(target);
      const run = startFerry(['run', EXAMPLE_CONTRACT, '--source', fx.example.sourceUrl, '--target', target.url, ...BATCH], fx.dir);
      const { finished, aim } = await killPoint(trial, run, target.url, next);
      const phase = finished ? 'after the run (it finished first)' : phaseOf(run.stderr(), tables);
      if (!finished) {
        run.child.kill('SIGKILL');
        await run.exited;
      }
      const recorded = await recordedRun(target.url);
      let outcome: string;
      if (recorded?.status === 'succeeded') {
        // Killed while writing the report, after the reconciled run was recorded: there is
        // nothing to resume, and `ferry reconcile RUN` proves the run again.
        await expectReconciles(fx, recorded.id, target.url);
        outcome = `${recorded.id} had succeeded; ferry reconcile: match`;
      } else {
        const report = path.join(fx.dir, `trial-${trial}.json`);
        // Killed before the ledger recorded the run: there is nothing to resume, so the rerun starts afresh.
        const resumeArgs = recorded ? ['--resume', recorded.id] : [];
        const resumed = await runFerry(['run', EXAMPLE_CONTRACT, '--source', fx.example.sourceUrl, '--target', target.url, ...BATCH, ...resumeArgs, '--report', report], fx.dir);
        outcome = `${recorded ? `resumed ${recorded.id} (${recorded.status})` : 'no run recorded, rerun'}: exit ${resumed.code}`;
        expect(resumed.code, `trial ${trial}: ${outcome}\n${resumed.stderr}`).toBe(0);
        const r = await readReport(report);
        expect(r.status, outcome).toBe('succeeded');
        expect(r.totals, outcome).toEqual(fx.example.totals);
        for (const t of r.tables) expect(t.balanced, `${outcome}: ${t.table}`).toBe(true);
        expect(r.reconciliation?.status, outcome).toBe(fx.example.reconciliation.status);
        expect((await recordedRun(target.url))?.status, outcome).toBe('succeeded');
        // Wherever it was killed, the run concludes what the clean run did: status, verdict and
        // every gate (a resumed load replays its committed rows into the gates).
        expect(gatesOf(r), outcome).toEqual(fx.example.gates);
        // Killed during reconciliation: nothing is loaded again.
        if (recorded?.status === 'reconciling') expect(resumed.stderr, `${outcome}: loaded again`).not.toMatch(/: reading /);
      }
      log.push(`trial ${trial}: killed at ${aim}, in ${phase}; ${outcome}`);
      const got = await targetFingerprint(target.url);
      expect(got, log.at(-1)).toEqual(fx.example.reference);
      for (const [name, f] of Object.entries(got)) if (!name.startsWith('_ferry')) expect(f.distinct, `${log.at(-1)}: duplicates in ${name}`).toBe(f.rows);
      await target.drop();
      fx.dbs.splice(fx.dbs.indexOf(target), 1);
    }
    console.log(`kill -9 trials (seed ${SEED}; clean run: preflight ${fx.example.preflightMs} ms, reconciliation ${fx.example.reconcileMs} ms):\n${log.join('\n')}`);
  }, 600_000);
});
