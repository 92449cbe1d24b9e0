/**
 * Server runs take a backup when the app is given a backup config: the operator's store, and
 * each project's policy through `policyFor`. A policy that requires a backup fails a run for
 * which none can be taken, before it writes anything.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupPolicy } from '../../src/backup/config.js';
import { listBackups } from '../../src/backup/store.js';
import { readBackupPolicy } from '../../src/control/notifications.js';
import type { ServerBackup } from '../../src/server/run-executor.js';
import { tempDir } from '../helpers/tmp.js';
import { startScenario, type Scenario } from '../server/scenario.js';
import { testStore } from './helpers.js';

let s: Scenario;
let tmp: { dir: string; cleanup: () => Promise<void> };
const policies = new Map<string, BackupPolicy>();
let backup: ServerBackup;

beforeAll(async () => {
  tmp = await tempDir('ferry-backup-server-');
  backup = {
    store: testStore(path.join(tmp.dir, 'backups')),
    policyFor: async (orgId, projectId) =>
      // The scenario's own first run comes before `s` is assigned: its project has no stored policy yet.
      policies.get(projectId) ?? (s ? readBackupPolicy(s.world.plane.store.db, orgId, projectId) : undefined),
  };
  s = await startScenario('sqlite', undefined, { backup });
}, 120_000);
afterAll(async () => {
  await s?.close();
  await tmp?.cleanup();
});

describe('backups before server runs', () => {
  it("took a backup before the scenario's real run, recorded for the project under the API's run id", async () => {
    const { backups } = await listBackups(backup.store!);
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatchObject({ runId: s.finishedRunId, target: { kind: 'sqlite' } });
    const events = await s.world.plane.audit.list({ type: 'backup:taken' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ projectId: s.projectId, payload: { backupId: backups[0].id, runId: s.finishedRunId } });
  });

  it("fails a run its project's policy requires a backup for when the operator configured no store", async () => {
    policies.set(s.projectId, { required: true });
    const store = backup.store;
    backup.store = undefined;
    try {
      const start = await s.client.request('POST', `/projects/${s.projectId}/runs`, { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe' } });
      expect(start.status).toBe(202);
      const done = await s.app.worker.waitFor(start.body.runId as string);
      expect(done).toMatchObject({ status: 'failed', error: { code: 'backup.required' } });
      // A dry run writes nothing and needs none.
      const dry = await s.client.request('POST', `/projects/${s.projectId}/runs`, {
        token: s.a.token.migration_analyst,
        body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe', dryRun: true },
      });
      expect((await s.app.worker.waitFor(dry.body.runId as string))?.status).toBe('succeeded');
    } finally {
      backup.store = store;
      policies.clear();
    }
  });

  it("reads the policy an integration lead set in the project's settings", async () => {
    const store = backup.store;
    backup.store = undefined;
    const P = `/projects/${s.projectId}/settings/backup-policy`;
    try {
      const set = await s.client.request('PUT', P, { token: s.a.token.integration_lead, body: { required: true, keepLast: 3 } });
      expect(set.status).toBe(200);
      const start = await s.client.request('POST', `/projects/${s.projectId}/runs`, { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe' } });
      expect(await s.app.worker.waitFor(start.body.runId as string)).toMatchObject({ status: 'failed', error: { code: 'backup.required' } });
    } finally {
      backup.store = store;
      await s.client.request('PUT', P, { token: s.a.token.integration_lead, body: { required: false } });
    }
  });
});
