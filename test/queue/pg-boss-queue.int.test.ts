import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { PgBossQueue } from '../../src/queue/pg-boss-queue.js';
import { createPgDatabase } from '../helpers/databases.js';
import { describeQueueBehaviour, waitForJob } from './behaviour.js';

let db: { name: string; url: string; drop: () => Promise<void> };
beforeAll(async () => {
  db = await createPgDatabase('ferry_queue_t');
});
afterAll(async () => {
  await db.drop();
});

function schemaName(): string {
  return `q_${randomBytes(4).toString('hex')}`;
}

/** A queue with the short intervals tests need (pg-boss 10's minimums: maintenance 1 s, polling 0.5 s, lease 1 s). */
async function openQueue(schema: string): Promise<PgBossQueue> {
  const queue = new PgBossQueue({ url: db.url, schema, maintenanceIntervalSeconds: 1, poolSize: 3 });
  await queue.start();
  return queue;
}

describeQueueBehaviour('pg-boss', async () => {
  const schema = schemaName();
  return {
    queue: await openQueue(schema),
    reopen: () => openQueue(schema),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
});

describe('pg-boss queue', () => {
  it('lets several processes create the same queues at once on a fresh database (workers started together)', async () => {
    for (let round = 0; round < 3; round++) {
      const schema = schemaName();
      const queues = await Promise.all([0, 1, 2, 3].map(() => openQueue(schema)));
      try {
        // Each creates a queue with a dead-letter queue, as `ferry worker` does at start.
        await Promise.all(queues.map((q) => q.createQueue('ferry.partitions', { deadLetter: 'ferry.partitions.failed', retryLimit: 5 })));
        const id = await queues[0].send('ferry.partitions', { n: round });
        expect(id).not.toBeNull();
      } finally {
        await Promise.all(queues.map((q) => q.stop({ graceful: false })));
      }
    }
  }, 60_000);

  it('creates its tables in the named schema', async () => {
    const schema = schemaName();
    const queue = await openQueue(schema);
    await queue.createQueue('partitions');
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('job', 'archive', 'queue', 'version') ORDER BY 1`,
        [schema],
      );
      expect(rows.map((r) => r.table_name)).toEqual(['archive', 'job', 'queue', 'version']);
    } finally {
      await c.end();
      await queue.stop();
    }
  });

  it('can be stopped and started again, and refuses work while stopped', async () => {
    const schema = schemaName();
    const queue = await openQueue(schema);
    await queue.createQueue('again');
    const id = await queue.send('again', { n: 1 });
    await queue.stop();
    await expect(queue.getJob('again', id!)).rejects.toMatchObject({ code: 'queue.not_started' });
    await queue.start();
    await queue.work('again', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async () => 'done');
    expect((await waitForJob(queue, 'again', id!, (j) => j.state === 'completed')).output).toEqual({ value: 'done' });
    await queue.stop();
  });

  it('sends a job inside the caller transaction: it exists only if the transaction commits', async () => {
    const queue = await openQueue(schemaName());
    await queue.createQueue('tx');
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('BEGIN');
      const rolledBack = await queue.sendWithin(c, 'tx', { n: 1 });
      expect(rolledBack).toEqual(expect.any(String));
      await c.query('ROLLBACK');
      expect(await queue.getJob('tx', rolledBack!)).toBeNull();
      await c.query('BEGIN');
      const committed = await queue.sendWithin(c, 'tx', { n: 2 });
      expect(await queue.getJob('tx', committed!)).toBeNull();
      await c.query('COMMIT');
      expect(await queue.getJob('tx', committed!)).toMatchObject({ state: 'created', data: { n: 2 } });
    } finally {
      await c.end();
      await queue.stop();
    }
  });

  it('keeps working after the database ends all its sessions, reporting the loss as queue.unreachable', async () => {
    const errors: FerryError[] = [];
    const queue = new PgBossQueue({ url: db.url, schema: schemaName(), maintenanceIntervalSeconds: 1, onError: (e) => errors.push(e) });
    await queue.start();
    await queue.createQueue('restart');
    const seen: string[] = [];
    await queue.work('restart', { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (job) => void seen.push(job.id));
    const before = await queue.send('restart', {});
    await waitForJob(queue, 'restart', before!, (j) => j.state === 'completed');
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ferry-queue' AND pid <> pg_backend_pid()`,
        [db.name],
      );
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const after = await queue.send('restart', {});
    await waitForJob(queue, 'restart', after!, (j) => j.state === 'completed');
    expect(seen).toEqual([before, after]);
    for (const e of errors) expect(e).toMatchObject({ kind: 'connection', code: 'queue.unreachable' });
    await queue.stop();
  });

  it('names an unreachable queue database by its redacted URL, never the password', async () => {
    const queue = new PgBossQueue({ url: 'postgres://ferry@127.0.0.1:1/queue?password_env=QUEUE_PW', env: { QUEUE_PW: 'hunter2-secret' } });
    const err = await queue.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ kind: 'connection', code: 'queue.unreachable' });
    const message = (err as FerryError).message;
    expect(message).toContain('postgres://ferry@127.0.0.1:1/queue');
    expect(message).not.toContain('hunter2-secret');
  });

  it('fails every start against a database that does not exist, not only the first', async () => {
    const queue = new PgBossQueue({ url: db.url.replace(/\/[^/]*$/, `/${db.name}_missing`) });
    for (let i = 0; i < 2; i++) await expect(queue.start()).rejects.toMatchObject({ kind: 'connection', code: 'queue.unreachable' });
    await expect(queue.send('x', {})).rejects.toMatchObject({ code: 'queue.not_started' });
  });

  it('refuses a URL that is not PostgreSQL, a password in the URL, and a schema that is not an identifier', () => {
    expect(() => new PgBossQueue({ url: 'mysql://root@127.0.0.1/x' })).toThrow(expect.objectContaining({ code: 'queue.bad_url' }));
    const inUrl = (() => {
      try {
        new PgBossQueue({ url: 'postgres://ferry:s3cret-pw@127.0.0.1/x' });
      } catch (e) {
        return e as FerryError;
      }
    })();
    expect(inUrl).toMatchObject({ code: 'connector.password_in_url' });
    expect(inUrl!.message).not.toContain('s3cret-pw');
    for (const schema of ['ferry"; DROP SCHEMA public; --', 'Upper', '1abc', 'a'.repeat(51)]) {
      let caught: FerryError | undefined;
      try {
        new PgBossQueue({ url: db.url, schema });
      } catch (e) {
        caught = e as FerryError;
      }
      expect(caught).toMatchObject({ kind: 'usage', code: 'queue.bad_option' });
      expect(caught!.message).not.toContain('DROP');
    }
    expect(new PgBossQueue({ url: `${db.url}?schema=from_url` }).schema).toBe('from_url');
    expect(new PgBossQueue({ url: db.url }).schema).toBe('ferry_queue');
  });
});
