/** A run's error never carries what its connections resolved to: URL, host, user, database or path. */
import { describe, expect, it } from 'vitest';
import type { LoadedContract } from '../../src/contract/model.js';
import { resolvedScrubber, type RunContext } from '../../src/server/run-executor.js';

const context = (sourceUrl: string, targetUrl: string | null): RunContext => ({
  actor: { userId: 'usr_1', orgId: 'org_1', grants: [] },
  contract: {} as LoadedContract,
  sourceUrl,
  targetUrl,
  sourceRef: 'connection:legacy',
  targetRef: targetUrl ? 'staging-db' : null,
});

describe('resolvedScrubber', () => {
  it('replaces a server URL’s host, user and database, even when its password comes from password_env', () => {
    const scrub = resolvedScrubber(context('csv:/srv/extracts/trust-a', 'postgres://loader_a@db-a.trust.internal:5432/epr_staging?password_env=EPR_PW'), '/srv/ferry/data');
    const out = scrub('relation missing in epr_staging on db-a.trust.internal as loader_a; source /srv/extracts/trust-a/PAT.csv; evidence /srv/ferry/data/runs');
    for (const secret of ['epr_staging', 'db-a.trust.internal', 'loader_a', '/srv/extracts/trust-a', '/srv/ferry/data']) expect(out).not.toContain(secret);
    expect(out).toContain('staging-db (database)');
    expect(out).toContain('connection:legacy/PAT.csv');
  });

  it('leaves a message alone when nothing resolved is in it', () => {
    const scrub = resolvedScrubber(context('csv:/srv/extracts/trust-a', null), '/srv/ferry/data');
    expect(scrub('patient.nhs_number failed the check digit rule')).toBe('patient.nhs_number failed the check digit rule');
  });
});
