/**
 * The two passes: a table whose whole-table totals agree is settled by pass 1 alone (the source
 * is read once); a table that differs is re-derived for pass 2, and a source that derives
 * differently the second time is flagged rather than trusted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ReadOptions, Slice, Source } from '../../src/connectors/connector.js';
import { openSource, openTarget } from '../../src/connectors/registry.js';
import { contractDigest } from '../../src/contract/canonical.js';
import { loadContract } from '../../src/contract/load.js';
import { reconcileRun } from '../../src/reconcile/reconcile.js';
import type { ReconciliationReport } from '../../src/reconcile/report.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from './fixture.js';
import { migrateFixture, tableOf, TODAY } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let contractFile: string;
let sourceUrl: string;
let targetUrl: string;
let runId: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  contractFile = await writeFixture(dir, 60);
  sourceUrl = `csv:${dir}/source`;
  targetUrl = `sqlite:${path.join(dir, 'target.db')}`;
  runId = await migrateFixture(contractFile, sourceUrl, targetUrl);
});

afterAll(async () => {
  await cleanup();
});

/** The source, counting reads per table; `alter` may change the slices of a given read. */
function watched(source: Source, alter?: (table: string, read: number, slice: Slice) => Slice): { source: Source; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const wrapped = Object.create(source) as Source;
  wrapped.read = (table: string, options: ReadOptions) => {
    const n = (reads.get(table) ?? 0) + 1;
    reads.set(table, n);
    const inner = source.read(table, options);
    return (async function* () {
      for await (const slice of inner) yield alter ? alter(table, n, slice) : slice;
    })();
  };
  return { source: wrapped, reads };
}

async function reconcileWith(source: Source): Promise<ReconciliationReport> {
  const loaded = await loadContract(contractFile);
  const target = await openTarget(targetUrl);
  try {
    return await reconcileRun({ loaded, digest: contractDigest(loaded), runId, source, target, targetUrl, today: TODAY });
  } finally {
    await target.close();
  }
}

describe('two-pass reconciliation', () => {
  it('settles matching tables in pass 1, reading each source table once', async () => {
    const real = await openSource(sourceUrl);
    try {
      const { source, reads } = watched(real);
      const report = await reconcileWith(source);
      expect(report.status).toBe('match');
      expect(report.tables.map((t) => t.bisection.method)).toEqual(['totals', 'totals']);
      // One read per mapping for the rows; business checks read on their own afterwards.
      const rowReads = reads.get('PAT')! - report.business.filter((b) => b.aggregate.source.includes(' from PAT')).length;
      expect(rowReads).toBe(1);
    } finally {
      await real.close();
    }
  });

  it('re-derives a differing table in pass 2 and flags a source that derived differently the second time', async () => {
    const db = new Database(targetUrl.slice('sqlite:'.length));
    db.exec('UPDATE patient SET family_name = family_name || 1 WHERE patient_id = 20');
    db.close();
    const real = await openSource(sourceUrl);
    try {
      // On the second read of PAT (pass 2) patient 25 is marked deleted, as if someone had just
      // done so: as many rows as the run read, but one fewer loads.
      const deleted = 8; // DELETED, in the source table's column order
      const { source } = watched(real, (table, n, slice) =>
        table === 'PAT' && n === 2 ? { ...slice, rows: slice.rows.map((r) => (r[0] === '25' ? r.map((v, i) => (i === deleted ? 'Y' : v)) : r)) } : slice,
      );
      const report = await reconcileWith(source);
      const patient = tableOf(report, 'patient');
      expect(patient.bisection.method).toBe('sql');
      expect(patient.counts.derived).toEqual({ read: 60, loaded: 57, quarantined: 1, excluded: 2 });
      expect(patient.flags).toContain('counts.source_changed');
      expect(patient.rows.different.examples.map((r) => r.targetKey)).toEqual(['20']);
      expect(patient.rows.extra.examples.map((r) => r.targetKey)).toEqual(['25']);
      expect(report.mismatches.find((m) => m.code === 'counts.source_changed')?.message).toMatch(/patient: the source changed while it was being reconciled/);
      expect(tableOf(report, 'referral').bisection.method).toBe('totals');
    } finally {
      await real.close();
    }
  });
});
