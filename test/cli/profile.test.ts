import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { SourceProfile } from '../../src/profile/types.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { tempDir } from '../helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await generateToCsv({ dir: path.join(dir, 'pas'), seed: 5, patients: 60 });
});
afterAll(() => cleanup());

describe('ferry profile', () => {
  it('prints every table with keys, foreign keys and column patterns', async () => {
    const io = memoryIO({ cwd: dir });
    expect(await main(['profile', `csv:${path.join(dir, 'pas')}`, '--tables', 'PAT_MAST,GP_REG'], io)).toBe(0);
    expect(io.stdout).toMatch(/^PAT_MAST: 60 rows/m);
    expect(io.stdout).toMatch(/GP_REG: \d+ rows/);
    expect(io.stdout).toMatch(/GPR_PATID → PAT_MAST\.PAT_ID \(strong 100\.0% found\)/);
    expect(io.stdout).toMatch(/PAT_DOB\s+text→date · date dd\/mm\/yyyy/);
  });

  it('prints the documented JSON shape with --json and honours --min-frequency', async () => {
    const io = memoryIO({ cwd: dir });
    expect(await main(['profile', `csv:${path.join(dir, 'pas')}`, '--tables', 'PAT_MAST', '--json', '--min-frequency', '1000'], io)).toBe(0);
    const p = JSON.parse(io.stdout) as SourceProfile;
    expect(p).toMatchObject({ profile_version: 1, options: { min_frequency: 1000, sample: 10_000, seed: 1 } });
    expect(p.tables.map((t) => t.name)).toEqual(['PAT_MAST']);
    expect(p.tables[0].columns.every((c) => c.top_values.length === 0)).toBe(true);
  });

  it('writes a self-contained, escaped HTML page', async () => {
    const io = memoryIO({ cwd: dir });
    expect(await main(['profile', `csv:${path.join(dir, 'pas')}`, '--tables', 'PAT_MAST', '--html', 'profile.html'], io)).toBe(0);
    const html = await readFile(path.join(dir, 'profile.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
    expect(html).toContain('<b>PAT_NHSNO</b>');
  });

  it('exits with a usage error for an unknown table', async () => {
    const io = memoryIO({ cwd: dir });
    expect(await main(['profile', `csv:${path.join(dir, 'pas')}`, '--tables', 'NOPE'], io)).toBe(2);
    expect(io.stderr).toMatch(/no table\(s\) NOPE/);
  });
});

describe('ferry contract pin', () => {
  it('pins the source schema into the contract, keeping its comments, and it still validates', async () => {
    await cp(path.join(process.cwd(), 'examples', 'legacy-pas'), path.join(dir, 'contract'), { recursive: true });
    const before = await readFile(path.join(dir, 'contract', 'contract.yaml'), 'utf8');
    const io = memoryIO({ cwd: dir });
    expect(await main(['contract', 'pin', 'contract/contract.yaml', '--source', `csv:${path.join(dir, 'pas')}`], io)).toBe(0);
    expect(io.stdout).toMatch(/pinned 16 source table\(s\) from csv:.*\(16 replaced, 0 added\)/);
    const after = await readFile(path.join(dir, 'contract', 'contract.yaml'), 'utf8');
    const comments = (s: string) => s.split('\n').filter((l) => l.trimStart().startsWith('#'));
    expect(comments(after)).toEqual(comments(before));
    expect(await main(['contract', 'validate', 'contract/contract.yaml'], memoryIO({ cwd: dir }))).toBe(0);
  });

  it('writes nothing when pinning would break a contract that was valid', async () => {
    await cp(path.join(process.cwd(), 'examples', 'legacy-pas'), path.join(dir, 'broken'), { recursive: true });
    const file = path.join(dir, 'broken', 'contract.yaml');
    const before = await readFile(file, 'utf8');
    // A source whose PAT_MAST lacks the columns the mappings read.
    await mkdir(path.join(dir, 'thin'), { recursive: true });
    await writeFile(path.join(dir, 'thin', 'PAT_MAST.csv'), 'PAT_ID\n1\n2\n');
    const io = memoryIO({ cwd: dir });
    expect(await main(['contract', 'pin', 'broken/contract.yaml', '--source', `csv:${path.join(dir, 'thin')}`], io)).toBe(2);
    expect(io.stderr).toMatch(/would make the contract invalid, so nothing was written/);
    expect(io.stderr).toMatch(/PAT_NHSNO/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
