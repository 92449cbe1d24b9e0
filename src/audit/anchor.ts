/**
 * The audit anchor: a checkpoint of the chain head `{store id, seq, hash, time}` kept outside
 * the store, in a file, rewritten after every commit that appends audit events. The chain alone
 * cannot show that its tail was cut: someone with SQL access can delete the last events and
 * set `audit_head` to the new last one, and every link still holds. The anchor remembers how
 * far the chain had reached, so `ferry audit verify` finds an anchor beyond the last event
 * (tail deleted) or naming a different hash at its seq (head rewound or rewritten).
 *
 * With FERRY_AUDIT_KEY set the anchor is signed: HMAC-SHA-256 under a key derived from it by
 * HKDF with its own label, so the export-encryption key is never used for anything else.
 *
 * Ordering. The anchor is written after the commit, never before (a failed commit must not
 * leave an anchor ahead of the chain, which would read as a deleted tail), inside a write
 * transaction of its own (SQLite `BEGIN IMMEDIATE`, PostgreSQL an advisory lock) that reads the
 * committed head. Every writer, in any process, therefore writes the head as it stands when it
 * holds the lock, and the head only grows, so the anchor never moves backwards. It also never
 * advances over evidence: an anchor that no longer matches the chain is left as it is.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../contract/canonical.js';
import { FerryError } from '../errors.js';
import type { Store, StoreDb } from '../store/db.js';
import { AUDIT_KEY_ENV, keyFingerprint } from './key.js';

export const ANCHOR_FORMAT = 'ferry.audit-anchor/v1';
const HKDF_LABEL = 'ferry-audit-anchor/v1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const anchorSchema = z.strictObject({
  format: z.literal(ANCHOR_FORMAT),
  storeId: z.string().regex(/^[0-9a-f]{32}$/),
  seq: z.number().int().nonnegative(),
  hash: hex64,
  time: z.string(),
  signature: z.strictObject({ algorithm: z.literal('HMAC-SHA-256'), keyFingerprint: z.string(), mac: hex64 }).nullable(),
});

export type Anchor = z.infer<typeof anchorSchema>;
type AnchorBody = Omit<Anchor, 'signature'>;

/** The anchor-signing key: HKDF-SHA-256 of FERRY_AUDIT_KEY with the anchor's own label. */
export function anchorMacKey(key: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), HKDF_LABEL, 32));
}

function mac(body: AnchorBody, key: Buffer): string {
  const { format, storeId, seq, hash, time } = body;
  return createHmac('sha256', anchorMacKey(key)).update(canonicalJson({ format, hash, seq, storeId, time })).digest('hex');
}

/** An anchor for `body`, signed when `key` is given. */
export function makeAnchor(body: Omit<AnchorBody, 'format'>, key?: Buffer): Anchor {
  const full: AnchorBody = { format: ANCHOR_FORMAT, ...body };
  return { ...full, signature: key ? { algorithm: 'HMAC-SHA-256', keyFingerprint: keyFingerprint(key), mac: mac(full, key) } : null };
}

/** How an anchor's signature checks out under `key` (which may be absent). */
export function signatureStatus(a: Anchor, key: Buffer | undefined): 'valid' | 'invalid' | 'unsigned' | 'unchecked' {
  if (!a.signature) return 'unsigned';
  if (!key) return 'unchecked';
  const expected = Buffer.from(mac(a, key), 'hex');
  const given = Buffer.from(a.signature.mac, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'valid' : 'invalid';
}

export type AnchorRead = { state: 'present'; anchor: Anchor } | { state: 'missing' } | { state: 'malformed' };

/** Reads the anchor file; a file that is not an anchor is reported, never trusted. */
export async function readAnchorFile(file: string): Promise<AnchorRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw new FerryError(
      'connection',
      'audit.anchor_unreadable',
      `the audit anchor file cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check FERRY_AUDIT_ANCHOR and its permissions`,
    );
  }
  try {
    const parsed = anchorSchema.safeParse(JSON.parse(text));
    return parsed.success ? { state: 'present', anchor: parsed.data } : { state: 'malformed' };
  } catch {
    return { state: 'malformed' };
  }
}

