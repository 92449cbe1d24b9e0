/**
 * Password hashing with scrypt (node:crypto). Each hash records its own salt and cost
 * parameters (`scrypt$N$r$p$keylen$salt$hash`), so raising the cost later leaves existing
 * hashes verifiable. Verification compares in constant time. Passwords are hashed in NFKC
 * form; hashes made before that (raw form) still verify.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { FerryError } from '../errors.js';
import { normalizePassword } from './password-policy.js';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

const options = (p: ScryptParams): ScryptOptions => ({ N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r + 1024 * 1024 });

/** Hashes `password` (NFKC-normalised) with a fresh 16-byte salt. */
export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(normalizePassword(password), salt, params.keyLength, options(params));
  return ['scrypt', params.N, params.r, params.p, params.keyLength, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * True when `password` matches `stored`, in NFKC form or (for hashes made before passwords were
 * normalised) as typed; a malformed stored hash is an internal error, never a match.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const normalized = normalizePassword(password);
  if (await verifyExact(normalized, stored)) return true;
  return normalized !== password && verifyExact(password, stored);
}

async function verifyExact(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  const [scheme, n, r, p, len, saltText, keyText] = parts;
  const params = { N: Number(n), r: Number(r), p: Number(p), keyLength: Number(len) };
  if (parts.length !== 7 || scheme !== 'scrypt' || !Object.values(params).every((v) => Number.isInteger(v) && v > 0)) {
    throw new FerryError('internal', 'auth.bad_hash', "a stored password hash is malformed; reset that user's password");
  }
  const expected = Buffer.from(keyText, 'base64url');
  const actual = await scrypt(password, Buffer.from(saltText, 'base64url'), params.keyLength, options(params));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
