/**
 * A one-column CSV table holds NULL as a blank line (RFC 4180: a record of one empty field) and
 * '' as "": both must read back as what was written, or a NULL row vanishes on read-back.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checkpoint, RunRecord, TargetTableDef, Value } from '../../../src/connectors/connector.js';
import { openSource, openTarget } from '../../../src/connectors/registry.js';
import { reconcile } from '../../../src/reconcile/open.js';
import { migrate } from '../../../src/run/migrate.js';
import { tempDir } from '../../helpers/tmp.js';
import { readRows } from '../conformance.js';

// Keyless: a one-column key could hold one NULL per batch only, and the test wants several.
const note: TargetTableDef = { name: 'note', columns: [{ name: 'text', type: 'text', nullable: true }], primaryKey: [], foreignKeys: [] };
const run: RunRecord = { runId: 'r1', contractDigest: 'sha256:1', startedAt: '2024-01-01T00:00:00.000Z', status: 'running' };
const cp = (offset: number): Checkpoint => ({ runId: 'r1', table: 'note', offset, loaded: offset, quarantined: 0, excluded: 0, done: false });

// NULL first and last: a blank first data line and a blank last line are the edge cases.
const VALUES: Value[] = [null, '', 'plain', 'say "hi"', 'two\nlines', 'cr\r\nlf', ' ', '""', null, ',', null];

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('ferry-csv-1col-')));
afterEach(() => cleanup());

async function writeNotes(url: string, values: Value[], mode: 'append' | 'truncate' = 'append'): Promise<void> {
  const target = await openTarget(url);
  try {
    await target.ensureSchema([note], { create: true });
    await target.beginRun(run);
    await target.startTable(note, mode, cp(0));
    await target.commit({ runId: 'r1', table: note, mode, rows: values.map((v) => [v]), quarantine: [], checkpoint: cp(values.length) });
  } finally {
    await target.close();
  }
}

async function readNotes(url: string): Promise<{ rows: Value[]; count: number }> {
  const source = await openSource(url);
  try {
    return { rows: (await readRows(source, 'note')).map((r) => r[0]), count: await source.count('note') };
  } finally {
    await source.close();
  }
}

describe('one-column CSV table', () => {
  it('reads back NULL, empty string, quotes and line breaks exactly as written', async () => {
    await writeNotes(`csv:${dir}`, VALUES);
    expect(await fs.readFile(path.join(dir, 'note.csv'), 'utf8')).toBe('text\n\n""\nplain\n"say ""hi"""\n"two\nlines"\n"cr\r\nlf"\n \n""""""\n\n","\n\n');
    expect(await readNotes(`csv:${dir}`)).toEqual({ rows: VALUES, count: VALUES.length });
  });

  it('round-trips in another dialect and encoding, CRLF line ends included', async () => {
    const url = `csv:${dir}?delimiter=;&quote='&encoding=windows-1252`;
    await writeNotes(url, [null, "it's", 'Ó;é', null]);
    expect(await readNotes(url)).toEqual({ rows: [null, "it's", 'Ó;é', null], count: 4 });
    await fs.writeFile(path.join(dir, 'note.csv'), 'text\r\n\r\nA\r\n\r\n');
    expect(await readNotes(url)).toEqual({ rows: [null, 'A', null], count: 3 });
  });

  it('still skips blank lines in a file of more columns and before the header', async () => {
    await fs.writeFile(path.join(dir, 'pair.csv'), '\na,b\n1,2\n\n3,\n\n');
    const source = await openSource(`csv:${dir}`);
    try {
      expect(await readRows(source, 'pair')).toEqual([
        ['1', '2'],
        ['3', null],
      ]);
      expect(await source.count('pair')).toBe(2);
    } finally {
      await source.close();
    }
  });

  it('counts the NULL rows a rollback restores, in the target dialect', async () => {
    const url = `csv:${dir}?quote='`;
    await writeNotes(url, [null, 'say "hi"', null]);
    const target = await openTarget(url);
    try {
      await target.finishRun('r1', 'succeeded');
      const second: RunRecord = { ...run, runId: 'r2' };
      await target.beginRun(second);
      await target.startTable(note, 'truncate', { ...cp(0), runId: 'r2' }, { undo: true });
      await target.commit({ runId: 'r2', table: note, mode: 'truncate', rows: [['new']], quarantine: [], checkpoint: { ...cp(1), runId: 'r2' } });
      await target.finishRun('r2', 'succeeded');
      expect(await target.rollback!('r2', { check: true })).toEqual([{ table: 'note', deleted: 1, restored: 3 }]);
    } finally {
      await target.close();
    }
  });
});

describe('reconciling a one-column CSV target', () => {
  const CONTRACT = `
ferry: 1
metadata: { name: one_column, version: 1.0.0, owner: Ferry tests }
source:
  tables:
    CODES:
      primary_key: [ID]
      columns:
        ID: { type: text }
        CODE: { type: text }
target:
  tables:
    code:
      primary_key: [code]
      columns:
        code: { type: text }
mappings:
  code:
    source: CODES
    load: append
    fields:
      code: { from: CODE, rationale: The code as exported. }
reconciliation:
  - name: codes
    source: { table: CODES, aggregate: count }
    target: { table: code, aggregate: count }
`;
  const today = () => '2026-01-15';

  async function setUp(codes: string): Promise<{ contractFile: string; sourceUrl: string; targetUrl: string }> {
    await fs.mkdir(path.join(dir, 'source'));
    await fs.writeFile(path.join(dir, 'source', 'CODES.csv'), `ID,CODE\n${codes}`);
    const contractFile = path.join(dir, 'contract.yaml');
    await fs.writeFile(contractFile, CONTRACT);
    return { contractFile, sourceUrl: `csv:${dir}/source`, targetUrl: `csv:${dir}/target` };
  }

  it('matches a run whose only column holds quotes, delimiters and line breaks', async () => {
    const { contractFile, sourceUrl, targetUrl } = await setUp('1,A\n2,"x ""y"""\n3,"two\nlines"\n4,"a,b"\n');
    const report = await migrate({ contractFile, sourceUrl, targetUrl, today, reconcile: false });
    expect(report.status).toBe('succeeded');
    const rec = await reconcile({ contractFile, runId: report.runId, sourceUrl, targetUrl, today });
    expect(rec.status).toBe('match');
    expect(rec.tables[0].counts).toMatchObject({ loaded: 4, expected: 4, targetRows: 4, matched: 4 });
  });

  it('quarantines a row whose only column, the key, would be NULL, and the run reconciles', async () => {
    // The engine conforms '' to NULL, and a key column never holds NULL: that row is quarantined, not written as a keyless blank line.
    const { contractFile, sourceUrl, targetUrl } = await setUp('1,A\n2,\n3,"x ""y"""\n');
    const report = await migrate({ contractFile, sourceUrl, targetUrl, today, reconcile: false });
    expect(report.status).toBe('succeeded');
    expect(report.totals).toMatchObject({ read: 3, loaded: 2, quarantined: 1 });
    expect(report.quarantineReasons).toEqual([expect.objectContaining({ reasonCode: 'target.not_null', count: 1 })]);
    expect(await fs.readFile(path.join(dir, 'target', 'code.csv'), 'utf8')).toBe('code\nA\n"x ""y"""\n');
    const rec = await reconcile({ contractFile, runId: report.runId, sourceUrl, targetUrl, today });
    // Every loaded row is where it should be; the contract's count check sees three source rows against two target rows.
    expect(rec.tables[0].status).toBe('match');
    expect(rec.tables[0].counts).toMatchObject({ quarantined: 1, expected: 2, targetRows: 2, matched: 2 });
    expect(rec.business).toEqual([expect.objectContaining({ name: 'codes', pass: false })]);
  });
});
