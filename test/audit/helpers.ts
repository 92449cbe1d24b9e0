/** Audit test helpers: a controllable clock and a chain of varied events. */
import { AuditLog, type AuditEventInput } from '../../src/audit/log.js';
import type { Store } from '../../src/store/db.js';

export const DIGEST = 'c'.repeat(64);

/** A clock that starts at `start` and advances one minute per reading. */
export function steppingClock(start = '2025-03-01T00:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => {
    const d = new Date(t);
    t += 60_000;
    return d;
  };
}

/** The i-th event of a varied, realistic sequence (two actors, two projects, one run). */
export function sampleEvent(i: number): AuditEventInput {
  const actor = i % 2 === 0 ? 'os:alice' : 'os:bob';
  const projectId = i % 3 === 0 ? 'p-west' : 'p-east';
  if (i % 4 === 0) return { type: 'run:started', actor, projectId, payload: { runId: `run-${i}`, contractDigest: DIGEST, tier: 'pre_production', tables: ['patient'], resumed: false, dryRun: false } };
  if (i % 4 === 1)
    return { type: 'batch:loaded', actor, projectId, payload: { runId: `run-${i - 1}`, table: 'patient', batchRows: 100, counts: { read: 100, loaded: 97, quarantined: 3, excluded: 0 } } };
  if (i % 4 === 2) return { type: 'release:approved', actor, projectId, payload: { contractDigest: DIGEST, tier: 'staging', role: 'integration_lead' } };
  return { type: 'user:login', actor, payload: { userId: actor, method: 'password' } };
}

/** Appends `n` sample events (one minute apart from 2025-03-01T00:00Z) and returns the log. */
export async function seedChain(store: Store, n: number): Promise<AuditLog> {
  const log = new AuditLog(store, steppingClock());
  for (let i = 0; i < n; i++) await log.append(sampleEvent(i));
  return log;
}
