/**
 * Checks an audit anchor against a chain: the anchor must be this store's, carry a valid
 * signature when a key is configured, and name an event that is still there with the same
 * hash. The same check serves the live store and an export's manifest.
 */
import type { AnchorRead, Anchor } from './anchor.js';
import { signatureStatus } from './anchor.js';
import { AUDIT_KEY_ENV } from './key.js';

export type AnchorProblemCode = 'audit.anchor_ahead' | 'audit.anchor_mismatch' | 'audit.anchor_bad_signature' | 'audit.anchor_unsigned' | 'audit.anchor_foreign' | 'audit.anchor_malformed';

export interface AnchorReport {
  /** `unconfigured`: no anchor location; `missing`: none written yet; `broken`: see problems. */
  status: 'ok' | 'missing' | 'broken' | 'unconfigured';
  signature: ReturnType<typeof signatureStatus> | null;
  seq: number | null;
  hash: string | null;
  time: string | null;
}

export interface AnchorCheck {
  report: AnchorReport;
  problems: Array<{ seq: number; code: AnchorProblemCode; message: string }>;
  warnings: string[];
}

export interface AnchorContext {
  /** The store id the anchor must name. */
  storeId: string;
  key: Buffer | undefined;
  /** Seq of the last event in the chain (0 when empty). */
  lastSeq: number;
  /** The stored hash of event `seq`, or undefined when there is none. */
  hashAt(seq: number): Promise<string | undefined>;
  /**
   * An unsigned anchor while a key is configured is a failure for the live store (the writer
   * signs with the same key, so someone replaced it) but only a warning in an export, whose
   * key may have been given for decryption alone.
   */
  unsignedWithKey?: 'problem' | 'warning';
}

/** Checks `read` (null: no anchor location configured) against the chain `ctx` describes. */
export async function checkAnchor(read: AnchorRead | null, ctx: AnchorContext): Promise<AnchorCheck> {
  const empty = { signature: null, seq: null, hash: null, time: null };
  if (!read) return { report: { status: 'unconfigured', ...empty }, problems: [], warnings: ctx.lastSeq > 0 ? ['no audit anchor is configured: a deleted tail of the chain cannot be detected'] : [] };
  if (read.state === 'missing') {
    return {
      report: { status: 'missing', ...empty },
      problems: [],
      warnings: ctx.lastSeq > 0 ? ['no audit anchor file exists yet: a deleted tail cannot be detected until the next append writes one'] : [],
    };
  }
  if (read.state === 'malformed') {
    return {
      report: { status: 'broken', ...empty },
      problems: [{ seq: ctx.lastSeq + 1, code: 'audit.anchor_malformed', message: 'the audit anchor file is not a Ferry anchor: it was altered or replaced' }],
      warnings: [],
    };
  }
  return checkAnchorValue(read.anchor, ctx);
}

/** Checks a parsed anchor (from the file or an export manifest). */
export async function checkAnchorValue(a: Anchor, ctx: AnchorContext): Promise<AnchorCheck> {
  const problems: AnchorCheck['problems'] = [];
  const warnings: string[] = [];
  const signature = signatureStatus(a, ctx.key);
  if (a.storeId !== ctx.storeId) problems.push({ seq: a.seq, code: 'audit.anchor_foreign', message: 'the audit anchor names another store: it was copied from elsewhere or the store was replaced' });
  if (signature === 'invalid')
    problems.push({ seq: a.seq, code: 'audit.anchor_bad_signature', message: `the audit anchor's signature does not verify under ${AUDIT_KEY_ENV}: it was forged or altered` });
  if (signature === 'unsigned' && ctx.key && ctx.unsignedWithKey === 'warning') warnings.push('the audit anchor in this export is unsigned: the store that wrote it had no FERRY_AUDIT_KEY');
  else if (signature === 'unsigned' && ctx.key)
    problems.push({
      seq: a.seq,
      code: 'audit.anchor_unsigned',
      message: `the audit anchor is unsigned although ${AUDIT_KEY_ENV} is set: it was replaced, or written before the key was set (verify, then remove it: docs/audit.md)`,
    });
  if (signature === 'unsigned' && !ctx.key) warnings.push(`anchor unsigned: set ${AUDIT_KEY_ENV} so the anchor is signed and a forged one is detected`);
  if (signature === 'unchecked') warnings.push(`the audit anchor is signed but ${AUDIT_KEY_ENV} is not set here: its signature was not checked`);
  if (a.seq > ctx.lastSeq) {
    problems.push({
      seq: ctx.lastSeq + 1,
      code: 'audit.anchor_ahead',
      message: `the audit anchor recorded event ${a.seq} at ${a.time} but the chain ends at event ${ctx.lastSeq}: events ${ctx.lastSeq + 1}–${a.seq} were deleted`,
    });
  } else if (a.seq > 0 && (await ctx.hashAt(a.seq)) !== a.hash) {
    problems.push({
      seq: a.seq,
      code: 'audit.anchor_mismatch',
      message: `event ${a.seq} is not the event the audit anchor recorded at ${a.time}: the chain was rewritten, or its head rewound and extended`,
    });
  }
  return { report: { status: problems.length > 0 ? 'broken' : 'ok', signature, seq: a.seq, hash: a.hash, time: a.time }, problems, warnings };
}
