/**
 * File targets cannot answer range queries: the target table is streamed into the scratch
 * store and bisected there, with the same findings as a database target.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from './fixture.js';
import { migrateFixture, reconcileFixture, tableOf } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe.each(['csv', 'ndjson'])('reconciling a run into a %s target', (kind) => {
  it('matches after a clean run and finds a removed and a duplicated line', async () => {
    const contractFile = await writeFixture(dir, 40, 'truncate');
    const sourceUrl = `csv:${dir}/source`;
    const targetUrl = `${kind}:${dir}/target`;
    const runId = await migrateFixture(contractFile, sourceUrl, targetUrl);

    const clean = await reconcileFixture(contractFile, runId, sourceUrl, targetUrl);
    expect(clean.mismatches).toEqual([]);
    expect(tableOf(clean, 'patient').bisection.method).toBe('stream');
    expect(tableOf(clean, 'patient').counts).toMatchObject({ expected: 38, targetRows: 38, matched: 38 });

    const file = path.join(dir, 'target', `patient.${kind}`);
    const lines = (await readFile(file, 'utf8')).split('\n');
    const at = lines.findIndex((l) => /^(\{"patient_id":)?12[,}]/.test(l));
    const removed = lines.splice(at, 1)[0];
    lines.splice(lines.length - 1, 0, lines[at + 2]);
    await writeFile(file, lines.join('\n'));
    expect(removed).toBeTruthy();

    const report = await reconcileFixture(contractFile, runId, sourceUrl, targetUrl);
    const patient = tableOf(report, 'patient');
    expect(patient.rows.missing.examples).toEqual([{ targetKey: '12', sourceKey: '12' }]);
    expect(patient.rows.extra.count).toBe(1);
    expect(patient.rows.different.count).toBe(0);
    expect(patient.columns.every((c) => c.match)).toBe(true);
  });
});
