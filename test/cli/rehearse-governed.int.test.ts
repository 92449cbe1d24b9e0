/**
 * `ferry rehearse --project`: both runs go through the project's release gate and are recorded
 * there, and the pack lists the version's sign-off, the approvals per tier, the recorded runs,
 * the project's hazard log with the issues the run raised, and the clinicians' sample it drew.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONTRACT } from '../../src/cli/demo.js';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { uniformRates } from '../../src/synth/defects.js';
import { cheapPasswordHashing } from '../helpers/cheap-scrypt.js';
import { tempDir } from '../helpers/tmp.js';

const PASSWORD = 'a long enough passphrase';
cheapPasswordHashing();

describe('ferry rehearse in a governed project', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('ferry-rehearse-gov-'));
    await generateToCsv({ seed: 3, patients: 20, rates: uniformRates(0), dir: path.join(dir, 'src') });
  });
  afterAll(() => cleanup());

  async function ferry(args: string[], env: Record<string, string> = {}) {
    const io = memoryIO({ cwd: dir, env: { PATH: process.env.PATH ?? '', FERRY_PASSWORD: PASSWORD, ...env } });
    const code = await main(args, io);
    return { code, out: io.stdout, err: io.stderr, json: () => JSON.parse(io.stdout) as Record<string, any> };
  }
  const as = (user: string) => ['--user', user, '--org', 'trust-a'];

  it('records the pilot and the full run in the project and puts the approvals and runs in the pack', async () => {
    expect((await ferry(['admin', 'init', '--org', 'trust-a', '--admin', 'boss', '--json'], { FERRY_ADMIN_PASSWORD: PASSWORD })).code).toBe(0);
    const ws = (await ferry(['admin', 'workspace', 'migration', ...as('boss'), '--json'])).json();
    const project = (await ferry(['admin', 'project', ws.id, 'pas', ...as('boss'), '--json'])).json().id as string;
    for (const [user, role] of [
      ['ana', 'migration_analyst'],
      ['lee', 'integration_lead'],
    ]) {
      expect((await ferry(['admin', 'user', 'add', user, '--role', role, ...as('boss')], { FERRY_NEW_USER_PASSWORD: PASSWORD })).code).toBe(0);
    }
    const submitted = await ferry(['release', 'submit', EXAMPLE_CONTRACT, '--project', project, '-m', 'first', ...as('ana'), '--json']);
    expect(submitted.code, submitted.err).toBe(0);
    const versionId = submitted.json().version.id as string;
    expect((await ferry(['release', 'approve-version', versionId, '--comment', 'reviewed', ...as('lee')])).code).toBe(0);
    const hazards = path.join(path.dirname(EXAMPLE_CONTRACT), 'hazards.yaml');
    expect((await ferry(['safety', 'hazards', 'submit', hazards, '--project', project, '--comment', 'starter', ...as('lee')])).code).toBe(0);

    const r = await ferry([
      'rehearse',
      EXAMPLE_CONTRACT,
      '--source',
      `csv:${dir}/src`,
      '--target',
      `sqlite:${dir}/t.db`,
      '--pilot',
      '5',
      '--project',
      project,
      '--out',
      'pack.html',
      '--sample',
      '4',
      '--seed',
      '5',
      '--json',
      ...as('lee'),
    ]);
    expect(r.code, r.err).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ outcome: 'ready_for_sign_off', governed: true });
    const html = await readFile(path.join(dir, 'pack.html'), 'utf8');
    expect(html).toMatch(/approved by <code>usr_[^<]+<\/code> at [^:]+:[^:]+:[^:]+: reviewed/);
    expect(html).toContain('Release approvals per tier');
    // Both runs are recorded in the project under the digest, the pilot as a dry run.
    expect(html).toContain(`<code>${out.pilot.runId}</code></td><td>pre_production</td><td>dry run</td>`);
    expect(html).toContain(`<code>${out.run.runId}</code></td><td>pre_production</td><td>load</td>`);
    expect(html).not.toContain('Not governed');
    // The sample is the project's review of the full run, and the pack lists its patients by key.
    expect(out.samplingError).toBeNull();
    expect(out.sample).toMatchObject({ seed: 5, patients: 4, reviewId: expect.stringMatching(/^rev/) });
    const review = (await ferry(['review', 'show', out.sample.reviewId, '--project', project, '--json', ...as('lee')])).json();
    expect(review).toMatchObject({ runId: out.run.runId, seed: 5, patients: 4, status: 'open' });
    expect(html).toContain(`<code>${out.sample.reviewId}</code>`);
    expect(html).toContain(`run <code>${out.run.runId}</code>, seed 5`);
    for (const p of review.sampled as Array<{ patientKey: string }>) expect(html).toContain(`<code>${p.patientKey}</code>`);
    // The hazard log is the project's, with its ratings.
    expect(html).toContain('Duplicate patient registrations migrated');
    expect(html).not.toContain('No hazard log submitted for this project.');
  });
});
