import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { sourceTableSchema } from '../../src/contract/model.js';
import { uniformRates } from '../../src/synth/defects.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { LEGACY_TABLES, toSourceTables, toTargetTableDefs } from '../../src/synth/schema.js';
import { tempDir } from './helpers.js';

describe('legacy schema', () => {
  it('uses cryptic upper-case names and keys every table', () => {
    for (const t of LEGACY_TABLES) {
      expect(t.name).toMatch(/^[A-Z_]+$/);
      for (const c of t.columns) expect(c.name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(t.columns.map((c) => c.name)).toEqual(expect.arrayContaining(t.primaryKey));
    }
  });

  it('converts to the contract source shape and to target definitions with the same columns', () => {
    const source = toSourceTables();
    const defs = toTargetTableDefs();
    for (const t of LEGACY_TABLES) {
      expect(() => sourceTableSchema.parse(source[t.name])).not.toThrow();
      expect(Object.keys(source[t.name].columns)).toEqual(t.columns.map((c) => c.name));
      const def = defs.find((d) => d.name === t.name)!;
      expect(def.columns.map((c) => c.name)).toEqual(t.columns.map((c) => c.name));
      expect(def.primaryKey).toEqual(t.primaryKey);
      // The legacy system enforced no foreign keys; a copy of it must hold its orphans.
      expect(def.foreignKeys).toEqual([]);
    }
  });

  it('writes a header matching the schema and rows of exactly that width', async () => {
    const dir = await tempDir();
    await generateToCsv({ seed: 8, patients: 120, dir, rates: uniformRates(0.1) });
    for (const t of LEGACY_TABLES) {
      const records = parse(await readFile(path.join(dir, `${t.name}.csv`)), { relax_column_count: false }) as string[][];
      expect(records[0]).toEqual(t.columns.map((c) => c.name));
      expect(records.length).toBeGreaterThan(1);
    }
  });
});
