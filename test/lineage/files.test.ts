/**
 * File targets (csv:, ndjson:) keep lineage in DIR/_ferry/lineage.csv and roll back by
 * cutting each data file back to its pre-run size, or restoring the copy a truncate run set
 * aside: the bytes after rollback equal the bytes before the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { migrate } from '../../src/run/migrate.js';
import { lookupLineage } from '../../src/lineage/query.js';
import { rollbackRun } from '../../src/rollback/rollback.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from '../engine/fixture.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const contract = await writeFixture(dir, 20);
  const yaml = await readFile(contract, 'utf8');
  await writeFile(path.join(dir, 'append.yaml'), yaml.replace('    source: PAT\n', '    source: PAT\n    load: append\n').replace('    source: ADDR\n', '    source: ADDR\n    load: append\n'));
  await writeFile(path.join(dir, 'truncate.yaml'), yaml.replace('    source: PAT\n', '    source: PAT\n    load: truncate\n').replace('    source: ADDR\n', '    source: ADDR\n    load: truncate\n'));
});
afterAll(() => cleanup());

describe.each(['csv', 'ndjson'])('%s target', (kind) => {
  it('records lineage and undoes truncate and append runs byte for byte', async () => {
    const target = path.join(dir, `${kind}-append`);
    const url = `${kind}:${target}`;
    const run = (c: string) => migrate({ contractFile: path.join(dir, c), sourceUrl: `csv:${dir}/source`, targetUrl: url, batchSize: 6 });
    const first = await run('truncate.yaml');
    expect(first.status).toBe('succeeded');
    const ext = kind === 'csv' ? 'csv' : 'ndjson';
    const read = () => Promise.all(['patient', 'address'].map((t) => readFile(path.join(target, `${t}.${ext}`), 'utf8')));
    const before = await read();

    const appended = await run('truncate.yaml');
    const answer = await lookupLineage({ targetUrl: url, query: { by: 'target', table: 'patient', key: '4' } });
    expect(answer.entries.map((e) => [e.runId, e.sourceKey, e.outcome])).toEqual([
      [first.runId, '4', 'loaded'],
      [appended.runId, '4', 'loaded'],
    ]);
    expect(answer.entries[0].crosswalks.map((c) => c.name)).toEqual(['sex']);

    const result = await rollbackRun({ targetUrl: url, runId: appended.runId, execute: true });
    expect(result.tables.map((t) => t.table).sort()).toEqual(['address', 'patient']);
    expect(await read()).toEqual(before);
    await expect(rollbackRun({ targetUrl: url, runId: appended.runId, execute: true })).rejects.toThrow(/already rolled back/);

    const again = await run('append.yaml');
    await expect(rollbackRun({ targetUrl: url, runId: first.runId, execute: false })).rejects.toThrow(new RegExp(`later run\\(s\\) ${again.runId}`));
    await rollbackRun({ targetUrl: url, runId: again.runId, execute: true });
    expect(await read()).toEqual(before);
  });
});
