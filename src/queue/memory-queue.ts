/**
 * The in-process job queue of a local run, with pg-boss 10's semantics (job-queue.ts): the same
 * attempt counting, retry delays and back-off, dead-letter copies, singleton keys and chosen ids,
 * cancel and states; finished jobs are kept for the life of the process. It keeps no timers of its own: a lease that ran out is
 * noticed when jobs are next fetched or read, where pg-boss notices it at its next maintenance.
 */
import { randomUUID } from 'node:crypto';
import {
  DEFAULTS,
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
  retryDelaySeconds,
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

interface StoredJob {
  id: string;
  name: string;
  data: object;
  state: JobState;
  retryCount: number;
  retryLimit: number;
  retryDelaySeconds: number;
  retryBackoff: boolean;
  expireInSeconds: number;
  singletonKey: string | null;
  deadLetter: string | null;
  /** Epoch milliseconds before which the job is not started. */
  startAfter: number;
  startedOn: number | null;
  output: unknown;
}

/** pg-boss's output for an attempt failed by its lease running out. */
const TIMEOUT_OUTPUT = { value: { message: 'job failed by timeout in active state' } };

export interface MemoryQueueOptions {
  /** Clock in epoch milliseconds (tests). */
  now?: () => number;
  /** Jitter of back-off delays, in [0, 1). */
  random?: () => number;
  /** Receives failures that have no caller to throw to. */
  onError?: (err: unknown) => void;
}

/** The in-process implementation of JobQueue. */
export class MemoryQueue implements JobQueue {
  private readonly queues = new Map<string, QueueOptions>();
  /** Jobs per queue in creation order, which is pg-boss's fetch order. */
  private readonly jobs = new Map<string, Map<string, StoredJob>>();
  private readonly workers = new QueueWorkers();
  private started = false;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: MemoryQueueOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Marks the queue started; there is no storage to create. */
  async start(): Promise<void> {
    this.started = true;
  }

  /** Stops every worker of this queue (see JobQueue.stop); stored jobs stay readable. */
  async stop(options?: StopOptions): Promise<void> {
    if (!this.started) return;
    await this.workers.stop(undefined, options);
    this.started = false;
  }

  /** Creates a queue, or replaces the given options of an existing one. */
  async createQueue(name: string, options?: QueueOptions): Promise<void> {
    this.assertStarted();
    checkQueueName(name);
    const o = checkQueueOptions(options);
    if (o.deadLetter === name) throw deadLetterItself(name);
    if (o.deadLetter && !this.queues.has(o.deadLetter)) this.addQueue(o.deadLetter, {});
    const existing = this.queues.get(name);
    if (existing) {
      for (const [k, v] of Object.entries(o)) if (v !== undefined) (existing as Record<string, unknown>)[k] = v;
    } else {
      this.addQueue(name, o);
    }
  }

  /** Sends a job; null when its id (or the one its singleton key chooses) is taken. */
  async send<T extends object>(name: string, data: T, options?: JobOptions): Promise<string | null> {
    this.assertStarted();
    const q = this.queueOf(name);
    const o = resolveJobOptions(name, options);
    const stored = checkJobData(data);
    const jobs = this.jobs.get(name)!;
    if (o.id && jobs.has(o.id)) return null;
    const id = o.id ?? randomUUID();
    jobs.set(id, {
      id,
      name,
      data: stored,
      state: 'created',
      retryCount: 0,
      retryLimit: o.retryLimit ?? q.retryLimit ?? DEFAULTS.retryLimit,
      retryDelaySeconds: o.retryDelaySeconds ?? q.retryDelaySeconds ?? DEFAULTS.retryDelaySeconds,
      retryBackoff: o.retryBackoff ?? q.retryBackoff ?? DEFAULTS.retryBackoff,
      expireInSeconds: o.expireInSeconds ?? q.expireInSeconds ?? DEFAULTS.expireInSeconds,
      singletonKey: o.singletonKey ?? null,
      deadLetter: q.deadLetter ?? null,
      startAfter: this.now(),
      startedOn: null,
      output: null,
    });
    this.notify(name);
    return id;
  }

  /** Starts a worker for the queue in this process. */
  async work<T extends object>(name: string, options: WorkOptions, handler: JobHandler<T>): Promise<string> {
    this.assertStarted();
    this.queueOf(name);
    return this.workers.start(name, checkWorkOptions(options), handler, this.backend());
  }

  /** Stops this process's workers of one queue. */
  async offWork(name: string, options?: StopOptions): Promise<void> {
    await this.workers.stop(name, options);
  }

  /** A job by id, or null. */
  async getJob<T extends object>(name: string, id: string): Promise<JobInfo<T> | null> {
    checkQueueName(name);
    if (!isJobId(id)) return null;
    this.expireLeases();
    const job = this.jobs.get(name)?.get(id);
    if (!job) return null;
    return { id: job.id, name: job.name, state: job.state, data: job.data as T, output: job.output, retryCount: job.retryCount, singletonKey: job.singletonKey };
  }

  /** Cancels a job that has not finished. */
  async cancel(name: string, id: string): Promise<void> {
    this.assertStarted();
    checkQueueName(name);
    checkJobId(id);
    const job = this.jobs.get(name)?.get(id);
    if (job && isUnfinished(job.state)) job.state = 'cancelled';
    this.workers.cancelLocal(name, id);
  }

  private backend(): WorkerBackend {
    return {
      fetch: async (name, limit) => this.fetch(name, limit),
      complete: async (name, id, output) => {
        const job = this.jobs.get(name)?.get(id);
        if (job?.state !== 'active') return;
        job.state = 'completed';
        job.output = output;
      },
      fail: async (name, id, output) => {
        const job = this.jobs.get(name)?.get(id);
        if (job && isUnfinished(job.state)) this.failAttempt(job, output);
      },
      onError: (err) => this.options.onError?.(err),
    };
  }

  private fetch(name: string, limit: number): FetchedJob[] {
    this.expireLeases();
    const now = this.now();
    const out: FetchedJob[] = [];
    for (const job of this.jobs.get(name)?.values() ?? []) {
      if (out.length >= limit) break;
      if ((job.state !== 'created' && job.state !== 'retry') || job.startAfter > now) continue;
      // As in pg-boss, the count goes up when a job that has been started before starts again.
      if (job.startedOn !== null) job.retryCount += 1;
      job.state = 'active';
      job.startedOn = now;
      out.push({ id: job.id, name, data: job.data, retryCount: job.retryCount, expireInSeconds: job.expireInSeconds });
    }
    return out;
  }

  /** What pg-boss's maintenance does: fails active attempts whose lease ran out. */
  private expireLeases(): void {
    const now = this.now();
    for (const jobs of this.jobs.values()) {
      for (const job of jobs.values()) {
        if (job.state === 'active' && job.startedOn! + job.expireInSeconds * 1000 < now) this.failAttempt(job, TIMEOUT_OUTPUT);
      }
    }
  }

  private failAttempt(job: StoredJob, output: unknown): void {
    job.output = output;
    if (job.retryCount < job.retryLimit) {
      job.state = 'retry';
      job.startAfter = this.now() + retryDelaySeconds(job.retryDelaySeconds, job.retryBackoff, job.retryCount, this.random) * 1000;
      return;
    }
    job.state = 'failed';
    if (job.deadLetter && job.deadLetter !== job.name && this.jobs.has(job.deadLetter)) {
      // pg-boss copies the data, output and retry limit into a new job; the rest is default.
      const id = randomUUID();
      this.jobs.get(job.deadLetter)!.set(id, {
        id,
        name: job.deadLetter,
        data: job.data,
        state: 'created',
        retryCount: 0,
        retryLimit: job.retryLimit,
        retryDelaySeconds: DEFAULTS.retryDelaySeconds,
        retryBackoff: DEFAULTS.retryBackoff,
        expireInSeconds: DEFAULTS.expireInSeconds,
        singletonKey: null,
        deadLetter: null,
        startAfter: this.now(),
        startedOn: null,
        output,
      });
      this.notify(job.deadLetter);
    }
  }

  private addQueue(name: string, options: QueueOptions): void {
    this.queues.set(name, { ...options });
    this.jobs.set(name, new Map());
  }

  private queueOf(name: string): QueueOptions {
    checkQueueName(name);
    const q = this.queues.get(name);
    if (!q) throw unknownQueue(name, 'the in-process queue');
    return q;
  }

  private notify(name: string): void {
    this.workers.notify(name);
  }

  private assertStarted(): void {
    if (!this.started) throw notStarted('the in-process queue');
  }
}

function isUnfinished(state: JobState): boolean {
  return state === 'created' || state === 'retry' || state === 'active';
}
