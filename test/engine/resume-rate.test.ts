import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommitUnit, Target } from '../../src/connectors/connector.js';
import { openSource, openTarget } from '../../src/connectors/registry.js';
import { contractDigest } from '../../src/contract/canonical.js';
import { loadContract } from '../../src/contract/load.js';
import { runMigration } from '../../src/engine/run.js';
import { rate } from '../../src/engine/throughput.js';
import { RunProgress } from '../../src/server/run-progress.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from './fixture.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

/** The target, except that any commit into a table other than `only` fails. */
function failingBeyond(inner: Target, only: string): Target {
  const commit = async (unit: CommitUnit) => {
    if (unit.table.name !== only) throw new Error('disk full');
    await inner.commit(unit);
  };
  return new Proxy(inner, { get: (t, p) => (p === 'commit' ? commit : Reflect.get(t, p)) });
}

describe('rows per second of a resumed run', () => {
  it('is null for a table the resume skipped, and counts only rows read by the resume', async () => {
    const contractFile = await writeFixture(dir, 60);
    const loaded = await loadContract(contractFile);
    const source = await openSource(`csv:${dir}/source`);
    const target = await openTarget(`sqlite:${path.join(dir, 'target.db')}`);
    try {
      const base = { loaded, digest: contractDigest(loaded), source, batchSize: 7, concurrency: 1, today: () => '2026-11-25' };
      const first = await runMigration({ ...base, target: failingBeyond(target, 'patient') });
      expect(first.status).toBe('failed');
      expect(first.tables.find((t) => t.table === 'patient')).toMatchObject({ read: 60 });

      const resumed = await runMigration({ ...base, target, resume: first.runId });
      expect(resumed.status).toBe('succeeded');
      const patient = resumed.tables.find((t) => t.table === 'patient')!;
      expect(patient.read).toBe(60);
      expect(patient.rowsPerSecond).toBeNull();
      const others = resumed.tables.filter((t) => t.table !== 'patient');
      expect(others.length).toBeGreaterThan(0);
      for (const t of others) expect(t.rowsPerSecond, t.table).toBe(rate(t.read, t.elapsedMs));
      const readHere = others.reduce((n, t) => n + t.read, 0);
      expect(resumed.rowsPerSecond).toBe(rate(readHere, resumed.elapsedMs));
    } finally {
      await source.close();
      await target.close();
    }
  });

  it('in the live progress: a resumed table and the run count only rows read since the resume', () => {
    let now = 0;
    const p = new RunProgress(() => now);
    p.apply({ type: 'run:started', runId: 'r', contractDigest: 'd', tables: ['patient', 'address'], resumed: true, dryRun: false });
    p.apply({ type: 'table:started', runId: 'r', table: 'patient', source: 'PAT', total: 1_000_000, resumedFrom: 999_000 });
    now = 10;
    p.apply({ type: 'table:finished', runId: 'r', table: 'patient', counts: { read: 1_000_000, loaded: 1_000_000, quarantined: 0, excluded: 0 }, elapsedMs: 10 });
    p.apply({ type: 'table:started', runId: 'r', table: 'address', source: 'ADDR', total: 10, resumedFrom: 10 });
    now = 1000;
    p.apply({ type: 'table:finished', runId: 'r', table: 'address', counts: { read: 10, loaded: 10, quarantined: 0, excluded: 0 }, elapsedMs: 990 });
    const s = p.snapshot();
    expect(s.tables.find((t) => t.table === 'patient')!.rowsPerSecond).toBe(100_000);
    expect(s.tables.find((t) => t.table === 'address')!.rowsPerSecond).toBeNull();
    expect(s.rowsPerSecond).toBe(1000);
  });
});
