/**
 * A run judges every row by one day, the day it started: a run resumed the next day, or
 * reconciled later, decides date rules exactly as the uninterrupted run did.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/reconcile/open.js';
import { migrate } from '../../src/run/migrate.js';
import { tempDir } from '../helpers/tmp.js';

const CONTRACT = `
ferry: 1
metadata: { name: run_day, version: 1.0.0, owner: Ferry tests }
source:
  tables:
    PAT:
      primary_key: [ID]
      columns:
        ID: { type: integer }
        DOB: { type: text }
target:
  tables:
    patient:
      primary_key: [id]
      columns:
        id: { type: integer, nullable: false }
        dob: { type: date }
mappings:
  patient:
    source: PAT
    load: upsert
    fields:
      id: { from: ID, rationale: Key. }
      dob: { from: DOB, steps: [{ parse_date: { formats: [yyyy-mm-dd] } }], rules: [date], rationale: Birth date that is never in the future. }
`;

let dir: string;
let cleanup: () => Promise<void>;
let contractFile: string;
const sourceUrl = () => `csv:${dir}/source`;
// Born on the second day: in the future on the first, not on the second.
const ROWS = Array.from({ length: 40 }, (_, i) => `${i + 1},${i === 30 ? '2026-03-02' : '1980-05-05'}`);
const day1 = () => new Date('2026-03-01T23:59:00Z');
const day2 = () => new Date('2026-03-02T08:00:00Z');

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-run-day-'));
  await mkdir(path.join(dir, 'source'));
  await writeFile(path.join(dir, 'source', 'PAT.csv'), `ID,DOB\n${ROWS.join('\n')}\n`);
  contractFile = path.join(dir, 'contract.yaml');
  await writeFile(contractFile, CONTRACT);
});
afterAll(() => cleanup());

describe("a run's day", () => {
  it('stays the day it started when the run is resumed or reconciled the next day', async () => {
    const clean = await migrate({ contractFile, sourceUrl: sourceUrl(), targetUrl: `sqlite:${dir}/clean.db`, now: day1, reconcile: false });
    expect(clean.totals).toMatchObject({ read: 40, loaded: 39, quarantined: 1 });

    const targetUrl = `sqlite:${dir}/resumed.db`;
    const stop = new AbortController();
    const first = await migrate({
      contractFile,
      sourceUrl: sourceUrl(),
      targetUrl,
      now: day1,
      batchSize: 10,
      reconcile: false,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'batch:loaded') stop.abort();
      },
    });
    expect(first.status).toBe('cancelled');
    const resumed = await migrate({ contractFile, sourceUrl: sourceUrl(), targetUrl, now: day2, batchSize: 10, resume: first.runId });
    expect(resumed.status).toBe('succeeded');
    expect(resumed.totals).toEqual(clean.totals);
    expect(resumed.reconciliation?.status).toBe('match');

    // A reconciliation made on the second day re-derives by the run's day too.
    const later = await reconcile({ contractFile, runId: clean.runId, sourceUrl: sourceUrl(), targetUrl: `sqlite:${dir}/clean.db` });
    expect(later.status).toBe('match');
  });
});
