/**
 * Runs started over HTTP execute here, inside the server process but never inside the request:
 * a FIFO queue with bounded concurrency, one AbortController per run for cancellation, and a
 * fan-out of the engine's RunEvents (with progress figures) to any number of live-progress
 * subscribers. A slow subscriber loses intermediate `batch:loaded` messages, never lifecycle
 * ones, so one stalled browser cannot grow the server's memory.
 */
import { newRunId } from '../engine/run.js';
import type { RunEvent } from '../engine/events.js';
import type { RunStatus } from '../engine/report.js';
import type { RunReport } from '../run/report.js';
import type { Tier } from '../contract/model.js';
import { FerryError, describeError } from '../errors.js';
import type { SseMessage, SseStream } from './router.js';
import { RunProgress, type RunProgressSnapshot } from './run-progress.js';

export interface RunJobSpec {
  projectId: string;
  tier: Tier;
  versionId: string;
  digest: string;
  dryRun: boolean;
  /** User id of who started it. */
  startedBy: string;
}

export type RunJobStatus = 'queued' | 'running' | RunStatus;

export interface RunJobView extends RunJobSpec {
  runId: string;
  status: RunJobStatus;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: RunProgressSnapshot;
  /** Why a run failed before or outside the engine's own report (preflight, drift, connection). */
  error: { code: string; message: string } | null;
}

/** Executes one run; must honour `signal` and report every engine event through `onEvent`. */
export type ExecuteRun<C> = (job: { runId: string; spec: RunJobSpec; context: C }, signal: AbortSignal, onEvent: (e: RunEvent) => void) => Promise<RunReport>;

export interface RunWorkerOptions<C> {
  /** Runs executing at once (default 2). */
  concurrency?: number;
  /** Queued runs accepted before new ones are refused (default 100). */
  maxQueued?: number;
  /** Finished runs kept in memory for status and late subscribers (default 200). */
  keepFinished?: number;
  /** Buffered messages per subscriber before `batch:loaded` messages are dropped (default 256). */
  subscriberBuffer?: number;
  execute: ExecuteRun<C>;
  /** Called once per run when it ends (recording, report storage); its failure is logged, not thrown. */
  onSettled?: (view: RunJobView, report: RunReport | null, context: C) => Promise<void>;
  onError?: (err: unknown, runId: string) => void;
  /** Sees every engine event of every run, after its subscribers (e.g. to note the engine's run id). */
  onEvent?: (runId: string, e: RunEvent) => void;
}

/**
 * What the routes use of the server's runs, whichever queue holds them: this in-process worker
 * (answers at once) or the job-queue one (queued-run-worker.ts, answers after asking the queue).
 */
export interface RunService<C> {
  /** Queues a run and returns its view. */
  submit(spec: RunJobSpec, context: C): RunJobView | Promise<RunJobView>;
  /** A run's current view, or undefined when this server cannot see it. */
  get(runId: string): RunJobView | undefined | Promise<RunJobView | undefined>;
  /** Runs of a project not yet finished, and those this server finished recently, newest first. */
  list(projectId: string): RunJobView[] | Promise<RunJobView[]>;
  /** Cancels a queued or running run; a finished one is left as it is. */
  cancel(runId: string): RunJobView | undefined | Promise<RunJobView | undefined>;
  /** The run's progress as SSE messages: `snapshot`, what this server can see of it, then `end`. */
  events(runId: string, signal: AbortSignal): SseStream | Promise<SseStream>;
  /** Resolves when the run has ended and been recorded. */
  waitFor(runId: string): Promise<RunJobView | undefined>;
  /** Stops taking runs; see each implementation for what happens to the ones it holds. */
  close(): Promise<void>;
}

/** A run id and queue time chosen by the caller (a run taken from the job queue keeps its own). */
export interface SubmitAs {
  runId: string;
  queuedAt: string;
}

interface Subscriber {
  push(m: SseMessage): void;
  end(): void;
}

