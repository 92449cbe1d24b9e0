import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES, auditPayloadSchemas, parsePayload } from '../../src/audit/events.js';
import { FerryError } from '../../src/errors.js';

const DIGEST = 'b'.repeat(64);

function thrown(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FerryError) return e;
    throw e;
  }
  throw new Error('expected a FerryError');
}

describe('audit event payloads', () => {
  it('uses noun:verb keys for every event type', () => {
    for (const t of AUDIT_EVENT_TYPES) expect(t).toMatch(/^[a-z]+:[a-z_]+$/);
    expect(AUDIT_EVENT_TYPES).toEqual(
      expect.arrayContaining(['contract:versioned', 'run:started', 'batch:loaded', 'gate:failed', 'release:approved', 'run:rolled_back', 'user:locked', 'audit:exported', 'upload:created']),
    );
    expect(Object.keys(auditPayloadSchemas)).toEqual(AUDIT_EVENT_TYPES);
  });

  it('accepts a payload of keys, counts and digests', () => {
    const p = parsePayload('table:finished', { runId: 'r1', table: 'patient', counts: { read: 10, loaded: 8, quarantined: 1, excluded: 1 }, elapsedMs: 12 });
    expect(p.counts.loaded).toBe(8);
  });

  it('refuses keys the event type does not declare, naming the key but not its value', () => {
    const err = thrown(() => parsePayload('batch:loaded', { runId: 'r1', table: 'patient', batchRows: 1, counts: { read: 1, loaded: 1, quarantined: 0, excluded: 0 }, surname: 'SMITH' }));
    expect(err.kind).toBe('usage');
    expect(err.code).toBe('audit.bad_payload');
    expect(err.message).toContain('surname');
    expect(err.message).not.toContain('SMITH');
  });

  it('refuses extra keys nested inside declared objects too', () => {
    const err = thrown(() => parsePayload('run:finished', { runId: 'r1', status: 'succeeded', elapsedMs: 1, totals: { read: 1, loaded: 1, quarantined: 0, excluded: 0, nhs_number: '9434765919' } }));
    expect(err.issues.map((i) => i.path)).toEqual(['run:finished.totals']);
    expect(err.message).not.toContain('9434765919');
  });

  it.each<[string, unknown]>([
    ['a digest that is not SHA-256 hex', { contractDigest: 'not-a-digest', tier: 'staging', role: 'integration_lead' }],
    ['an unknown tier', { contractDigest: DIGEST, tier: 'live', role: 'integration_lead' }],
    ['a multi-line identifier', { contractDigest: DIGEST, tier: 'staging', role: 'lead\nnote: free text' }],
    ['a missing key', { contractDigest: DIGEST, tier: 'staging' }],
  ])('refuses %s', (_what, payload) => {
    expect(() => parsePayload('release:approved', payload)).toThrow(FerryError);
  });

  it('refuses negative or fractional counts', () => {
    expect(() => parsePayload('user:sessions_revoked', { userId: 'u1', sessions: -1 })).toThrow(/user:sessions_revoked\.sessions/);
    expect(() => parsePayload('user:sessions_revoked', { userId: 'u1', sessions: 1.5 })).toThrow(FerryError);
  });

  it('records an upload by id, table ids and file count, refusing file names or contents', () => {
    expect(parsePayload('upload:created', { uploadId: 'upl_0123456789abcdef01234567', tables: ['PAT_MAST', 'WARD'], files: 2 })).toEqual({
      uploadId: 'upl_0123456789abcdef01234567',
      tables: ['PAT_MAST', 'WARD'],
      files: 2,
    });
    const err = thrown(() => parsePayload('upload:created', { uploadId: 'upl_1', tables: ['PAT_MAST'], files: 1, fileNames: ['dir/PAT MAST.csv'] }));
    expect(err.message).toContain('fileNames');
    expect(err.message).not.toContain('PAT MAST.csv');
    expect(() => parsePayload('upload:created', { uploadId: 'upl_1', tables: ['PAT_MAST'], files: 1, content: 'PAT_ID\n1' })).toThrow(/content/);
    expect(() => parsePayload('upload:created', { uploadId: 'upl_1', tables: ['PAT_MAST'] })).toThrow(FerryError);
  });

  it('refuses an unknown event type', () => {
    expect(() => parsePayload('patient:viewed' as never, {})).toThrow(/not an audit event type/);
  });
});
