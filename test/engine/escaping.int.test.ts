/**
 * PostgreSQL → PostgreSQL with values that need COPY escaping. Slices whose source rows held no
 * escape skip the target's escape scan when the mapping cannot add an escapable character
 * (transform/clean-text.ts); this proves nothing is lost either way: escaped source values in
 * otherwise clean tables, and tabs, newlines and backslashes the contract itself adds.
 */
import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/run/migrate.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';

const ROWS = 1200;
/** Rows whose text needs escaping, in different read slices; every other row is plain. */
const AWKWARD: Record<number, string> = {
  300: 'line one\nline two\ttabbed \\ backslash\r',
  301: '\\N',
  900: 'C:\\temp\\new',
};
const body = (i: number) => AWKWARD[i] ?? `note ${i}`;

const CONTRACT = `ferry: 1
metadata: { name: escaping, version: 1.0.0, owner: tests }
source:
  tables:
    NOTES:
      primary_key: [ID]
      columns:
        ID: { type: integer }
        CODE: { type: text }
        BODY: { type: text }
target:
  tables:
    note:
      primary_key: [note_id]
      columns:
        note_id: { type: integer, nullable: false }
        code: { type: text }
        body: { type: text }
    note_label:
      primary_key: [note_id]
      columns:
        note_id: { type: integer, nullable: false }
        label: { type: text }
        body: { type: text }
mappings:
  note:
    source: NOTES
    load: append
    fields:
      note_id: { from: ID, rationale: Legacy key. }
      code: { from: CODE, steps: [trim, upper], rationale: Code as registered. }
      body: { from: BODY, rationale: Free text as written. }
  note_label:
    source: NOTES
    load: append
    fields:
      note_id: { from: ID, rationale: Legacy key. }
      label: { from: CODE, steps: [trim, { map: { values: { a: "first\\tcolumn", b: "back\\\\slash", c: "two\\nlines" } } }], rationale: Labels with characters COPY escapes. }
      body: { from: BODY, steps: [{ concat: { columns: [CODE], separator: "\\r" } }], rationale: A separator COPY escapes. }
`;

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

describe('values that need COPY escaping', () => {
  it('arrive exactly, whether the source row or the contract brought the escapable character', async () => {
    const { dir, cleanup } = await tempDir();
    const source = await createPgDatabase('ferry_esc_s');
    const target = await createPgDatabase('ferry_esc_t');
    try {
      await runAndCheck(dir, source.url, target.url);
    } finally {
      await source.drop();
      await target.drop();
      await cleanup();
    }
  }, 60_000);
});

/** Fills the source, runs the contract and compares every target value with what it must be. */
async function runAndCheck(dir: string, sourceUrl: string, targetUrl: string): Promise<void> {
  await writeFile(path.join(dir, 'contract.yaml'), CONTRACT);
  const c = new pg.Client({ connectionString: sourceUrl });
  await c.connect();
  await c.query('CREATE TABLE "NOTES" ("ID" bigint PRIMARY KEY, "CODE" text, "BODY" text)');
  const codes = ['a', 'b', 'c'];
  for (let i = 1; i <= ROWS; i += 100) {
    const ids = Array.from({ length: 100 }, (_, k) => i + k);
    await c.query('INSERT INTO "NOTES" SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])', [ids, ids.map((n) => ` ${codes[n % 3]} `), ids.map(body)]);
  }
  await c.end();

  const report = await migrate({ contractFile: path.join(dir, 'contract.yaml'), sourceUrl, targetUrl, batchSize: 500 });
  expect(report.status).toBe('succeeded');
  expect(report.totals).toMatchObject({ read: 2 * ROWS, loaded: 2 * ROWS, quarantined: 0 });

  const notes = await query<{ note_id: string; code: string; body: string }>(targetUrl, 'SELECT note_id, code, body FROM note ORDER BY note_id');
  expect(notes.map((r) => [Number(r.note_id), r.code, r.body])).toEqual(Array.from({ length: ROWS }, (_, k) => [k + 1, codes[(k + 1) % 3].toUpperCase(), body(k + 1)]));
  const labels = await query<{ note_id: string; label: string; body: string }>(targetUrl, 'SELECT note_id, label, body FROM note_label ORDER BY note_id');
  const LABEL: Record<string, string> = { a: 'first\tcolumn', b: 'back\\slash', c: 'two\nlines' };
  expect(labels.map((r) => [Number(r.note_id), r.label, r.body])).toEqual(Array.from({ length: ROWS }, (_, k) => [k + 1, LABEL[codes[(k + 1) % 3]], `${body(k + 1)}\r ${codes[(k + 1) % 3]} `]));
}