interface Job<C> {
  view: RunJobView;
  /** Private to the server (who started it, resolved connections); never part of a view. */
  context: C;
  controller: AbortController;
  progress: RunProgress;
  subscribers: Set<Subscriber>;
  done: Promise<void>;
  resolveDone: () => void;
}

const TERMINAL: ReadonlySet<RunJobStatus> = new Set(['succeeded', 'failed', 'failed_gate', 'cancelled']);

/** The in-process run queue; `C` is per-run context only the executor sees. */
export class RunWorker<C = unknown> implements RunService<C> {
  private readonly jobs = new Map<string, Job<C>>();
  private readonly queue: Job<C>[] = [];
  private running = 0;
  private closed = false;
  private readonly concurrency: number;

  constructor(private readonly o: RunWorkerOptions<C>) {
    this.concurrency = Math.max(1, o.concurrency ?? 2);
  }

  /** Queues a run and returns its view (status `queued`, or `running` when a slot was free). */
  submit(spec: RunJobSpec, context: C, as?: SubmitAs): RunJobView {
    if (this.closed) throw new FerryError('conflict', 'run.server_stopping', 'the server is shutting down and accepts no new runs; retry once it is back');
    if (this.queue.length >= (this.o.maxQueued ?? 100)) {
      throw new FerryError('conflict', 'run.queue_full', `${this.queue.length} runs are already queued on this server; wait for some to finish or cancel one`);
    }
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const progress = new RunProgress();
    const earlier = as ? this.jobs.get(as.runId) : undefined;
    if (earlier && !TERMINAL.has(earlier.view.status)) throw new FerryError('conflict', 'run.duplicate', `run ${as!.runId} is already executing on this server`);
    // A run handed back to the job queue and taken again here starts a fresh attempt under its id.
    if (earlier) this.jobs.delete(as!.runId);
    const job: Job<C> = {
      context,
      view: {
        ...spec,
        runId: as?.runId ?? newRunId(),
        status: 'queued',
        queuedAt: as?.queuedAt ?? new Date().toISOString(),
        startedAt: null,
        finishedAt: null,
        progress: progress.snapshot(),
        error: null,
      },
      controller: new AbortController(),
      progress,
      subscribers: new Set(),
      done,
      resolveDone,
    };
    this.jobs.set(job.view.runId, job);
    this.queue.push(job);
    this.pump();
    return this.view(job);
  }

  /** A run's current view, or undefined when this server does not hold it. */
  get(runId: string): RunJobView | undefined {
    const job = this.jobs.get(runId);
    return job ? this.view(job) : undefined;
  }

  /** Runs of a project this server holds (queued, running and recently finished), newest first. */
  list(projectId: string): RunJobView[] {
    return [...this.jobs.values()]
      .filter((j) => j.view.projectId === projectId)
      .map((j) => this.view(j))
      .reverse();
  }

  /** Cancels a queued or running run; a finished one is left as it is. */
  cancel(runId: string): RunJobView | undefined {
    const job = this.jobs.get(runId);
    if (!job) return undefined;
    if (job.view.status === 'queued') {
      this.queue.splice(this.queue.indexOf(job), 1);
      job.controller.abort();
      void this.settle(job, 'cancelled', null, null);
    } else if (job.view.status === 'running') {
      job.controller.abort();
    }
    return this.view(job);
  }

  /** Resolves when the run has ended and been recorded. */
  async waitFor(runId: string): Promise<RunJobView | undefined> {
    const job = this.jobs.get(runId);
    if (!job) return undefined;
    await job.done;
    return this.view(job);
  }

