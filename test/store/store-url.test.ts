import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { resolveStoreLocation } from '../../src/store/store-url.js';
import { FerryError } from '../../src/errors.js';

const cwd = '/srv/ferry';

describe('control store location', () => {
  it('defaults to the embedded SQLite file .ferry/ferry.db under the working directory', () => {
    expect(resolveStoreLocation({ env: {}, cwd })).toMatchObject({ dialect: 'sqlite', file: path.join(cwd, '.ferry', 'ferry.db') });
  });

  it('takes FERRY_DATABASE_URL over the default and --store over both', () => {
    const env = { FERRY_DATABASE_URL: 'postgres://ferry@db.internal:5433/control' };
    expect(resolveStoreLocation({ env, cwd })).toMatchObject({ dialect: 'postgres', display: env.FERRY_DATABASE_URL });
    expect(resolveStoreLocation({ env, cwd, flag: 'sqlite:other.db' })).toMatchObject({ dialect: 'sqlite', file: path.join(cwd, 'other.db') });
  });

  it('resolves a relative SQLite file against the working directory, not the process directory', () => {
    const loc = resolveStoreLocation({ env: {}, cwd, flag: 'sqlite:state/ctl.db?busy_timeout=9000' });
    expect(loc).toEqual({ dialect: 'sqlite', file: path.join(cwd, 'state', 'ctl.db'), busyTimeout: 9000, display: `sqlite:${path.join(cwd, 'state', 'ctl.db')}` });
  });

  it('takes the PostgreSQL password from the environment and never shows it', () => {
    const loc = resolveStoreLocation({ env: { CTL_PW: 's3cret' }, cwd, flag: 'postgres://ferry@db:5432/control?password_env=CTL_PW&schema=ferry' });
    if (loc.dialect !== 'postgres') throw new Error('expected postgres');
    expect(loc.pg.client.password).toBe('s3cret');
    expect(loc.pg.schema).toBe('ferry');
    expect(loc.display).not.toContain('s3cret');
  });

  it('refuses a password written into the URL', () => {
    expect(() => resolveStoreLocation({ env: {}, cwd, flag: 'postgres://ferry:hunter2@db/control' })).toThrow(/contains a password/);
  });

  it('refuses other kinds of URL with a usage error naming the accepted forms', () => {
    const err = (() => {
      try {
        resolveStoreLocation({ env: {}, cwd, flag: 'mysql://root@db/control' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).kind).toBe('usage');
    expect((err as FerryError).message).toMatch(/sqlite:FILE or postgres:\/\//);
  });
});
