/**
 * `ferry serve --metrics-listen`: the metrics are served on their own listener, not the API's,
 * behind FERRY_METRICS_TOKEN; with `--queue` a scrape reads the job queue's depth by state and
 * the age of its oldest waiting job; the deployment smoke test's run moves the run, row and HTTP
 * metrics.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { startServe } from '../../src/cli/serve.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { PROBE_PASSWORD, provisionProbe } from '../helpers/probe-account.js';
import { fetchMetrics, matching, value } from '../metrics/scrape.js';

const TOKEN = 'serve-metrics-token-0123456789';
let dir: { dir: string; cleanup: () => Promise<void> };
let db: { url: string; drop: () => Promise<void> };
let storeUrl: string;
let projectId: string;

beforeAll(async () => {
  dir = await tempDir('ferry-serve-metrics-');
  db = await createPgDatabase('ferry_serve_metrics');
  storeUrl = `sqlite:${path.join(dir.dir, 'ferry.db')}`;
  projectId = await provisionProbe(storeUrl, dir.dir);
}, 60_000);

afterAll(async () => {
  await db?.drop();
  await dir?.cleanup();
});

describe('ferry serve --metrics-listen', () => {
  it('serves metrics on their own token-guarded listener, with the queue depth and the smoke run counted', async () => {
    const io = memoryIO({ cwd: dir.dir, env: { ...process.env, FERRY_DATABASE_URL: undefined, FERRY_METRICS_TOKEN: TOKEN } });
    const server = await startServe({ port: '0', host: '127.0.0.1', runConcurrency: '1', store: storeUrl, dataDir: path.join(dir.dir, 'data'), queue: db.url, metricsListen: '0' }, io);
    try {
      const at = /ferry: metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(io.stderr);
      expect(at, io.stderr).not.toBeNull();
      const url = `${at![1]}/metrics`;
      expect(at![1]).not.toBe(server.url);
      // The API does not serve them.
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect((await fetchMetrics(url)).status).toBe(401);
      const before = await fetchMetrics(url, TOKEN);
      expect(before.status).toBe(200);
      expect(value(before.text, 'ferry_runs_total')).toBe(0);

      const probe = memoryIO({ env: { ...process.env, FERRY_ORG: 'ops', FERRY_PROBE_USERNAME: 'probe', FERRY_PROBE_PASSWORD: PROBE_PASSWORD, FERRY_PROBE_PROJECT: projectId } });
      expect(await main(['verify-deployment', server.url], probe)).toBe(0);

      const after = (await fetchMetrics(url, TOKEN)).text;
      expect(value(after, 'ferry_runs_total', { status: 'succeeded' })).toBe(1);
      expect(value(after, 'ferry_rows_read_total', { project: projectId, table: 'person' })).toBe(3);
      expect(value(after, 'ferry_rows_quarantined_total', { project: projectId, table: 'person' })).toBe(1);
      expect(value(after, 'ferry_http_request_duration_seconds_count', { method: 'POST', route: '/projects/{projectId}/runs', status_class: '2xx' })).toBe(1);
      // The smoke run was a job of the server's run queue: completed now, none waiting.
      expect(value(after, 'ferry_queue_jobs', { queue: 'ferry.server-runs', state: 'completed' })).toBe(1);
      expect(matching(after, 'ferry_queue_oldest_job_age_seconds', { queue: 'ferry.server-runs' }).map((s) => s.value)).toEqual([0]);
      expect(value(after, 'ferry_queue_scrape_errors_total')).toBe(0);
      expect(after).toMatch(/^ferry_process_resident_memory_bytes \d+/m);
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('refuses an address it cannot read before opening anything', async () => {
    const io = memoryIO({ cwd: dir.dir, env: {} });
    await expect(startServe({ port: '0', host: '127.0.0.1', runConcurrency: '1', store: storeUrl, dataDir: path.join(dir.dir, 'data'), metricsListen: 'http://x' }, io)).rejects.toMatchObject({
      code: 'cli.bad_metrics_listen',
    });
  });
});