  /**
   * Live progress as SSE messages: a `snapshot` first, then every engine event with the
   * figures after it, then `end` with the final view. Ends when the run does or `signal` aborts.
   */
  events(runId: string, signal: AbortSignal): SseStream {
    const job = this.jobs.get(runId);
    if (!job) throw new FerryError('not_found', 'run.not_live', `run ${runId} is not held by this server`);
    const buffer = this.o.subscriberBuffer ?? 256;
    const queue: SseMessage[] = [];
    let ended = false;
    let wake: (() => void) | null = null;
    const notify = () => {
      wake?.();
      wake = null;
    };
    const sub: Subscriber = {
      push(m) {
        if (queue.length >= buffer) {
          const i = queue.findIndex((q) => q.event === 'batch:loaded');
          if (i >= 0) queue.splice(i, 1);
        }
        queue.push(m);
        notify();
      },
      end() {
        ended = true;
        notify();
      },
    };
    const viewOf = () => this.view(job);
    return {
      async *[Symbol.asyncIterator]() {
        yield { event: 'snapshot', data: viewOf() };
        if (TERMINAL.has(job.view.status)) {
          yield { event: 'end', data: viewOf() };
          return;
        }
        job.subscribers.add(sub);
        const onAbort = () => sub.end();
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          for (;;) {
            while (queue.length > 0) yield queue.shift()!;
            if (ended || signal.aborted) break;
            await new Promise<void>((r) => (wake = r));
          }
          if (!signal.aborted) yield { event: 'end', data: viewOf() };
        } finally {
          job.subscribers.delete(sub);
          signal.removeEventListener('abort', onAbort);
        }
      },
    };
  }

  /** Stops accepting runs, cancels every queued and running run and waits for them to be recorded. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of [...this.jobs.values()]) this.cancel(job.view.runId);
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  private view(job: Job<C>): RunJobView {
    return { ...job.view, progress: job.progress.snapshot() };
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      void this.execute(job).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async execute(job: Job<C>): Promise<void> {
    job.view.status = 'running';
    job.view.startedAt = new Date().toISOString();
    const onEvent = (e: RunEvent) => {
      job.progress.apply(e);
      // Subscribers know the run by the id the API gave them; the engine's own id stays in progress.engineRunId.
      const event = { ...e, runId: job.view.runId };
      const snap = job.progress.snapshot();
      const table = 'table' in e ? snap.tables.find((t) => t.table === e.table) : undefined;
      const msg: SseMessage = { event: e.type, data: { event, table: table ?? null, totals: snap.totals, rowsPerSecond: snap.rowsPerSecond, etaSeconds: snap.etaSeconds } };
      for (const s of job.subscribers) s.push(msg);
      this.o.onEvent?.(job.view.runId, e);
    };
    let report: RunReport | null = null;
    let error: { code: string; message: string } | null = null;
    try {
      report = await this.o.execute({ runId: job.view.runId, spec: { ...job.view }, context: job.context }, job.controller.signal, onEvent);
    } catch (err) {
      error = err instanceof FerryError ? { code: err.code, message: err.message } : { code: 'run.internal', message: `the run failed unexpectedly (${describeError(err)})` };
      if (!(err instanceof FerryError)) this.o.onError?.(err, job.view.runId);
    }
    const status: RunStatus = report?.status ?? (job.controller.signal.aborted ? 'cancelled' : 'failed');
    await this.settle(job, status, report, error ?? (report?.error ? { code: report.error.code, message: report.error.message } : null));
  }

  private async settle(job: Job<C>, status: RunStatus, report: RunReport | null, error: RunJobView['error']): Promise<void> {
    const final: RunJobView = { ...this.view(job), status, finishedAt: new Date().toISOString(), error };
    try {
      // Recorded before the status turns terminal, so whoever sees `end` can fetch the report.
      await this.o.onSettled?.(final, report, job.context);
    } catch (err) {
      this.o.onError?.(err, job.view.runId);
    }
    Object.assign(job.view, { status, finishedAt: final.finishedAt, error });
    for (const s of job.subscribers) s.end();
    job.resolveDone();
    this.forgetOld();
  }

  private forgetOld(): void {
    const keep = this.o.keepFinished ?? 200;
    const finished = [...this.jobs.values()].filter((j) => TERMINAL.has(j.view.status));
    for (const j of finished.slice(0, Math.max(0, finished.length - keep))) this.jobs.delete(j.view.runId);
  }
}
