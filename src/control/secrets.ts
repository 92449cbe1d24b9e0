/**
 * Identifiers and bearer secrets. Ids are random (never sequential) so they cannot be guessed
 * from one another; bearer tokens carry 256 bits and are stored only as SHA-256, so a leaked
 * store copy holds nothing that authenticates.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random identifier such as `prj_3f9a…` (96 bits). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** A new bearer secret such as `fs_…`; show it once, store `sha256Hex` of it. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 of a secret as lowercase hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // Compare equal-length buffers always, so the length check does not short-circuit the work.
  const same = timingSafeEqual(x.length === y.length ? x : y, y);
  return same && x.length === y.length;
}