/** Replaces the anchor file atomically and durably: temp file, fsync, rename, fsync of the directory. */
export async function writeAnchorFile(file: string, anchor: Anchor): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(temp, 'wx', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(anchor)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** The store's identity (migration 005). */
export async function storeIdOf(db: StoreDb): Promise<string> {
  const row = await db.selectFrom('store_identity').select('store_id').where('id', '=', 1).executeTakeFirstOrThrow();
  return row.store_id;
}

const scheduled = new WeakSet<object>();

/** Advances the anchor once `trx` (which appended events) commits; a no-op for a store without one. */
export function scheduleAnchor(store: Store, trx: StoreDb): void {
  if (!store.anchor || scheduled.has(trx)) return;
  scheduled.add(trx);
  store.afterCommit(trx, () => advanceAnchor(store));
}

/**
 * Moves the anchor to the committed head, under the store's write lock. Refuses (with a
 * `conflict` the caller reports) to overwrite an anchor that is malformed, belongs to another
 * store, or no longer matches the chain: that anchor is the evidence `ferry audit verify` needs.
 */
export async function advanceAnchor(store: Store, clock: () => Date = () => new Date()): Promise<void> {
  const where = store.anchor;
  if (!where) return;
  await store.writeTransaction(async (trx) => {
    if (store.dialect === 'postgres') await store.lock(trx, 'audit-anchor');
    const head = await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    const seq = Number(head.seq);
    const storeId = await storeIdOf(trx);
    const current = await readAnchorFile(where.file);
    if (current.state === 'malformed') throw diverged('the audit anchor file is not a Ferry anchor');
    if (current.state === 'present') {
      const a = current.anchor;
      if (a.storeId !== storeId) throw diverged('the audit anchor file belongs to another store');
      // Advancing over an anchor this process cannot vouch for would launder a forged one (an
      // attacker cuts the tail and writes a matching unsigned anchor; the next append signs over it).
      const signature = signatureStatus(a, where.key);
      if (signature === 'invalid') throw diverged(`the audit anchor's signature does not verify under this process's ${AUDIT_KEY_ENV} (forged, or signed under another key)`);
      if (signature === 'unsigned' && where.key) {
        throw diverged(`the audit anchor is unsigned although ${AUDIT_KEY_ENV} is set (replaced, or written before the key was set: verify the chain, then remove the anchor file)`);
      }
      // Signed, and this process has no key: leave it to one that has (the anchor trails meanwhile).
      if (signature === 'unchecked') return;
      if (a.seq >= seq) {
        if (a.seq > seq) throw diverged(`the audit anchor records event ${a.seq} but the chain head is event ${seq}`);
        if (a.hash !== head.hash) throw diverged(`the audit anchor records another hash for event ${a.seq}, the chain head`);
        return;
      }
      if (a.seq > 0) {
        const at = await trx.selectFrom('audit_event').select('hash').where('seq', '=', a.seq).executeTakeFirst();
        if (at?.hash !== a.hash) throw diverged(`event ${a.seq} no longer has the hash the audit anchor recorded for it`);
      }
    }
    try {
      await writeAnchorFile(where.file, makeAnchor({ storeId, seq, hash: head.hash, time: clock().toISOString() }, where.key));
    } catch (err) {
      // The errno code only: a file system message would carry the path.
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new FerryError(
        'connection',
        'audit.anchor_unwritable',
        `the audit anchor file cannot be written (${code}); check FERRY_AUDIT_ANCHOR / --audit-anchor and that its directory is writable`,
        [],
        { cause: err },
      );
    }
  });
}

function diverged(why: string): FerryError {
  return new FerryError('conflict', 'audit.anchor_diverged', `${why}; the anchor is left as it is as evidence and no longer advances: run ferry audit verify`);
}
