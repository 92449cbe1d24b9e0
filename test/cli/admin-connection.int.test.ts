/**
 * `ferry admin connection`: the operator's only way to name what tenants may reach. Paths are
 * stored absolute, refusals exit 2 naming the rule (never the path), and the listing is the
 * operator's own view with references.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { cheapPasswordHashing } from '../helpers/cheap-scrypt.js';
import { tempDir } from '../helpers/tmp.js';

cheapPasswordHashing();

describe('ferry admin connection add | list | remove', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('ferry-conn-cli-'));
    await mkdir(path.join(dir, 'targets'));
  });
  afterAll(() => cleanup());

  async function ferry(args: string[], env: Record<string, string> = {}) {
    const io = memoryIO({ cwd: dir, env: { PATH: process.env.PATH ?? '', FERRY_CONNECTION_ROOTS: path.join(dir, 'targets'), ...env } });
    const code = await main(args, io);
    return { code, out: io.stdout, err: io.stderr };
  }

  it('registers, lists and removes connections; refuses the control store and paths outside the roots', async () => {
    expect((await ferry(['admin', 'init', '--org', 'trust-a', '--admin', 'boss'], { FERRY_ADMIN_PASSWORD: 'a long enough passphrase' })).code).toBe(0);
    const added = await ferry(['admin', 'connection', 'add', 'pre', '--org', 'trust-a', '--url', 'sqlite:targets/pre.db', '--tier', 'pre_production', '--json']);
    expect(added.code, added.err).toBe(0);
    expect(JSON.parse(added.out)).toMatchObject({ name: 'pre', org: 'trust-a', direction: 'target', kind: 'sqlite', ref: `sqlite:${path.join(dir, 'targets', 'pre.db')}`, tiers: ['pre_production'] });

    const store = await ferry(['admin', 'connection', 'add', 'grab', '--org', 'trust-a', '--url', 'sqlite:.ferry/ferry.db'], { FERRY_CONNECTION_ROOTS: dir });
    expect(store.code).toBe(2);
    expect(store.err).toContain('reaches the control store');
    expect(store.err).not.toContain(dir);
    const outside = await ferry(['admin', 'connection', 'add', 'etc', '--org', 'trust-a', '--direction', 'source', '--url', 'csv:/etc']);
    expect(outside.code).toBe(2);
    expect(outside.err).toContain('FERRY_CONNECTION_ROOTS');
    expect((await ferry(['admin', 'connection', 'add', 'x', '--org', 'nobody', '--url', 'sqlite:targets/x.db'])).code).not.toBe(0);
    expect((await ferry(['admin', 'connection', 'add', 'x', '--org', 'trust-a', '--direction', 'sideways', '--url', 'sqlite:targets/x.db'])).code).toBe(2);

    const list = await ferry(['admin', 'connection', 'list']);
    expect(list.out.trim()).toBe(`trust-a  pre  target  sqlite  sqlite:${path.join(dir, 'targets', 'pre.db')}  projects: all  tiers: pre_production`);
    expect((await ferry(['admin', 'connection', 'remove', 'pre', '--org', 'trust-a'])).code).toBe(0);
    expect((await ferry(['admin', 'connection', 'list', '--json'])).out.trim()).toBe('[]');
    expect((await ferry(['admin', 'connection', 'remove', 'pre', '--org', 'trust-a'])).code).not.toBe(0);
  });
});
