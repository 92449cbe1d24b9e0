/**
 * `ferry safety`: checking a hazard log offline, submitting the example's starter log, showing
 * it with ratings and issue counts, listing issues and resolving one.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredStore } from '../../src/audit/open-store.js';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { createControlPlane } from '../../src/control/service.js';
import { cheapPasswordHashing } from '../helpers/cheap-scrypt.js';
import { tempDir } from '../helpers/tmp.js';

const PASSWORD = 'a long enough passphrase';
const STARTER = path.resolve(import.meta.dirname, '../../examples/legacy-pas/hazards.yaml');

cheapPasswordHashing();

describe('ferry safety', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('ferry-safety-cli-'));
    await copyFile(STARTER, path.join(dir, 'hazards.yaml'));
  });
  afterAll(() => cleanup());

  async function ferry(args: string[], env: Record<string, string> = {}) {
    const io = memoryIO({ cwd: dir, env: { PATH: process.env.PATH ?? '', FERRY_PASSWORD: PASSWORD, ...env } });
    const code = await main(args, io);
    return { code, out: io.stdout, err: io.stderr, json: () => JSON.parse(io.stdout) as any };
  }
  const as = (user: string) => ['--user', user, '--org', 'trust-a'];

  it('checks a log offline, with the line and column of each problem', async () => {
    const ok = await ferry(['safety', 'hazards', 'check', 'hazards.yaml']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('hazards.yaml: 14 hazards, valid');
    expect(ok.out).toContain('H-004  catastrophic × medium = 4 high; residual 3 medium');
    const json = await ferry(['safety', 'hazards', 'check', 'hazards.yaml', '--json']);
    expect(json.json().hazards[3]).toEqual({ id: 'H-004', initial: 4, residual: 3 });

    await writeFile(path.join(dir, 'bad.yaml'), 'format: ferry.hazards/v1\nhazards:\n  - id: H-1\n    title: x\n');
    const bad = await ferry(['safety', 'hazards', 'check', 'bad.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad.yaml:3:9: hazards[0].id: expected an id like H-001');
    expect(bad.err).toMatch(/bad\.yaml:3:5: hazards\[0\]\.description: missing required key 'description'/);
  });

  it('submits the starter log, shows it, lists the issues a run raised and resolves one', async () => {
    expect((await ferry(['admin', 'init', '--org', 'trust-a', '--admin', 'boss'], { FERRY_ADMIN_PASSWORD: PASSWORD })).code).toBe(0);
    const ws = (await ferry(['admin', 'workspace', 'migration', ...as('boss'), '--json'])).json();
    const project = (await ferry(['admin', 'project', ws.id, 'pas', ...as('boss'), '--json'])).json().id as string;
    for (const [user, role] of [
      ['cso', 'clinical_safety_officer'],
      ['ana', 'migration_analyst'],
    ]) {
      expect((await ferry(['admin', 'user', 'add', user, '--role', role, ...as('boss')], { FERRY_NEW_USER_PASSWORD: PASSWORD })).code).toBe(0);
    }

    expect((await ferry(['safety', 'hazards', '--project', project, ...as('ana')])).out).toContain('no hazard log yet');
    const refused = await ferry(['safety', 'hazards', 'submit', 'hazards.yaml', '--project', project, ...as('ana')]);
    expect(refused.code).toBe(8);
    const submitted = await ferry(['safety', 'hazards', 'submit', 'hazards.yaml', '--project', project, '--comment', 'starter', ...as('cso')]);
    expect(submitted.code, submitted.err).toBe(0);
    expect(submitted.out).toMatch(/^stored hazard log version 1 \(14 hazards\) digest [0-9a-f]{64}$/m);

    // A run's evidence, as recordRelease raises it.
    const store = await openConfiguredStore({ env: {}, cwd: dir });
    try {
      const plane = createControlPlane({ store });
      const ana = await plane.login('trust-a', 'ana', PASSWORD);
      await plane.raiseHazardIssues(ana.actor, project, {
        runId: 'run-1',
        signals: [
          { signal: 'quarantine:rule.nhs_number', table: 'patient', detail: '2 rows of patient quarantined for rule.nhs_number', sourceKind: 'run' },
          { signal: 'gate:patient.validity', detail: 'validity 97.00% on patient', sourceKind: 'run' },
        ],
      });
      await plane.logout(ana.token);
    } finally {
      await store.close();
    }

    const shown = await ferry(['safety', 'hazards', '--project', project, ...as('ana')]);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain('H-003  initial 3 medium  residual 2 low  open  1 open issue  NHS number invalid or missing');
    expect(shown.out).toContain('1 open issue(s) no hazard names (unassigned)');

    const issues = await ferry(['safety', 'issues', '--project', project, '--status', 'open', '--json', ...as('ana')]);
    const list = issues.json() as Array<{ id: string; hazardId: string | null; signal: string }>;
    expect(list.map((i) => [i.signal, i.hazardId])).toEqual(
      expect.arrayContaining([
        ['quarantine:rule.nhs_number@patient', 'H-003'],
        ['gate:patient.validity', null],
      ]),
    );
    const nhs = list.find((i) => i.hazardId === 'H-003')!;
    const resolved = await ferry(['safety', 'resolve', nhs.id, '--project', project, '--status', 'accepted', '--comment', 'tolerated for rehearsal 1', ...as('cso')]);
    expect(resolved.code, resolved.err).toBe(0);
    expect(resolved.out).toContain(`${nhs.id} accepted`);
    const text = await ferry(['safety', 'issues', '--project', project, ...as('ana')]);
    expect(text.out).toMatch(new RegExp(`${nhs.id} {2}accepted {2}H-003 {2}quarantine:rule\\.nhs_number@patient {2}×1`));
    expect((await ferry(['safety', 'issues', ...as('ana')])).code).toBe(2);
  });
});
