import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { checkNewPassword, commonPasswords, MAX_PASSWORD_LENGTH, passwordProblem, type PasswordPolicyContext } from '../../src/control/password-policy.js';

const ctx: PasswordPolicyContext = { minLength: 12, username: 'alice.smith@trust.nhs.uk', orgSlug: 'leeds-th' };

describe('the password policy (NIST SP 800-63B)', () => {
  it('accepts a long passphrase, in any script, up to the maximum length', () => {
    expect(passwordProblem('correct horse battery staple', ctx)).toBeNull();
    expect(passwordProblem('пароль из нескольких слов', ctx)).toBeNull();
    expect(passwordProblem('雪が降る夜に猫と本を読む静かな時間', ctx)).toBeNull();
    expect(passwordProblem('x'.repeat(5) + 'y'.repeat(MAX_PASSWORD_LENGTH - 5), ctx)).toBeNull();
  });

  it('counts length in characters after NFKC, not in UTF-16 units', () => {
    // Eleven emoji are 22 UTF-16 units but 11 characters: too short.
    expect(passwordProblem('🐴🔋📎🐎🦄🌵🍉🎈🧭🪁🛶', ctx)).toBe('too_short');
    expect(passwordProblem('🐴🔋📎🐎🦄🌵🍉🎈🧭🪁🛶🚲', ctx)).toBeNull();
    expect(passwordProblem('z'.repeat(3) + 'q'.repeat(MAX_PASSWORD_LENGTH - 2), ctx)).toBe('too_long');
    expect(passwordProblem('elevenchars', ctx)).toBe('too_short');
  });

  it('refuses common and breached passwords from the shipped list, case-insensitively and after NFKC', () => {
    expect(commonPasswords().size).toBeGreaterThan(20_000);
    expect(commonPasswords().has('1qaz2wsx3edc')).toBe(true);
    expect(passwordProblem('1qaz2wsx3edc', ctx)).toBe('common');
    expect(passwordProblem('LeaveMeAlone', ctx)).toBe('common');
    // Full-width letters normalise (NFKC) to the listed ASCII password.
    expect(passwordProblem('ｌｅａｖｅｍｅａｌｏｎｅ', ctx)).toBe('common');
  });

  it('refuses the user name (or an email\'s local part), the org slug and "ferry" inside a password', () => {
    expect(passwordProblem('my name is alice.smith@trust.nhs.uk', ctx)).toBe('contains_username');
    expect(passwordProblem('ALICE.SMITH rides a bicycle', ctx)).toBe('contains_username');
    expect(passwordProblem('working at leeds-th since 2019', ctx)).toBe('contains_org');
    expect(passwordProblem('the Ferry crosses the river', ctx)).toBe('contains_product');
  });

  it('refuses one repeated character and simple sequences, forwards or backwards', () => {
    expect(passwordProblem('aaaaaaaaaaaaaaaa', ctx)).toBe('repeated');
    expect(passwordProblem('abcdefghijklmn', ctx)).toBe('sequence');
    expect(passwordProblem('987654321098', ctx)).toBe('sequence');
    expect(passwordProblem('QWERTYUIOPASDF', ctx)).toBe('sequence');
    expect(passwordProblem('zyxwvutsrqponm', ctx)).toBe('sequence');
  });

  it('names the rule broken and never echoes the password', () => {
    const secret = 'my leeds-th secret words';
    const err = (() => {
      try {
        checkNewPassword(secret, ctx, 'newPassword');
      } catch (e) {
        return e as FerryError;
      }
      throw new Error('accepted');
    })();
    expect(err).toMatchObject({ kind: 'usage', code: 'auth.weak_password' });
    expect(err.issues).toEqual([expect.objectContaining({ code: 'auth.password_contains_org', path: 'newPassword' })]);
    expect(JSON.stringify({ message: err.message, issues: err.issues })).not.toContain(secret);
    expect(() => checkNewPassword(42, ctx)).toThrow(FerryError);
    expect(checkNewPassword('cafe\u0301 and croissants', ctx)).toBe('café and croissants');
  });
});
