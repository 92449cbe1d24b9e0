/**
 * Kill -9 in the middle of a run, resume it, and compare with a clean run: exactly the same
 * rows, no duplicates, no gaps. Uses a real child process and a real PostgreSQL target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/run/migrate.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { CONTRACT_YAML, writeFixture } from './fixture.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let cleanupDir: () => Promise<void>;
const dbs: Array<{ url: string; drop: () => Promise<void> }> = [];

beforeAll(async () => {
  ({ dir, cleanup: cleanupDir } = await tempDir());
  await writeFixture(dir, 20_000);
  // Append mode on the child table: a non-atomic checkpoint would show up as duplicates.
  await writeFile(path.join(dir, 'contract.yaml'), CONTRACT_YAML.replace('  address:\n    source: ADDR\n', '  address:\n    source: ADDR\n    load: append\n'));
});
afterAll(async () => {
  for (const d of dbs) await d.drop();
  await cleanupDir();
});

async function tableDigest(url: string, table: string, order: string): Promise<{ rows: number; md5: string }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY ${order}), '')) AS md5 FROM "${table}" t`);
    return r.rows[0];
  } finally {
    await c.end();
  }
}

async function checkpointedRows(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`SELECT coalesce(sum(row_offset), 0)::int AS n FROM _ferry_checkpoints`).catch(() => ({ rows: [{ n: 0 }] }));
    return r.rows[0].n;
  } finally {
    await c.end();
  }
}

describe('kill -9 and resume', () => {
  it('a killed run resumed with --resume ends with exactly the rows of a clean run', async () => {
    const clean = await createPgDatabase();
    const killed = await createPgDatabase();
    dbs.push(clean, killed);
    const contractFile = path.join(dir, 'contract.yaml');
    const source = `csv:${dir}/source`;

    const reference = await migrate({ contractFile, sourceUrl: source, targetUrl: clean.url, batchSize: 500 });
    expect(reference.status).toBe('succeeded');

    const child = spawn(process.execPath, [path.join(ROOT, 'bin/ferry.js'), 'run', contractFile, '--source', source, '--target', killed.url, '--batch-size', '500', '--concurrency', '1'], {
      cwd: ROOT,
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Kill once some batches are committed but well before the end.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const n = await checkpointedRows(killed.url);
      if (n >= 3_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const runId = /run (run-[\w-]+) started/.exec(stderr)?.[1];
    expect(runId, stderr).toBeDefined();
    const partial = await checkpointedRows(killed.url);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(60_000);

    const resumed = await migrate({ contractFile, sourceUrl: source, targetUrl: killed.url, batchSize: 500, resume: runId });
    expect(resumed.status).toBe('succeeded');
    expect(resumed.resumed).toBe(true);
    for (const t of resumed.tables) expect(t.balanced).toBe(true);
    expect(resumed.totals).toEqual(reference.totals);
    expect(resumed.quarantineReasons).toEqual(reference.quarantineReasons);

    expect(await tableDigest(killed.url, 'patient', 'patient_id')).toEqual(await tableDigest(clean.url, 'patient', 'patient_id'));
    expect(await tableDigest(killed.url, 'address', 'address_id')).toEqual(await tableDigest(clean.url, 'address', 'address_id'));
    const q = await tableDigest(killed.url, '_ferry_quarantine', 'source_key, reason_code');
    expect(q.rows).toBe(reference.quarantineReasons.reduce((a, r) => a + r.count, 0));
  }, 180_000);
});
