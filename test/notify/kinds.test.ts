/**
 * Which audit events notify what, and with which fields: a run's outcome from its
 * `run:recorded`, completed by the totals of its `run:finished` and the failing KPIs of its
 * `gate:failed`; approvals, promotions and cutovers; nothing for events without a project; and
 * only fields picked by name, so a field an audit payload gains later never leaks through.
 */
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/chain.js';
import { noticeBody, noticesOf } from '../../src/notify/kinds.js';

const D = 'a'.repeat(64);
let seq = 0;
const rec = (type: string, payload: Record<string, unknown>, projectId: string | null = 'prj_1'): AuditRecord => ({
  seq: ++seq,
  time: '2026-12-07T10:00:00.000Z',
  actor: 'usr_1',
  orgId: 'org_1',
  projectId,
  type,
  payload,
  prevHash: '0'.repeat(64),
  hash: '1'.repeat(64),
});

describe('noticesOf', () => {
  it('derives a failed run and its failed gate from run:recorded, with the run’s totals and failing KPIs', () => {
    const finished = rec('run:finished', { runId: 'r1', status: 'failed_gate', elapsedMs: 1200, totals: { read: 10, loaded: 8, quarantined: 2, excluded: 0 } });
    const gate = rec('gate:failed', { runId: 'r1', tier: 'staging', kpis: [{ kpi: 'validity', table: 'patient', measured: 0.8, threshold: 0.99 }] });
    const recorded = rec('run:recorded', { runId: 'r1', contractDigest: D, tier: 'staging', status: 'failed_gate', gateDecision: 'fail', dryRun: false });
    const notices = noticesOf(recorded, { finished, gateFailed: gate });
    expect(notices.map((n) => [n.kind, n.key])).toEqual([
      ['run.failed', 'run.failed:r1'],
      ['gate.failed', 'gate.failed:r1'],
    ]);
    const base = { runId: 'r1', status: 'failed_gate', contractDigest: D, tier: 'staging', gateDecision: 'fail', dryRun: false, read: 10, loaded: 8, quarantined: 2, elapsedMs: 1200 };
    expect(notices[0].data).toEqual(base);
    expect(notices[1].data).toEqual({ ...base, failingKpis: 1, kpis: 'validity@patient' });
    // The engine's own events notify nothing by themselves: the run:recorded that follows does.
    expect(noticesOf(finished)).toEqual([]);
    expect(noticesOf(gate)).toEqual([]);
  });

  it('derives a finished run, approvals, a promotion and a cutover', () => {
    expect(noticesOf(rec('run:recorded', { runId: 'r2', contractDigest: D, tier: 'pre_production', status: 'succeeded', gateDecision: 'pass', dryRun: true })).map((n) => n.kind)).toEqual([
      'run.finished',
    ]);
    expect(noticesOf(rec('run:recorded', { runId: 'r3', contractDigest: D, tier: 'pre_production', status: 'cancelled', gateDecision: null, dryRun: false })).map((n) => n.kind)).toEqual([
      'run.failed',
    ]);
    const versioned = noticesOf(rec('contract:versioned', { contract: 'pas', version: 3, contractDigest: D, parentDigest: null }));
    expect(versioned.map((n) => [n.kind, n.key, n.data])).toEqual([['approval.requested', `approval.requested:${D}`, { contract: 'pas', version: 3, contractDigest: D }]]);
    const approved = rec('release:approved', { contractDigest: D, tier: 'production', role: 'clinical_safety_officer' });
    expect(noticesOf(approved).map((n) => [n.kind, n.key, n.data])).toEqual([
      ['approval.given', `approval.given:${approved.seq}`, { contractDigest: D, tier: 'production', role: 'clinical_safety_officer' }],
    ]);
    expect(noticesOf(rec('release:promoted', { contractDigest: D, fromTier: 'staging', toTier: 'production' })).map((n) => [n.kind, n.data])).toEqual([
      ['promotion', { contractDigest: D, fromTier: 'staging', toTier: 'production' }],
    ]);
    const cut = rec('sync:cutover', { syncId: 'sync-1', matched: true, windowMs: 7250, position: '0/1', reconciliation: 'match', verdict: 'pass', pendingRows: 2, tables: [] });
    expect(noticesOf(cut).map((n) => [n.kind, n.key, n.data])).toEqual([['cutover.done', 'cutover.done:sync-1', { syncId: 'sync-1', matched: true, windowMs: 7250, verdict: 'pass', pendingRows: 2 }]]);
  });

  it('notifies nothing without a project, nothing for unrelated events, and copies only named fields', () => {
    expect(noticesOf(rec('sync:cutover', { syncId: 'sync-1', matched: true }, null))).toEqual([]);
    expect(noticesOf(rec('user:login', { userId: 'u', method: 'password' }))).toEqual([]);
    const [n] = noticesOf(rec('release:promoted', { contractDigest: D, fromTier: 'staging', toTier: 'production', patientName: 'Jane Smith' }));
    expect(JSON.stringify(noticeBody('evt_1', n))).not.toContain('Jane');
    expect(noticeBody('evt_1', n)).toEqual({ id: 'evt_1', type: 'promotion', time: n.time, orgId: 'org_1', projectId: 'prj_1', auditSeq: n.auditSeq, auditType: 'release:promoted', data: n.data });
  });
});
