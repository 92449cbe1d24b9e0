import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { uniformRates } from '../../src/synth/defects.js';
import { generateTo, generateToCsv } from '../../src/synth/generate.js';
import { LEGACY_TABLES } from '../../src/synth/schema.js';
import { readManifest, readTable, tempDir } from './helpers.js';

describe('synth into a database target', () => {
  it('creates the legacy tables in SQLite and loads the same rows as the CSV output', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'legacy.db');
    const manifest = path.join(dir, 'manifest.json');
    const opts = { seed: 21, patients: 150, rates: uniformRates(0.05) };
    const summary = await generateTo(`sqlite:${file}`, { ...opts, manifest });
    const csv = path.join(dir, 'csv');
    const csvSummary = await generateToCsv({ ...opts, dir: csv });
    expect(summary.tables).toEqual(csvSummary.tables);
    expect(summary.defects).toEqual(csvSummary.defects);
    expect((await readManifest(manifest)).defects).toEqual((await readManifest(path.join(csv, 'defects.json'))).defects);
    const db = new Database(file, { readonly: true });
    try {
      for (const t of LEGACY_TABLES) {
        const { n } = db.prepare(`SELECT COUNT(*) AS n FROM "${t.name}"`).get() as { n: number };
        expect(n, t.name).toBe(summary.tables[t.name]);
      }
      // Empty CSV cells are NULL in the database; text keeps its padding and legacy layout.
      const first = (await readTable(csv, 'PAT_MAST'))[0];
      const row = db.prepare('SELECT * FROM PAT_MAST WHERE PAT_ID = 1').get() as Record<string, unknown>;
      for (const [k, v] of Object.entries(first)) expect(row[k] === null ? '' : String(row[k]), k).toBe(v);
    } finally {
      db.close();
    }
  });
});
