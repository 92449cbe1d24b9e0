import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { reportError } from '../../src/cli/main.js';
import { register as registerInit } from '../../src/cli/init.js';
import { register as registerContract } from '../../src/cli/contract.js';
import { loadContract } from '../../src/contract/load.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'ferry-init-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

// Mirrors main() with just the command groups under test.
async function ferry(argv: string[]) {
  const io = memoryIO({ cwd });
  let code = 0;
  const program = new Command('ferry').exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const setExit = (c: number) => {
    code = c;
  };
  registerInit(program, io, setExit);
  registerContract(program, io, setExit);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    code = reportError(err, io);
  }
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('ferry init', () => {
  it('scaffolds a project whose starter contract validates', async () => {
    const r = await ferry(['init', 'acute-pas']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created acute-pas/contract.yaml\n');
    expect(r.stdout).toContain('next: edit acute-pas/contract.yaml, then run: ferry contract validate acute-pas/contract.yaml');
    expect((await readdir(join(cwd, 'acute-pas'))).sort()).toEqual(['.env.example', 'README.md', 'contract.yaml', 'crosswalks']);

    const loaded = await loadContract(join(cwd, 'acute-pas', 'contract.yaml'));
    expect(loaded.contract.metadata.name).toBe('acute_pas');
    expect(Object.keys(loaded.contract.source.tables)).toHaveLength(2);
    expect(Object.keys(loaded.contract.target.tables)).toEqual(['patient']);
    expect(loaded.crosswalks.sex.map((e) => e.source_code)).toEqual(['M', 'F', 'I', 'U']);
    const fields = Object.values(loaded.contract.mappings.patient.fields);
    expect(fields.some((f) => f.steps.length > 0 && f.rules.length > 0)).toBe(true);

    const validate = await ferry(['contract', 'validate', 'acute-pas/contract.yaml']);
    expect(validate.code).toBe(0);
  });

  it('writes a commented contract and explains credentials through the environment', async () => {
    await ferry(['init', 'p']);
    const contract = await readFile(join(cwd, 'p', 'contract.yaml'), 'utf8');
    expect(contract.split('\n').filter((l) => l.trimStart().startsWith('#')).length).toBeGreaterThan(5);
    const env = await readFile(join(cwd, 'p', '.env.example'), 'utf8');
    expect(env).toContain('PGPASSWORD=');
    expect(env).toContain('password_env=');
    expect(env).toContain('FERRY_SOURCE_URL=');
    expect(await readFile(join(cwd, 'p', 'README.md'), 'utf8')).toContain('ferry contract validate contract.yaml');
  });

  it('takes the contract name from --name', async () => {
    await ferry(['init', 'p', '--name', 'trust_x']);
    expect((await loadContract(join(cwd, 'p', 'contract.yaml'))).contract.metadata.name).toBe('trust_x');
  });

  it('refuses a non-empty directory without --force, and leaves it untouched', async () => {
    await mkdir(join(cwd, 'busy'));
    await writeFile(join(cwd, 'busy', 'contract.yaml'), 'mine');
    const r = await ferry(['init', 'busy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ferry: busy is not empty; .*--force/);
    expect(await readFile(join(cwd, 'busy', 'contract.yaml'), 'utf8')).toBe('mine');

    const forced = await ferry(['init', 'busy', '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(join(cwd, 'busy', 'contract.yaml'), 'utf8')).toContain('ferry: 1');
  });

  it('initialises an existing empty directory', async () => {
    await mkdir(join(cwd, 'empty'));
    expect((await ferry(['init', 'empty'])).code).toBe(0);
  });

  it('rejects a --name that is not an identifier', async () => {
    const r = await ferry(['init', 'p', '--name', '9 lives']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--name '9 lives' is not an identifier");
  });
});
