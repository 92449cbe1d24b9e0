import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from '../engine/fixture.js';
import { cheapPasswordHashing } from '../helpers/cheap-scrypt.js';

const PASSWORD = 'a long enough passphrase';

cheapPasswordHashing();

describe('ferry admin and ferry release with the run gate', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('ferry-release-cli-'));
    await writeFixture(dir, 12);
  });
  afterAll(() => cleanup());

  async function ferry(args: string[], env: Record<string, string> = {}) {
    const io = memoryIO({ cwd: dir, env: { PATH: process.env.PATH ?? '', FERRY_PASSWORD: PASSWORD, ...env } });
    const code = await main(args, io);
    return { code, out: io.stdout, err: io.stderr, json: () => JSON.parse(io.stdout) as Record<string, any> };
  }
  // The org by flag, not FERRY_ORG: every command that signs in takes --org.
  const as = (user: string) => ['--user', user, '--org', 'trust-a'];
  const runArgs = (tier: string, project: string, target: string) => [
    'run',
    'contract.yaml',
    '--source',
    `csv:${dir}/source`,
    '--target',
    `sqlite:${path.join(dir, target)}`,
    '--tier',
    tier,
    '--project',
    project,
  ];

  it('bootstraps an org, refuses an ungated run before connecting, and lets the digest move up once its gates pass', async () => {
    const init = await ferry(['admin', 'init', '--org', 'trust-a', '--admin', 'boss', '--json'], { FERRY_ADMIN_PASSWORD: PASSWORD });
    expect(init.code).toBe(0);
    expect(init.json().admin.grants).toEqual([{ role: 'org_admin', projectId: null }]);
    const ws = (await ferry(['admin', 'workspace', 'migration', ...as('boss'), '--json'])).json();
    const project = (await ferry(['admin', 'project', ws.id, 'pas', ...as('boss'), '--json'])).json().id as string;
    for (const [user, role] of [
      ['ana', 'migration_analyst'],
      ['lee', 'integration_lead'],
    ]) {
      const added = await ferry(['admin', 'user', 'add', user, '--role', role, ...as('boss')], { FERRY_NEW_USER_PASSWORD: PASSWORD });
      expect(added.code, added.err).toBe(0);
    }

    const refused = await ferry([...runArgs('pre_production', project, 'pre.db'), ...as('ana')]);
    expect(refused.code).toBe(9);
    expect(refused.err).toContain('version_submitted');
    expect(refused.err).toContain('version_approved');
    expect(existsSync(path.join(dir, 'pre.db'))).toBe(false);

    const submitted = await ferry(['release', 'submit', 'contract.yaml', '--project', project, '-m', 'first', ...as('ana'), '--json']);
    expect(submitted.code, submitted.err).toBe(0);
    const { id: versionId, digest } = submitted.json().version as { id: string; digest: string };
    const self = await ferry(['release', 'approve-version', versionId, ...as('ana')]);
    expect(self.code).toBe(8);
    expect((await ferry(['release', 'approve-version', versionId, '--comment', 'reviewed', ...as('lee')])).code).toBe(0);

    const pre = await ferry([...runArgs('pre_production', project, 'pre.db'), ...as('ana')]);
    expect(pre.code, pre.err).toBe(0);

    const status = await ferry(['release', 'status', '--project', project, ...as('ana'), '--json']);
    const tiers = status.json().tiers as Array<{ tier: string; missing: string[]; lastRun: { status: string } | null }>;
    expect(tiers[0]).toMatchObject({ tier: 'pre_production', missing: [], lastRun: { status: 'succeeded' } });
    expect(tiers[1].missing).toEqual(['approval:integration_lead']);
    const text = await ferry(['release', 'status', '--project', project, ...as('ana')]);
    expect(text.out).toContain('needs approval by a integration_lead');

    const early = await ferry([...runArgs('staging', project, 'staging.db'), ...as('ana')]);
    expect(early.code).toBe(9);
    expect(early.err).toContain('approval:integration_lead');
    expect((await ferry(['release', 'approve', '--project', project, '--digest', digest, '--tier', 'staging', ...as('lee')])).code).toBe(0);
    expect((await ferry(['release', 'promote', '--project', project, '--digest', digest, '--tier', 'staging', ...as('lee')])).code).toBe(0);

    // A personal API token from the environment works in place of user and password.
    const token = (await ferry(['admin', 'token', 'create', 'ci', ...as('ana'), '--json'])).json().token as string;
    const staged = await ferry(runArgs('staging', project, 'staging.db'), { FERRY_TOKEN: token, FERRY_PASSWORD: '' });
    expect(staged.code, staged.err).toBe(0);
    const prod = await ferry(runArgs('production', project, 'prod.db'), { FERRY_TOKEN: token, FERRY_PASSWORD: '' });
    expect(prod.code).toBe(8); // analysts do not run production
  });

  it('refuses to act without credentials, naming how to provide them', async () => {
    const r = await ferry(['release', 'status', '--project', 'prj_x'], { FERRY_PASSWORD: '' });
    expect(r.code).toBe(8);
    expect(r.err).toContain('FERRY_TOKEN');
  });
});
