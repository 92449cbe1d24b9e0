import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalEvent, eventHash, type ChainedFields } from '../../src/audit/chain.js';

// The worked example in docs/audit.md: an independent verifier must reproduce these bytes.
const EXAMPLE: ChainedFields = {
  seq: 1,
  time: '2025-03-01T09:30:00.000Z',
  actor: 'os:alice',
  orgId: null,
  projectId: 'p-42',
  type: 'run:started',
  payload: { runId: 'r1', contractDigest: 'a'.repeat(64), tier: null, tables: ['patient', 'address'], resumed: false, dryRun: true },
  prevHash: GENESIS_HASH,
};
const EXAMPLE_CANONICAL =
  '{"actor":"os:alice","org_id":null,"payload":{"contractDigest":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","dryRun":true,"resumed":false,"runId":"r1","tables":["patient","address"],"tier":null},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","project_id":"p-42","seq":1,"time":"2025-03-01T09:30:00.000Z","type":"run:started"}';
const EXAMPLE_HASH = '6b36072a46671ef033fa3a1b0071552b1a86656597aae0266984c2076b574125';

describe('the audit hash recipe', () => {
  it('serialises the chained fields with sorted keys, no whitespace and nulls kept', () => {
    expect(canonicalEvent(EXAMPLE)).toBe(EXAMPLE_CANONICAL);
  });

  it('hashes the UTF-8 canonical form with SHA-256 (the documented test vector)', () => {
    expect(eventHash(EXAMPLE)).toBe(EXAMPLE_HASH);
    expect(createHash('sha256').update(EXAMPLE_CANONICAL).digest('hex')).toBe(EXAMPLE_HASH);
  });

  it('does not depend on the order payload keys were written in', () => {
    const reordered = { ...EXAMPLE, payload: { dryRun: true, tables: ['patient', 'address'], runId: 'r1', resumed: false, tier: null, contractDigest: 'a'.repeat(64) } };
    expect(eventHash(reordered)).toBe(EXAMPLE_HASH);
  });

  it.each<[string, Partial<ChainedFields>]>([
    ['seq', { seq: 2 }],
    ['time', { time: '2025-03-01T09:30:00.001Z' }],
    ['actor', { actor: 'os:mallory' }],
    ['org', { orgId: 'o-1' }],
    ['project', { projectId: null }],
    ['type', { type: 'run:finished' }],
    ['payload', { payload: { ...(EXAMPLE.payload as object), tables: ['address', 'patient'] } }],
    ['prev_hash', { prevHash: '1'.repeat(64) }],
  ])('changes when the %s changes', (_field, change) => {
    expect(eventHash({ ...EXAMPLE, ...change })).not.toBe(EXAMPLE_HASH);
  });

  it('keeps non-ASCII text as UTF-8, so the hash is the same on every platform', () => {
    const e = { ...EXAMPLE, actor: 'os:zoë' };
    expect(canonicalEvent(e)).toContain('"actor":"os:zoë"');
    expect(eventHash(e)).toBe(
      createHash('sha256')
        .update(Buffer.from(canonicalEvent(e), 'utf8'))
        .digest('hex'),
    );
  });
});
