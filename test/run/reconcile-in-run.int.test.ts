/**
 * Reconciliation is part of the run: a run is recorded `reconciling` until its end-of-run
 * reconciliation is folded into its gates, `--resume` finishes a run whose reconciliation was
 * cut short, a reconciliation gate can fail the run, and `ferry reconcile` updates the record.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Source } from '../../src/connectors/connector.js';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { EXIT_CODES, FerryError } from '../../src/errors.js';
import { formatLineage, lookupLineage } from '../../src/lineage/query.js';
import { migrate } from '../../src/run/migrate.js';
import type { RunReport } from '../../src/run/report.js';
import { writeFixture } from '../engine/fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { writeQualityFixture } from '../quality/fixture.js';

// While set, the end-of-run reconciliation reads a source whose reads fail as a lost connection would.
const fault = vi.hoisted(() => ({ sourceLost: false }));
vi.mock('../../src/reconcile/reconcile.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/reconcile/reconcile.js')>();
  const lost = (source: Source): Source =>
    new Proxy(source, {
      get(t, k) {
        if (k === 'read')
          return () => {
            throw new FerryError('connection', 'source.connection_lost', 'the connection to the source was lost');
          };
        const v = Reflect.get(t, k) as unknown;
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  return { ...actual, reconcileRun: (o: Parameters<typeof actual.reconcileRun>[0]) => actual.reconcileRun(fault.sourceLost ? { ...o, source: lost(o.source) } : o) };
});

const RECONCILIATION_GATE = '    - { kpi: reconciliation, fail_below: 1 }';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('ferry-recrun-'));
  fault.sourceLost = false;
});
afterEach(() => cleanup());

/** The run's row in the SQLite target's ledger. */
function ledgerRun(db: string, runId: string): { status: string; report: RunReport | null } {
  const conn = new Database(db, { readonly: true });
  try {
    const row = conn.prepare('SELECT status, run_report FROM _ferry_runs WHERE run_id = ?').get(runId) as { status: string; run_report: string | null };
    return { status: row.status, report: row.run_report === null ? null : (JSON.parse(row.run_report) as RunReport) };
  } finally {
    conn.close();
  }
}

