/**
 * The events a project can subscribe to, and how each is derived from the audit trail. A
 * notification carries only what its audit event already holds that is safe to send outside:
 * ids, digests, counts, tiers and codes. Every field is picked here by name, so a field later
 * added to an audit payload never reaches a notification by accident.
 *
 * Each notification has a key that makes it unique per subscription: a run's outcome is keyed
 * by the run id, so a resumed run recorded again notifies once.
 */
import type { AuditRecord } from '../audit/chain.js';
import type { EventKind } from '../control/notifications.js';

/** One notification derived from an event, before it is matched to subscriptions. */
export interface Notice {
  kind: EventKind;
  /** Unique per subscription: the same key is delivered once. */
  key: string;
  time: string;
  orgId: string;
  projectId: string;
  /** The audit event it came from, when it came from one. */
  auditSeq: number | null;
  auditType: string | null;
  /** Ids, digests, counts and codes only. */
  data: Record<string, string | number | boolean | null>;
}

type Payload = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The audit events of the same run a run's notice draws on: the engine's totals and the gate's failing KPIs. */
export interface RunRelated {
  finished?: AuditRecord;
  gateFailed?: AuditRecord;
}

/** Audit types whose notices draw on other events of the same run (`RunRelated`). */
export const NEEDS_RELATED = new Set(['run:recorded']);

function runOutcome(p: Payload, related: RunRelated): Array<{ kind: EventKind; data: Notice['data'] }> {
  const runId = str(p.runId);
  const status = str(p.status);
  if (runId === null || status === null) return [];
  const fin = (related.finished?.payload ?? {}) as Payload;
  const totals = (fin.totals ?? {}) as Payload;
  const data: Notice['data'] = {
    runId,
    status,
    contractDigest: str(p.contractDigest),
    tier: str(p.tier),
    gateDecision: str(p.gateDecision),
    dryRun: typeof p.dryRun === 'boolean' ? p.dryRun : null,
    read: num(totals.read),
    loaded: num(totals.loaded),
    quarantined: num(totals.quarantined),
    elapsedMs: num(fin.elapsedMs),
  };
  const out: Array<{ kind: EventKind; data: Notice['data'] }> = [{ kind: status === 'succeeded' ? 'run.finished' : 'run.failed', data }];
  if (status === 'failed_gate' || p.gateDecision === 'fail') {
    const kpis = Array.isArray((related.gateFailed?.payload as Payload | undefined)?.kpis) ? ((related.gateFailed!.payload as Payload).kpis as Payload[]) : [];
    out.push({ kind: 'gate.failed', data: { ...data, failingKpis: kpis.length, kpis: kpis.map((k) => `${String(k.kpi)}${k.table ? `@${String(k.table)}` : ''}`).join(',') } });
  }
  return out;
}

/**
 * The notices an audit event gives rise to; none when it names no project. A run's outcome
 * comes from its `run:recorded` (every governed run with a project records one, from the CLI
 * or the server), completed with the totals of its `run:finished` and the failing KPIs of its
 * `gate:failed`, so a run reads the same whoever ran it.
 */
export function noticesOf(r: AuditRecord, related: RunRelated = {}): Notice[] {
  if (r.orgId === null || r.projectId === null) return [];
  const p = (r.payload ?? {}) as Payload;
  const base = { time: r.time, orgId: r.orgId, projectId: r.projectId, auditSeq: r.seq, auditType: r.type };
  const found: Array<{ kind: EventKind; key: string; data: Notice['data'] }> = [];
  switch (r.type) {
    case 'run:recorded':
      for (const o of runOutcome(p, related)) found.push({ ...o, key: `${o.kind}:${String(p.runId)}` });
      break;
    case 'contract:versioned':
      found.push({
        kind: 'approval.requested',
        key: `approval.requested:${String(p.contractDigest)}`,
        data: { contract: str(p.contract), version: num(p.version), contractDigest: str(p.contractDigest) },
      });
      break;
    case 'contract:approved':
      found.push({
        kind: 'approval.given',
        key: `approval.given:${r.seq}`,
        data: { contract: str(p.contract), version: num(p.version), contractDigest: str(p.contractDigest), tier: null, role: 'integration_lead' },
      });
      break;
    case 'release:approved':
      found.push({ kind: 'approval.given', key: `approval.given:${r.seq}`, data: { contractDigest: str(p.contractDigest), tier: str(p.tier), role: str(p.role) } });
      break;
    case 'release:promoted':
      found.push({ kind: 'promotion', key: `promotion:${r.seq}`, data: { contractDigest: str(p.contractDigest), fromTier: str(p.fromTier), toTier: str(p.toTier) } });
      break;
    case 'sync:cutover':
      found.push({
        kind: 'cutover.done',
        key: `cutover.done:${String(p.syncId)}`,
        data: { syncId: str(p.syncId), matched: p.matched === true, windowMs: num(p.windowMs), verdict: str(p.verdict), pendingRows: num(p.pendingRows) },
      });
      break;
  }
  return found.map((f) => ({ ...base, ...f }));
}

/** The JSON body of a notification (webhook body; the email's facts). */
export function noticeBody(eventId: string, n: Notice): Record<string, unknown> {
  return { id: eventId, type: n.kind, time: n.time, orgId: n.orgId, projectId: n.projectId, auditSeq: n.auditSeq, auditType: n.auditType, data: n.data };
}
