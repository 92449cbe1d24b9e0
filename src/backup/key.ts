/**
 * The backup key: 32 bytes from `FERRY_BACKUP_KEY`, as 64 hex digits or base64. Only the
 * operator's environment sets it; the key never appears in a message, a log or a manifest,
 * only a fingerprint does, so an operator can tell which key a backup needs.
 */
import { createHmac } from 'node:crypto';
import { aes256KeyFromEnv } from '../audit/key.js';
import { FerryError } from '../errors.js';

export const BACKUP_KEY_ENV = 'FERRY_BACKUP_KEY';

/** Reads the key from the environment, or undefined when unset; a malformed value is a usage error that names the variable, never the value. */
export function backupKeyFromEnv(env: NodeJS.ProcessEnv): Buffer | undefined {
  return aes256KeyFromEnv(env, BACKUP_KEY_ENV, 'backup.bad_key');
}

/** The key, or a usage error naming the variable when it is unset. */
export function requireBackupKey(env: NodeJS.ProcessEnv): Buffer {
  const key = backupKeyFromEnv(env);
  if (!key) throw new FerryError('usage', 'backup.no_key', `backups are encrypted: set ${BACKUP_KEY_ENV} to a 32-byte key (64 hex digits or base64)`);
  return key;
}

// Separate derived keys: the fingerprint published in the manifest must reveal nothing about the
// encryption key, and the manifest's MAC must not share a key with the cipher.
/** A short, one-way identifier of the key, safe to write in a manifest. */
export function backupKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('ferry-backup-key-id').digest('hex').slice(0, 16);
}

/** The key that authenticates a manifest (HMAC-SHA256). */
export function manifestMacKey(key: Buffer): Buffer {
  return createHmac('sha256', key).update('ferry-backup-manifest-mac').digest();
}
