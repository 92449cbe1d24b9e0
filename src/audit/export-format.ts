/**
 * The export format (docs/audit.md): `events.jsonl`, `events.csv`, for project exports
 * `chain.jsonl`, and a plaintext `manifest.json` that binds them together.
 */
import { z } from 'zod';
import { canonicalJson } from '../contract/canonical.js';
import type { AuditRecord } from './chain.js';
import { anchorSchema } from './anchor.js';

export const EXPORT_FORMAT = 'ferry.audit-export/v1';
export const MANIFEST_FILE = 'manifest.json';

/** Roles of the files an export holds. */
export type ExportFileRole = 'events.jsonl' | 'events.csv' | 'chain.jsonl';

/** CSV columns, in order. `payload` is the payload's canonical JSON; empty cells are nulls. */
export const CSV_COLUMNS = ['seq', 'time', 'actor', 'org_id', 'project_id', 'type', 'payload', 'prev_hash', 'hash'] as const;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const link = z.strictObject({ seq: z.number().int().positive(), hash: hex64 });

export const manifestSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  hashRecipe: z.string(),
  createdAt: z.string(),
  range: z.strictObject({ from: z.string(), to: z.string(), project: z.string().nullable() }),
  /** False when filtered by project: other projects' events sit between the exported ones; chain.jsonl links them. */
  contiguous: z.boolean(),
  events: z.number().int().nonnegative(),
  byType: z.record(z.string(), z.number().int().nonnegative()),
  /** First event of the slice (of chain.jsonl for project exports) and the prev_hash it must link to. */
  first: z.strictObject({ seq: z.number().int().positive(), prevHash: hex64 }).nullable(),
  /** Last event of the slice. */
  head: link.nullable(),
  /**
   * `store` (default): an operator's export, which may show the whole chain's shape. `tenant`: an
   * org's own events only, with nothing about any other org (no store head, no chain.jsonl, no
   * anchor); each event's hash is checked but links to other orgs' events cannot be.
   */
  scope: z.enum(['store', 'tenant']).optional(),
  /** The store's chain head when the export was taken; null in a tenant export. */
  storeHead: z.strictObject({ seq: z.number().int().nonnegative(), hash: hex64 }).nullable(),
  /** The store's audit anchor, read just before `storeHead`; null when none (always in a tenant export). */
  anchor: anchorSchema.nullable().optional(),
  encryption: z.strictObject({ algorithm: z.literal('AES-256-GCM'), layout: z.string(), keyFingerprint: z.string() }).nullable(),
  files: z.array(
    z.strictObject({
      role: z.enum(['events.jsonl', 'events.csv', 'chain.jsonl']),
      name: z.string().regex(/^[a-z.]+$/),
      bytes: z.number().int().nonnegative(),
      sha256: hex64,
      plaintextSha256: hex64,
    }),
  ),
});

export type ExportManifest = z.infer<typeof manifestSchema>;

/** One `events.jsonl` line: the record with the hash recipe's member names. */
export function recordLine(r: AuditRecord): string {
  return `${canonicalJson({ seq: r.seq, time: r.time, actor: r.actor, org_id: r.orgId, project_id: r.projectId, type: r.type, payload: r.payload, prev_hash: r.prevHash, hash: r.hash })}\n`;
}

const lineSchema = z.strictObject({
  seq: z.number().int().positive(),
  time: z.string(),
  actor: z.string(),
  org_id: z.string().nullable(),
  project_id: z.string().nullable(),
  type: z.string(),
  payload: z.unknown(),
  prev_hash: z.string(),
  hash: z.string(),
});

/** Parses an `events.jsonl` line back into a record; undefined when it is not one. */
export function parseRecordLine(line: string): AuditRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const p = lineSchema.safeParse(value);
  if (!p.success) return undefined;
  const d = p.data;
  return { seq: d.seq, time: d.time, actor: d.actor, orgId: d.org_id, projectId: d.project_id, type: d.type, payload: d.payload, prevHash: d.prev_hash, hash: d.hash };
}

/** One CSV row for a record, in CSV_COLUMNS order. */
export function csvRow(r: AuditRecord): string[] {
  return [String(r.seq), r.time, r.actor, r.orgId ?? '', r.projectId ?? '', r.type, canonicalJson(r.payload), r.prevHash, r.hash];
}

/** The record a CSV row describes; undefined when the row is malformed. */
export function parseCsvRow(cells: string[]): AuditRecord | undefined {
  if (cells.length !== CSV_COLUMNS.length) return undefined;
  const [seq, time, actor, org, project, type, payload, prevHash, hash] = cells;
  if (!/^[1-9][0-9]*$/.test(seq)) return undefined;
  try {
    return { seq: Number(seq), time, actor, orgId: org || null, projectId: project || null, type, payload: JSON.parse(payload), prevHash, hash };
  } catch {
    return undefined;
  }
}
