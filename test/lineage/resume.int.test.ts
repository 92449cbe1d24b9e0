/**
 * Lineage and the undo log commit with their batch: after a kill -9 and `--resume`, every
 * source row has exactly one lineage record, and rolling the run back still leaves the
 * target exactly as it was before the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/run/migrate.js';
import { rollbackRun } from '../../src/rollback/rollback.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from '../engine/fixture.js';
import { checksum, NO_DEFECTS, TABLES, writeChangedFixture } from '../rollback/helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let cleanupDir: () => Promise<void>;
let db: { url: string; drop: () => Promise<void> };

beforeAll(async () => {
  ({ dir, cleanup: cleanupDir } = await tempDir());
  await writeChangedFixture(path.join(dir, 'before'), 3_000, NO_DEFECTS);
  await writeFixture(path.join(dir, 'run'), 12_000);
  db = await createPgDatabase('ferry_lin');
});
afterAll(async () => {
  await db?.drop();
  await cleanupDir();
});

async function query<T>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } catch {
    return [];
  } finally {
    await c.end();
  }
}

describe('kill -9, resume, lineage and rollback', () => {
  it('leaves exactly one lineage record per source row and an undo log that still restores the pre-run state', async () => {
    const before = await migrate({ contractFile: path.join(dir, 'before', 'contract.yaml'), sourceUrl: `csv:${dir}/before/source`, targetUrl: db.url });
    expect(before.status).toBe('succeeded');
    const pre = await checksum(db.url, TABLES);

    const contractFile = path.join(dir, 'run', 'contract.yaml');
    const source = `csv:${dir}/run/source`;
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/ferry.js'), 'run', contractFile, '--source', source, '--target', db.url, '--batch-size', '500', '--concurrency', '1'], {
      cwd: dir,
      env: { ...process.env, CI: '1', FERRY_DATABASE_URL: `sqlite:${path.join(dir, 'audit.db')}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const [r] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM _ferry_checkpoints c WHERE c.run_id <> '${before.runId}' AND c.row_offset > 0`);
      const [l] = await query<{ n: number }>(`SELECT coalesce(sum(row_offset), 0)::int AS n FROM _ferry_checkpoints WHERE run_id <> '${before.runId}'`);
      if ((r?.n ?? 0) > 0 && (l?.n ?? 0) >= 3_000) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const runId = /run (run-[\w-]+) started/.exec(stderr)?.[1];
    expect(runId, stderr).toBeDefined();
    const [partial] = await query<{ n: number }>(`SELECT coalesce(sum(row_offset), 0)::int AS n FROM _ferry_checkpoints WHERE run_id = '${runId}'`);
    expect(partial.n).toBeGreaterThan(0);
    expect(partial.n).toBeLessThan(36_000);

    const resumed = await migrate({ contractFile, sourceUrl: source, targetUrl: db.url, batchSize: 500, resume: runId });
    expect(resumed.status).toBe('succeeded');
    const [counts] = await query<{ n: number; distinct_rows: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (l.source_table, l.source_key))::int AS distinct_rows
         FROM _ferry_lineage_all l JOIN _ferry_run_ids i USING (run_no) WHERE i.run_id = '${runId}'`,
    );
    expect(counts).toEqual({ n: resumed.totals.read, distinct_rows: resumed.totals.read });

    await rollbackRun({ targetUrl: db.url, runId: runId!, execute: true });
    expect(await checksum(db.url, TABLES)).toBe(pre);
  }, 180_000);
});
