import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from '../../src/cli/synth.js';
import { memoryIO } from '../../src/cli/io.js';
import { reportError } from '../../src/cli/main.js';
import { tempDir } from '../synth/helpers.js';

// Drives the command group on its own program, exactly as main() registers it.
async function ferry(argv: string[], cwd: string) {
  const io = memoryIO({ cwd });
  let code = 0;
  const program = new Command('ferry').exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  register(program, io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    code = reportError(err, io);
  }
  return { code, io };
}

describe('ferry synth', () => {
  it('prints the JSON summary with row and defect counts and writes the manifest beside the CSV files', async () => {
    const cwd = await tempDir();
    const { code, io } = await ferry(['synth', '--seed', '42', '--patients', '40', '--out', 'csv:out', '--defects', '0.1', '--json'], cwd);
    expect(code).toBe(0);
    const summary = JSON.parse(io.stdout);
    expect(Object.keys(summary).sort()).toEqual(['defects', 'elapsedMs', 'manifest', 'patients', 'seed', 'tables']);
    expect(summary).toMatchObject({ seed: 42, patients: 40, manifest: path.join(cwd, 'out', 'defects.json') });
    expect(summary.tables.PAT_MAST).toBeGreaterThanOrEqual(40);
    const manifest = JSON.parse(await readFile(summary.manifest, 'utf8'));
    expect(manifest.defects).toHaveLength(Object.values(summary.defects as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(io.stderr).toBe('');
  });

  it('reads a defect profile and honours --manifest', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'p.yaml'), 'rates:\n  nhs_number_missing: 0.5\n');
    const { code, io } = await ferry(['synth', '--patients', '60', '--out', 'csv:o', '--profile', 'p.yaml', '--manifest', 'm/d.json', '--json'], cwd);
    expect(code).toBe(0);
    const summary = JSON.parse(io.stdout);
    expect(summary.manifest).toBe(path.join(cwd, 'm', 'd.json'));
    expect(summary.defects.nhs_number_missing).toBeGreaterThan(10);
    expect(summary.defects.postcode_invalid).toBe(0);
  });

  it('refuses two defect options at once with a usage exit code', async () => {
    const cwd = await tempDir();
    const { code, io } = await ferry(['synth', '--out', 'csv:o', '--clean', '--defects', '0.1'], cwd);
    expect(code).toBe(2);
    expect(io.stderr).toContain('choose one of --defects RATE, --profile FILE or --clean');
  });

  it('prints a human summary without a progress bar when output is not a terminal', async () => {
    const cwd = await tempDir();
    const { code, io } = await ferry(['synth', '--patients', '20', '--out', 'csv:o', '--clean'], cwd);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/^ferry synth: 20 patients, \d+ rows in 16 tables/);
    expect(io.stdout).toContain('defects: 0 injected');
    expect(io.stdout + io.stderr).not.toContain('ETA');
  });

  it('writes the wide schema and its draft contract in scale mode', async () => {
    const cwd = await tempDir();
    const { code, io } = await ferry(['synth', '--wide', '--tables', '60', '--fields', '1000', '--out', 'wide', '--json'], cwd);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ sourceTables: 60, sourceFields: 1000, targetTables: 38, targetFields: 880 });
  });
});
