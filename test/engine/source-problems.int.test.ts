/**
 * Source bytes are never changed silently (issue #16): real CSV files through the whole run into
 * SQLite and PostgreSQL. Undecodable bytes and ragged records quarantine their own row with a
 * position (never the value), a NUL quarantines its row before any target sees it, and what
 * cannot be read safely refuses the file, before loading, at the right line.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { migrate } from '../../src/run/migrate.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';

const CONTRACT = `ferry: 1
metadata: { name: source_bytes, version: 1.0.0, owner: tests }
source:
  tables:
    PATIENT:
      primary_key: [ID]
      columns:
        ID: { type: integer }
        NAME: { type: text }
        NOTE: { type: text }
target:
  tables:
    patient:
      primary_key: [patient_id]
      columns:
        patient_id: { type: integer, nullable: false }
        name: { type: text }
        note: { type: text }
mappings:
  patient:
    source: PATIENT
    load: upsert
    fields:
      patient_id: { from: ID, rationale: Legacy key. }
      name: { from: NAME, rationale: Name as registered. }
      note: { from: NOTE, rationale: Free text as written. }
`;

const b = (s: string) => Buffer.from(s, 'latin1');
/** O’NEILL and SEÁN as a Windows export writes them: ’ is 0x92, Á is 0xC1 — neither is UTF-8. */
const WIN1252 = Buffer.concat([b('ID,NAME,NOTE\r\n1,SMITH,ok\r\n2,O'), Buffer.from([0x92]), b('NEILL,ok\r\n3,JONES,ok\r\n4,SE'), Buffer.from([0xc1]), b('N,ok\r\n5,BROWN,ok\r\n')]);

/** Opens a fresh target: its URL and a way to query it. */
type OpenTarget = (dir: string) => Promise<{ url: string; rows: (sql: string) => Promise<Array<Record<string, unknown>>> }>;

let pgDb: Awaited<ReturnType<typeof createPgDatabase>>;
let pgSchemas = 0;
beforeAll(async () => {
  pgDb = await createPgDatabase('ferry_bytes');
});
afterAll(async () => {
  await pgDb?.drop();
});

/** A fresh target of each kind: a SQLite file in `dir`, or a new schema of the test's PostgreSQL database. */
const TARGETS: Record<string, OpenTarget> = {
  sqlite: async (dir) => {
    const file = path.join(dir, `t${Math.random().toString(36).slice(2)}.db`);
    return {
      url: `sqlite:${file}`,
      rows: async (sql) => {
        const db = new Database(file, { readonly: true });
        try {
          return db.prepare(sql).all() as Array<Record<string, unknown>>;
        } finally {
          db.close();
        }
      },
    };
  },
  postgres: async () => {
    const schema = `s${++pgSchemas}`;
    const c = new pg.Client({ connectionString: pgDb.url });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
    return {
      url: `${pgDb.url}?schema=${schema}`,
      rows: async (sql) => {
        const q = new pg.Client({ connectionString: pgDb.url });
        await q.connect();
        try {
          await q.query(`SET search_path TO ${schema}`);
          return (await q.query(sql)).rows as Array<Record<string, unknown>>;
        } finally {
          await q.end();
        }
      },
    };
  },
};

