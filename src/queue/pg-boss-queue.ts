/**
 * The job queue on PostgreSQL through pg-boss 10 (docs/distributed.md). pg-boss keeps jobs,
 * retries, back-off, dead letters and leases in its own schema; this class validates input,
 * runs the per-process worker loop (worker.ts), and turns pg-boss and driver errors into
 * FerryErrors that name the queue database by its redacted URL only.
 *
 * Leases: pg-boss 10 has no worker heartbeat. An attempt's lease is `expireInSeconds` from its
 * start, counted by the database; the maintenance pass of any running instance (every
 * `maintenanceIntervalSeconds`, once across all instances) fails attempts past their lease, which
 * makes them fetchable again after `retryDelay`. So a dead worker's job restarts after
 * lease + up to one maintenance interval + up to one polling interval, and a live but slow
 * handler past its lease has its job handed to a second worker while it may still be writing:
 * callers fence their commits with the job id and `retryCount`.
 */
import PgBoss from 'pg-boss';
import { z } from 'zod';
import { FerryError } from '../errors.js';
import { parseConnectorUrl, redact } from '../connectors/url.js';
import { pgConfig } from '../connectors/postgres/config.js';
import { safePgReason } from '../connectors/postgres/errors.js';
import {
  checkJobData,
  checkJobId,
  checkQueueName,
  checkQueueOptions,
  checkWorkOptions,
  deadLetterItself,
  isJobId,
  notStarted,
  resolveJobOptions,
  unknownQueue,
  type JobHandler,
  type JobInfo,
  type JobOptions,
  type JobQueue,
  type JobState,
  type QueueOptions,
  type StopOptions,
  type WorkOptions,
} from './job-queue.js';
import { QueueWorkers, type FetchedJob, type WorkerBackend } from './worker.js';

/** Tries at creating a queue when concurrent creations deadlock. */
const CREATE_ATTEMPTS = 5;

function isDeadlock(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '40P01' || (err instanceof Error && /deadlock detected/i.test(err.message));
}

