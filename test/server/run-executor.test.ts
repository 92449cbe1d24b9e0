/** The server's executor leaves the gate and the record to governedRun, and records only runs that never started itself. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlPlane, RecordRunInput } from '../../src/control/plane.js';
import { loadContract } from '../../src/contract/load.js';
import type { RunStore } from '../../src/server/run-store.js';
import { createRunWorker, type RunContext } from '../../src/server/run-executor.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from '../engine/fixture.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

const spec = { projectId: 'prj_1', tier: 'pre_production' as const, versionId: 'ver_1', digest: 'd'.repeat(64), dryRun: false, startedBy: 'usr_1' };

/** A run of `contract` from the fixture's CSV source into a SQLite target, as an editor of org_1. */
function runContext(contract: RunContext['contract']): RunContext {
  return {
    actor: { userId: 'usr_1', orgId: 'org_1', grants: [] },
    contract,
    sourceUrl: `csv:${dir}/source`,
    targetUrl: `sqlite:${dir}/target.db`,
    sourceRef: 'upload:pas',
    targetRef: 'staging-db',
  };
}

describe('the server run executor', () => {
  it('refuses at execution when the release gate no longer allows the run, records nothing for it, and records a run cancelled while queued', async () => {
    const contract = await loadContract(await writeFixture(dir, 5));
    const recorded: RecordRunInput[] = [];
    const plane = {
      canRun: async () => ({ allowed: false, missing: ['version_approved'] }),
      recordRun: async (_actor: unknown, _project: string, input: RecordRunInput) => void recorded.push(input),
    } as unknown as ControlPlane;
    const saved: string[] = [];
    const runs = { save: async (r: { view: { runId: string } }) => void saved.push(r.view.runId) } as unknown as RunStore;
    const worker = createRunWorker({ plane, dataDir: dir, runs, concurrency: 1, onError: () => {} });
    const context = runContext(contract);

    const refused = worker.submit(spec, context);
    const queued = worker.submit(spec, context);
    expect(queued.status).toBe('queued');
    worker.cancel(queued.runId);

    const first = await worker.waitFor(refused.runId);
    const second = await worker.waitFor(queued.runId);
    expect(first).toMatchObject({ status: 'failed', error: { code: 'release.gate_refused' } });
    expect(second).toMatchObject({ status: 'cancelled' });
    expect(recorded).toEqual([{ digest: spec.digest, tier: 'pre_production', runId: queued.runId, status: 'cancelled', gateDecision: null, dryRun: false }]);
    expect(saved.sort()).toEqual([refused.runId, queued.runId].sort());
  });

  it('stores and shows the report of a run that finished but could not be recorded, with why, and logs the cause only', async () => {
    const contract = await loadContract(await writeFixture(dir, 5));
    const plane = {
      canRun: async () => ({ allowed: true, missing: [] }),
      recordRun: async () => {
        throw new Error('SqliteError: disk I/O error at /var/lib/ferry/store.db');
      },
      audit: { append: async () => undefined },
    } as unknown as ControlPlane;
    const saved: Array<{ view: { runId: string; status: string; error: { code: string; message: string } | null }; report: { status: string; error?: { code: string } } | null }> = [];
    const runs = { save: async (r: (typeof saved)[number]) => void saved.push(r) } as unknown as RunStore;
    const logged: unknown[] = [];
    const worker = createRunWorker({ plane, dataDir: dir, runs, concurrency: 1, onError: (err) => void logged.push(err) });
    const context = runContext(contract);
    const run = worker.submit(spec, context);
    const view = await worker.waitFor(run.runId);
    expect(view).toMatchObject({ status: 'succeeded', error: { code: 'run.not_recorded' } });
    expect(view?.error?.message).not.toContain('/var/lib');
    expect(saved).toHaveLength(1);
    expect(saved[0].report).toMatchObject({ status: 'succeeded', error: { code: 'run.not_recorded' } });
    expect(String(logged[0])).toContain('disk I/O error');
  });
});
