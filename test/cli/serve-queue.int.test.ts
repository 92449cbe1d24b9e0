/**
 * `ferry serve --queue URL`: the server opens the PostgreSQL job queue, creates its run queues,
 * passes the deployment smoke test (a dry run that goes through the queue) and hands the queue
 * back on stop; `--run-lease` without `--queue` is refused before anything opens.
 */
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { startServe } from '../../src/cli/serve.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { PROBE_PASSWORD, provisionProbe } from '../helpers/probe-account.js';

const PASSWORD = PROBE_PASSWORD;
let dir: { dir: string; cleanup: () => Promise<void> };
let db: { url: string; drop: () => Promise<void> };
let storeUrl: string;
let projectId: string;

beforeAll(async () => {
  dir = await tempDir('ferry-serveq-');
  db = await createPgDatabase('ferry_serveq_cli');
  storeUrl = `sqlite:${path.join(dir.dir, 'ferry.db')}`;
  projectId = await provisionProbe(storeUrl, dir.dir);
}, 60_000);

afterAll(async () => {
  await db?.drop();
  await dir?.cleanup();
});

const flags = { port: '0', host: '127.0.0.1', runConcurrency: '1' };

describe('ferry serve --queue', () => {
  it('runs through the job queue: the deployment smoke test passes and its dry run is a job of ferry.server-runs', async () => {
    const io = memoryIO({ cwd: dir.dir, env: { ...process.env, FERRY_DATABASE_URL: undefined } });
    const server = await startServe({ ...flags, store: storeUrl, dataDir: path.join(dir.dir, 'data'), queue: db.url, runLease: '600' }, io);
    try {
      expect(io.stderr).toMatch(/runs on the job queue at postgres:\/\//);
      const probe = memoryIO({ env: { ...process.env, FERRY_ORG: 'ops', FERRY_PROBE_USERNAME: 'probe', FERRY_PROBE_PASSWORD: PASSWORD, FERRY_PROBE_PROJECT: projectId } });
      expect(await main(['verify-deployment', server.url], probe)).toBe(0);
      expect(probe.stdout).toMatch(/read 3, loaded 2, quarantined 1/);
    } finally {
      await server.stop();
    }
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const jobs = await c.query<{ state: string; expire_in: string }>(
        `SELECT state, extract(epoch FROM expire_in)::int AS expire_in FROM ferry_queue.job WHERE name = 'ferry.server-runs' UNION ALL SELECT state, extract(epoch FROM expire_in)::int FROM ferry_queue.archive WHERE name = 'ferry.server-runs'`,
      );
      expect(jobs.rows).toEqual([{ state: 'completed', expire_in: 600 }]);
    } finally {
      await c.end();
    }
  }, 60_000);

  it('refuses --run-lease without --queue before opening anything', async () => {
    const io = memoryIO({ cwd: dir.dir, env: {} });
    await expect(startServe({ ...flags, store: storeUrl, dataDir: path.join(dir.dir, 'data'), runLease: '600' }, io)).rejects.toMatchObject({ code: 'cli.run_lease_without_queue' });
  });
});
