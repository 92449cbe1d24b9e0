import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { auditRunListener } from '../../src/audit/run-listener.js';
import { AuditLog } from '../../src/audit/log.js';
import { verifyStore } from '../../src/audit/verify.js';
import { openStore, type Store } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { migrate } from '../../src/run/migrate.js';
import { tempDir } from '../helpers/tmp.js';
import { nhsFor, writeFixture } from '../engine/fixture.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: Store;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  store = await openStore(parseStoreUrl('sqlite:ferry.db', dir));
});
afterEach(async () => {
  await store.close();
  await cleanup();
});

describe('the run audit listener', () => {
  it('records a real run as run:started, batch:loaded, table:finished and run:finished, in order, with totals', async () => {
    const contractFile = await writeFixture(dir, 20);
    const log = new AuditLog(store);
    const audit = auditRunListener(log, { actor: 'os:analyst', projectId: 'p-1', tier: 'pre_production' });
    const report = await migrate({
      contractFile,
      sourceUrl: `csv:${dir}/source`,
      targetUrl: `sqlite:${path.join(dir, 'target.db')}`,
      batchSize: 8,
      onEvent: audit.listener,
      today: () => '2026-11-25',
    });
    await audit.flush();

    const events = await log.list({ order: 'asc' });
    expect(events[0]).toMatchObject({
      type: 'run:started',
      actor: 'os:analyst',
      projectId: 'p-1',
      payload: { runId: report.runId, contractDigest: report.contract.digest, tier: 'pre_production', dryRun: false },
    });
    expect(events.at(-1)).toMatchObject({ type: 'run:finished', payload: { runId: report.runId, status: report.status, totals: report.totals } });
    const finished = events.filter((e) => e.type === 'table:finished').map((e) => (e.payload as { table: string }).table);
    expect(finished.sort()).toEqual(report.tables.map((t) => t.table).sort());
    expect(events.filter((e) => e.type === 'batch:loaded').length).toBeGreaterThanOrEqual(report.tables.length);
    expect((await log.list({ runId: report.runId })).length).toBe(events.length);
    expect((await verifyStore(log)).ok).toBe(true);
  });

  it('holds only keys, counts and digests: no source values reach the trail', async () => {
    const contractFile = await writeFixture(dir, 10);
    const log = new AuditLog(store);
    const audit = auditRunListener(log, { actor: 'os:analyst' });
    await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `sqlite:${path.join(dir, 'target.db')}`, onEvent: audit.listener, today: () => '2026-11-25' });
    await audit.flush();
    const text = JSON.stringify(await log.list());
    expect(text).toContain('patient');
    // The fixture's NHS numbers, surnames, dates of birth and postcodes.
    for (let i = 1; i <= 10; i++) expect(text).not.toContain(nhsFor(i));
    expect(text).not.toMatch(/smith|jane|\d\d\/\d\d\/\d{4}|ls1 4ap|m1 1ae/i);
  });

  it('surfaces a failed append from flush() instead of losing it', async () => {
    const log = new AuditLog(store);
    const audit = auditRunListener(log, { actor: 'bad\nactor' });
    audit.listener({ type: 'run:started', runId: 'r1', contractDigest: 'e'.repeat(64), tables: [], resumed: false, dryRun: true });
    await expect(audit.flush()).rejects.toThrow(/actor/);
  });
});
