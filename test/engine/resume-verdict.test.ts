/**
 * A resumed run decides exactly what an uninterrupted run decides: on a source that fails the
 * example contract's pre-production gates, runs stopped at several points (inside the first
 * table, between tables, inside a child once its parent finished, inside the last table, and
 * twice in a row) and resumed end with the uninterrupted run's status and the same quality
 * section (every gate's figures, every table's KPIs, warnings, missing fields, crosswalk coverage,
 * references), and a source that changed between stop and resume is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EXAMPLE_CONTRACT } from '../../src/cli/demo.js';
import { loadContract } from '../../src/contract/load.js';
import type { RunEvent } from '../../src/engine/events.js';
import { planLoad } from '../../src/engine/plan.js';
import { migrate } from '../../src/run/migrate.js';
import type { RunReport } from '../../src/run/report.js';
import { uniformRates } from '../../src/synth/defects.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { tempDir } from '../helpers/tmp.js';
import { verdictOf } from '../helpers/verdict.js';

const BATCH = 100;
let dir: string;
let cleanup: () => Promise<void>;
let source: string;
let plan: string[];
let reference: RunReport;
let targets = 0;

const targetUrl = (): string => `sqlite:${path.join(dir, `target-${++targets}.db`)}`;
const run = (url: string, extra: { resume?: string; stopWhen?: (e: RunEvent) => boolean; sourceDir?: string } = {}): Promise<RunReport> => {
  const stop = new AbortController();
  return migrate({
    contractFile: EXAMPLE_CONTRACT,
    sourceUrl: `csv:${extra.sourceDir ?? source}`,
    targetUrl: url,
    batchSize: BATCH,
    concurrency: 1,
    reconcile: false,
    resume: extra.resume,
    signal: stop.signal,
    onEvent: (e) => {
      if (extra.stopWhen?.(e)) stop.abort();
    },
  });
};

const batchIn = (table: () => string, rows: number) => (e: RunEvent) => e.type === 'batch:loaded' && e.table === table() && e.counts.read >= rows;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-verdict-'));
  source = path.join(dir, 'source');
  await generateToCsv({ seed: 11, patients: 200, rates: uniformRates(0.01), dir: source });
  plan = planLoad((await loadContract(EXAMPLE_CONTRACT)).contract).map((p) => p.table);
  reference = await run(targetUrl());
}, 60_000);
afterAll(() => cleanup());

describe('a resumed run', () => {
  it('the uninterrupted reference fails a gate, with figures to compare', () => {
    expect(reference.status).toBe('failed_gate');
    expect(reference.quality!.gates.filter((g) => g.decision === 'fail').length).toBeGreaterThan(0);
    expect(reference.quality!.references.every((r) => r.status === 'checked')).toBe(true);
  });

  const stops: Array<[string, Array<(e: RunEvent) => boolean>]> = [
    ['inside the first table', [batchIn(() => plan[0], BATCH)]],
    ['between tables (the first one finished)', [(e) => e.type === 'table:finished' && e.table === plan[0]]],
    ['inside a child once its parent finished', [batchIn(() => 'referral', BATCH)]],
    ['inside the last table', [batchIn(() => plan[plan.length - 1], BATCH)]],
    ['twice: inside the first table, then inside a child', [batchIn(() => plan[0], BATCH), batchIn(() => 'referral', 2 * BATCH)]],
  ];
  it.each(stops)(
    'stopped %s decides and measures what the uninterrupted run did',
    async (_, stopWhen) => {
      const url = targetUrl();
      const first = await run(url, { stopWhen: stopWhen[0] });
      expect(first.status).toBe('cancelled');
      let last = first;
      for (const when of [...stopWhen.slice(1), undefined]) {
        last = await run(url, { resume: first.runId, stopWhen: when });
        expect(last.status).toBe(when ? 'cancelled' : reference.status);
      }
      expect(last.resumed).toBe(true);
      expect(verdictOf(last)).toEqual(verdictOf(reference));
    },
    60_000,
  );

  it('is refused when the committed rows of the source changed since the stop, and writes nothing more', async () => {
    const changed = path.join(dir, 'changed');
    await generateToCsv({ seed: 11, patients: 200, rates: uniformRates(0.01), dir: changed });
    const url = targetUrl();
    const first = await run(url, { sourceDir: changed, stopWhen: batchIn(() => 'patient', BATCH) });
    expect(first.status).toBe('cancelled');
    const before = patients(url);
    // Patient 1 was loaded before the stop; an invalid NHS number now quarantines it.
    const file = path.join(changed, 'PAT_MAST.csv');
    const text = await readFile(file, 'utf8');
    const edited = text.replace(/^1,H00000001,\d{10},/m, '1,H00000001,1234567890,');
    expect(edited).not.toBe(text);
    await writeFile(file, edited);
    const resumed = await run(url, { sourceDir: changed, resume: first.runId });
    expect(resumed.status).toBe('failed');
    expect(resumed.error?.code).toBe('run.source_changed');
    expect(resumed.error?.message).toContain(`the source changed since run ${first.runId} was interrupted: table patient (source PAT_MAST)`);
    expect(resumed.error?.message).not.toContain('1234567890');
    expect(patients(url)).toBe(before);
  }, 60_000);

  it('is refused when the source now holds fewer rows than were committed', async () => {
    const changed = path.join(dir, 'shrunk');
    await generateToCsv({ seed: 11, patients: 200, rates: uniformRates(0.01), dir: changed });
    const url = targetUrl();
    const first = await run(url, { sourceDir: changed, stopWhen: batchIn(() => 'patient', 2 * BATCH) });
    expect(first.status).toBe('cancelled');
    const file = path.join(changed, 'PAT_MAST.csv');
    await writeFile(file, (await readFile(file, 'utf8')).split('\n').slice(0, 51).join('\n') + '\n');
    const resumed = await run(url, { sourceDir: changed, resume: first.runId });
    expect(resumed.error?.code).toBe('run.source_changed');
    expect(resumed.error?.message).toMatch(/its first \d+ rows now give read 50, /);
  }, 60_000);

  it('is refused when a table that had finished gained rows since the stop', async () => {
    const changed = path.join(dir, 'grown');
    await generateToCsv({ seed: 11, patients: 200, rates: uniformRates(0.01), dir: changed });
    const url = targetUrl();
    const first = await run(url, { sourceDir: changed, stopWhen: (e) => e.type === 'table:finished' && e.table === 'patient' });
    expect(first.status).toBe('cancelled');
    await appendFile(path.join(changed, 'PAT_MAST.csv'), '9999,H00009999,9990000115,MR,LATE,Arrival,,01/01/1980,M,WB,DI,,07700 900000,01/01/2020\n');
    const resumed = await run(url, { sourceDir: changed, resume: first.runId });
    expect(resumed.error?.code).toBe('run.source_changed');
    expect(resumed.error?.message).toMatch(/table patient \(source PAT_MAST\) has more than the \d+ rows it had when it finished/);
  }, 60_000);
});

function patients(url: string): number {
  const db = new Database(url.slice('sqlite:'.length), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM patient').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
