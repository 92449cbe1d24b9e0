/**
 * A run started by `ferry run` (the CLI, in process) against a control store is notified by a
 * notifier serving the same store: the outbox is the audit trail, not the server's own runs.
 * The webhook carries the run's id and counts, and none of the source's patient values.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { createControlPlane } from '../../src/control/service.js';
import { Notifier } from '../../src/notify/notifier.js';
import { openStore } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { cheapPasswordHashing } from '../helpers/cheap-scrypt.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from '../engine/fixture.js';
import { verifySignature, webhookReceiver, type WebhookReceiver } from './receivers.js';

const PASSWORD = 'a long enough passphrase';
cheapPasswordHashing();

let dir: string;
let cleanup: () => Promise<void>;
let hook: WebhookReceiver;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-notify-cli-'));
  await writeFixture(dir, 12);
  hook = await webhookReceiver();
});
afterAll(async () => {
  await hook.close();
  await cleanup();
});

async function ferry(args: string[], env: Record<string, string> = {}) {
  const io = memoryIO({ cwd: dir, env: { PATH: process.env.PATH ?? '', FERRY_PASSWORD: PASSWORD, ...env } });
  const code = await main(args, io);
  return { code, err: io.stderr, json: () => JSON.parse(io.stdout) as Record<string, any> };
}
const as = (user: string) => ['--user', user, '--org', 'trust-a'];

describe('a CLI run against the control store', () => {
  it('reaches the project’s webhook through the notifier', async () => {
    const init = await ferry(['admin', 'init', '--org', 'trust-a', '--admin', 'boss', '--json'], { FERRY_ADMIN_PASSWORD: PASSWORD });
    expect(init.code, init.err).toBe(0);
    const ws = (await ferry(['admin', 'workspace', 'migration', ...as('boss'), '--json'])).json();
    const project = (await ferry(['admin', 'project', ws.id, 'pas', ...as('boss'), '--json'])).json().id as string;
    for (const [user, role] of [
      ['ana', 'migration_analyst'],
      ['lee', 'integration_lead'],
    ])
      expect((await ferry(['admin', 'user', 'add', user, '--role', role, ...as('boss')], { FERRY_NEW_USER_PASSWORD: PASSWORD })).code).toBe(0);
    const versionId = (await ferry(['release', 'submit', 'contract.yaml', '--project', project, '-m', 'first', ...as('ana'), '--json'])).json().version.id as string;
    expect((await ferry(['release', 'approve-version', versionId, '--comment', 'ok', ...as('lee')])).code).toBe(0);

    // The server side: the same store, a subscription made by the org_admin, a notifier.
    const store = await openStore(parseStoreUrl(`sqlite:${path.join(dir, '.ferry/ferry.db')}`, dir));
    try {
      const plane = createControlPlane({ store });
      const admin = await plane.actorFor(init.json().admin.id as string);
      const policy = { webhookHosts: ['http://127.0.0.1'], mailDomains: [], smtp: false };
      const { secret } = await plane.createSubscription(admin, project, { name: 'ops', channel: 'webhook', target: hook.url, events: ['run.finished', 'run.failed'] }, { policy });

      const run = await ferry([
        'run',
        'contract.yaml',
        '--source',
        `csv:${dir}/source`,
        '--target',
        `sqlite:${path.join(dir, 'pre.db')}`,
        '--tier',
        'pre_production',
        '--project',
        project,
        ...as('ana'),
      ]);
      expect(run.code, run.err).toBe(0);

      await new Notifier({ store, audit: plane.audit, policy }).tick();
      const [req] = await hook.waitFor(1);
      expect(hook.requests).toHaveLength(1);
      expect(verifySignature(secret!, String(req.headers['ferry-signature']), req.body).ok).toBe(true);
      const body = JSON.parse(req.body);
      expect(body).toMatchObject({
        type: 'run.finished',
        projectId: project,
        auditType: 'run:recorded',
        data: { status: 'succeeded', tier: 'pre_production', gateDecision: expect.any(String), dryRun: false },
      });
      // The engine's totals of the same run complete it: every source row read, loaded or quarantined.
      expect(body.data).toMatchObject({ read: expect.any(Number), loaded: expect.any(Number), quarantined: expect.any(Number), elapsedMs: expect.any(Number) });
      expect(body.data.read).toBeGreaterThanOrEqual(body.data.loaded + body.data.quarantined);
      expect(body.data.loaded).toBeGreaterThan(0);
      const [recorded] = await plane.listRuns(admin, project);
      expect(body.data.runId).toBe(recorded.runId);
      // Patient values of the source (NHS numbers, names, postcodes) are nowhere in it.
      const csv = await readFile(path.join(dir, 'source', 'PAT.csv'), 'utf8');
      const values = csv
        .trim()
        .split('\n')
        .slice(1)
        .flatMap((l) => l.split(',').slice(1))
        .filter((v) => v.length >= 4);
      expect(values.length).toBeGreaterThan(10);
      for (const v of values) expect(req.body).not.toContain(v);
    } finally {
      await store.close();
    }
  });
});
