/**
 * The hash chain. Each event's hash is SHA-256 over the canonical JSON of its chained fields,
 * its predecessor's hash included, so editing, deleting, inserting or reordering any event
 * breaks every link after it. docs/audit.md spells the recipe out for independent verifiers.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../contract/canonical.js';

/** `prev_hash` of event 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** Name of this recipe, written into export manifests. */
export const HASH_RECIPE = 'ferry-audit-chain/v1';

/** The fields an event's hash covers. */
export interface ChainedFields {
  seq: number;
  time: string;
  actor: string;
  orgId: string | null;
  projectId: string | null;
  type: string;
  payload: unknown;
  prevHash: string;
}

/** A stored event: its chained fields plus its own hash. */
export interface AuditRecord extends ChainedFields {
  hash: string;
}

/**
 * The exact bytes that are hashed: JSON with keys sorted by UTF-16 code unit at every level,
 * no whitespace, nulls kept, with snake_case member names.
 */
export function canonicalEvent(e: ChainedFields): string {
  return canonicalJson({
    actor: e.actor,
    org_id: e.orgId,
    payload: e.payload,
    prev_hash: e.prevHash,
    project_id: e.projectId,
    seq: e.seq,
    time: e.time,
    type: e.type,
  });
}

/** SHA-256 (lowercase hex) of the event's canonical form, UTF-8 encoded. */
export function eventHash(e: ChainedFields): string {
  return createHash('sha256').update(canonicalEvent(e), 'utf8').digest('hex');
}
