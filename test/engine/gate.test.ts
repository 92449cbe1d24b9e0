import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openSource, openTarget } from '../../src/connectors/registry.js';
import { contractDigest } from '../../src/contract/canonical.js';
import { loadContract } from '../../src/contract/load.js';
import type { GateTableCounts, RunGate } from '../../src/engine/gate.js';
import type { QualityReport } from '../../src/engine/quality-report.js';
import { runMigration } from '../../src/engine/run.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from './fixture.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

/** A gate that records what the engine tells it and decides `decision`; no quality code involved. */
function recordingGate(decision: QualityReport['decision']) {
  const seen = { rows: 0, batches: 0, done: [] as string[], counts: [] as GateTableCounts[] };
  const gate: RunGate = {
    loadedRows: () => () => void seen.rows++,
    batch: () => void seen.batches++,
    forTable: () => ({ seen: () => {} }),
    tableDone: (table) => void seen.done.push(table),
    result: (counts) => {
      seen.counts = [...counts];
      return {
        decision,
        tier: 'pre_production',
        exampleKeyLimit: 0,
        overall: {} as QualityReport['overall'],
        tables: [],
        gates: [],
        crosswalks: [],
        references: [],
        tableRules: [],
        checks: [],
      };
    },
    failure: () => 'the recording gate said no',
  };
  return { gate, seen };
}

async function run(gate?: RunGate) {
  const loaded = await loadContract(await writeFixture(dir, 20));
  const source = await openSource(`csv:${dir}/source`);
  const target = await openTarget(`sqlite:${path.join(dir, 'target.db')}`);
  try {
    return await runMigration({ loaded, digest: contractDigest(loaded), source, target, gate, today: () => '2026-11-25' });
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
}

describe('the quality gate the engine is given', () => {
  it('sees every loaded row, batch and finished table, and its result is the report’s quality section', async () => {
    const { gate, seen } = recordingGate('pass');
    const report = await run(gate);
    expect(report.status).toBe('succeeded');
    expect(report.quality?.decision).toBe('pass');
    expect(seen.rows).toBe(report.totals.loaded);
    expect(seen.batches).toBeGreaterThanOrEqual(report.tables.length);
    expect(seen.done.sort()).toEqual(['address', 'patient']);
    expect(seen.counts.map((c) => [c.table, c.read])).toEqual(report.tables.map((t) => [t.table, t.read]));
  });

  it('fails the run with its own message when it decides fail', async () => {
    const { gate } = recordingGate('fail');
    const report = await run(gate);
    expect(report.status).toBe('failed_gate');
    expect(report.error).toEqual({ code: 'run.failed_gate', message: 'the recording gate said no' });
  });

  it('is optional: without one the report has no quality section and nothing gates the run', async () => {
    const report = await run();
    expect(report.status).toBe('succeeded');
    expect(report).not.toHaveProperty('quality');
    expect(report.totals.read).toBe(report.totals.loaded + report.totals.quarantined + report.totals.excluded);
  });
});
