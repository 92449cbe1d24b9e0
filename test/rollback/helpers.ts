/**
 * Shared helpers for rollback and lineage tests: a content checksum of target tables read
 * back through Ferry's own sources (so it works the same on every kind), fixtures whose
 * values differ between two runs, and the three database kinds as targets.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openSource } from '../../src/connectors/registry.js';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';
import { writeFixture, type FixtureDefects } from '../engine/fixture.js';

export const NO_DEFECTS: FixtureDefects = { badNhs: [], badDob: [], deleted: [], badSex: [] };

/** SHA-256 over every row of the tables, in primary-key order, plus row counts. */
export async function checksum(url: string, tables: Array<{ name: string; key: string[] }>): Promise<string> {
  const source = await openSource(url);
  const h = createHash('sha256');
  try {
    for (const t of tables) {
      let n = 0;
      for await (const batch of source.read(t.name, { orderBy: t.key, sliceRows: 1000 })) {
        for (const row of batch.rows) {
          n++;
          h.update(JSON.stringify(row.map((v) => (v === null ? null : Buffer.isBuffer(v) ? v.toString('hex') : String(v)))));
          h.update('\n');
        }
      }
      h.update(`${t.name}:${n}\n`);
    }
  } finally {
    await source.close();
  }
  return h.digest('hex');
}

export const TABLES = [
  { name: 'patient', key: ['patient_id'] },
  { name: 'address', key: ['address_id'] },
];

/** Writes the fixture, then rewrites text so the same keys carry different values. */
export async function writeChangedFixture(dir: string, patients: number, defects: FixtureDefects): Promise<string> {
  const contract = await writeFixture(dir, patients, defects);
  for (const [file, from, to] of [
    ['PAT.csv', /,jane,/g, ',joan,'],
    ['ADDR.csv', /ls1 4ap/g, 'ls2 7uu'],
  ] as const) {
    const p = path.join(dir, 'source', file);
    await writeFile(p, (await readFile(p, 'utf8')).replace(from, to));
  }
  return contract;
}

/** Keeps only source rows of patients after `first` (so an append run inserts new keys only). */
export async function dropPatientsUpTo(dir: string, first: number): Promise<void> {
  for (const [file, col] of [
    ['PAT.csv', 0],
    ['ADDR.csv', 1],
    ['GP.csv', 0],
  ] as const) {
    const p = path.join(dir, 'source', file);
    const [head, ...rows] = (await readFile(p, 'utf8')).split('\n').filter(Boolean);
    await writeFile(p, [head, ...rows.filter((r) => Number(r.split(',')[col]) > first)].join('\n') + '\n');
  }
}

export interface DbKind {
  kind: string;
  create(): Promise<{ url: string; drop: () => Promise<void> }>;
}

/** The database kinds rollback is proven on; SQLite lives in the test's temp directory. */
export function databaseKinds(tmp: () => string): DbKind[] {
  return [
    { kind: 'sqlite', create: async () => ({ url: `sqlite:${path.join(tmp(), `target-${randomBytes(4).toString('hex')}.db`)}`, drop: async () => {} }) },
    { kind: 'postgres', create: () => createPgDatabase('ferry_rb') },
    { kind: 'mariadb', create: () => createMysqlDatabase('ferry_rb') },
  ];
}
