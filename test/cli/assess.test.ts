import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { assessmentSchema } from '../../src/profile/assess/model.js';
import { uniformRates } from '../../src/synth/defects.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { tempDir } from '../helpers/tmp.js';
import { expectedFigures, reportedFigures } from '../profile/assess/manifest-figures.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONTRACT = path.join(ROOT, 'examples/legacy-pas/contract.yaml');

let dir: string;
let cleanup: () => Promise<void>;

/** Runs the built `ferry` (npm run build:cli) as a child process. */
function ferry(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/ferry.js'), ...args], { cwd, env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await generateToCsv({ dir: path.join(dir, 'pas'), seed: 3, patients: 250, rates: uniformRates(0.04) });
});
afterAll(() => cleanup());

describe('ferry assess (the built CLI)', () => {
  it('prints the assessment as JSON whose figures match the defect manifest, and writes the HTML page', async () => {
    const r = await ferry(['assess', '--source', 'csv:pas', '--contract', CONTRACT, '--json', '--html', 'assessment.html'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const a = assessmentSchema.parse(JSON.parse(r.stdout));
    const expected = await expectedFigures(path.join(dir, 'pas', 'defects.json'));
    const got = reportedFigures(a);
    expect(got.orphans).toEqual(expected.orphans);
    expect(got.nhsNumberDuplicates).toBe(expected.duplicatePatients);
    expect(got.uncoveredCodes).toEqual(expected.uncoveredCodes);
    expect(a.contract?.name).toBe('legacy_pas_to_epr');
    const html = await readFile(path.join(dir, 'assessment.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`${a.totals.analyst_days} analyst days`);
  });

  it('prints a plain-text summary by default, the source taken from FERRY_SOURCE_URL', async () => {
    const r = await ferry(['assess', '--tables', 'PAT_MAST,LAB'], dir, { FERRY_SOURCE_URL: 'csv:pas' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^readiness assessment of csv:/);
    expect(r.stdout).toMatch(/^complexity: (LOW|MEDIUM|HIGH|VERY HIGH) \(\d+ points\)$/m);
    expect(r.stdout).toMatch(/^PAT_MAST: 2\d\d rows, 14 columns — [\d.]+ day\(s\) = 1×0\.5 base \+ 14×0\.02 column/m);
    expect(r.stdout).toMatch(/^ {2}orphans LAB_PATID → PAT_MAST: \d+ of \d+ rows/m);
  });
});

describe('ferry assess usage', () => {
  it('exits with a usage error when no source is given', async () => {
    const io = memoryIO({ cwd: dir, env: {} });
    expect(await main(['assess'], io)).toBe(2);
    expect(io.stderr).toMatch(/no source: give --source URL or set FERRY_SOURCE_URL/);
  });
});
