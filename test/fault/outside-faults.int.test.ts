/**
 * Faults from outside the process, each injected into a PostgreSQL → PostgreSQL run of the
 * example contract: the target's backend terminated in the middle of a COPY, the source's
 * connection dropped while it streams rows. Each must end the run with a typed error, leave no
 * partial batch (every target table holds exactly the rows its checkpoint counts), and resume
 * with --resume to exactly the target of a clean run.
 */
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPgDatabase, PG_ADMIN_URL } from '../helpers/databases.js';
import { BATCH, exampleFixture, readReport } from './example-source.js';
import { EXAMPLE_CONTRACT, query, recordedRun, runFerry, startFerry, targetFingerprint } from './ferry-process.js';

const fx = exampleFixture('ferry-faults-');

/** How a connection the server ended is reported: the server's 57P01, the socket error it caused, or the driver's word for the socket's end. */
const CONNECTION_ENDED =
  '(the PostgreSQL server terminated the connection \\(57P01 admin shutdown|the connection to the PostgreSQL server broke \\(socket error E[A-Z]+ on (write|read)\\)|Connection terminated unexpectedly)';

/**
 * Starts a run and terminates, from an admin connection, the first backend of database `db`
 * seen running a statement matching `pattern` (a COPY). Returns the run's exit code and output.
 */
