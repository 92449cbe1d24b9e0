/**
 * The job queue interface that partitioned runs distribute their partitions through. Two
 * implementations share it and its semantics: `PgBossQueue` (pg-boss 10 on PostgreSQL, for
 * `ferry worker --queue URL` processes on many machines) and `MemoryQueue` (in-process, for a
 * local run and for tests). docs/distributed.md describes the queue and its leases.
 *
 * Semantics both implementations keep:
 * - A job is tried at most `retryLimit + 1` times (default limit 2). A handler that throws, or
 *   whose lease runs out, fails the attempt; the job waits `retryDelaySeconds` (doubled per
 *   attempt with jitter when `retryBackoff`) and is tried again; after the last attempt it is
 *   `failed` and a copy (new id, same data) is sent to the queue's dead-letter queue.
 * - The stored failure is `{ code, message }` of a FerryError (whose messages never hold patient
 *   values) and only the error's class name for anything else: a driver's message can quote a
 *   row.
 * - A lease is `expireInSeconds` from the start of an attempt and is never extended: pg-boss 10
 *   has no worker heartbeat. A handler still running when its lease runs out gets its `signal`
 *   aborted (reason `queue.lease_expired`) and its result is dropped, but nothing can stop it
 *   writing; the job is then handed to another worker. Whatever a handler commits must therefore
 *   be fenced by the caller (the job id and `retryCount` identify the attempt).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FerryError } from '../errors.js';

/** Options of one job; each overrides its queue's setting. */
export interface JobOptions {
  /**
   * Drops the send (returns null) while a job with the same key is in the queue, in any state:
   * the key chooses the job id (`singletonId`), and a taken id drops the send atomically. pg-boss
   * moves finished jobs to its archive after 12 h, after which the key is free again. (pg-boss's
   * own key policies cannot be used: they treat every job without a key as sharing one key, so a
   * `short` queue holds a single waiting job and a `stately` one blocks fetching.)
   */
  singletonKey?: string;
  /** A chosen job id (UUID): a send whose id is already in the queue, in any state, is dropped (returns null). */
  id?: string;
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
}

/** Queue-wide defaults for its jobs. */
export interface QueueOptions {
  /** Queue that receives a copy of each job that failed its last attempt; created if missing. */
  deadLetter?: string;
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
}

/** One attempt of a job, as a handler sees it. */
export interface QueueJob<T> {
  id: string;
  name: string;
  data: T;
  /** 0 on the first attempt, then 1, 2…: with `id` it names the attempt (a fencing token). */
  retryCount: number;
  /** Aborted when the lease runs out, the job is cancelled, or the queue stops; `signal.reason` is a FerryError. */
  signal: AbortSignal;
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/** A job as stored. `output` is the handler's result (`{ value }` for a non-object) or the stored failure. */
export interface JobInfo<T> {
  id: string;
  name: string;
  state: JobState;
  data: T;
  output: unknown;
  retryCount: number;
  singletonKey: string | null;
}

export interface WorkOptions {
  /** Attempts this process runs at once for the queue. */
  concurrency: number;
  /** How often an idle worker asks for jobs (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
}

export type JobHandler<T> = (job: QueueJob<T>) => Promise<unknown>;

export interface StopOptions {
  /** Wait (up to `timeoutMs`) for running handlers to settle after their signals are aborted; default true. */
  graceful?: boolean;
  timeoutMs?: number;
}

export interface JobQueue {
  /** Creates the storage (pg-boss: its schema) and starts maintenance. */
  start(): Promise<void>;
  /**
   * Stops fetching, aborts the signal of every running handler, waits for them (graceful), and
   * fails the attempts still running so they are retried elsewhere.
   */
  stop(options?: StopOptions): Promise<void>;
  /** Creates a queue, or updates the options of an existing one. */
  createQueue(name: string, options?: QueueOptions): Promise<void>;
  /** Sends a job; returns its id, or null when a singleton key or id dropped it. */
  send<T extends object>(name: string, data: T, options?: JobOptions): Promise<string | null>;
  /** Starts working a queue in this process; returns the worker id. */
  work<T extends object>(name: string, options: WorkOptions, handler: JobHandler<T>): Promise<string>;
  /** Stops this process's workers of a queue as `stop` does, leaving the queue itself running. */
  offWork(name: string, options?: StopOptions): Promise<void>;
  /** A job by id, including completed ones until they are deleted; null if unknown. */
  getJob<T extends object>(name: string, id: string): Promise<JobInfo<T> | null>;
  /** Cancels a job that has not finished; a running attempt here has its signal aborted and its result dropped. */
  cancel(name: string, id: string): Promise<void>;
}

/** pg-boss 10's defaults, which the memory queue mirrors. */
export const DEFAULTS = { retryLimit: 2, retryDelaySeconds: 0, retryBackoff: false, expireInSeconds: 15 * 60, pollingIntervalSeconds: 2 } as const;

/** pg-boss refuses a lease of 24 hours or more. */
const MAX_EXPIRE_SECONDS = 24 * 60 * 60 - 1;

const queueName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'a queue name is 1-100 letters, digits, "_", "." or "-", starting with a letter or digit');

const retrySettings = {
  retryLimit: z.number().int().min(0).max(1000).optional(),
  retryDelaySeconds: z.number().int().min(0).max(MAX_EXPIRE_SECONDS).optional(),
  retryBackoff: z.boolean().optional(),
  expireInSeconds: z.number().int().min(1).max(MAX_EXPIRE_SECONDS).optional(),
};