async function withSource(file: Buffer, fn: (dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir('ferry-bytes-');
  try {
    await mkdir(path.join(dir, 'source'));
    await writeFile(path.join(dir, 'source', 'PATIENT.csv'), file);
    await writeFile(path.join(dir, 'contract.yaml'), CONTRACT);
    await fn(dir);
  } finally {
    await cleanup();
  }
}

describe.each(Object.keys(TARGETS))('source bytes into %s', (kind) => {
  const open = TARGETS[kind];

  it('quarantines rows with Windows-1252 bytes read as UTF-8, naming column and byte offset but no value; the rest load and reconcile', async () => {
    await withSource(WIN1252, async (dir) => {
      const t = await open(dir);
      const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, targetUrl: t.url, batchSize: 2 });
      expect(report.status).toBe('succeeded');
      expect(report.totals).toEqual({ read: 5, loaded: 3, quarantined: 2, excluded: 0 });
      expect(report.reconciliation?.status).toBe('match');
      expect((await t.rows('SELECT patient_id, name FROM patient ORDER BY patient_id')).map((r) => [Number(r.patient_id), r.name])).toEqual([
        [1, 'SMITH'],
        [3, 'JONES'],
        [5, 'BROWN'],
      ]);
      const q = await t.rows('SELECT source_key, rule, reason_code, message FROM _ferry_quarantine ORDER BY source_key');
      expect(q.map((r) => [r.source_key, r.rule, r.reason_code])).toEqual([
        ['2', 'NAME: source', 'source.encoding'],
        ['4', 'NAME: source', 'source.encoding'],
      ]);
      // Offset 29 (from 0, as hexdump counts) is the 0x92 of O’NEILL: 'ID,NAME,NOTE\r\n' (14) + '1,SMITH,ok\r\n' (12) + '2,O' (3).
      expect(q[0].message).toContain('PATIENT.csv line 3, column NAME: the byte at offset 29 of the file is not valid UTF-8');
      expect(q[0].message).toContain('?encoding=windows-1252');
      expect(JSON.stringify(q)).not.toMatch(/NEILL|SE.N/);
    });
  }, 60_000);

  it('loads O’NEILL and SEÁN exactly with ?encoding=windows-1252', async () => {
    await withSource(WIN1252, async (dir) => {
      const t = await open(dir);
      const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source?encoding=windows-1252`, targetUrl: t.url });
      expect(report.totals).toEqual({ read: 5, loaded: 5, quarantined: 0, excluded: 0 });
      expect((await t.rows('SELECT name FROM patient ORDER BY patient_id')).map((r) => r.name)).toEqual(['SMITH', 'O’NEILL', 'JONES', 'SEÁN', 'BROWN']);
    });
  }, 60_000);

  it('refuses the file before loading anything with ?on_bad_bytes=refuse, naming the position', async () => {
    await withSource(WIN1252, async (dir) => {
      const t = await open(dir);
      const err = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source?on_bad_bytes=refuse`, targetUrl: t.url, batchSize: 1 }).then(
        (r) => r,
        (e: unknown) => e,
      );
      const failure = err instanceof FerryError ? err : (err as { error?: { code: string; message: string } }).error;
      expect(failure).toMatchObject({ code: 'csv.bad_bytes', message: expect.stringContaining('PATIENT.csv line 3, column NAME: the byte at offset 29 of the file is not valid UTF-8') });
      const loaded = await t.rows('SELECT count(*) AS n FROM patient').catch(() => [{ n: 0 }]);
      expect(Number(loaded[0].n)).toBe(0);
    });
  }, 60_000);

  it('quarantines only the row whose text holds a NUL, and reconciliation agrees', async () => {
    await withSource(b('ID,NAME,NOTE\n1,SMITH,ok\n2,JONES,bad\u0000note\n3,BROWN,ok\n'), async (dir) => {
      const t = await open(dir);
      const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, targetUrl: t.url });
      expect(report.status).toBe('succeeded');
      expect(report.totals).toEqual({ read: 3, loaded: 2, quarantined: 1, excluded: 0 });
      expect(report.reconciliation?.status).toBe('match');
      expect(report.reconciliation?.tables[0]).toMatchObject({ expected: 2, matched: 2, different: 0, missing: 0, extra: 0 });
      const q = await t.rows('SELECT source_key, reason_code, message FROM _ferry_quarantine');
      expect(q.map((r) => [r.source_key, r.reason_code])).toEqual([['2', 'value.nul_byte']]);
      expect(q[0].message).toContain('note holds a NUL character');
    });
  }, 60_000);

  it('records a quarantined row whose key holds a NUL without failing its batch', async () => {
    await withSource(b('ID,NAME,NOTE\n1,SMITH,ok\n2\u0000,JONES,ok\n3,BROWN,ok\n'), async (dir) => {
      const t = await open(dir);
      const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, targetUrl: t.url });
      expect(report.totals).toEqual({ read: 3, loaded: 2, quarantined: 1, excluded: 0 });
      expect(report.reconciliation?.status).toBe('match');
      expect((await t.rows('SELECT source_key, reason_code FROM _ferry_quarantine')).map((r) => [r.source_key, r.reason_code])).toEqual([['2\u2400', 'target.type']]);
    });
  }, 60_000);

  it('quarantines a ragged record at its true line and loads the rest', async () => {
    await withSource(b('ID,NAME,NOTE\n1,SMITH,"two\nlines"\n2,JONES\n3,BROWN,ok\n'), async (dir) => {
      const t = await open(dir);
      const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, targetUrl: t.url });
      expect(report.totals).toEqual({ read: 3, loaded: 2, quarantined: 1, excluded: 0 });
      expect(report.reconciliation?.status).toBe('match');
      const q = await t.rows('SELECT source_key, rule, reason_code, message FROM _ferry_quarantine');
      expect(q).toEqual([{ source_key: '2', rule: 'source', reason_code: 'source.malformed', message: 'PATIENT.csv line 4 has 2 field(s) where the header has 3' }]);
    });
  }, 60_000);
});

describe('quarantined source rows and the quality gate', () => {
  it('count against validity, so a gate fails the run as it would for any quarantine', async () => {
    await withSource(WIN1252, async (dir) => {
      await writeFile(path.join(dir, 'contract.yaml'), `${CONTRACT}quality:\n  thresholds:\n    - { kpi: validity, fail_below: 0.9 }\n`);
      const t = await TARGETS.sqlite(dir);
      const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, targetUrl: t.url });
      expect(report.status).toBe('failed_gate');
      expect(report.totals).toEqual({ read: 5, loaded: 3, quarantined: 2, excluded: 0 });
    });
  }, 60_000);
});

describe('a pilot over a file with undecodable bytes', () => {
  it('excludes unreadable rows outside the pilot like any other, and reconciliation agrees', async () => {
    await withSource(WIN1252, async (dir) => {
      const t = await TARGETS.sqlite(dir);
      const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, targetUrl: t.url, pilot: { patients: 2, table: 'PATIENT' } });
      // The pilot's two patients hold one unreadable row; the other unreadable row is outside it.
      expect(report.totals).toEqual({ read: 5, loaded: 1, quarantined: 1, excluded: 3 });
      expect(report.reconciliation?.status).toBe('match');
      const quarantined = await t.rows('SELECT source_key FROM _ferry_quarantine');
      expect(quarantined.length).toBe(report.totals.quarantined);
    });
  }, 60_000);
});

describe('what cannot be read safely', () => {
  it('refuses an unterminated quote at the line where it opens', async () => {
    await withSource(b('ID,NAME,NOTE\n1,SMITH,ok\n2,"JONES,ok\n3,BROWN,ok\n4,GREEN,ok\n'), async (dir) => {
      const t = await TARGETS.sqlite(dir);
      const err = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl: `csv:${dir}/source`, targetUrl: t.url }).then(
        (r) => r,
        (e: unknown) => e,
      );
      const failure = err instanceof FerryError ? err : (err as { error?: { code: string; message: string } }).error;
      expect(failure).toMatchObject({ code: 'csv.csv_quote_not_closed', message: expect.stringContaining('PATIENT.csv line 3 opens a quoted field that is never closed') });
    });
  }, 60_000);
});
