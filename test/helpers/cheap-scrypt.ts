/**
 * Password hashing at a test's cost. The CLI and server hash new passwords at OWASP's scrypt
 * cost (N=2^17: 128 MiB and, on a loaded two-core machine, seconds of CPU per hash), and every
 * sign-in verifies at the cost stored with the hash. A test that drives commands in-process and
 * proves something other than the hash (release gates, roles, break-glass) lowers the process's
 * default for its file with this; test/cli/password-cost.int.test.ts keeps the default and pins
 * it. Test files run in separate workers, so no other file sees the change.
 */
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/control/service.js';

/** Lowers the default scrypt cost to N=1024 for the calling test file, restoring it afterwards. */
export function cheapPasswordHashing(): void {
  const saved = DEFAULT_CONFIG.scrypt;
  beforeAll(() => {
    DEFAULT_CONFIG.scrypt = { ...saved, N: 1024 };
  });
  afterAll(() => {
    DEFAULT_CONFIG.scrypt = saved;
  });
}
