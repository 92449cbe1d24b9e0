import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/control/plane.js';
import type { RunEvent } from '../../src/engine/events.js';
import { FerryError } from '../../src/errors.js';
import { governedRun, RunNotRecordedError, type GovernedRunOptions } from '../../src/run/governed-run.js';
import { tempDir } from '../helpers/tmp.js';
import { DIALECTS, storeFixture, type StoreFixture } from '../control/stores.js';
import { buildWorld, type World } from '../control/world.js';
import { CONTRACT_YAML, SEX_CSV, writeFixture } from '../engine/fixture.js';

const withValidityGate = (failBelow: number) => `${CONTRACT_YAML}quality:\n  thresholds:\n    - { kpi: validity, fail_below: ${failBelow} }\n`;
// The fixture's invalid NHS number and date of birth keep validity below 1, well above 0.5.
const LENIENT_YAML = withValidityGate(0.5);
const STRICT_YAML = withValidityGate(1);

describe.each(DIALECTS)('a governed run with its control store on %s', (dialect) => {
  let fx: StoreFixture;
  let w: World;
  let dir: string;
  let cleanup: () => Promise<void>;
  let analyst: Actor;
  let project: string;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(() => fx.cleanup());
  beforeEach(async () => {
    w = await buildWorld(fx);
    analyst = w.a.as.migration_analyst;
    project = w.a.project.id;
    ({ dir, cleanup } = await tempDir('ferry-governed-'));
    await writeFixture(dir, 12);
  });
  afterEach(async () => {
    await w.close();
    await cleanup();
  });

  /** Submits `yaml` as a contract version of the project, approved when asked, and writes it as the run's contract file. */
  async function version(yaml: string, approve: boolean): Promise<void> {
    await writeFile(path.join(dir, 'contract.yaml'), yaml);
    const v = (await w.plane.submitVersion(analyst, project, { yaml, crosswalks: { 'crosswalks/sex.csv': SEX_CSV }, message: '' })).version;
    if (approve) await w.plane.approveVersion(w.a.as.integration_lead, v.id, 'reviewed');
  }

  function options(extra: Partial<GovernedRunOptions> = {}, onEvent?: (e: RunEvent) => void, sourceUrl = `csv:${dir}/source`): GovernedRunOptions {
    return {
      run: { contractFile: path.join(dir, 'contract.yaml'), sourceUrl, targetUrl: `sqlite:${path.join(dir, 'target.db')}`, tier: 'pre_production', onEvent },
      audit: { log: w.plane.audit, actor: analyst.userId, orgId: analyst.orgId, projectId: project },
      release: { plane: w.plane, actor: analyst, projectId: project },
      ...extra,
    };
  }

  it('refuses a run the release gate does not allow before anything connects, and writes no run, event or record', async () => {
    await version(CONTRACT_YAML, false);
    const events: RunEvent[] = [];
    const err = await governedRun(options({}, (e) => events.push(e))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('release.gate_refused');
    expect((err as FerryError).message).toContain('version_approved');
    expect(events).toEqual([]);
    expect(existsSync(path.join(dir, 'target.db'))).toBe(false);
    expect(await w.plane.listRuns(analyst, project)).toEqual([]);
    const types = (await w.plane.audit.list({ projectId: project })).map((e) => e.type);
    expect(types).toContain('release:refused');
    expect(types.filter((t) => t.startsWith('run:') || t.startsWith('gate:') || t === 'batch:loaded' || t === 'table:finished')).toEqual([]);
  });

  it('records a passing run in the audit trail (lifecycle, then gate:passed) and with the project', async () => {
    await version(LENIENT_YAML, true);
    const report = await governedRun(options());
    expect(report.status).toBe('succeeded');
    expect(report.quality?.decision).toBe('pass');
    expect(report.reconciliation?.status).toBe('match');

    const trail = await w.plane.audit.list({ runId: report.runId, order: 'asc' });
    expect(trail[0]).toMatchObject({ type: 'run:started', actor: analyst.userId, orgId: analyst.orgId, projectId: project, payload: { tier: 'pre_production' } });
    // The plane's own run:recorded comes last: the record is written once the trail has the gate decision.
    expect(trail.map((e) => e.type).slice(-3)).toEqual(['run:finished', 'gate:passed', 'run:recorded']);
    expect(trail.at(-2)?.payload).toMatchObject({ runId: report.runId, tier: 'pre_production' });

    const records = await w.plane.listRuns(analyst, project);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ runId: report.runId, digest: report.contract.digest, tier: 'pre_production', status: 'succeeded', gateDecision: report.quality?.decision, dryRun: false });
  });

  it('keeps the report of a run that finished but could not be recorded, and never lets a record failure hide the run own failure', async () => {
    await version(LENIENT_YAML, true);
    const broken = Object.assign(Object.create(w.plane) as typeof w.plane, {
      recordRun: async () => {
        throw new Error('store unavailable at db.internal');
      },
    });
    const err = await governedRun(options({ release: { plane: broken, actor: analyst, projectId: project } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunNotRecordedError);
    const e = err as RunNotRecordedError;
    expect(e.code).toBe('run.not_recorded');
    expect(e.report.status).toBe('succeeded');
    expect(e.report.reconciliation?.status).toBe('match');
    // A driver's message stays in the cause for the operator's log, out of what a user is shown.
    expect(e.message).not.toContain('db.internal');
    expect(await w.plane.listRuns(analyst, project)).toEqual([]);
    expect((await w.plane.audit.list({ runId: e.report.runId })).map((x) => x.type)).toContain('gate:passed');

    const failed = await governedRun(options({ runId: 'run-api-2', release: { plane: broken, actor: analyst, projectId: project } }, undefined, `csv:${path.join(dir, 'no-such-source')}`)).catch(
      (x: unknown) => x,
    );
    expect(failed).toBeInstanceOf(FerryError);
    expect(failed).not.toBeInstanceOf(RunNotRecordedError);
    expect((failed as FerryError).code).not.toBe('run.not_recorded');
  });

  it('records a failed quality gate as gate:failed and failed_gate, under the id the caller named the run by', async () => {
    await version(STRICT_YAML, true);
    const seen = new Set<string>();
    const report = await governedRun(options({ runId: 'run-api-1' }, (e) => seen.add(e.runId)));
    expect(report.status).toBe('failed_gate');
    expect(report.error?.code).toBe('run.failed_gate');
    // Progress listeners see the engine's id; the trail and the record the caller's.
    expect([...seen]).toEqual([report.runId]);

    const trail = await w.plane.audit.list({ runId: 'run-api-1', order: 'asc' });
    expect(trail[0].type).toBe('run:started');
    expect(trail.map((e) => e.type).slice(-3)).toEqual(['run:finished', 'gate:failed', 'run:recorded']);
    const gate = trail.at(-2)!;
    expect(gate.payload).toMatchObject({ runId: 'run-api-1', tier: 'pre_production' });
    const kpis = (gate.payload as { kpis: Array<{ kpi: string; table: string | null; measured: number; threshold: number }> }).kpis;
    expect(kpis.map((k) => k.table)).toContain(null);
    for (const k of kpis) expect(k).toMatchObject({ kpi: 'validity', threshold: 1 });
    for (const k of kpis) expect(k.measured).toBeLessThan(1);
    expect(await w.plane.audit.list({ runId: report.runId })).toEqual([]);

    const records = await w.plane.listRuns(analyst, project);
    expect(records).toMatchObject([{ runId: 'run-api-1', status: 'failed_gate', gateDecision: 'fail', dryRun: false }]);
  });
});