const queueOptionsSchema = z.strictObject({ deadLetter: queueName.optional(), ...retrySettings });
const jobOptionsSchema = z
  .strictObject({ singletonKey: z.string().min(1).max(200).optional(), id: z.uuid().optional(), ...retrySettings })
  .refine((o) => !(o.singletonKey && o.id), 'give a singletonKey or an id, not both: the key chooses the id');
const workOptionsSchema = z.strictObject({ concurrency: z.number().int().min(1).max(1000), pollingIntervalSeconds: z.number().min(0.5).max(3600).optional() });

function invalid(what: string, err: z.ZodError): FerryError {
  const detail = err.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
  return new FerryError('usage', 'queue.bad_option', `invalid ${what}: ${detail}`);
}

/** Validates a queue name. */
export function checkQueueName(name: string): string {
  const r = queueName.safeParse(name);
  if (!r.success) throw invalid('queue name', r.error);
  return r.data;
}

/** Validates queue options. */
export function checkQueueOptions(options: QueueOptions | undefined): QueueOptions {
  const r = queueOptionsSchema.safeParse(options ?? {});
  if (!r.success) throw invalid('queue options', r.error);
  return r.data;
}

/** Validates job options. */
export function checkJobOptions(options: JobOptions | undefined): JobOptions {
  const r = jobOptionsSchema.safeParse(options ?? {});
  if (!r.success) throw invalid('job options', r.error);
  return r.data;
}

/** The job id a singleton key chooses: a name-based UUID (RFC 9562 version 8) of the queue and the key. */
export function singletonId(queue: string, key: string): string {
  const h = createHash('sha256').update(`ferry-queue\0${queue}\0${key}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Validates job options and resolves a singleton key to its id. */
export function resolveJobOptions(queue: string, options: JobOptions | undefined): JobOptions {
  const o = checkJobOptions(options);
  return o.singletonKey ? { ...o, id: singletonId(queue, o.singletonKey) } : o;
}

/** Checks that job data is a JSON object and returns its JSON form, as the queue will store it. */
export function checkJobData(data: unknown): object {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new FerryError('usage', 'queue.bad_data', 'job data must be a JSON object');
  try {
    return JSON.parse(JSON.stringify(data)) as object;
  } catch (err) {
    // The serialiser's message is not quoted: it can name the offending value.
    throw new FerryError('usage', 'queue.bad_data', `job data cannot be stored as JSON (${err instanceof Error ? err.name : 'error'}); send plain objects of strings, numbers, booleans and arrays`);
  }
}

/** Whether `id` can be a job id (a UUID); anything else names no job. */
export function isJobId(id: string): boolean {
  return z.uuid().safeParse(id).success;
}

/** Refuses an id that cannot name a job. */
export function checkJobId(id: string): string {
  if (!isJobId(id)) throw new FerryError('usage', 'queue.bad_option', 'job ids are UUIDs; the id given is not one');
  return id;
}

/** Validates worker options. */
export function checkWorkOptions(options: WorkOptions): Required<WorkOptions> {
  const r = workOptionsSchema.safeParse(options);
  if (!r.success) throw invalid('worker options', r.error);
  return { concurrency: r.data.concurrency, pollingIntervalSeconds: r.data.pollingIntervalSeconds ?? DEFAULTS.pollingIntervalSeconds };
}

/** What a failed attempt stores: the FerryError's code and message, else only the error's class name. */
export function failureOutput(err: unknown): { code: string; message: string } {
  if (err instanceof FerryError) return { code: err.code, message: err.message };
  const kind = err instanceof Error ? err.name : typeof err;
  return { code: 'queue.handler_failed', message: `the job handler failed with a ${kind} that is not a FerryError; its message is not stored because it may quote row values` };
}

/** What a completed attempt stores, as pg-boss does: an object as is (JSON), anything else as `{ value }`, nothing as null. */
export function completionOutput(result: unknown): unknown {
  if (result === null || result === undefined || typeof result === 'function') return null;
  const wrapped = typeof result === 'object' && !Array.isArray(result) ? result : { value: result };
  return JSON.parse(JSON.stringify(wrapped)) as unknown;
}

/** The delay before the next attempt, in seconds, by pg-boss 10's formula (`retryCount` of the failed attempt). */
export function retryDelaySeconds(delay: number, backoff: boolean, retryCount: number, random: () => number): number {
  if (!backoff) return delay;
  // pg-boss raises the delay to 1 s when backing off, then waits between d·2^c and 2·d·2^c.
  const base = Math.max(delay, 1) * 2 ** Math.min(16, retryCount + 1) * 0.5;
  return base + base * random();
}

/** The reasons a running handler's signal is aborted. */
export const abortReasons = {
  leaseExpired: (name: string, seconds: number) =>
    new FerryError('run', 'queue.lease_expired', `the lease on a job of queue ${name} ran out after ${seconds} s; the job will be run again, so this attempt must stop and must not commit`),
  cancelled: (name: string) => new FerryError('run', 'queue.cancelled', `the job of queue ${name} was cancelled`),
  stopped: (name: string) => new FerryError('run', 'queue.worker_stopped', `the worker of queue ${name} is stopping; the job will be run again`),
};

/** The error for a queue that was never created. */
export function unknownQueue(name: string, where: string): FerryError {
  return new FerryError('not_found', 'queue.unknown_queue', `queue ${name} does not exist in ${where}; create it with createQueue before sending or working`);
}

/** The error for use before start() or after stop(). */
export function notStarted(where: string): FerryError {
  return new FerryError('internal', 'queue.not_started', `${where} is not started; call start() first (and not after stop())`);
}

/** The error for a queue named as its own dead-letter queue. */
export function deadLetterItself(name: string): FerryError {
  return new FerryError('usage', 'queue.bad_option', `queue ${name} cannot be its own dead-letter queue`);
}
