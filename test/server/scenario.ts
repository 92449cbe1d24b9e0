/**
 * A server with the objects every route needs already in place, in tenant A's project: two
 * contract versions of the probe contract (the first approved), registered connections (a slow
 * source `slow`, the pre_production target `pre`, a staging target `staging-target`), one
 * real finished run with lineage; the slow source feeds runs that must still be running when
 * a test cancels them. Tenant B is a second org whose users guess A's ids.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContractVersion } from '../../src/control/plane.js';
import { CONNECTION_ROOTS_ENV } from '../../src/control/connection-guard.js';
import type { Tier } from '../../src/contract/model.js';
import type { StoreDialect } from '../../src/store/db.js';
import type { AppConfig } from '../../src/server/app.js';
import { probeUpload } from '../../src/server/probe/probe.js';
import { tempDir } from '../helpers/tmp.js';
import type { StoreFixture } from '../control/stores.js';
import { startHarness, type Harness } from './harness.js';

export interface Scenario extends Harness {
  projectId: string;
  v1: ContractVersion;
  v2: ContractVersion;
  /** The SQLite file behind the pre_production target connection `pre`. */
  preTarget: string;
  /** A finished, real (non-dry) pre_production run of v1. */
  finishedRunId: string;
  /** Submits a fresh probe version (unique digest) as tenant A's migration_analyst. */
  newVersion(): Promise<ContractVersion>;
}

let counter = 0;

/**
 * The webhook URL the operator allows in every scenario (a documentation address: nothing is
 * ever delivered to it, the notifier polls once an hour here).
 */
export const SCENARIO_WEBHOOK = 'https://203.0.113.10/ferry';

/** The probe upload with a unique metadata version, so each call has its own digest. */
export async function uniqueProbe(tag = 'x'): Promise<{ yaml: string; crosswalks: Record<string, string>; message: string }> {
  const up = await probeUpload();
  counter += 1;
  return { ...up, yaml: up.yaml.replace('version: 1.0.0', `version: 1.${counter}.0-${tag}`), message: `probe ${counter}` };
}

/** Builds the scenario on `dialect`; `overrides` tune the app config (e.g. a job queue for runs). */
export async function startScenario(dialect: StoreDialect, fx?: StoreFixture, overrides: Partial<AppConfig> = {}): Promise<Scenario> {
  const files = await tempDir('ferry-scenario-');
  const slow = path.join(files.dir, 'slow');
  await mkdir(slow);
  const rows = ['ID,NHS_NO,SURNAME'];
  for (let i = 1; i <= 300_000; i++) rows.push(`${i},9990000018,Slow`);
  await writeFile(path.join(slow, 'PERSON.csv'), `${rows.join('\n')}\n`);
  // File connections must lie under the roots the operator allows; the server's data directory never may.
  const env = { [CONNECTION_ROOTS_ENV]: files.dir };
  const h = await startHarness(dialect, { runBatchSize: 500, notify: { webhookHosts: [new URL(SCENARIO_WEBHOOK).hostname], pollSeconds: 3600 }, ...overrides, env }, fx);
  const plane = h.world.plane;
  const A = h.world.a;
  const register = (name: string, ref: string, direction: 'source' | 'target', tiers: Tier[] | null = null) =>
    plane.registerConnection({ org: A.slug, name, ref, direction, tiers }, { env, dataDir: h.dataDir });
  await register('slow', `csv:${slow}`, 'source');
  await register('pre', `sqlite:${path.join(files.dir, 'pre.db')}`, 'target', ['pre_production']);
  await register('staging-target', `sqlite:${path.join(files.dir, 'staging.db')}`, 'target', ['staging']);
  const projectId = A.project.id;
  const newVersion = async () => (await plane.submitVersion(A.as.migration_analyst, projectId, await uniqueProbe())).version;
  const v1 = await newVersion();
  const v2 = await newVersion();
  await plane.approveVersion(A.as.integration_lead, v1.id, 'baseline');
  await plane.configureTier(A.admin, projectId, 'pre_production', { connection: 'pre' });
  const start = await h.client.request('POST', `/projects/${projectId}/runs`, { token: h.a.token.migration_analyst, body: { versionId: v1.id, tier: 'pre_production', source: 'probe' } });
  if (start.status !== 202) throw new Error(`scenario run refused: ${start.text}`);
  const done = await h.app.runs.waitFor(start.body.runId);
  if (done?.status !== 'succeeded') throw new Error(`scenario run ended ${done?.status}: ${JSON.stringify(done?.error)}`);
  return {
    ...h,
    projectId,
    v1,
    v2,
    finishedRunId: start.body.runId,
    preTarget: path.join(files.dir, 'pre.db'),
    newVersion,
    async close() {
      await h.close();
      await files.cleanup();
    },
  };
}
