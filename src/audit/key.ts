/**
 * The audit export key: 32 bytes from `FERRY_AUDIT_KEY`, as 64 hex digits or base64. The key
 * itself never appears in a message, a log or a manifest; only a fingerprint does, so an
 * auditor can tell which key an export needs.
 */
import { createHash } from 'node:crypto';
import { FerryError } from '../errors.js';

export const AUDIT_KEY_ENV = 'FERRY_AUDIT_KEY';

/**
 * A 32-byte key from environment variable `name` (64 hex digits or base64, standard or URL-safe),
 * or undefined when unset. A malformed value throws `code`, naming the variable, never the value.
 */
export function aes256KeyFromEnv(env: NodeJS.ProcessEnv, name: string, code: string): Buffer | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : undefined;
  if (!key || key.length !== 32) {
    throw new FerryError('usage', code, `${name} must hold a 32-byte key as 64 hex digits or base64 (e.g. the output of \`openssl rand -base64 32\`); the value set is not one`);
  }
  return key;
}

/** The key from the environment, or undefined when unset. Throws (without echoing it) if malformed. */
export function auditKeyFromEnv(env: NodeJS.ProcessEnv): Buffer | undefined {
  return aes256KeyFromEnv(env, AUDIT_KEY_ENV, 'audit.bad_key');
}

/** The key from the environment; a usage error naming the variable when it is unset. */
export function requireAuditKey(env: NodeJS.ProcessEnv, why: string): Buffer {
  const key = auditKeyFromEnv(env);
  if (!key) throw new FerryError('usage', 'audit.no_key', `${why} needs the AES-256 key: set ${AUDIT_KEY_ENV} (32 bytes, hex or base64)`);
  return key;
}

/** A short, one-way identifier of the key, safe to write in a manifest. */
export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update('ferry-audit-key:').update(key).digest('hex').slice(0, 16);
}
