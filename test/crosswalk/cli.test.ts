import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/cli/crosswalk.js';
import { memoryIO } from '../../src/cli/io.js';
import { reportError } from '../../src/cli/main.js';
import { tempDir } from '../helpers/tmp.js';

const validDir = fileURLToPath(new URL('../fixtures/contracts/valid/', import.meta.url));

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-crosswalk-cli-'));
  await cp(validDir, join(dir, 'contract'), { recursive: true });
  await mkdir(join(dir, 'source'));
  const sexes = ['M', 'F', 'f', 'X', 'X', 'Y'];
  await writeFile(join(dir, 'source', 'PATIENT.csv'), ['PAT_ID,NHS_NO,SURNAME,FORENAME,SEX,DOB,GP_CODE,STATUS', ...sexes.map((s, i) => `${i + 1},,A,B,${s},,G1,`)].join('\n'));
  await writeFile(join(dir, 'source', 'GP.csv'), 'GP_CODE,PRACTICE\nG1,A81001\n');
  await writeFile(join(dir, 'old.csv'), 'source_code,target_code,target_display,equivalence\nM,1,Male,equivalent\nF,2,Female,equivalent\nU,0,Not known,equivalent\n');
  await writeFile(
    join(dir, 'new.csv'),
    'source_code,target_code,target_display,equivalence\nm,1,Male,equivalent\nF,2,Female,wider\nU,X,Not Known (not recorded),equivalent\nI,9,Indeterminate,equivalent\n',
  );
});
afterAll(() => cleanup());

// Mirrors main(): a fresh program with this command group, errors mapped by reportError.
async function ferry(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = memoryIO({ cwd: dir, env });
  let code = 0;
  const program = new Command('ferry').exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  register(program, io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    code = reportError(err, io);
  }
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('ferry crosswalk coverage', () => {
  it('prints per crosswalk the codes seen, translated and unmapped, largest first', async () => {
    const r = await ferry(['crosswalk', 'coverage', 'contract/contract.yaml', '--source', `csv:${join(dir, 'source')}`]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('patient (from PATIENT): 6 rows read, 0 excluded by the filter');
    expect(r.stdout).toContain('crosswalk sex (crosswalks/sex.csv, version 2024-01, 4 entries)');
    expect(r.stdout).toContain('  used by patient.sex_code (PATIENT)');
    expect(r.stdout).toContain('  distinct codes: 4 seen, 2 translated, 2 unmapped (50.0% covered)');
    expect(r.stdout).toContain('  rows: 6 seen, 3 translated, 3 unmapped (50.0% covered)');
    expect(r.stdout).toMatch(/unmapped codes, most rows first:\n {4}X {2}2 rows\n {4}Y {2}1 row\n/);
    expect(r.stdout).toContain('  2 of 4 entries never occurred in the source');
  });

  it('prints the documented JSON shape, taking the source from FERRY_SOURCE_URL', async () => {
    const r = await ferry(['crosswalk', 'coverage', 'contract/contract.yaml', '--json'], { FERRY_SOURCE_URL: `csv:${join(dir, 'source')}` });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['contract', 'source', 'tables', 'crosswalks']);
    expect(Object.keys(report.crosswalks[0])).toEqual([
      'crosswalk',
      'file',
      'version',
      'entries',
      'used_by',
      'rows',
      'rows_translated',
      'rows_unmapped',
      'distinct_seen',
      'distinct_translated',
      'distinct_unmapped',
      'distinct_coverage',
      'row_coverage',
      'unmapped',
      'unused_entries',
    ]);
    expect(report.crosswalks[0].unmapped).toEqual([
      { code: 'X', rows: 2 },
      { code: 'Y', rows: 1 },
    ]);
  });

  it('asks for a source when none is given', async () => {
    const r = await ferry(['crosswalk', 'coverage', 'contract/contract.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give --source URL or set FERRY_SOURCE_URL');
  });
});

describe('ferry crosswalk diff', () => {
  it('prints one line per change', async () => {
    const r = await ferry(['crosswalk', 'diff', 'old.csv', 'new.csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '--- old.csv',
        '+++ new.csv',
        '+ I → 9 (Indeterminate) [equivalent]',
        '~ U target: 0 (Not known) → X (Not Known (not recorded))',
        '~ F equivalence: "equivalent" → "wider"',
        '1 code unchanged',
        '',
      ].join('\n'),
    );
  });

  it('matches codes exactly with --case-sensitive, and prints JSON', async () => {
    const r = await ferry(['crosswalk', 'diff', 'old.csv', 'new.csv', '--case-sensitive', '--json']);
    const d = JSON.parse(r.stdout);
    expect(d.added.map((e: { source_code: string }) => e.source_code)).toEqual(['m', 'I']);
    expect(d.removed.map((e: { source_code: string }) => e.source_code)).toEqual(['M']);
    expect(d).toMatchObject({ old: 'old.csv', new: 'new.csv', identical: false, unchanged: 0 });
  });
});

describe('ferry crosswalk reference and check', () => {
  it('lists the shipped lists and prints one', async () => {
    const all = await ferry(['crosswalk', 'reference']);
    expect(all.stdout).toMatch(/^person-stated-gender +4 codes {2}PERSON STATED GENDER CODE$/m);
    expect(all.stdout).toMatch(/^attendance-status +7 codes {2}ATTENDED OR DID NOT ATTEND$/m);
    const one = JSON.parse((await ferry(['crosswalk', 'reference', 'marital-status', '--json'])).stdout);
    expect(one).toMatchObject({ name: 'marital-status', element: 'PERSON MARITAL STATUS' });
    expect(one.codes[0]).toEqual({ code: 'S', display: 'Single', definition: '' });
    const bad = await ferry(['crosswalk', 'reference', 'gender']);
    expect(bad.code).toBe(2);
  });

  it('exits 2 when a target code is not national, and 0 with only display warnings', async () => {
    const bad = await ferry(['crosswalk', 'check', 'old.csv', '--reference', 'person-stated-gender']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('error: target code "0" (Not known) is not in person-stated-gender; used by source code U');
    expect(bad.stdout).toContain('failed: 1 target code is not in person-stated-gender');
    const good = await ferry(['crosswalk', 'check', 'new.csv', '--reference', 'person-stated-gender', '--json']);
    expect(good.code).toBe(0);
    const result = JSON.parse(good.stdout);
    expect(result).toMatchObject({ file: 'new.csv', reference: 'person-stated-gender', ok: true, unknown_targets: [] });
    expect(result.display_mismatches.map((m: { source_code: string }) => m.source_code)).toEqual(['I']);
  });
});