/** Runs SQL on the SQLite target, as someone editing it behind Ferry's back. */
function tamper(db: string, sql: string): void {
  const conn = new Database(db);
  try {
    conn.exec(sql);
  } finally {
    conn.close();
  }
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIO({ cwd: dir });
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** What a run's gates concluded, without the figures that differ from run to run (ids, times). */
const gatesOf = (r: RunReport) => ({ status: r.status, verdict: r.verdict, decision: r.quality?.decision, gates: r.quality?.gates.map((g) => [g.kpi, g.table, g.decision, g.value]) });

describe('reconciliation as part of the run', () => {
  it('records the run as reconciling until it is reconciled, then final with its report', async () => {
    await writeQualityFixture(dir, { patients: 20, thresholds: RECONCILIATION_GATE });
    const db = path.join(dir, 'target.db');
    const seen: string[] = [];
    const report = await migrate({
      contractFile: path.join(dir, 'contract.yaml'),
      sourceUrl: `csv:${dir}/source`,
      targetUrl: `sqlite:${db}`,
      onEvent: (e) => {
        if (e.type === 'reconcile:started') seen.push(ledgerRun(db, e.runId).status);
      },
    });
    expect(seen).toEqual(['reconciling']);
    expect(report).toMatchObject({ status: 'succeeded', verdict: 'pass' });
    const recorded = ledgerRun(db, report.runId);
    expect(recorded.status).toBe('succeeded');
    expect(recorded.report).toMatchObject({ runId: report.runId, status: 'succeeded', verdict: 'pass', reconciliation: { status: report.reconciliation!.status } });
  });

  it('a run cancelled during its reconciliation is cancelled, says how to finish, and stays reconciling', async () => {
    await writeQualityFixture(dir, { patients: 20, thresholds: RECONCILIATION_GATE });
    const db = path.join(dir, 'target.db');
    const ctl = new AbortController();
    const report = await migrate({
      contractFile: path.join(dir, 'contract.yaml'),
      sourceUrl: `csv:${dir}/source`,
      targetUrl: `sqlite:${db}`,
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === 'reconcile:started') ctl.abort();
      },
    });
    expect(report).toMatchObject({ status: 'cancelled', verdict: 'not_decided', error: { code: 'run.reconciliation_cancelled' } });
    expect(report.error!.message).toContain(`--resume ${report.runId}`);
    expect(ledgerRun(db, report.runId).status).toBe('reconciling');
  });

  it('fails the gate of a run whose reconciliation falls below its reconciliation threshold', async () => {
    await writeQualityFixture(dir, { patients: 20, thresholds: RECONCILIATION_GATE });
    const db = path.join(dir, 'target.db');
    const report = await migrate({
      contractFile: path.join(dir, 'contract.yaml'),
      sourceUrl: `csv:${dir}/source`,
      targetUrl: `sqlite:${db}`,
      // A row lost between the load and its proof.
      onEvent: (e) => {
        if (e.type === 'run:finished') tamper(db, 'DELETE FROM medication WHERE medication_id = (SELECT min(medication_id) FROM medication)');
      },
    });
    expect(report).toMatchObject({ status: 'failed_gate', verdict: 'fail', error: { code: 'run.failed_gate' } });
    expect(report.error!.message).toMatch(/after reconciliation: reconciliation overall/);
    expect(ledgerRun(db, report.runId)).toMatchObject({ status: 'failed_gate', report: { status: 'failed_gate' } });
  });

  it('prints the summary and how to finish when the source fails during reconciliation, keeps the run reconciling, and --resume completes it as a clean run', async () => {
    await writeQualityFixture(dir, { patients: 20, thresholds: RECONCILIATION_GATE });
    const db = path.join(dir, 'target.db');
    const run = (target: string, ...extra: string[]) => cli(['run', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', `sqlite:${target}`, ...extra]);
    const clean = await run(path.join(dir, 'clean.db'), '--report', 'clean.json');
    expect(clean.code, clean.stderr).toBe(0);
    const cleanReport = JSON.parse(await readFile(path.join(dir, 'clean.json'), 'utf8')) as RunReport;

    fault.sourceLost = true;
    const broken = await run(db, '--report', 'broken.json');
    fault.sourceLost = false;
    expect(broken.code).toBe(EXIT_CODES.run);
    expect(broken.stderr).toMatch(/reading /);
    const brokenReport = JSON.parse(await readFile(path.join(dir, 'broken.json'), 'utf8')) as RunReport;
    const runId = brokenReport.runId;
    // The summary is printed, with the load's counts and how to finish.
    expect(broken.stdout).toContain(`Run ${runId}: failed`);
    expect(broken.stdout).toMatch(/^patient\s+20\s+20\s+0\s+0/m);
    expect(broken.stdout).toContain('NOT DECIDED — the run failed before its reconciliation finished');
    expect(broken.stdout).toContain(`error run.reconciliation_failed: the end-of-run reconciliation failed (the connection to the source was lost); every row is loaded`);
    expect(broken.stdout).toContain(`ferry run … --resume ${runId}`);
    expect(brokenReport).toMatchObject({ status: 'failed', verdict: 'not_decided' });
    expect(ledgerRun(db, runId)).toMatchObject({ status: 'reconciling', report: { status: 'succeeded' } });
    // Lineage names the state of a run that has not been proved yet.
    const lineage = await lookupLineage({ targetUrl: `sqlite:${db}`, query: { by: 'target', table: 'patient', key: '1' } });
    expect(lineage.entries[0].runStatus).toBe('reconciling');
    expect(formatLineage(lineage)).toContain(`run ${runId} [reconciling: loaded, reconciliation pending]`);

    const resumed = await run(db, '--resume', runId, '--report', 'resumed.json');
    expect(resumed.code, resumed.stderr).toBe(0);
    // Nothing was loaded again: the load's counts come from the stored report.
    expect(resumed.stderr).not.toMatch(/reading /);
    const resumedReport = JSON.parse(await readFile(path.join(dir, 'resumed.json'), 'utf8')) as RunReport;
    expect(resumedReport).toMatchObject({ runId, resumed: true });
    expect(gatesOf(resumedReport)).toEqual(gatesOf(cleanReport));
    expect(resumedReport.totals).toEqual(cleanReport.totals);
    expect(resumedReport.reconciliation?.status).toBe(cleanReport.reconciliation?.status);
    expect(ledgerRun(db, runId)).toMatchObject({ status: 'succeeded', report: { status: 'succeeded', verdict: 'pass' } });

    const again = await run(db, '--resume', runId);
    expect(again.code).toBe(EXIT_CODES.conflict);
    expect(again.stderr).toMatch(/already finished successfully/);
  });

  it('with --no-reconcile records the run final, and a later ferry reconcile of a tampered target records and prints the failed gate', async () => {
    await writeQualityFixture(dir, { patients: 20, thresholds: RECONCILIATION_GATE });
    const db = path.join(dir, 'target.db');
    const loaded = await cli(['run', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', `sqlite:${db}`, '--no-reconcile', '--json']);
    expect(loaded.code, loaded.stderr).toBe(0);
    const runId = (JSON.parse(loaded.stdout) as RunReport).runId;
    expect(ledgerRun(db, runId)).toMatchObject({ status: 'succeeded', report: { status: 'succeeded' } });

    const reconcile = (...extra: string[]) => cli(['reconcile', runId, '--contract', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', `sqlite:${db}`, ...extra]);
    const proved = await reconcile();
    expect(proved.code, proved.stderr).toBe(0);
    expect(proved.stdout).toContain(`run ${runId}: succeeded (unchanged), recorded in the target's ledger`);
    expect(proved.stdout).toContain('quality gates (pre_production): PASS');

    tamper(db, 'DELETE FROM medication WHERE medication_id = (SELECT min(medication_id) FROM medication)');
    const failed = await reconcile();
    expect(failed.code).toBe(EXIT_CODES.gate);
    expect(failed.stdout).toMatch(/: MISMATCH/);
    expect(failed.stdout).toContain(`run ${runId}: succeeded → failed_gate, recorded in the target's ledger`);
    expect(failed.stdout).toContain('quality gates (pre_production): FAIL');
    expect(failed.stdout).toContain('error run.failed_gate: quality gate failed in tier pre_production after reconciliation: reconciliation overall');
    expect(ledgerRun(db, runId)).toMatchObject({ status: 'failed_gate', report: { status: 'failed_gate', verdict: 'fail', reconciliation: { status: 'mismatch' } } });
    // The audit trail holds each decision, newest first: the two reconciliations', then the run's own pass.
    const trail = await cli(['audit', 'list', '--run', runId, '--json']);
    const gateEvents = (JSON.parse(trail.stdout) as { events: Array<{ type: string }> }).events.map((e) => e.type).filter((t) => t.startsWith('gate:'));
    expect(gateEvents).toEqual(['gate:failed', 'gate:passed', 'gate:passed']);

    const json = await reconcile('--json');
    expect(json.code).toBe(EXIT_CODES.gate);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'mismatch',
      run: { runId, updated: true, previousStatus: 'failed_gate', status: 'failed_gate', verdict: 'fail', error: { code: 'run.failed_gate' } },
    });
  });

  it('ferry reconcile leaves the status of a run that did not finish loading as it was', async () => {
    await writeQualityFixture(dir, { patients: 20, thresholds: RECONCILIATION_GATE });
    const db = path.join(dir, 'target.db');
    const loaded = await cli(['run', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', `sqlite:${db}`, '--no-reconcile', '--json']);
    const runId = (JSON.parse(loaded.stdout) as RunReport).runId;
    tamper(db, `UPDATE _ferry_runs SET status = 'cancelled' WHERE run_id = '${runId}'`);
    tamper(db, 'DELETE FROM medication WHERE medication_id = (SELECT min(medication_id) FROM medication)');
    const proved = await cli(['reconcile', runId, '--contract', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', `sqlite:${db}`, '--json']);
    expect(proved.code).toBe(10);
    expect(JSON.parse(proved.stdout)).toMatchObject({ run: { runId, updated: false, status: 'cancelled', reason: 'not_loaded' } });
    expect(ledgerRun(db, runId).status).toBe('cancelled');
  });
});

describe('the JSON run report states the quality verdict', () => {
  it('says none_declared, not pass, when the contract declares no gate or check', async () => {
    await writeFixture(dir, 12);
    const out = await cli(['run', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', `sqlite:${dir}/target.db`, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as RunReport;
    // The collector's own decision stays what it computes; the verdict says what it may claim.
    expect(report.quality?.decision).toBe('pass');
    expect(report.verdict).toBe('none_declared');
  });
});
