/**
 * The loop that runs a queue's jobs in this process, shared by both queues so they keep one
 * set of semantics: at most `concurrency` attempts at once, one fetch for all free slots, an
 * abortable `signal` per attempt, a local lease that ends before the store's, and a stop that
 * aborts, waits and fails what is left.
 *
 * pg-boss 10's own `work()` is not used: it hands a batch to one handler and completes or fails
 * the whole batch together (no per-job concurrency), it does not await `complete`/`fail` (a
 * database error there becomes an unhandled rejection, which ends a Node process), and it gives
 * the handler no abort signal. Fetching, completing and failing remain pg-boss's.
 */
import { randomUUID } from 'node:crypto';
import { abortReasons, completionOutput, failureOutput, type JobHandler, type StopOptions, type WorkOptions } from './job-queue.js';

/** A job as fetched: already `active`, its lease running from the fetch. */
export interface FetchedJob {
  id: string;
  name: string;
  data: object;
  retryCount: number;
  expireInSeconds: number;
}

/** What a queue implementation gives the loop. */
export interface WorkerBackend {
  /** Marks up to `limit` startable jobs active and returns them. */
  fetch(name: string, limit: number): Promise<FetchedJob[]>;
  complete(name: string, id: string, output: unknown): Promise<void>;
  fail(name: string, id: string, output: { code: string; message: string }): Promise<void>;
  /** Receives failures of background calls (fetch, complete, fail), which have no caller to throw to. */
  onError(err: unknown): void;
}

interface Attempt {
  controller: AbortController;
  leaseTimer: NodeJS.Timeout;
  /** Set once the attempt's outcome may no longer be recorded: lease over, cancelled, or failed by stop. */
  settled: boolean;
  done: Promise<void>;
}

/**
 * The local lease ends this long before the store's (10%, at most 5 s), measured from just
 * before the fetch: the store's clock starts later than ours, so a result we still record was
 * produced inside the store's lease, before any other worker could have been handed the job.
 */
export function leaseMarginMs(expireInSeconds: number): number {
  return Math.min(5000, expireInSeconds * 100);
}

/** Runs one queue's jobs in this process. */
export class QueueWorker<T extends object> {
  readonly id = randomUUID();
  private readonly running = new Map<string, Attempt>();
  private stopping = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly options: Required<WorkOptions>,
    private readonly handler: JobHandler<T>,
    private readonly backend: WorkerBackend,
  ) {}

  /** Starts polling. */
  start(): void {
    this.loopDone = this.loop();
  }

  /** Wakes an idle loop: a job was sent or a slot freed. */
  notify(): void {
    this.wake?.();
  }

  /** Aborts the attempt of job `id` if it runs here, and drops its result. */
  cancelLocal(id: string): void {
    const attempt = this.running.get(id);
    if (!attempt || attempt.settled) return;
    attempt.settled = true;
    attempt.controller.abort(abortReasons.cancelled(this.name));
  }

  /** Stops fetching, aborts running attempts, waits for them (graceful) and fails those still running. */
  async stop(options: StopOptions = {}): Promise<void> {
    const { graceful = true, timeoutMs = 30_000 } = options;
    this.stopping = true;
    this.notify();
    await this.loopDone;
    for (const attempt of this.running.values()) {
      if (!attempt.controller.signal.aborted) attempt.controller.abort(abortReasons.stopped(this.name));
    }
    if (graceful && this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all([...this.running.values()].map((a) => a.done)), timeout]);
      clearTimeout(timer);
    }
    // Attempts still running are failed now, as pg-boss's own stop does, so that they are retried
    // at once instead of after their lease; their handlers' late results are dropped.
    for (const [id, attempt] of this.running) {
      clearTimeout(attempt.leaseTimer);
      if (attempt.settled) continue;
      attempt.settled = true;
      await this.record(() => this.backend.fail(this.name, id, failureOutput(abortReasons.stopped(this.name))));
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const free = this.options.concurrency - this.running.size;
      if (free > 0) {
        const fetchedAt = performance.now();
        let jobs: FetchedJob[] = [];
        try {
          jobs = await this.backend.fetch(this.name, free);
        } catch (err) {
          this.backend.onError(err);
        }
        // Jobs fetched while stop began are active in the store: they run and stop() ends them.
        for (const job of jobs) this.run(job, fetchedAt);
        if (this.stopping) break;
        if (jobs.length === free) continue;
      }
      await this.sleep(this.running.size < this.options.concurrency ? this.options.pollingIntervalSeconds * 1000 : null);
    }
  }

  /** Waits for `ms` (or, with null, only for a wake-up). */
  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      if (ms !== null) timer = setTimeout(this.wake, ms);
    });
  }

  private run(job: FetchedJob, fetchedAt: number): void {
    const controller = new AbortController();
    const leaseMs = job.expireInSeconds * 1000 - leaseMarginMs(job.expireInSeconds) - (performance.now() - fetchedAt);
    const attempt: Attempt = {
      controller,
      settled: false,
      done: Promise.resolve(),
      leaseTimer: setTimeout(
        () => {
          // No heartbeat can extend the lease (pg-boss 10 has none). The store fails the attempt
          // when its own lease ends; recording anything after this point could land on the next attempt.
          if (attempt.settled) return;
          attempt.settled = true;
          controller.abort(abortReasons.leaseExpired(this.name, job.expireInSeconds));
        },
        Math.max(0, leaseMs),
      ),
    };
    this.running.set(job.id, attempt);
    attempt.done = (async () => {
      let outcome: { ok: true; output: unknown } | { ok: false; output: { code: string; message: string } };
      try {
        const result = await this.handler({ id: job.id, name: job.name, data: job.data as T, retryCount: job.retryCount, signal: controller.signal });
        outcome = { ok: true, output: completionOutput(result) };
      } catch (err) {
        outcome = { ok: false, output: failureOutput(err) };
      }
      clearTimeout(attempt.leaseTimer);
      if (!attempt.settled) {
        attempt.settled = true;
        await this.record(() => (outcome.ok ? this.backend.complete(this.name, job.id, outcome.output) : this.backend.fail(this.name, job.id, outcome.output)));
      }
      this.running.delete(job.id);
      this.notify();
    })();
  }

  private async record(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      // The attempt stays active in the store and is retried after its lease.
      this.backend.onError(err);
    }
  }
}

/** The queue workers of one process, by queue name: what both queues' work, offWork, cancel and stop share. */
export class QueueWorkers {
  private readonly all = new Set<QueueWorker<object>>();

  /** Starts working queue `name` with `handler`; returns the worker id. */
  start<T extends object>(name: string, options: Required<WorkOptions>, handler: JobHandler<T>, backend: WorkerBackend): string {
    const worker = new QueueWorker<T>(name, options, handler, backend);
    this.all.add(worker as unknown as QueueWorker<object>);
    worker.start();
    return worker.id;
  }

  /** Stops the workers of queue `name`, or every worker. */
  async stop(name?: string, options?: StopOptions): Promise<void> {
    const mine = [...this.all].filter((w) => name === undefined || w.name === name);
    await Promise.all(mine.map((w) => w.stop(options)));
    for (const w of mine) this.all.delete(w);
  }

  /** Tells queue `name`'s workers that job `id` was cancelled. */
  cancelLocal(name: string, id: string): void {
    for (const w of this.all) if (w.name === name) w.cancelLocal(id);
  }

  /** Wakes queue `name`'s idle workers: a job was sent. */
  notify(name: string): void {
    for (const w of this.all) if (w.name === name) w.notify();
  }
}
