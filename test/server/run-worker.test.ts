/** The run queue on its own: bounded concurrency, FIFO order, cancelling queued and running runs, progress fan-out. */
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/run/report.js';
import { RunWorker, type RunJobSpec } from '../../src/server/run-worker.js';

const spec: RunJobSpec = { projectId: 'prj_1', tier: 'pre_production', versionId: 'ver_1', digest: 'a'.repeat(64), dryRun: true, startedBy: 'usr_1' };

function report(status: RunReport['status']): RunReport {
  return { status, totals: { read: 1, loaded: 1, quarantined: 0, excluded: 0 } } as RunReport;
}

describe('RunWorker', () => {
  it('runs at most `concurrency` at once, in submission order, and cancels queued and running runs', async () => {
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const settled: string[] = [];
    const worker = new RunWorker<string>({
      concurrency: 2,
      execute: async ({ context }, signal) => {
        order.push(context);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 30);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          });
        });
        running--;
        return report(signal.aborted ? 'cancelled' : 'succeeded');
      },
      onSettled: async (view, _r, context) => {
        settled.push(`${context}:${view.status}`);
      },
    });
    const ids = ['a', 'b', 'c', 'd', 'e'].map((c) => worker.submit(spec, c).runId);
    expect(worker.get(ids[0])!.status).toBe('running');
    expect(worker.get(ids[2])!.status).toBe('queued');
    worker.cancel(ids[1]);
    worker.cancel(ids[3]);
    await Promise.all(ids.map((id) => worker.waitFor(id)));
    expect(peak).toBe(2);
    expect(order).toEqual(['a', 'b', 'c', 'e']);
    expect(settled.sort()).toEqual(['a:succeeded', 'b:cancelled', 'c:succeeded', 'd:cancelled', 'e:succeeded']);
    expect(
      worker
        .list('prj_1')
        .map((v) => v.status)
        .sort(),
    ).toEqual(['cancelled', 'cancelled', 'succeeded', 'succeeded', 'succeeded']);
  });

  it('fans each engine event out to every subscriber with the figures after it, and ends the streams', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const worker = new RunWorker<null>({
      execute: async ({ runId }, _signal, onEvent) => {
        await gate;
        onEvent({ type: 'run:started', runId: 'engine-id', contractDigest: 'd', tables: ['t'], resumed: false, dryRun: true });
        onEvent({ type: 'table:started', runId: 'engine-id', table: 't', source: 'T', total: 4, resumedFrom: 0 });
        onEvent({ type: 'batch:loaded', runId: 'engine-id', table: 't', batchRows: 2, counts: { read: 2, loaded: 2, quarantined: 0, excluded: 0 } });
        onEvent({ type: 'table:finished', runId: 'engine-id', table: 't', counts: { read: 4, loaded: 3, quarantined: 1, excluded: 0 }, elapsedMs: 10 });
        onEvent({ type: 'run:finished', runId: 'engine-id', status: 'succeeded', elapsedMs: 12 });
        expect(runId).toMatch(/^run-/);
        return report('succeeded');
      },
    });
    const { runId } = worker.submit(spec, null);
    const collect = async () => {
      const names: string[] = [];
      const data: any[] = [];
      for await (const m of worker.events(runId, new AbortController().signal)) {
        names.push(m.event);
        data.push(m.data);
      }
      return { names, data };
    };
    const [one, two] = [collect(), collect()];
    await new Promise((r) => setTimeout(r, 10));
    release();
    for (const s of await Promise.all([one, two])) {
      expect(s.names).toEqual(['snapshot', 'run:started', 'table:started', 'batch:loaded', 'table:finished', 'run:finished', 'end']);
      expect(s.data[3].event.runId).toBe(runId);
      expect(s.data[3].table).toMatchObject({ table: 't', read: 2, total: 4, state: 'running' });
      expect(s.data[4].table).toMatchObject({ read: 4, quarantined: 1, state: 'finished', etaSeconds: 0 });
      expect(s.data[6]).toMatchObject({ status: 'succeeded', progress: { engineRunId: 'engine-id', totals: { read: 4, loaded: 3, quarantined: 1, total: 4 } } });
    }
  });
});