export interface PgBossQueueOptions {
  /** `postgres://USER@HOST:PORT/DB[?schema=S]`; the password comes from the environment (?password_env=VAR or PGPASSWORD). */
  url: string;
  /** Schema pg-boss creates and uses; default the URL's `?schema=`, else `ferry_queue`. */
  schema?: string;
  /** Connections this process opens to the queue database; default 4. */
  poolSize?: number;
  /** How often lease expiry and archiving run (once across all instances); default 30 s. */
  maintenanceIntervalSeconds?: number;
  /** Receives background failures (pool errors, failed fetches and completions), already as FerryErrors. */
  onError?: (err: FerryError) => void;
  /** Called after each fetch this process's workers made of a queue: the worker loop's heartbeat (metrics). */
  onPoll?: (queue: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Jobs of one queue in one state, as `stats()` counts them. */
export interface QueueStateCount {
  queue: string;
  state: JobState;
  jobs: number;
  /** Seconds since the oldest of these jobs was created. */
  oldestSeconds: number;
}

/** A connection inside the caller's transaction, e.g. a `pg` client between BEGIN and COMMIT. */
export interface QueueTransaction {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

// pg-boss writes the schema into its SQL unquoted: lower case only, so the name is the one created.
const schemaName = z.string().regex(/^[a-z_][a-z0-9_]{0,49}$/, 'a schema name is 1-50 lower-case letters, digits or "_", not starting with a digit');

const optionsSchema = z.strictObject({
  url: z.string().min(1),
  schema: schemaName.optional(),
  poolSize: z.number().int().min(1).max(100).default(4),
  maintenanceIntervalSeconds: z.number().int().min(1).max(3600).default(30),
  onError: z.custom<(err: FerryError) => void>((v) => typeof v === 'function').optional(),
  onPoll: z.custom<(queue: string) => void>((v) => typeof v === 'function').optional(),
  env: z.custom<NodeJS.ProcessEnv>((v) => typeof v === 'object' && v !== null).optional(),
});

/** The pg-boss implementation of JobQueue. */
export class PgBossQueue implements JobQueue {
  /** The queue database's URL without any password, for messages. */
  readonly display: string;
  readonly schema: string;
  private readonly bossConfig: PgBoss.ConstructorOptions;
  /** The pg-boss instance while started; a new one per start, since one whose start failed cannot be started again. */
  private current: PgBoss | null = null;
  private readonly workers = new QueueWorkers();
  private readonly onError?: (err: FerryError) => void;
  private readonly onPoll?: (queue: string) => void;

  constructor(options: PgBossQueueOptions) {
    const parsedOptions = optionsSchema.safeParse(options);
    if (!parsedOptions.success) {
      // Never echo the input: the url field may hold a secret.
      const detail = parsedOptions.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new FerryError('usage', 'queue.bad_option', `invalid job queue options: ${detail}`);
    }
    const o = parsedOptions.data;
    if (!/^postgres(ql)?:\/\//i.test(o.url)) {
      throw new FerryError('usage', 'queue.bad_url', `"${redact(o.url)}" is not a job queue URL; expected postgres://USER@HOST:PORT/DATABASE (the queue runs on PostgreSQL only)`);
    }
    const parsed = parseConnectorUrl(o.url, o.env ?? process.env);
    const schemaParam = parsed.params.get('schema');
    const schema = schemaName.safeParse(o.schema ?? schemaParam ?? 'ferry_queue');
    if (!schema.success) throw new FerryError('usage', 'queue.bad_option', `invalid job queue schema: ${schema.error.issues[0].message}`);
    const cfg = pgConfig(parsed);
    this.display = parsed.display;
    this.schema = schema.data;
    this.onError = o.onError;
    this.onPoll = o.onPoll;
    const client = { ...cfg.client, application_name: parsed.params.has('application_name') ? cfg.client.application_name : 'ferry-queue' };
    this.bossConfig = {
      ...client,
      max: o.poolSize,
      schema: this.schema,
      migrate: true,
      supervise: true,
      // Cron scheduling is not used; off, it starts no timers and no internal queues.
      schedule: false,
      maintenanceIntervalSeconds: o.maintenanceIntervalSeconds,
    } as PgBoss.ConstructorOptions;
  }

  /** Creates or migrates pg-boss's schema and starts maintenance. */
  async start(): Promise<void> {
    if (this.current) return;
    const boss = new PgBoss(this.bossConfig);
    // Unheard, an 'error' event would end the process.
    boss.on('error', (err) => this.report('keeping its connections and running maintenance', err));
    try {
      await boss.start();
    } catch (err) {
      // pg-boss opened its pool before failing and will not close it from stop(): close it here.
      await (boss.getDb() as { close?: () => Promise<void> }).close?.().catch(() => undefined);
      throw this.toFerryError('starting', err);
    }
    this.current = boss;
  }

  /** Stops the workers (see JobQueue.stop), then pg-boss and its connections. */
  async stop(options?: StopOptions): Promise<void> {
    const boss = this.current;
    if (!boss) return;
    await this.workers.stop(undefined, options);
    this.current = null;
    await this.call('stopping', () => boss.stop({ graceful: false, close: true }));
  }

  /** Creates a queue (pg-boss's `standard` policy), or updates its options. */
  async createQueue(name: string, options?: QueueOptions): Promise<void> {
    this.assertStarted();
    checkQueueName(name);
    const o = checkQueueOptions(options);
    if (o.deadLetter === name) throw deadLetterItself(name);
    const settings = defined({
      policy: 'standard' as const,
      retryLimit: o.retryLimit,
      retryDelay: o.retryDelaySeconds,
      retryBackoff: o.retryBackoff,
      expireInSeconds: o.expireInSeconds,
      deadLetter: o.deadLetter,
    });
    const create = async (): Promise<void> => {
      if (o.deadLetter) await this.boss.createQueue(o.deadLetter, { name: o.deadLetter, policy: 'standard' });
      // createQueue leaves an existing queue as it is; updateQueue applies the options given.
      await this.boss.createQueue(name, { name, ...settings });
      await this.boss.updateQueue(name, { name, ...settings });
    };
    await this.call(`creating queue ${name}`, async () => {
      // Workers started together on a fresh queue database create the same queues at once, and
      // pg-boss's DDL for a queue's table can deadlock with itself (seen with three workers): the
      // creation is idempotent, so the loser tries again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await create();
        } catch (err) {
          if (attempt >= CREATE_ATTEMPTS || !isDeadlock(err)) throw err;
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
        }
      }
    });
  }

  /** Sends a job; null when its id (or the one its singleton key chooses) is taken. */
  async send<T extends object>(name: string, data: T, options?: JobOptions): Promise<string | null> {
    return this.insert(name, data, options);
  }

  /**
   * Sends a job inside the caller's transaction: the job exists if and only if the transaction
   * commits. `tx` must be a connection to the queue database.
   */
  async sendWithin<T extends object>(tx: QueueTransaction, name: string, data: T, options?: JobOptions): Promise<string | null> {
    return this.insert(name, data, options, { executeSql: (text: string, values: unknown[]) => tx.query(text, values) });
  }

  /** Starts a worker for the queue in this process. */
  async work<T extends object>(name: string, options: WorkOptions, handler: JobHandler<T>): Promise<string> {
    this.assertStarted();
    checkQueueName(name);
    const o = checkWorkOptions(options);
    await this.assertQueue(name);
    return this.workers.start(name, o, handler, this.backend());
  }

  /** Stops this process's workers of one queue. */
  async offWork(name: string, options?: StopOptions): Promise<void> {
    await this.workers.stop(name, options);
  }

  /** A job by id, archived ones included (until pg-boss deletes them), or null. */
  async getJob<T extends object>(name: string, id: string): Promise<JobInfo<T> | null> {
    this.assertStarted();
    checkQueueName(name);
    if (!isJobId(id)) return null;
    const job = await this.call(`reading a job of queue ${name}`, () => this.boss.getJobById<T>(name, id, { includeArchive: true }));
    if (!job) return null;
    return { id: job.id, name: job.name, state: job.state as JobState, data: job.data, output: job.output ?? null, retryCount: job.retryCount, singletonKey: job.singletonKey };
  }

  /** Cancels a job that has not finished. A running attempt in this process is aborted; one on another machine learns nothing, and its result is dropped. */
  async cancel(name: string, id: string): Promise<void> {
    this.assertStarted();
    checkQueueName(name);
    checkJobId(id);
    await this.call(`cancelling a job of queue ${name}`, () => this.boss.cancel(name, id));
    this.workers.cancelLocal(name, id);
  }

  /** Jobs per queue and state in the queue database (pg-boss keeps finished ones until it archives them), with the age of the oldest. */
  async stats(): Promise<QueueStateCount[]> {
    const db = this.boss.getDb();
    const { rows } = await this.call('counting jobs', () =>
      db.executeSql(
        `SELECT name, state::text AS state, count(*)::int AS jobs, COALESCE(EXTRACT(epoch FROM now() - min(created_on)), 0)::float8 AS oldest FROM "${this.schema}".job GROUP BY name, state ORDER BY name, state`,
        [],
      ),
    );
    return (rows as Array<{ name: string; state: JobState; jobs: number; oldest: number }>).map((r) => ({ queue: r.name, state: r.state, jobs: r.jobs, oldestSeconds: r.oldest }));
  }

  private async insert(name: string, data: object, options: JobOptions | undefined, db?: PgBoss.Db): Promise<string | null> {
    this.assertStarted();
    checkQueueName(name);
    const o = resolveJobOptions(name, options);
    checkJobData(data);
    const sendOptions = defined({
      id: o.id,
      singletonKey: o.singletonKey,
      retryLimit: o.retryLimit,
      retryDelay: o.retryDelaySeconds,
      retryBackoff: o.retryBackoff,
      expireInSeconds: o.expireInSeconds,
      db,
    });
    const id = await this.call(`sending a job to queue ${name}`, () => this.boss.send(name, data, sendOptions));
    // pg-boss answers null both for a dropped duplicate and for a queue that does not exist.
    if (id === null) await this.assertQueue(name);
    else this.notify(name);
    return id;
  }

  private backend(): WorkerBackend {
    return {
      fetch: async (name, limit) => {
        // pg-boss's fetch answers [] on any database error, so an outage looks like an empty queue.
        const jobs = await this.boss.fetch<object>(name, { batchSize: limit, includeMetadata: true });
        this.onPoll?.(name);
        return jobs.map((j): FetchedJob => ({ id: j.id, name: j.name, data: j.data, retryCount: j.retryCount, expireInSeconds: Number(j.expireInSeconds) }));
      },
      complete: async (name, id, output) => {
        await this.boss.complete(name, id, output as object);
      },
      fail: async (name, id, output) => {
        await this.boss.fail(name, id, output);
      },
      onError: (err) => this.report('running a job', err),
    };
  }

  private async assertQueue(name: string): Promise<void> {
    const q = await this.call(`reading queue ${name}`, () => this.boss.getQueue(name));
    if (!q) throw unknownQueue(name, `the job queue at ${this.display} (schema ${this.schema})`);
  }

  private notify(name: string): void {
    this.workers.notify(name);
  }

  private assertStarted(): void {
    if (!this.current) throw notStarted(`the job queue at ${this.display}`);
  }

  /** The started pg-boss instance. */
  private get boss(): PgBoss {
    this.assertStarted();
    return this.current!;
  }

  private async call<R>(doing: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      throw this.toFerryError(doing, err);
    }
  }

