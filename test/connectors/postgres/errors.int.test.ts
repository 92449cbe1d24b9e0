/**
 * A PostgreSQL connection the server terminates (57P01) is reported as that, in words, whether
 * the query saw the server's ErrorResponse or only the driver's echo of the dead connection.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitUnit, TargetTableDef } from '../../../src/connectors/connector.js';
import { safePgReason } from '../../../src/connectors/postgres/errors.js';
import { pgConfig } from '../../../src/connectors/postgres/config.js';
import { connectClient } from '../../../src/connectors/postgres/session.js';
import { parseConnectorUrl } from '../../../src/connectors/url.js';
import { FerryError } from '../../../src/errors.js';
import { pgTestDb, type PgTestDb } from './harness.js';

const TERMINATED = /the PostgreSQL server terminated the connection \(57P01 admin shutdown/;

let db: PgTestDb;
beforeAll(async () => {
  db = await pgTestDb();
});
afterAll(async () => {
  await db.drop();
});

const note: TargetTableDef = {
  name: 'note',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'body', type: 'text', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

describe('a terminated PostgreSQL backend', () => {
  it('is reported as the server terminating the connection when the next query only sees "not queryable"', async () => {
    const client = await connectClient(pgConfig(parseConnectorUrl(db.url, {})));
    try {
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const emitted = once(client, 'error');
      await db.admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await emitted;
      const err = await client.query('SELECT 1').catch((e: unknown) => e);
      expect(safePgReason(err)).toMatch(/not queryable/);
      expect(safePgReason(err, client)).toMatch(TERMINATED);
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  it('ends a commit mid-COPY with target.commit_failed naming 57P01 in words, never a socket code as a SQLSTATE, and the target carries on', async () => {
    const schema = db.schemaName();
    const target = await db.target(schema);
    try {
      await target.ensureSchema([note], { create: true });
      await target.beginRun({ runId: 'r1', contractDigest: 'd', startedAt: '2024-01-01T00:00:00Z', status: 'running' });
      // The backend terminates itself while it inserts the COPY's rows: the server's own kill,
      // at a known point, with no race against an outside connection.
      await db.admin.query(`CREATE FUNCTION "${schema}".die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$`);
      await db.admin.query(`CREATE TRIGGER die BEFORE INSERT ON "${schema}".note FOR EACH ROW WHEN (NEW.id = 2) EXECUTE FUNCTION "${schema}".die()`);
      const unit = (ids: number[], offset: number): CommitUnit => ({
        runId: 'r1',
        table: note,
        mode: 'append',
        rows: ids.map((id) => [id, `secret value ${id}`]),
        quarantine: [],
        checkpoint: { runId: 'r1', table: 'note', offset, loaded: offset, quarantined: 0, excluded: 0, done: false },
      });
      const err = await target.commit(unit([1, 2, 3], 3)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FerryError);
      expect(err).toMatchObject({ kind: 'run', code: 'target.commit_failed' });
      const message = (err as FerryError).message;
      expect(message).toMatch(TERMINATED);
      expect(message).not.toMatch(/SQLSTATE E|secret value/);
      await db.admin.query(`DROP TRIGGER die ON "${schema}".note`);
      await target.commit(unit([4], 1));
      expect((await db.admin.query(`SELECT id::int AS id FROM "${schema}".note`)).rows).toEqual([{ id: 4 }]);
    } finally {
      await target.close();
    }
  });
});
