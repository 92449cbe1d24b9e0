import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { uniformRates } from '../../src/synth/defects.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { hashDir, readManifest, readTable, tempDir } from './helpers.js';

describe('synth determinism', () => {
  it('writes byte-identical files, manifest included, for the same seed and options', async () => {
    const root = await tempDir();
    const opts = { seed: 42, patients: 300, rates: uniformRates(0.05) };
    await generateToCsv({ ...opts, dir: path.join(root, 'a') });
    await generateToCsv({ ...opts, dir: path.join(root, 'b') });
    const a = await hashDir(path.join(root, 'a'));
    expect(Object.keys(a)).toHaveLength(17);
    expect(await hashDir(path.join(root, 'b'))).toEqual(a);
  });

  it('writes different data for a different seed', async () => {
    const root = await tempDir();
    await generateToCsv({ seed: 1, patients: 100, dir: path.join(root, 'a') });
    await generateToCsv({ seed: 2, patients: 100, dir: path.join(root, 'b') });
    const a = await hashDir(path.join(root, 'a'));
    const b = await hashDir(path.join(root, 'b'));
    expect(a['PAT_MAST.csv']).not.toBe(b['PAT_MAST.csv']);
    expect(a['LAB.csv']).not.toBe(b['LAB.csv']);
  });

  it('leaves rows the manifest does not name exactly as in the clean data set', async () => {
    const root = await tempDir();
    await generateToCsv({ seed: 5, patients: 200, dir: path.join(root, 'clean') });
    const dirty = path.join(root, 'dirty');
    await generateToCsv({ seed: 5, patients: 200, dir: dirty, rates: uniformRates(0.02) });
    const manifest = await readManifest(path.join(dirty, 'defects.json'));
    for (const [table, key] of [
      ['PAT_MAST', 'PAT_ID'],
      ['LAB', 'LAB_ID'],
      ['IP_SPELL', 'SPELL_ID'],
    ] as const) {
      const named = new Set(manifest.defects.filter((d) => d.table === table).map((d) => d.key));
      const clean = new Map((await readTable(path.join(root, 'clean'), table)).map((r) => [r[key], r]));
      const untouched = (await readTable(dirty, table)).filter((r) => !named.has(r[key]) && clean.has(r[key]));
      expect(named.size).toBeGreaterThan(0);
      expect(untouched.length).toBeGreaterThan(clean.size / 2);
      for (const r of untouched) expect(r).toEqual(clean.get(r[key]));
    }
  });
});
