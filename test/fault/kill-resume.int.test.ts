/**
 * Crash safety, measured: a PostgreSQL → PostgreSQL run of the example contract over `ferry
 * synth` data is killed with SIGKILL at a random moment (start-up and preflight, mid-COPY,
 * between a batch's commit and the next, during reconciliation), resumed with --resume, and
 * must then leave exactly what a clean run leaves: the same rows in every table (checksums),
 * the same quarantine and lineage, no duplicates, every table's accounting balanced.
 *
 * FERRY_KILL_TRIALS sets the number of trials (default 4); FERRY_KILL_SEED replays a sequence
 * of kill delays. Each trial logs its delay, the phase it hit and the run id.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { BATCH, exampleSource, readReport, type ExampleSource } from './example-source.js';
import { doneTables, EXAMPLE_CONTRACT, query, recordedRun, runFerry, startFerry, targetFingerprint, until, type FerryProcess } from './ferry-process.js';
import { runsFrom } from './runs.js';

const TRIALS = runsFrom('FERRY_KILL_TRIALS', 4);
const SEED = runsFrom('FERRY_KILL_SEED', Date.now() % 1_000_000);

let dir: string;
let cleanupDir: () => Promise<void>;
let example: ExampleSource;
const dbs: Array<{ drop: () => Promise<void> }> = [];

/** A small deterministic generator (mulberry32), so a failing sequence can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    const delay = Math.round(next() * example.preflightMs);
    const finished = await Promise.race([run.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), delay))]);
    return { finished, aim: `${delay} ms after spawn` };
  }
  if (phase === 'loading') {
    const share = 0.05 + next() * 0.9;
    const rows = Math.round(share * example.sourceRows);
    return { finished: !(await until(async () => (await checkpointedRows(url)) >= rows, run)), aim: `${rows} source rows checkpointed` };
  }
  const delay = Math.round(next() * example.reconcileMs);
  if (!(await until(() => doneTables(run.stderr()) >= example.tables, run))) return { finished: true, aim: 'reconciliation' };
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

beforeAll(async () => {
  ({ dir, cleanup: cleanupDir } = await tempDir('ferry-kill-'));
  example = await exampleSource(dir, 1000);
}, 180_000);

afterAll(async () => {
  for (const d of dbs) await d.drop();
  await example?.drop();
  await cleanupDir();
});

describe('random kill -9 and resume, PostgreSQL → PostgreSQL', () => {
  it(`ends every one of ${TRIALS} killed and resumed runs with exactly the target of a clean run`, async () => {
    const next = random(SEED);
    const tables = example.tables;
    const log: string[] = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      const target = await createPgDatabase('ferry_kill_t');
      dbs.push(target);
      const run = startFerry(['run', EXAMPLE_CONTRACT, '--source', example.sourceUrl, '--target', target.url, ...BATCH], dir);
      const { finished, aim } = await killPoint(trial, run, target.url, next);
      const phase = finished ? 'after the run (it finished first)' : phaseOf(run.stderr(), tables);
      if (!finished) {
        run.child.kill('SIGKILL');
        await run.exited;
      }
      const recorded = await recordedRun(target.url);
      let outcome: string;
      if (recorded?.status === 'succeeded') {
        // Killed during reconciliation or reporting, after the ledger recorded success: there is
        // nothing to resume, and `ferry reconcile RUN` proves the run instead.
        const proof = await runFerry(['reconcile', recorded.id, '--contract', EXAMPLE_CONTRACT, '--source', example.sourceUrl, '--target', target.url, '--json'], dir);
        outcome = `${recorded.id} had succeeded; ferry reconcile: exit ${proof.code}`;
        expect(proof.code, `trial ${trial}: ${outcome}\n${proof.stderr}`).toBe(0);
        expect((JSON.parse(proof.stdout) as { status: string }).status, outcome).toBe('match');
      } else {
        const report = path.join(dir, `trial-${trial}.json`);
        // Killed before the ledger recorded the run: there is nothing to resume, so the rerun starts afresh.
        const resumeArgs = recorded ? ['--resume', recorded.id] : [];
        const resumed = await runFerry(['run', EXAMPLE_CONTRACT, '--source', example.sourceUrl, '--target', target.url, ...BATCH, ...resumeArgs, '--report', report], dir);
        outcome = `${recorded ? `resumed ${recorded.id} (${recorded.status})` : 'no run recorded, rerun'}: exit ${resumed.code}`;
        expect(resumed.code, `trial ${trial}: ${outcome}\n${resumed.stderr}`).toBe(0);
        const r = await readReport(report);
        expect(r.status, outcome).toBe('succeeded');
        expect(r.totals, outcome).toEqual(example.totals);
        for (const t of r.tables) expect(t.balanced, `${outcome}: ${t.target}`).toBe(true);
      }
      log.push(`trial ${trial}: killed at ${aim}, in ${phase}; ${outcome}`);
      const got = await targetFingerprint(target.url);
      expect(got, log.at(-1)).toEqual(example.reference);
      for (const [name, f] of Object.entries(got)) if (!name.startsWith('_ferry')) expect(f.distinct, `${log.at(-1)}: duplicates in ${name}`).toBe(f.rows);
      await target.drop();
      dbs.splice(dbs.indexOf(target), 1);
    }
    console.log(`kill -9 trials (seed ${SEED}; clean run: preflight ${example.preflightMs} ms, reconciliation ${example.reconcileMs} ms):\n${log.join('\n')}`);
  }, 600_000);
});
