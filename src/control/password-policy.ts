/**
 * Which new passwords Ferry accepts, after NIST SP 800-63B §5.1.1.2: a minimum length and a
 * generous maximum, any Unicode (compared after NFKC normalisation), and no password that is
 * common or breached, built from the account's own names, or trivially guessable (one repeated
 * character, a simple sequence). No composition rules (they make passwords worse, not better).
 * A refusal names the rule broken and never echoes the password.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FerryError, issue } from '../errors.js';

/** Longest password accepted, in Unicode code points after normalisation. */
export const MAX_PASSWORD_LENGTH = 256;

/** The shipped list of common and breached passwords (see its README for source and licence). */
export const COMMON_PASSWORDS_FILE = fileURLToPath(new URL('../../reference/passwords/common-passwords.txt', import.meta.url));

export type PasswordRule = 'too_short' | 'too_long' | 'common' | 'contains_username' | 'contains_org' | 'contains_product' | 'repeated' | 'sequence';

/** What a password is checked against besides itself. */
export interface PasswordPolicyContext {
  minLength: number;
  username?: string;
  orgSlug?: string;
}

// Keyboard rows and the alphabet, so "qwertyuiopas", "abcdefghijkl" and "987654321098" count as sequences.
const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertyuiopasdfghjklzxcvbnm', '1234567890'];
const PRODUCT = 'ferry';

let common: Set<string> | undefined;

/** The common-password list, read from disk the first time it is needed. */
export function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(COMMON_PASSWORDS_FILE, 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l.length > 0),
  );
  return common;
}

/** The form a password is hashed and compared in: NFKC, so visually equal input matches. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

function isRepeated(chars: string[]): boolean {
  return chars.every((c) => c === chars[0]);
}

function isSequence(lower: string): boolean {
  return SEQUENCES.some((seq) => {
    const forwards = seq.repeat(Math.ceil(lower.length / seq.length) + 1);
    const backwards = [...forwards].reverse().join('');
    return forwards.includes(lower) || backwards.includes(lower);
  });
}

/** Names worth refusing inside a password: the user name (and an email's local part) and the org slug. */
function containsName(lower: string, name: string | undefined): boolean {
  if (!name) return false;
  const n = name.normalize('NFKC').trim().toLowerCase();
  const parts = [n, n.split('@')[0]];
  return parts.some((p) => p.length >= 3 && lower.includes(p));
}

/** The first rule `password` breaks, or null when it is acceptable. */
export function passwordProblem(password: string, ctx: PasswordPolicyContext): PasswordRule | null {
  const normalized = normalizePassword(password);
  const chars = [...normalized];
  if (chars.length < ctx.minLength) return 'too_short';
  if (chars.length > MAX_PASSWORD_LENGTH) return 'too_long';
  const lower = normalized.toLowerCase();
  if (isRepeated(chars)) return 'repeated';
  if (isSequence(lower)) return 'sequence';
  if (commonPasswords().has(lower)) return 'common';
  if (containsName(lower, ctx.username)) return 'contains_username';
  if (containsName(lower, ctx.orgSlug)) return 'contains_org';
  if (lower.includes(PRODUCT)) return 'contains_product';
  return null;
}

const ADVICE = 'a passphrase of several unrelated words works well';

function explain(rule: PasswordRule, ctx: PasswordPolicyContext): string {
  switch (rule) {
    case 'too_short':
      return `the password is shorter than ${ctx.minLength} characters; choose a longer one (${ADVICE})`;
    case 'too_long':
      return `the password is longer than ${MAX_PASSWORD_LENGTH} characters; choose a shorter one`;
    case 'repeated':
      return `the password is one character repeated; choose one that is harder to guess (${ADVICE})`;
    case 'sequence':
      return `the password is a simple sequence (letters, digits or a keyboard row); choose one that is harder to guess (${ADVICE})`;
    case 'common':
      return `the password is on the list of common and breached passwords; choose another (${ADVICE})`;
    case 'contains_username':
      return 'the password contains the user name; choose one that does not';
    case 'contains_org':
      return "the password contains the organisation's short name; choose one that does not";
    case 'contains_product':
      return 'the password contains "ferry"; choose one that does not';
  }
}

/**
 * Refuses a password that breaks the policy with `auth.weak_password` (a usage error whose
 * issue code `auth.password_<rule>` names the rule); returns the normalised password.
 */
export function checkNewPassword(password: unknown, ctx: PasswordPolicyContext, field = 'password'): string {
  if (typeof password !== 'string') {
    throw new FerryError('usage', 'auth.weak_password', `${field} must be a string of ${ctx.minLength} to ${MAX_PASSWORD_LENGTH} characters`, [
      issue('auth.password_too_short', field, 'not a string'),
    ]);
  }
  const rule = passwordProblem(password, ctx);
  if (rule !== null) {
    const message = explain(rule, ctx);
    throw new FerryError('usage', 'auth.weak_password', message, [issue(`auth.password_${rule}`, field, message)]);
  }
  return normalizePassword(password);
}
