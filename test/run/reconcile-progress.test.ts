import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';
import { memoryIO } from '../../src/cli/io.js';
import type { RunEvent } from '../../src/engine/events.js';
import { migrate } from '../../src/run/migrate.js';
import { RunProgress } from '../../src/server/run-progress.js';
import { writeFixture } from '../engine/fixture.js';
import { tempDir } from '../helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe('progress of the end-of-run reconciliation', () => {
  it('is announced, reported table by table, and finished after the load, in the lines a CI log shows', async () => {
    const contractFile = await writeFixture(dir, 40);
    const events: RunEvent[] = [];
    const io = memoryIO();
    const progress = createProgress(io, false);
    const live = new RunProgress();
    const report = await migrate({
      contractFile,
      sourceUrl: `csv:${dir}/source`,
      targetUrl: `sqlite:${path.join(dir, 'target.db')}`,
      today: () => '2026-11-25',
      onEvent: (e) => {
        events.push(e);
        progress.listener(e);
        live.apply(e);
      },
    });
    progress.stop();
    expect(report.reconciliation?.status).toBe('match');
    const types = events.map((e) => e.type);
    const finished = types.indexOf('run:finished');
    expect(types.slice(finished)).toEqual(['run:finished', 'reconcile:started', ...report.reconciliation!.tables.map(() => 'reconcile:table'), 'reconcile:finished']);
    const perTable = events.filter((e) => e.type === 'reconcile:table');
    expect(perTable.map((e) => [e.table, e.done, e.total, e.status])).toEqual(report.reconciliation!.tables.map((t, i) => [t.table, i + 1, perTable.length, 'match']));

    const lines = io.stderr.split('\n');
    expect(lines.some((l) => /reconciling \d+ table\(s\) against the source…$/.test(l))).toBe(true);
    for (const t of report.reconciliation!.tables) expect(lines.some((l) => l.includes(`reconciled ${t.table} (`) && l.includes(': match in '))).toBe(true);
    expect(lines.some((l) => /reconciliation match in [\d.]+ s$/.test(l))).toBe(true);
    // The server's live progress takes the new events in its stride: the counts stand.
    expect(live.snapshot().totals.read).toBe(report.totals.read);
  });
});
