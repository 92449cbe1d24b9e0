/**
 * Lineage both ways on every database target: a target row leads back to its run, source row,
 * contract digest and crosswalk versions; a legacy row leads to where it was loaded, or why it
 * was quarantined or excluded. `--no-lineage` and dry runs write none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { migrate } from '../../src/run/migrate.js';
import { lookupLineage } from '../../src/lineage/query.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from '../engine/fixture.js';
import { databaseKinds } from '../rollback/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let contractFile: string;
const drops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  contractFile = await writeFixture(dir, 30);
});
afterAll(async () => {
  for (const d of drops) await d();
  await cleanup();
});

describe.each(databaseKinds(() => dir))('lineage on $kind', ({ create }) => {
  it('answers where a target row came from and what became of each legacy row', async () => {
    const db = await create();
    drops.push(db.drop);
    const report = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: db.url, batchSize: 7 });
    expect(report.status).toBe('succeeded');
    expect(report.lineage).toBe(true);

    const io = memoryIO({ cwd: dir });
    expect(await main(['lineage', '--target', db.url, '--target-key', 'patient:12', '--contract', contractFile, '--json'], io), io.stderr).toBe(0);
    const answer = JSON.parse(io.stdout);
    expect(answer.format).toBe('ferry.lineage/v1');
    expect(answer.entries).toHaveLength(1);
    const e = answer.entries[0];
    expect(e).toMatchObject({
      runId: report.runId,
      runStatus: 'succeeded',
      contractDigest: report.contract.digest,
      contractMatches: true,
      sourceTable: 'PAT',
      sourceKey: '12',
      targetTable: 'patient',
      outcome: 'loaded',
      targetKey: '12',
      reasonCode: null,
    });
    expect(e.crosswalks).toEqual([{ name: 'sex', version: null, digest: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(e.fields.find((f: { field: string }) => f.field === 'nhs_number')).toEqual({
      field: 'nhs_number',
      from: ['NHSNO'],
      constant: false,
      steps: ['trim'],
      crosswalk: null,
      rules: ['required', 'nhs_number'],
    });

    const bad = await lookupLineage({ targetUrl: db.url, query: { by: 'source', table: 'PAT', key: '3' } });
    expect(bad.entries.map((x) => [x.outcome, x.reasonCode, x.targetKey])).toEqual([['quarantined', 'rule.nhs_number', null]]);
    const deleted = await lookupLineage({ targetUrl: db.url, query: { by: 'source', table: 'PAT', key: '7' } });
    expect(deleted.entries.map((x) => [x.outcome, x.reasonCode])).toEqual([['excluded', 'excluded.filter']]);
    const address = await lookupLineage({ targetUrl: db.url, query: { by: 'source', table: 'ADDR', key: '121' } });
    expect(address.entries.map((x) => [x.targetTable, x.targetKey])).toEqual([['address', '121']]);

    // A second run adds a second record for the same source row; oldest run first.
    const second = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: db.url, batchSize: 7, lineage: false });
    const third = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: db.url, batchSize: 7 });
    const twice = await lookupLineage({ targetUrl: db.url, query: { by: 'source', table: 'PAT', key: '12' } });
    expect(twice.entries.map((x) => x.runId)).toEqual([report.runId, third.runId]);
    expect(twice.entries.map((x) => x.runId)).not.toContain(second.runId);
  }, 120_000);
});

describe('lineage accounting', () => {
  it('records exactly one lineage record per source row read, and none for a dry run', async () => {
    const db = await databaseKinds(() => dir)[0].create();
    const report = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: db.url, batchSize: 5 });
    const { default: Database } = await import('better-sqlite3');
    const sqlite = new Database(db.url.slice('sqlite:'.length), { readonly: true });
    try {
      const rows = sqlite.prepare('SELECT target_table, outcome, count(*) AS n FROM _ferry_lineage GROUP BY target_table, outcome ORDER BY 1, 2').all();
      const expected = report.tables.flatMap((t) =>
        [
          ['L', t.loaded],
          ['Q', t.quarantined],
          ['X', t.excluded],
        ]
          .filter(([, n]) => Number(n) > 0)
          .map(([outcome, n]) => ({ target_table: t.table, outcome, n })),
      );
      expect(rows).toEqual(expected.sort((a, b) => a.target_table.localeCompare(b.target_table) || String(a.outcome).localeCompare(String(b.outcome))));
      const dry = await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, dryRun: true });
      expect(dry.lineage).toBe(false);
    } finally {
      sqlite.close();
    }
  });

  it('tells the analyst when a row has no lineage and when the key argument is malformed', async () => {
    const db = await databaseKinds(() => dir)[0].create();
    await migrate({ contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: db.url, lineage: false });
    const none = memoryIO({ cwd: dir });
    expect(await main(['lineage', '--target', db.url, '--source-key', 'PAT:1'], none)).toBe(7);
    expect(none.stdout).toContain('no lineage for source row PAT:1');
    const bad = memoryIO({ cwd: dir });
    expect(await main(['lineage', '--target', db.url, '--source-key', 'PAT'], bad)).toBe(2);
    expect(bad.stderr).toContain('TABLE:KEY');
  });
});
