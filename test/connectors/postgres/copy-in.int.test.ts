import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyIn } from '../../../src/connectors/postgres/copy-in.js';
import { pgTestDb, type PgTestDb } from './harness.js';

let db: PgTestDb;
beforeAll(async () => {
  db = await pgTestDb();
  await db.admin.query('CREATE TABLE copy_in_t (n int PRIMARY KEY, s text)');
});
afterAll(async () => {
  await db.drop();
});

describe('copyIn', () => {
  it('loads chunks given in memory and chunks produced lazily alike', async () => {
    await copyIn(db.admin, 'COPY copy_in_t FROM STDIN', [Buffer.from('1\ta\n2\tb\n'), '3\tc\n']);
    await copyIn(
      db.admin,
      'COPY copy_in_t FROM STDIN',
      (function* () {
        for (let i = 4; i <= 20_000; i++) yield `${i}\tx${i}\n`;
      })(),
    );
    expect((await db.admin.query('SELECT count(*)::int AS n, max(s) AS s FROM copy_in_t WHERE n <= 3')).rows[0]).toEqual({ n: 3, s: 'c' });
    expect((await db.admin.query('SELECT count(*)::int AS n FROM copy_in_t')).rows[0].n).toBe(20_000);
  });

  it('rejects with the server error and code, and the connection carries on', async () => {
    const error = await copyIn(db.admin, 'COPY copy_in_t FROM STDIN', ['1\tdup\n']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23505' });
    expect((await db.admin.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  it('abandons the COPY when producing the data fails, instead of leaving the server waiting', async () => {
    const error = await copyIn(
      db.admin,
      'COPY copy_in_t FROM STDIN',
      (function* () {
        yield '30001\tok\n';
        throw new Error('encoder broke');
      })(),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('encoder broke');
    expect((await db.admin.query('SELECT count(*)::int AS n FROM copy_in_t WHERE n = 30001')).rows[0].n).toBe(0);
  });
});
