/**
 * The CLI hashes passwords at OWASP's scrypt cost (N=2^17, r=8, p=1). The other CLI tests lower
 * it for speed (test/helpers/cheap-scrypt.ts); this one keeps the default and checks what the
 * store holds after `ferry admin init`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { tempDir } from '../helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('ferry-password-cost-')));
afterAll(() => cleanup());

describe('ferry admin init', () => {
  it("stores the first org_admin's password as a salted scrypt hash at N=2^17, r=8, p=1", async () => {
    const store = `sqlite:${path.join(dir, 'ferry.db')}`;
    const io = memoryIO({ cwd: dir, env: { PATH: process.env.PATH ?? '', FERRY_ADMIN_PASSWORD: 'a long enough passphrase' } });
    expect(await main(['admin', 'init', '--org', 'trust-a', '--admin', 'boss', '--store', store], io), io.stderr).toBe(0);
    const s = await openStore(parseStoreUrl(store, dir));
    try {
      const { password_hash } = await s.db.selectFrom('app_user').select('password_hash').where('username', '=', 'boss').executeTakeFirstOrThrow();
      expect(password_hash).toMatch(/^scrypt\$131072\$8\$1\$32\$[\w-]+\$[\w-]+$/);
      expect(password_hash).not.toContain('a long enough passphrase');
    } finally {
      await s.close();
    }
  });
});
