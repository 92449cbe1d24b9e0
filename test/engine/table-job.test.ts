import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openSource, openTarget } from '../../src/connectors/registry.js';
import type { CommitUnit, Target } from '../../src/connectors/connector.js';
import { contractDigest } from '../../src/contract/canonical.js';
import { loadContract } from '../../src/contract/load.js';
import { runMigration } from '../../src/engine/run.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from './fixture.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

/** A real SQLite target whose commits are slow, logged, and (optionally) fail at one call. */
function slowTarget(inner: Target, log: string[], failAt?: number): Target {
  let calls = 0;
  let open = 0;
  const commit = async (unit: CommitUnit): Promise<void> => {
    const n = ++calls;
    const what = `${unit.table.name}@${unit.checkpoint.offset}${unit.checkpoint.done ? ' done' : ''}`;
    log.push(`start ${what}${open > 0 ? ' OVERLAP' : ''}`);
    open++;
    try {
      await new Promise((r) => setTimeout(r, 15));
      if (n === failAt) throw new Error('disk full');
      await inner.commit(unit);
    } finally {
      open--;
    }
    log.push(`end ${what}`);
  };
  return new Proxy(inner, { get: (t, p) => (p === 'commit' ? commit : Reflect.get(t, p)) });
}

/** Runs the fixture's 60 patients in units of 7 rows through a slow target that fails at call `failAt`. */
async function slowRun(log: string[], failAt?: number, unitValues?: number) {
  const contractFile = await writeFixture(dir, 60);
  const loaded = await loadContract(contractFile);
  const source = await openSource(`csv:${dir}/source`);
  const inner = await openTarget(`sqlite:${path.join(dir, 'target.db')}`);
  try {
    const report = await runMigration({ loaded, digest: contractDigest(loaded), source, target: slowTarget(inner, log, failAt), batchSize: 7, unitValues, concurrency: 1, today: () => '2026-11-25' });
    return { report, checkpoints: await inner.checkpoints(report.runId) };
  } finally {
    await source.close();
    await inner.close();
  }
}

describe('commit units', () => {
  it('reach the target strictly one after another and in order', async () => {
    const log: string[] = [];
    const { report } = await slowRun(log);
    expect(report.status).toBe('succeeded');
    expect(report.tables.find((t) => t.table === 'patient')).toMatchObject({ read: 60, balanced: true });
    expect(log.filter((l) => l.includes('OVERLAP'))).toEqual([]);
    const starts = log.filter((l) => l.startsWith('start patient')).map((l) => Number(/@(\d+)/.exec(l)![1]));
    expect(starts).toEqual([7, 14, 21, 28, 35, 42, 49, 56, 60, 60]);
  });

  it('close early for targets that keep rows, once a unit holds unitValues values', async () => {
    const log: string[] = [];
    const loaded = await loadContract(await writeFixture(dir, 60));
    const columns = loaded.contract.target.tables.patient.columns;
    // Room for three rows of the patient table per unit, fewer than the seven asked for.
    const { report } = await slowRun(log, undefined, 3 * Object.keys(columns).length + 1);
    expect(report.status).toBe('succeeded');
    const starts = log.filter((l) => l.startsWith('start patient')).map((l) => Number(/@(\d+)/.exec(l)![1]));
    expect(starts.slice(0, 4)).toEqual([3, 6, 9, 12]);
    expect(starts.at(-1)).toBe(60);
  });

  it('stop at the first commit that fails: none after it starts, and the run reports the failure', async () => {
    const log: string[] = [];
    // The second unit fails, while the third is already evaluated and waiting behind it.
    const { report, checkpoints } = await slowRun(log, 2);
    expect(report.status).toBe('failed');
    expect(report.error?.message).toMatch(/disk full/);
    expect(checkpoints.find((c) => c.table === 'patient')?.offset).toBe(7);
    expect(log.filter((l) => l.startsWith('start patient'))).toEqual(['start patient@7', 'start patient@14']);
  });
});
