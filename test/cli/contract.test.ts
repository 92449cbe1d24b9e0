import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { reportError } from '../../src/cli/main.js';
import { register } from '../../src/cli/contract.js';
import { contractJsonSchemaText } from '../../src/contract/json-schema.js';

const fixtures = fileURLToPath(new URL('../fixtures/contracts/', import.meta.url));

// Mirrors main(): a fresh program with this command group, errors mapped by reportError.
// main() itself also loads the other command groups, which are developed separately.
async function ferry(argv: string[], cwd = fixtures) {
  const io = memoryIO({ cwd });
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

describe('ferry contract validate', () => {
  it('prints a one-line summary with counts and the digest', async () => {
    const r = await ferry(['contract', 'validate', 'valid/contract.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok valid\/contract\.yaml: legacy_pas_small 1\.0\.0: 2 source tables, 1 target table, 1 mapping, 8 fields, 1 crosswalk \(4 codes\); digest [0-9a-f]{64}\n$/);
    expect(r.stderr).toBe('');
  });

  it('prints the result as JSON', async () => {
    const r = await ferry(['contract', 'validate', 'valid/contract.yaml', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      ok: true,
      file: 'valid/contract.yaml',
      name: 'legacy_pas_small',
      version: '1.0.0',
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      counts: { source_tables: 2, source_columns: 10, target_tables: 1, target_columns: 8, mappings: 1, fields: 8, crosswalks: 1, crosswalk_entries: 4 },
    });
  });

  it('exits 2 and prints every issue as file:line:column on stderr', async () => {
    const r = await ferry(['contract', 'validate', 'invalid/unknown-step.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('ferry: invalid/unknown-step.yaml: 1 problem(s) in the contract');
    expect(lines[1]).toMatch(/^invalid\/unknown-step\.yaml:69:23: mappings\.patient\.fields\.family_name\.steps\[1\]: unknown transform step 'uper'/);
  });

  it('with --json, prints the issues as JSON and still exits 2', async () => {
    const r = await ferry(['contract', 'validate', 'invalid/duplicate-key.yaml', '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('contract.invalid');
    expect(out.issues).toEqual([
      {
        severity: 'error',
        code: 'contract.yaml_duplicate_key',
        path: '',
        message: "duplicate key 'version'; each key may appear only once in a map",
        file: 'invalid/duplicate-key.yaml',
        line: 7,
        column: 3,
      },
    ]);
  });

  it('reports a file that does not exist', async () => {
    const r = await ferry(['contract', 'validate', 'nope.yaml']);
    expect(r.code).toBe(7);
    expect(r.stderr).toBe('ferry: nope.yaml: cannot read the contract (no such file)\n');
  });
});

describe('ferry contract digest', () => {
  it('prints the digest like sha256sum, and as JSON', async () => {
    const text = await ferry(['contract', 'digest', 'valid/contract.yaml']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^[0-9a-f]{64} {2}valid\/contract\.yaml\n$/);
    const json = await ferry(['contract', 'digest', 'valid/contract.yaml', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      file: 'valid/contract.yaml',
      name: 'legacy_pas_small',
      version: '1.0.0',
      algorithm: 'sha256',
      digest: text.stdout.slice(0, 64),
    });
  });
});

describe('ferry contract diff', () => {
  it('shows no differences between a contract and itself', async () => {
    const r = await ferry(['contract', 'diff', 'valid/contract.yaml', 'valid/contract.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^--- legacy_pas_small 1\.0\.0 \([0-9a-f]{12}\)\n\+\+\+ legacy_pas_small 1\.0\.0 \([0-9a-f]{12}\)\nno differences\n$/);
  });

  it('prints the structured diff as JSON', async () => {
    const r = await ferry(['contract', 'diff', 'valid/contract.yaml', 'valid/contract.yaml', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.identical).toBe(true);
    expect(out.changes).toEqual([]);
    expect(out.old.digest).toBe(out.new.digest);
  });

  it('fails like validate when either contract is invalid', async () => {
    const r = await ferry(['contract', 'diff', 'valid/contract.yaml', 'invalid/bad-enum.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid/bad-enum.yaml:19:22: source.tables.PATIENT.columns.DOB.type: expected one of text');
  });
});

describe('ferry contract schema', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-schema-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the JSON Schema', async () => {
    const r = await ferry(['contract', 'schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(contractJsonSchemaText());
  });

  it('writes it to --out relative to the working directory', async () => {
    const r = await ferry(['contract', 'schema', '--out', 'contract.schema.json'], dir);
    expect(r.stdout).toBe('wrote contract.schema.json\n');
    expect(await readFile(join(dir, 'contract.schema.json'), 'utf8')).toBe(contractJsonSchemaText());
  });
});

describe('ferry contract --help', () => {
  it('describes every option', async () => {
    const r = await ferry(['contract', 'validate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toMatch(/--json\s+print the result as JSON/);
  });
});