async function runAndTerminate(targetUrl: string, db: string, pattern: string): Promise<{ code: number | null; output: string; terminated: number }> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const run = startFerry(['run', EXAMPLE_CONTRACT, '--source', fx.example.sourceUrl, '--target', targetUrl, ...BATCH], fx.dir);
    let exited = false;
    void run.exited.then(() => (exited = true));
    let terminated = 0;
    while (!exited && terminated === 0) {
      const r = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query ILIKE $2 AND pid <> pg_backend_pid() LIMIT 1) one`,
        [db, pattern],
      );
      terminated = r.rowCount ?? 0;
    }
    const code = await run.exited;
    return { code, output: run.stdout() + run.stderr(), terminated };
  } finally {
    await admin.end();
  }
}

/** Every migrated table holds exactly the rows its checkpoints say were loaded: no partial batch. */
async function expectNoPartialBatch(targetUrl: string, runId: string): Promise<void> {
  const checkpoints = await query<{ table_name: string; loaded: number }>(targetUrl, 'SELECT table_name, loaded::int AS loaded FROM _ferry_checkpoints WHERE run_id = $1', [runId]);
  const tables = await query<{ name: string }>(targetUrl, `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '\\_ferry%'`);
  const loaded = new Map(checkpoints.map((c) => [c.table_name, c.loaded]));
  for (const { name } of tables) {
    const [{ n }] = await query<{ n: number }>(targetUrl, `SELECT count(*)::int AS n FROM "${name}"`);
    expect(n, `rows in ${name} against its checkpoint`).toBe(loaded.get(name) ?? 0);
  }
}

/** Resumes `runId` and expects the clean run's target, accounting balanced. */
async function expectResumesToClean(targetUrl: string, runId: string, name: string): Promise<void> {
  const report = path.join(fx.dir, `${name}.json`);
  const resumed = await runFerry(['run', EXAMPLE_CONTRACT, '--source', fx.example.sourceUrl, '--target', targetUrl, ...BATCH, '--resume', runId, '--report', report], fx.dir);
  expect(resumed.code, resumed.stderr).toBe(0);
  const r = await readReport(report);
  expect(r.status).toBe('succeeded');
  expect(r.totals).toEqual(fx.example.totals);
  for (const t of r.tables) expect(t.balanced, t.table).toBe(true);
  expect(await targetFingerprint(targetUrl)).toEqual(fx.example.reference);
}

describe('faults from outside a PostgreSQL → PostgreSQL run', () => {
  it('the target backend terminated mid-COPY: a typed error, no partial batch, and --resume completes it', async () => {
    const target = await createPgDatabase('ferry_fault_t');
    fx.dbs.push(target);
    const r = await runAndTerminate(target.url, target.name, 'COPY %FROM STDIN%');
    expect(r.terminated, r.output).toBe(1);
    expect(r.code, r.output).toBe(5);
    // The reason is the server's 57P01 in words, or, when a write raced the server's close and the
    // socket broke before its ErrorResponse was read, the socket error labelled as one: never the
    // driver's "not queryable" echo, never a socket code passed off as a SQLSTATE.
    expect(r.output).toMatch(new RegExp(`error target\\.commit_failed: committing \\d+ row\\(s\\) to \\w+ .* failed and was rolled back, so nothing of it was written: ${CONNECTION_ENDED}`));
    expect(r.output).not.toMatch(/SQLSTATE E|not queryable/);
    const run = await recordedRun(target.url);
    expect(run?.status).not.toBe('succeeded');
    await expectNoPartialBatch(target.url, run!.id);
    await expectResumesToClean(target.url, run!.id, 'target-reset');
  }, 180_000);

  it('the source connection dropped while streaming rows: a typed error, no partial batch, and --resume completes it', async () => {
    const target = await createPgDatabase('ferry_fault_t');
    fx.dbs.push(target);
    const sourceDb = new URL(fx.example.sourceUrl).pathname.slice(1);
    const r = await runAndTerminate(target.url, sourceDb, 'COPY %TO STDOUT%');
    expect(r.terminated, r.output).toBe(1);
    // Exit code 5 is a FerryError of kind run (source.read_failed). Depending on which read the
    // terminated backend served, the run's summary prints it as `error source.read_failed: …`, or
    // the error ends the command before a summary and is printed as `ferry: reading …`: both are
    // accepted, with the same reason.
    expect(r.code, r.output).toBe(5);
    // When the dropped read was reconciliation's, every table had loaded: the summary says so and how to finish.
    expect(r.output).toMatch(
      new RegExp(`(error source\\.read_failed|ferry|error run\\.reconciliation_failed: the end-of-run reconciliation failed \\(): reading \\w+ from .* failed: ${CONNECTION_ENDED}`),
    );
    expect(r.output).not.toMatch(/SQLSTATE E|not queryable/);
    const run = await recordedRun(target.url);
    expect(run?.status).not.toBe('succeeded');
    if (run?.status === 'reconciling') {
      // The target is already the clean run's; --resume reconciles it without loading again.
      expect(r.output).toContain(`--resume ${run.id}`);
      expect(await targetFingerprint(target.url)).toEqual(fx.example.reference);
    }
    await expectNoPartialBatch(target.url, run!.id);
    await expectResumesToClean(target.url, run!.id, 'source-drop');
  }, 180_000);

  it('a target constraint the contract did not predict: a typed error naming it, no partial batch, and --resume completes once it is lifted', async () => {
    const target = await createPgDatabase('ferry_fault_t');
    fx.dbs.push(target);
    const run = startFerry(['run', EXAMPLE_CONTRACT, '--source', fx.example.sourceUrl, '--target', target.url, ...BATCH], fx.dir);
    let exited = false;
    void run.exited.then(() => (exited = true));
    // The DBA's constraint arrives once Ferry has created the table and before it loads it (lab_result loads last).
    let added = false;
    while (!exited && !added) {
      const [{ ready }] = await query<{ ready: boolean }>(target.url, `SELECT to_regclass('public.lab_result') IS NOT NULL AS ready`);
      if (ready) {
        await query(target.url, 'ALTER TABLE lab_result ADD CONSTRAINT fault_unpredicted CHECK (result_id % 50 <> 7) NOT VALID');
        added = true;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    expect(added).toBe(true);
    const code = await run.exited;
    const output = run.stdout() + run.stderr();
    expect(code, output).not.toBe(0);
    expect(output).toMatch(
      /error target\.commit_failed: committing \d+ row\(s\) to lab_result .* rolled back, so nothing of it was written: .*violates check constraint "fault_unpredicted".*\[SQLSTATE 23514\]/,
    );
    // PostgreSQL's detail quotes the failing row, which is patient data: it must not be passed on.
    expect(output).not.toContain('Failing row contains');
    const recorded = await recordedRun(target.url);
    expect(recorded?.status).not.toBe('succeeded');
    await expectNoPartialBatch(target.url, recorded!.id);
    await query(target.url, 'ALTER TABLE lab_result DROP CONSTRAINT fault_unpredicted');
    await expectResumesToClean(target.url, recorded!.id, 'constraint');
  }, 180_000);
});