  private report(doing: string, err: unknown): void {
    this.onError?.(this.toFerryError(doing, err));
  }

  /** A FerryError naming the queue database by its redacted URL; driver text loses any quoted value. */
  private toFerryError(doing: string, err: unknown): FerryError {
    if (err instanceof FerryError) return err;
    const e = err as { code?: unknown; message?: unknown } | null;
    if (e?.code === 'ERR_ASSERTION') {
      // pg-boss's argument checks: its messages name options, never values.
      return new FerryError('usage', 'queue.bad_option', `pg-boss refused the request while ${doing}: ${String(e.message)}`, [], { cause: err });
    }
    const reason = safePgReason(err);
    if (isConnectionFailure(err)) {
      return new FerryError(
        'connection',
        'queue.unreachable',
        `the job queue database at ${this.display} could not be reached while ${doing}: ${reason}; check that the server is running and the host, port and database in the queue URL`,
        [],
        { cause: err },
      );
    }
    return new FerryError('internal', 'queue.failed', `the job queue at ${this.display} (schema ${this.schema}) failed while ${doing}: ${reason}`, [], { cause: err });
  }
}

/** Whether an error means the database could not be reached or the session ended, rather than a refused statement. */
function isConnectionFailure(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; errno?: unknown; syscall?: unknown; message?: unknown };
  if (typeof e.errno === 'number' || typeof e.syscall === 'string') return true;
  const code = typeof e.code === 'string' ? e.code : '';
  // 08: connection exception; 57P: operator intervention (shutdown, terminate); 28: authentication; 3D000: no such database.
  if (/^(08|57P|28)/.test(code) || code === '3D000') return true;
  return /Connection terminated|timeout exceeded when trying to connect|not queryable|after calling end on the pool/i.test(String(e.message ?? ''));
}

/** Drops undefined values: pg-boss checks options with `'key' in options`. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
