/**
 * Chain verification: recompute every event's hash and check every link, in seq order. The
 * same walk checks the live store and an offline export slice; it keeps going after the first
 * problem (relinking on the stored hash) so the report shows the extent of the damage, but
 * `firstBad` is what an investigator starts from.
 */
import { GENESIS_HASH, eventHash, type AuditRecord } from './chain.js';
import { fromRow, type AuditLog, type ChainHead } from './log.js';
import { FerryError } from '../errors.js';
import { readAnchorFile, storeIdOf } from './anchor.js';
import { checkAnchor, type AnchorCheck, type AnchorProblemCode, type AnchorReport } from './anchor-check.js';

export type ChainProblemCode = 'audit.hash_mismatch' | 'audit.missing' | 'audit.broken_link' | 'audit.out_of_order' | 'audit.corrupt_payload' | 'audit.head_mismatch' | AnchorProblemCode;

export interface ChainProblem {
  seq: number;
  code: ChainProblemCode;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Events read and checked. */
  checked: number;
  /** Last event read (seq and stored hash), or null when none. */
  last: ChainHead | null;
  /** Lowest sequence number with a problem, or null. */
  firstBad: number | null;
  /** Problems in seq order, at most `maxProblems` of them. */
  problems: ChainProblem[];
  /** All problems found, including any beyond `maxProblems`. */
  problemCount: number;
  elapsedMs: number;
}

/**
 * An event as read back; a marker for one whose stored payload could not be parsed; or, in a
 * project export, another project's event known only by its links (its hash is taken as given).
 */
export type VerifiableEvent = AuditRecord | { seq: number; corrupt: string; hash: string } | { seq: number; prevHash: string; hash: string; linkOnly: true };

export interface VerifyOptions {
  /** Where the slice starts: seq of its first event and that event's expected prev_hash. Default: seq 1, genesis. */
  start?: { seq: number; prevHash: string };
  /** The head the store (or manifest) records; a mismatch means the tail was cut or extended. */
  expectHead?: ChainHead;
  maxProblems?: number;
}

