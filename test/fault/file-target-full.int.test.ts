/**
 * A file target whose disk fills up in the middle of a run. The child's file size is capped
 * with RLIMIT_FSIZE (`ulimit -f`), which makes a write past the cap fail with EFBIG much as a
 * full disk fails it with ENOSPC, on any machine and without mounting a small tmpfs (which
 * needs root). The run must end with csv.write_failed, every data file must hold exactly the
 * rows its checkpoints vouch for (no partial batch), and --resume without the cap must produce
 * exactly the files of a clean run. The control store is a PostgreSQL database here, so the cap
 * hits the target's files and not the store's SQLite file (that case is
 * control-store-full.int.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_YAML, writeFixture } from '../engine/fixture.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { BATCH } from './example-source.js';
import { runFerry } from './ferry-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let cleanup: () => Promise<void>;
let contract: string;
let store: { url: string; drop: () => Promise<void> };

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-full-'));
  store = await createPgDatabase('ferry_full_store');
  await writeFixture(dir, 4000);
  contract = path.join(dir, 'contract.yaml');
  // File targets append (they have no key index to upsert by).
  await writeFile(
    contract,
    CONTRACT_YAML.replace('  patient:\n    source: PAT\n', '  patient:\n    source: PAT\n    load: append\n').replace(
      '  address:\n    source: ADDR\n',
      '  address:\n    source: ADDR\n    load: append\n',
    ),
  );
});
afterAll(async () => {
  await store?.drop();
  await cleanup();
});

/** The data files of a CSV target directory with their contents. */
async function dataFiles(target: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(target)).filter((f) => f.endsWith('.csv')).sort()) out[f] = await readFile(path.join(target, f), 'utf8');
  return out;
}

describe('a file target running out of space', () => {
  it('fails with csv.write_failed, keeps no partial batch, and resumes to the clean run', async () => {
    const source = `csv:${path.join(dir, 'source')}`;
    const cleanDir = path.join(dir, 'clean');
    const clean = await runFerry(['run', contract, '--source', source, '--target', `csv:${cleanDir}`, ...BATCH, '--no-reconcile'], dir);
    expect(clean.code, clean.stderr).toBe(0);
    const reference = await dataFiles(cleanDir);
    const largest = Math.max(...(await Promise.all(Object.keys(reference).map(async (f) => (await stat(path.join(cleanDir, f))).size))));

    // Half the largest data file: the cap hits in the middle of that table's load.
    const capKb = Math.floor(largest / 2 / 1024);
    const fullDir = path.join(dir, 'full');
    const args = ['run', contract, '--source', source, '--target', `csv:${fullDir}`, ...BATCH, '--no-reconcile', '--store', store.url];
    let output: string;
    let code = 0;
    try {
      output = execFileSync('bash', ['-c', `ulimit -f ${capKb} && exec "$@"`, 'bash', process.execPath, path.join(ROOT, 'bin/ferry.js'), ...args], {
        cwd: dir,
        env: { ...process.env, CI: '1' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      code = e.status;
      output = e.stdout + e.stderr;
    }
    expect(code, output).toBe(5);
    expect(output).toMatch(/error csv\.write_failed: could not write a batch of table \w+ to .*; check free disk space and permissions, then resume the run/);

    // No partial batch: each file's size is exactly the one its last checkpoint line recorded.
    const lines = (await readFile(path.join(fullDir, '_ferry', 'checkpoints.ndjson'), 'utf8')).split('\n').filter(Boolean);
    const sizes = new Map<string, number>();
    for (const l of lines) for (const [f, s] of Object.entries((JSON.parse(l) as { sizes?: Record<string, number> }).sizes ?? {})) sizes.set(f, s);
    expect(sizes.size, lines.join('\n')).toBeGreaterThan(0);
    for (const [f, s] of sizes) expect((await stat(path.join(fullDir, f))).size, f).toBe(s);

    const runs = (await readFile(path.join(fullDir, '_ferry', 'runs.ndjson'), 'utf8')).split('\n').filter(Boolean);
    const runId = /"(run-[\w-]+)"/.exec(runs[0])?.[1];
    expect(runId, runs[0]).toBeDefined();
    const resumed = await runFerry([...args, '--resume', runId!], dir);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(await dataFiles(fullDir)).toEqual(reference);
  }, 120_000);
});
