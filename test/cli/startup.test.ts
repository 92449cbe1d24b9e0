import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/errors.js';
import { memoryIO } from '../../src/cli/io.js';
import { buildProgram, commandTable, groupNames, groupsFor, main } from '../../src/cli/main.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIST_MAIN = path.join(ROOT, 'dist/cli/main.js');

/** Every command's help text below `cmd`, keyed by its full name. */
function helpTree(cmd: Command, trail: string[] = [], out = new Map<string, string>()): Map<string, string> {
  for (const sub of cmd.commands) {
    const name = [...trail, sub.name()].join(' ');
    out.set(name, sub.helpInformation());
    helpTree(sub, [...trail, sub.name()], out);
  }
  return out;
}

describe('lazy command loading', () => {
  it('the command table names every top-level command of the full program, and nothing else', async () => {
    const full = await buildProgram(memoryIO(), () => undefined);
    expect(Object.keys(commandTable).sort()).toEqual(full.commands.map((c) => c.name()).sort());
  });

  it('every command group module is loaded by some command', () => {
    const used = new Set(Object.values(commandTable).flat());
    expect(groupNames.filter((g) => !used.has(g))).toEqual([]);
  });

  it("loading only a command's own groups gives it the same subcommands, options and help as the full program", async () => {
    const fullTree = helpTree(await buildProgram(memoryIO(), () => undefined));
    for (const command of Object.keys(commandTable)) {
      const only = await buildProgram(memoryIO(), () => undefined, groupsFor([command, '--help']));
      const tree = helpTree(only);
      const expected = [...fullTree].filter(([name]) => name === command || name.startsWith(`${command} `));
      expect(expected.length).toBeGreaterThan(0);
      for (const [name, help] of expected) expect(tree.get(name), `ferry ${name} --help`).toBe(help);
    }
  });

  it('answers --version without loading any group, and loads every group for the top-level help and unknown commands', async () => {
    expect(groupsFor(['--version'])).toEqual([]);
    expect(groupsFor(['-V'])).toEqual([]);
    expect(groupsFor([])).toEqual(groupNames);
    expect(groupsFor(['--help'])).toEqual(groupNames);
    expect(groupsFor(['contarct'])).toEqual(groupNames);
    expect(groupsFor(['toString'])).toEqual(groupNames);
    expect(groupsFor(['admin', 'connection', 'list'])).toEqual(['admin', 'adminConnection']);
    const io = memoryIO();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.stdout.trim()).toBe('0.1.0');
  });

  it('still suggests the right command for a typo', async () => {
    const io = memoryIO();
    expect(await main(['contarct'], io)).toBe(2);
    expect(io.stderr).toContain('Did you mean contract?');
  });
});

describe('the compiled CLI (dist/, built by `npm run build:cli`)', () => {
  const ferry = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/ferry.js'), ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  it('exists (npm test and npm install build it)', () => {
    expect(existsSync(DIST_MAIN), 'dist/cli/main.js is missing: run `npm run build:cli`').toBe(true);
  });

  it('runs --version from dist without falling back to tsx', () => {
    const r = ferry('--version');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0.1.0');
    expect(r.status).toBe(0);
  });

  it('validates the example contract, and names a missing one with the not-found exit code', () => {
    const ok = ferry('contract', 'validate', 'examples/legacy-pas/contract.yaml');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ok examples\/legacy-pas\/contract\.yaml: legacy_pas_to_epr .* digest [0-9a-f]{64}\n$/);
    const missing = ferry('contract', 'validate', 'examples/legacy-pas/no-such-contract.yaml');
    expect(missing.stderr).toContain('no-such-contract.yaml');
    expect(missing.status).toBe(EXIT_CODES.not_found);
  });

  it('imports zod, commander and csv-parse from their one-file bundles, never from the packages (scripts/vendor-cli-deps.ts)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    expect(existsSync(path.join(ROOT, 'dist/vendor/zod.js'))).toBe(true);
    const compiled = (await readdir(path.join(ROOT, 'dist'), { recursive: true })).filter((f) => f.endsWith('.js') && !f.startsWith('vendor'));
    const texts = await Promise.all(compiled.map((f) => readFile(path.join(ROOT, 'dist', f), 'utf8')));
    expect(compiled.filter((_, i) => /from ['"](zod|commander|csv-parse\/sync)['"]/.test(texts[i]))).toEqual([]);
    expect(texts.filter((t) => t.includes('vendor/zod.js')).length).toBeGreaterThan(10);
  });

  it('finds the files it reads next to its own code from dist/ as from src/', () => {
    // Imported by plain Node in one child, as the CLI loads them: through vitest each compiled
    // module (the bundled vendor files included) would be transformed again, seconds under load.
    const script = `
      const dist = (m) => import(new URL(m, ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/')).href)}).href);
      const [probe, codeLists, passwords, ui, demo, drugClasses] = await Promise.all(
        ['server/probe/probe.js', 'reference/code-lists.js', 'control/password-policy.js', 'server/static-ui.js', 'cli/demo.js', 'reference/drug-classes.js'].map(dist),
      );
      console.log(JSON.stringify({
        probeContract: probe.PROBE_CONTRACT_FILE, probeSource: probe.PROBE_SOURCE_DIR, referenceDir: codeLists.REFERENCE_DIR, drugClassesDir: drugClasses.DRUG_CLASSES_DIR,
        commonPasswords: passwords.COMMON_PASSWORDS_FILE, webDir: ui.DEFAULT_WEB_DIR, exampleContract: demo.EXAMPLE_CONTRACT,
      }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const found = JSON.parse(r.stdout) as Record<string, string>;
    expect(existsSync(found.probeContract)).toBe(true);
    expect(existsSync(path.join(found.probeSource, 'PERSON.csv'))).toBe(true);
    expect(found.referenceDir).toBe(`${path.join(ROOT, 'reference/nhs-data-dictionary')}/`);
    expect(existsSync(path.join(found.drugClassesDir, 'drug-classes.csv'))).toBe(true);
    expect(existsSync(found.commonPasswords)).toBe(true);
    expect(found.webDir).toBe(path.join(ROOT, 'web/dist'));
    expect(found.exampleContract).toBe(path.join(ROOT, 'examples/legacy-pas/contract.yaml'));
  });
});
