import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/load.js';
import { contractSchema } from '../../src/contract/model.js';
import { generateWide } from '../../src/synth/wide.js';
import { hashDir, tempDir } from './helpers.js';

describe('scale mode (--wide)', () => {
  it('writes 417 source tables / 5,387 fields and a valid 38-table / 880-field draft contract', async () => {
    const dir = await tempDir();
    const s = await generateWide({ seed: 1, dir });
    expect(s).toMatchObject({ sourceTables: 417, sourceFields: 5387, targetTables: 38, targetFields: 880 });
    const csvs = (await readdir(dir)).filter((f) => f.endsWith('.csv'));
    expect(csvs).toHaveLength(417);
    const contract = contractSchema.parse(parseYaml(await readFile(path.join(dir, 'contract.yaml'), 'utf8')));
    const sourceFields = Object.values(contract.source.tables).reduce((n, t) => n + Object.keys(t.columns).length, 0);
    expect(sourceFields).toBe(5387);
    expect(Object.keys(contract.target.tables)).toHaveLength(38);
    const fields = Object.values(contract.mappings).flatMap((m) => Object.values(m.fields));
    expect(fields).toHaveLength(880);
    expect(fields.every((f) => f.status === 'suggested' && f.rationale.length > 20)).toBe(true);
    const loaded = await loadContract(path.join(dir, 'contract.yaml'));
    expect(Object.keys(loaded.contract.mappings)).toHaveLength(38);
  });

  it('is deterministic for a seed and refuses shapes it cannot fill', async () => {
    const a = await tempDir();
    const b = await tempDir();
    await generateWide({ seed: 4, dir: a, tables: 20, fields: 200, targetTables: 4, targetFields: 60 });
    await generateWide({ seed: 4, dir: b, tables: 20, fields: 200, targetTables: 4, targetFields: 60 });
    expect(await hashDir(b)).toEqual(await hashDir(a));
    await expect(generateWide({ seed: 4, dir: a, tables: 20, fields: 30 })).rejects.toMatchObject({ code: 'synth.wide_shape' });
  });
});
