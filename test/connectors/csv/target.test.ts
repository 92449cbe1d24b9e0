import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Checkpoint, CommitUnit, RunRecord, TargetTableDef, Value } from '../../../src/connectors/connector.js';
import { openSource, openTarget } from '../../../src/connectors/registry.js';
import { FerryError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/tmp.js';
import { readRows } from '../conformance.js';

const ward: TargetTableDef = {
  name: 'ward',
  columns: [
    { name: 'code', type: 'text', nullable: false },
    { name: 'name', type: 'text', nullable: true },
  ],
  primaryKey: ['code'],
  foreignKeys: [],
};

const run: RunRecord = { runId: 'r1', contractDigest: 'sha256:1', startedAt: '2024-01-01T00:00:00.000Z', status: 'running' };

function cp(offset: number, table = 'ward'): Checkpoint {
  return { runId: 'r1', table, offset, loaded: offset, quarantined: 0, excluded: 0, done: false };
}

function unit(rows: Value[][], offset: number, quarantineKey?: string): CommitUnit {
  const quarantine = quarantineKey
    ? [{ runId: 'r1', sourceTable: 'legacy_ward', sourceKey: quarantineKey, targetTable: 'ward', rule: 'code: required', reasonCode: 'rule.required', message: 'code is empty' }]
    : [];
  return { runId: 'r1', table: ward, mode: 'append', rows, quarantine, checkpoint: cp(offset) };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('csv target', () => {
  it('writes a header, null as an empty field and an empty string as ""', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-t-format-');
    try {
      const target = await openTarget(`csv:${dir}`);
      await target.ensureSchema([ward], { create: true });
      await target.beginRun(run);
      await target.startTable(ward, 'append', cp(0));
      await target.commit(
        unit(
          [
            ['W1', null],
            ['W2', ''],
            ['W3', 'North, "Old" wing'],
          ],
          3,
        ),
      );
      await target.close();
      expect(await fs.readFile(path.join(dir, 'ward.csv'), 'utf8')).toBe('code,name\nW1,\nW2,""\nW3,"North, ""Old"" wing"\n');
    } finally {
      await cleanup();
    }
  });

  it('resumes after a torn write with the uncommitted bytes gone', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-t-torn-');
    try {
      const first = await openTarget(`csv:${dir}`);
      await first.ensureSchema([ward], { create: true });
      await first.beginRun(run);
      await first.startTable(ward, 'append', cp(0));
      await first.commit(unit([['W1', 'One']], 2, 'q1'));
      await first.close();
      // What a kill -9 in the middle of the next commit leaves behind.
      await fs.appendFile(path.join(dir, 'ward.csv'), 'W2,Tw');
      await fs.appendFile(path.join(dir, '_ferry', 'quarantine.csv'), 'r1,legacy_ward,q2,wa');
      await fs.appendFile(path.join(dir, '_ferry', 'checkpoints.ndjson'), '{"run_id":"r1","table_na');

      const second = await openTarget(`csv:${dir}`);
      expect(await second.checkpoints('r1')).toEqual([cp(2)]);
      await second.beginRun(run);
      await second.commit(unit([['W2', 'Two']], 4, 'q2'));
      expect(await readRows(await openSource(`csv:${dir}`), 'ward')).toEqual([
        ['W1', 'One'],
        ['W2', 'Two'],
      ]);
      expect((await collect(second.quarantine('r1'))).map((q) => q.sourceKey)).toEqual(['q1', 'q2']);
      expect(await second.checkpoints('r1')).toEqual([cp(4)]);
      await second.close();
    } finally {
      await cleanup();
    }
  });

  it('cuts the torn tail of a killed run when a fresh run starts, but not bytes after a finished run', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-t-fresh-');
    try {
      const target = await openTarget(`csv:${dir}`);
      await target.ensureSchema([ward], { create: true });
      await target.beginRun(run);
      await target.startTable(ward, 'append', cp(0));
      await target.commit(unit([['W1', 'One']], 1));
      await fs.appendFile(path.join(dir, 'ward.csv'), 'W9,Torn');
      await target.beginRun({ ...run, runId: 'r2' });
      expect(await fs.readFile(path.join(dir, 'ward.csv'), 'utf8')).toBe('code,name\nW1,One\n');

      await target.finishRun('r2', 'succeeded');
      await target.finishRun('r1', 'failed');
      await fs.appendFile(path.join(dir, 'ward.csv'), 'W5,Added by hand\n');
      await target.beginRun({ ...run, runId: 'r3' });
      expect(await fs.readFile(path.join(dir, 'ward.csv'), 'utf8')).toBe('code,name\nW1,One\nW5,Added by hand\n');
      await target.close();
    } finally {
      await cleanup();
    }
  });

  it('refuses to resume when a data file shrank below its checkpoint', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-t-shrunk-');
    try {
      const target = await openTarget(`csv:${dir}`);
      await target.ensureSchema([ward], { create: true });
      await target.beginRun(run);
      await target.startTable(ward, 'append', cp(0));
      await target.commit(unit([['W1', 'One']], 1));
      await fs.writeFile(path.join(dir, 'ward.csv'), 'code,name\n');
      await expect(target.beginRun(run)).rejects.toMatchObject({ kind: 'conflict', code: 'csv.file_shrunk' });
      await target.close();
    } finally {
      await cleanup();
    }
  });

  it('refuses upsert, telling the analyst to use append or truncate', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-t-upsert-');
    try {
      const target = await openTarget(`csv:${dir}`);
      await target.ensureSchema([ward], { create: true });
      await target.beginRun(run);
      const err = (await target.startTable(ward, 'upsert', cp(0)).catch((e: unknown) => e)) as FerryError;
      expect(err).toBeInstanceOf(FerryError);
      expect(err.message).toMatch(/load: append.*load: truncate/);
      await expect(target.commit({ ...unit([['W1', 'One']], 1), mode: 'upsert' })).rejects.toMatchObject({ code: 'csv.upsert_unsupported' });
      await target.close();
    } finally {
      await cleanup();
    }
  });

  it('refuses an existing file whose header does not match the contract', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-t-header-');
    try {
      await fs.writeFile(path.join(dir, 'ward.csv'), 'code,label\nW1,One\n');
      const target = await openTarget(`csv:${dir}`);
      await expect(target.ensureSchema([ward], { create: true })).rejects.toMatchObject({ kind: 'conflict', code: 'csv.columns_mismatch' });
      await target.close();
    } finally {
      await cleanup();
    }
  });

  it('refuses to create tables when create is false', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-t-nocreate-');
    try {
      const target = await openTarget(`csv:${dir}`);
      await expect(target.ensureSchema([ward], { create: false })).rejects.toMatchObject({ kind: 'not_found' });
      await target.close();
    } finally {
      await cleanup();
    }
  });

  it('writes windows-1252 with a custom delimiter and reads it back', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-t-1252-');
    try {
      const url = `csv:${dir}?encoding=windows-1252&delimiter=;`;
      const target = await openTarget(url);
      await target.ensureSchema([ward], { create: true });
      await target.beginRun(run);
      await target.startTable(ward, 'append', cp(0));
      await target.commit(unit([['W1', 'Ó’é; ward']], 1));
      await expect(target.commit(unit([['W2', 'emoji 😀']], 2))).rejects.toMatchObject({ code: 'csv.unencodable' });
      await target.close();
      const bytes = await fs.readFile(path.join(dir, 'ward.csv'));
      expect(bytes.includes(Buffer.from([0xd3, 0x92, 0xe9]))).toBe(true);
      expect(await readRows(await openSource(url), 'ward')).toEqual([['W1', 'Ó’é; ward']]);
    } finally {
      await cleanup();
    }
  });
});

describe('csv URL options', () => {
  it('refuses unknown options and unsupported encodings', async () => {
    await expect(openSource('csv:.?delimeter=;')).rejects.toMatchObject({ kind: 'usage', code: 'connector.bad_option' });
    await expect(openSource('csv:.?encoding=ebcdic')).rejects.toMatchObject({ kind: 'usage' });
    await expect(openSource('csv:.?delimiter=ab')).rejects.toMatchObject({ kind: 'usage' });
  });

  it('refuses a source directory that does not exist', async () => {
    await expect(openSource('csv:/no/such/ferry/dir')).rejects.toMatchObject({ kind: 'connection' });
  });
});