/** Walks `events` (ascending seq) and reports every broken link or hash. */
export async function verifyEvents(events: AsyncIterable<VerifiableEvent> | Iterable<VerifiableEvent>, options: VerifyOptions = {}): Promise<VerifyResult> {
  const started = performance.now();
  const max = options.maxProblems ?? 100;
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const report = (seq: number, code: ChainProblemCode, message: string) => {
    problemCount++;
    if (problems.length < max) problems.push({ seq, code, message });
  };
  let expectedSeq = options.start?.seq ?? 1;
  let prevHash = options.start?.prevHash ?? GENESIS_HASH;
  let checked = 0;
  let last: ChainHead | null = null;
  for await (const e of events) {
    checked++;
    if (e.seq < expectedSeq) {
      report(e.seq, 'audit.out_of_order', `event ${e.seq} appears after event ${expectedSeq - 1}: events are duplicated or out of order`);
    } else if (e.seq > expectedSeq) {
      const span = e.seq - 1 === expectedSeq ? `event ${expectedSeq} is` : `events ${expectedSeq}–${e.seq - 1} are`;
      report(expectedSeq, 'audit.missing', `${span} missing: deleted, or the sequence was renumbered`);
    } else if ('prevHash' in e && e.prevHash !== prevHash) {
      report(e.seq, 'audit.broken_link', `event ${e.seq}: prev_hash does not match the hash of event ${e.seq - 1}: an event was inserted, removed or moved here`);
    }
    if ('corrupt' in e) {
      report(e.seq, 'audit.corrupt_payload', `event ${e.seq}: ${e.corrupt}`);
    } else if (!('linkOnly' in e) && eventHash(e) !== e.hash) {
      report(e.seq, 'audit.hash_mismatch', `event ${e.seq}: its content no longer matches its hash: it was edited or moved from another position`);
    }
    expectedSeq = Math.max(expectedSeq, e.seq + 1);
    prevHash = e.hash;
    last = { seq: e.seq, hash: e.hash };
  }
  const head = options.expectHead;
  if (head) {
    const lastSeq = last?.seq ?? (options.start?.seq ?? 1) - 1;
    if (head.seq > lastSeq) {
      report(lastSeq + 1, 'audit.missing', `the chain head records ${head.seq} event(s) but the last stored event is ${lastSeq}: events ${lastSeq + 1}–${head.seq} were deleted`);
    } else if (head.seq < lastSeq) {
      report(head.seq + 1, 'audit.head_mismatch', `events ${head.seq + 1}–${lastSeq} follow the recorded chain head (${head.seq}): they were added outside Ferry`);
    } else if (last && head.hash !== last.hash) {
      report(head.seq, 'audit.head_mismatch', `event ${head.seq}: the chain head records a different hash for the last event`);
    }
  }
  problems.sort((a, b) => a.seq - b.seq);
  return {
    ok: problemCount === 0,
    checked,
    last,
    firstBad: problems.length > 0 ? problems[0].seq : null,
    problems,
    problemCount,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** A store verification: the chain walk plus the check against the anchor outside the store. */
export interface StoreVerifyResult extends VerifyResult {
  anchor: AnchorReport;
  /** Weaknesses that are not failures, e.g. an unsigned anchor. */
  warnings: string[];
}

/**
 * Verifies the whole chain in the store against its head row and its anchor. The anchor is
 * read first: it is only written after a commit, so it can never be ahead of the head read
 * after it unless events were removed.
 */
export async function verifyStore(log: AuditLog, options: Pick<VerifyOptions, 'maxProblems'> = {}): Promise<StoreVerifyResult> {
  const where = log.store.anchor;
  const read = where ? await readAnchorFile(where.file) : null;
  const expectHead = await log.head();
  const chain = await verifyEvents(storedEvents(log), { ...options, expectHead });
  const storeId = read?.state === 'present' ? await storeIdOf(log.store.db) : '';
  const hashAt = async (seq: number) => (await log.store.db.selectFrom('audit_event').select('hash').where('seq', '=', seq).executeTakeFirst())?.hash;
  const check = await checkAnchor(read, { storeId, key: where?.key, lastSeq: chain.last?.seq ?? 0, hashAt });
  return mergeAnchor(chain, check, options.maxProblems ?? 100);
}

/** Folds the anchor's findings into a chain result: any anchor problem makes it not ok. */
export function mergeAnchor(chain: VerifyResult, check: AnchorCheck, maxProblems: number): StoreVerifyResult {
  const problems = [...chain.problems, ...check.problems].sort((a, b) => a.seq - b.seq).slice(0, Math.max(maxProblems, check.problems.length));
  const problemCount = chain.problemCount + check.problems.length;
  return {
    ...chain,
    ok: problemCount === 0,
    problems,
    problemCount,
    firstBad: problems.length > 0 ? problems[0].seq : null,
    anchor: check.report,
    warnings: check.warnings,
  };
}

async function* storedEvents(log: AuditLog): AsyncIterable<VerifiableEvent> {
  for await (const row of log.scan()) {
    try {
      yield fromRow(row);
    } catch (err) {
      if (!(err instanceof FerryError)) throw err;
      yield { seq: row.seq, corrupt: 'its payload is not valid JSON: it was edited', hash: row.hash };
    }
  }
}

/** One line per problem, for terminals; then the anchor and any warnings. */
export function formatVerify(r: VerifyResult & Partial<Pick<StoreVerifyResult, 'anchor' | 'warnings'>>, what: string): string {
  const lines = r.ok
    ? [`${what}: OK — ${r.checked} event(s) verified${r.last ? `, head ${r.last.seq} ${r.last.hash}` : ''} (${r.elapsedMs} ms)`]
    : [`${what}: BROKEN at event ${r.firstBad} — ${r.problemCount} problem(s) in ${r.checked} event(s)`];
  for (const p of r.problems) lines.push(`  ${p.seq}: ${p.code}: ${p.message}`);
  if (r.problemCount > r.problems.length) lines.push(`  … and ${r.problemCount - r.problems.length} more`);
  if (r.anchor) lines.push(`  anchor: ${describeAnchor(r.anchor)}`);
  for (const w of r.warnings ?? []) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

function describeAnchor(a: AnchorReport): string {
  if (a.status === 'unconfigured') return 'none configured';
  if (a.status === 'missing') return 'no anchor file yet';
  if (a.seq === null) return a.status;
  return `${a.status}, event ${a.seq} at ${a.time}, signature ${a.signature}`;
}
