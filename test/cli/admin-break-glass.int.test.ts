/**
 * The operator's break-glass path: with direct access to the store, `ferry admin user unlock`
 * and `ferry admin user reset-password` work without logging in, even when the org's only
 * org_admin is locked; the new password comes from the environment, never argv.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/store/db.js';
import { createControlPlane } from '../../src/control/service.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { cheapPasswordHashing } from '../helpers/cheap-scrypt.js';
import { tempDir } from '../helpers/tmp.js';

const PASSWORD = 'a long enough passphrase';
const FRESH = 'operator picked this one';

cheapPasswordHashing();

describe('ferry admin user unlock / reset-password (break-glass)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('ferry-break-glass-'));
    store = `sqlite:${path.join(dir, 'ferry.db')}`;
  });
  afterAll(() => cleanup());

  async function ferry(args: string[], env: Record<string, string> = {}) {
    const io = memoryIO({ cwd: dir, env: { PATH: process.env.PATH ?? '', USER: 'ops', ...env } });
    const code = await main(args, io);
    return { code, out: io.stdout, err: io.stderr };
  }

  it('unlocks a locked sole org_admin and resets its password without a login, audited as the operator', async () => {
    expect((await ferry(['admin', 'init', '--org', 'trust-a', '--admin', 'boss', '--store', store], { FERRY_ADMIN_PASSWORD: PASSWORD })).code).toBe(0);
    const s = await openStore(parseStoreUrl(store, dir));
    try {
      const plane = createControlPlane({ store: s });
      const boss = (await s.db.selectFrom('app_user').select('id').where('username', '=', 'boss').executeTakeFirstOrThrow()).id;
      await plane.lockUser(await plane.actorFor(boss), boss);
    } finally {
      await s.close();
    }
    // Locked: acting as boss fails, with the answer every failed login gets.
    const refused = await ferry(['admin', 'user', 'list', '--store', store, '--user', 'boss', '--org', 'trust-a'], { FERRY_PASSWORD: PASSWORD });
    expect(refused.code).toBe(8);
    expect(refused.err).toContain('user name or password is wrong');

    const unlocked = await ferry(['admin', 'user', 'unlock', 'boss', '--org', 'trust-a', '--store', store]);
    expect(unlocked.code, unlocked.err).toBe(0);
    expect(unlocked.out).toContain('boss');
    expect(unlocked.out).not.toContain('(locked)');
    expect((await ferry(['admin', 'user', 'list', '--store', store, '--user', 'boss', '--org', 'trust-a'], { FERRY_PASSWORD: PASSWORD })).code).toBe(0);

    expect((await ferry(['admin', 'user', 'reset-password', 'boss', '--org', 'trust-a', '--store', store])).err).toContain('FERRY_NEW_PASSWORD');
    const weak = await ferry(['admin', 'user', 'reset-password', 'boss', '--org', 'trust-a', '--store', store], { FERRY_NEW_PASSWORD: 'trust-a trust-a trust-a' });
    expect(weak.code).not.toBe(0);
    expect(weak.err).toContain("contains the organisation's short name");
    expect(weak.err).not.toContain('trust-a trust-a');
    const reset = await ferry(['admin', 'user', 'reset-password', 'boss', '--org', 'trust-a', '--store', store], { FERRY_NEW_PASSWORD: FRESH });
    expect(reset.code, reset.err).toBe(0);
    expect(reset.out).not.toContain(FRESH);
    expect((await ferry(['admin', 'user', 'list', '--store', store, '--user', 'boss', '--org', 'trust-a'], { FERRY_PASSWORD: FRESH })).code).toBe(0);
    const wrongOrg = await ferry(['admin', 'user', 'unlock', 'boss', '--org', 'trust-b', '--store', store]);
    expect(wrongOrg.code).not.toBe(0);
    expect(wrongOrg.err).toContain('no org has that slug');

    const s2 = await openStore(parseStoreUrl(store, dir));
    try {
      const events = await createControlPlane({ store: s2 }).audit.list({ order: 'asc' });
      const byOperator = events.filter((e) => e.type === 'user:unlocked' || e.type === 'user:password_reset');
      expect(byOperator.map((e) => [e.type, e.actor])).toEqual([
        ['user:unlocked', 'os:ops'],
        ['user:password_reset', 'os:ops'],
      ]);
    } finally {
      await s2.close();
    }
  }, 120_000);
});
