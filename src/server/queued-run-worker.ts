/**
 * Server runs on the job queue (`ferry serve --queue URL`, docs/distributed.md "Server runs on
 * the queue"): a run started over HTTP becomes a job in `ferry.server-runs`, which any server
 * process sharing the queue, the control store and the data directory takes, executes and
 * records. So queued runs survive a restart, and any number of servers share them.
 *
 * A job carries ids and the references the run was started with (its source reference, the
 * tier's target connection name), never a resolved URL: the process that takes it rebuilds the
 * run's private context (routes/runs.ts runContextFor) under the starting user, who must still
 * be allowed to run. The taking process executes the run in its own RunWorker (live progress,
 * abort, recording), notes the engine's run id in the run store's active index when the run
 * starts, and polls the job while it runs, so a cancel from any server reaches it. An attempt cut
 * short (its server stopping, or its lease running out) is handed back: it stores no final view,
 * and the retry, here or elsewhere, resumes the engine run instead of starting over.
 *
 * What a process can show: runs it executes are live (every event over SSE); the others are
 * built from the job's state and the run store (a snapshot, then `end` once the job ends).
 */
import { z } from 'zod';
import { newRunId } from '../engine/run.js';
import type { RunEvent } from '../engine/events.js';
import type { ControlPlane } from '../control/plane.js';
import { FerryError, describeError } from '../errors.js';
import { singletonId, type JobInfo, type JobQueue, type QueueJob } from '../queue/job-queue.js';
import { recordRelease } from '../run/release-gate.js';
import type { RunContext } from './run-executor.js';
import { RunProgress } from './run-progress.js';
import type { RunStore } from './run-store.js';
import type { RunJobSpec, RunJobStatus, RunJobView, RunService, RunWorker } from './run-worker.js';
import type { SseStream } from './router.js';
import { tierSchema } from './schemas.js';

/** The queue server runs go through, and where a run whose every attempt failed is copied. */
export const SERVER_RUN_QUEUE = 'ferry.server-runs';
export const SERVER_RUN_DEAD_LETTER = 'ferry.server-runs.dead';

/** Attempts a run gets: each server stop or lease expiry during a run uses one. */
export const SERVER_RUN_RETRY_LIMIT = 20;

/** Default lease of one attempt: a run still executing after it is handed to another server. */
export const DEFAULT_RUN_LEASE_SECONDS = 4 * 60 * 60;

/** What a job holds: ids and references only; nothing resolved, nothing secret. */
export interface QueuedRunRefs {
  runId: string;
  queuedAt: string;
  /** The starting user's org, checked again when the run is taken. */
  orgId: string;
  spec: RunJobSpec;
  /** The source reference of the request (`probe`, `connection:NAME`, `upload:…`, `synth:…`). */
  sourceRef: string;
  /** The tier's target connection name when the run was queued (null for a dry run). */
  targetRef: string | null;
}

const ref = z.string().min(1).max(200);
const refsSchema = z.strictObject({
  runId: z.string().regex(/^run-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/),
  queuedAt: z.iso.datetime(),
  orgId: ref,
  spec: z.strictObject({ projectId: ref, tier: tierSchema, versionId: ref, digest: ref, dryRun: z.boolean(), startedBy: ref }),
  sourceRef: ref,
  targetRef: ref.nullable(),
});

/** Reads a job's data as run references; a job that is not one is refused, naming no value. */
export function parseRefs(data: unknown): QueuedRunRefs {
  const r = refsSchema.safeParse(data);
  if (!r.success) throw new FerryError('internal', 'run.bad_job', `a job of queue ${SERVER_RUN_QUEUE} does not describe a server run (${r.error.issues.map((i) => i.path.join('.')).join(', ')})`);
  return r.data;
}

const TERMINAL: ReadonlySet<RunJobStatus> = new Set(['succeeded', 'failed', 'failed_gate', 'cancelled']);
const RUN_STATUSES: ReadonlySet<string> = TERMINAL;

export interface QueuedRunWorkerOptions {
  queue: JobQueue;
  runs: RunStore;
  plane: ControlPlane;
  /** Runs this process executes at once. */
  concurrency: number;
  /** Builds this process's executor (createRunWorker) with the hooks the queue needs. */
  createLocal(hooks: { onEvent: (runId: string, e: RunEvent) => void; handedBack: (runId: string) => boolean }): RunWorker<RunContext>;
  /** Rebuilds a taken run's private context from its references (routes/runs.ts runContextFor). */
  rebuild(refs: QueuedRunRefs): Promise<RunContext>;
  /** Lease of one attempt in seconds (default DEFAULT_RUN_LEASE_SECONDS). */
  leaseSeconds?: number;
  /** How often a running run asks whether it was cancelled, and a follower whether a run elsewhere ended (default 1). */
  pollSeconds?: number;
  /** How often an idle process asks the queue for runs (default 0.5, pg-boss's minimum). */
  fetchSeconds?: number;
  onError(err: unknown, runId: string): void;
}

/** The server's runs on a job queue, with the same surface as the in-process RunWorker. */
export class QueuedRunWorker implements RunService<RunContext> {
  /** Executes the runs this process took. */
  readonly local: RunWorker<RunContext>;
  /** Runs executing here now, by run id, with the job attempt that holds them. */
  private readonly executing = new Map<string, string>();
  /** Runs whose attempt here was cut short and handed back to the queue. */
  private readonly handedBack = new Set<string>();
  /** Runs whose local view is stale because an attempt here was handed back. */
  private readonly handedOff = new Set<string>();
  /** Writes to the active index, one after another per run. */
  private readonly tracking = new Map<string, Promise<void>>();
  private started = false;
  private closed = false;
  private readonly pollMs: number;

  constructor(private readonly o: QueuedRunWorkerOptions) {
    this.pollMs = Math.round((o.pollSeconds ?? 1) * 1000);
    this.local = o.createLocal({
      onEvent: (runId, e) => {
        // The engine's id is what a retry resumes: noted as soon as the engine names it.
        if (e.type !== 'run:started') return;
        const view = this.local.get(runId);
        if (view) this.track(view);
      },
      handedBack: (runId) => this.handedBack.has(runId),
    });
  }

  /** Creates the queue (and its dead-letter queue) and starts taking runs. */
  async start(): Promise<void> {
    if (this.started) return;
    const lease = this.o.leaseSeconds ?? DEFAULT_RUN_LEASE_SECONDS;
    await this.o.queue.createQueue(SERVER_RUN_QUEUE, { deadLetter: SERVER_RUN_DEAD_LETTER, retryLimit: SERVER_RUN_RETRY_LIMIT, retryDelaySeconds: 0, expireInSeconds: lease });
    await this.o.queue.work(SERVER_RUN_QUEUE, { concurrency: this.o.concurrency, pollingIntervalSeconds: this.o.fetchSeconds ?? 0.5 }, (job) => this.take(job));
    this.started = true;
  }

  /** Queues a run as a job; its view says `queued` until a server takes it. */
  async submit(spec: RunJobSpec, context: RunContext): Promise<RunJobView> {
    if (this.closed || !this.started) throw new FerryError('conflict', 'run.server_stopping', 'the server is not taking runs (starting or shutting down); retry once it is up');
    const refs: QueuedRunRefs = {
      runId: newRunId(),
      queuedAt: new Date().toISOString(),
      orgId: context.actor.orgId,
      spec: { projectId: spec.projectId, tier: spec.tier, versionId: spec.versionId, digest: spec.digest, dryRun: spec.dryRun, startedBy: spec.startedBy },
      sourceRef: context.sourceRef,
      targetRef: context.targetRef,
    };
    const view = baseView(refs, 'queued', null);
    // Indexed first, so whichever server takes the job finds it listed.
    await this.o.runs.track(view);
    try {
      await this.o.queue.send(SERVER_RUN_QUEUE, refs, { singletonKey: refs.runId });
    } catch (err) {
      await this.o.runs.untrack(spec.projectId, refs.runId);
      throw err;
    }
    return view;
  }

  /** A run's view: live when it executes here, else from its job and the run store. */
  async get(runId: string): Promise<RunJobView | undefined> {
    const here = this.localView(runId);
    if (here) return here;
    const job = await this.o.queue.getJob<object>(SERVER_RUN_QUEUE, singletonId(SERVER_RUN_QUEUE, runId));
    if (!job) return undefined;
    let refs: QueuedRunRefs;
    try {
      refs = parseRefs(job.data);
    } catch {
      return undefined;
    }
    return this.viewOf(refs, job);
  }

  /** The project's runs executing here or recently finished here, and those queued or running anywhere, newest first. */
  async list(projectId: string): Promise<RunJobView[]> {
    const here = this.local.list(projectId).filter((v) => this.localView(v.runId));
    const seen = new Set(here.map((v) => v.runId));
    const indexed = (await this.o.runs.listActive(projectId)).filter((v) => !seen.has(v.runId));
    const elsewhere = await Promise.all(indexed.map((v) => this.get(v.runId)));
    const open = elsewhere.filter((v): v is RunJobView => v !== undefined && v.projectId === projectId && !TERMINAL.has(v.status));
    return [...here, ...open].sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));
  }

  /**
   * Cancels the run's job. Running here, the run is aborted now; running elsewhere, its server
   * sees the job cancelled within a poll; still queued, it is recorded `cancelled` here.
   */
  async cancel(runId: string): Promise<RunJobView | undefined> {
    const view = await this.get(runId);
    if (!view || TERMINAL.has(view.status)) return view;
    await this.o.queue.cancel(SERVER_RUN_QUEUE, singletonId(SERVER_RUN_QUEUE, runId));
    if (this.executing.has(runId)) return this.local.cancel(runId);
    if (view.status === 'queued') {
      const job = await this.o.queue.getJob<object>(SERVER_RUN_QUEUE, singletonId(SERVER_RUN_QUEUE, runId));
      if (job) await this.settleUnexecuted(parseRefs(job.data), view, 'cancelled', null);
    }
    return view;
  }

  /** Live events of a run executing here; for any other, a snapshot, then `end` once it ends. */
  async events(runId: string, signal: AbortSignal): Promise<SseStream> {
    if (this.localView(runId)) return this.local.events(runId, signal);
    const first = await this.get(runId);
    if (!first) throw new FerryError('not_found', 'run.not_live', `run ${runId} is not on this server's queue`);
    const follow = (): Promise<RunJobView> => this.follow(runId, first, signal);
    return {
      async *[Symbol.asyncIterator]() {
        yield { event: 'snapshot', data: first };
        const last = await follow();
        if (!signal.aborted) yield { event: 'end', data: last };
      },
    };
  }

  /** Resolves when the run has ended and been recorded, wherever it runs. */
  async waitFor(runId: string): Promise<RunJobView | undefined> {
    const first = await this.get(runId);
    return first ? this.follow(runId, first) : undefined;
  }

  /**
   * Stops taking runs and hands the ones executing here back to the queue (their next attempt
   * resumes them); queued runs stay queued for the next server.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.started) await this.o.queue.offWork(SERVER_RUN_QUEUE, { graceful: true, timeoutMs: 60_000 });
    await this.local.close();
    await Promise.all([...this.tracking.values()]);
  }

  /** Executes one attempt of a run job. */
  private async take(job: QueueJob<object>): Promise<unknown> {
    let refs: QueuedRunRefs;
    try {
      refs = parseRefs(job.data);
    } catch (err) {
      // Retrying cannot make it a run: it is completed with the refusal, and the operator told.
      this.o.onError(err, `job ${job.id}`);
      return { status: 'failed', code: (err as FerryError).code };
    }
    const { runId, spec } = refs;
    // An earlier attempt that finished and stored the run, but was not acknowledged, is not redone.
    const done = await this.o.runs.load(spec.projectId, runId);
    if (done) {
      await this.o.runs.untrack(spec.projectId, runId);
      return { status: done.view.status };
    }
    const indexed = await this.o.runs.active(spec.projectId, runId);
    let context: RunContext;
    try {
      context = await this.o.rebuild(refs);
    } catch (err) {
      if (await this.endIfAborted(job, refs, indexed)) return { status: 'cancelled' };
      const error =
        err instanceof FerryError
          ? { code: err.code, message: err.message }
          : { code: 'run.internal', message: 'the run could not be prepared; the operator finds the cause in the server log under this run id' };
      if (!(err instanceof FerryError)) this.o.onError(err, runId);
      await this.settleUnexecuted(refs, baseView(refs, 'queued', indexed), 'failed', error);
      return { status: 'failed' };
    }
    const engineRunId = indexed?.progress.engineRunId;
    // A dry run keeps no checkpoints: its retry starts over, having written nothing.
    if (engineRunId && !spec.dryRun) context = { ...context, resume: engineRunId };
    if (await this.endIfAborted(job, refs, indexed)) return { status: 'cancelled' };
    this.local.submit(spec, context, { runId, queuedAt: refs.queuedAt });
    this.executing.set(runId, job.id);
    this.handedOff.delete(runId);
    this.track(this.local.get(runId)!);
    const onAbort = () => {
      const reason: unknown = job.signal.reason;
      if (!(reason instanceof FerryError && reason.code === 'queue.cancelled')) {
        this.handedBack.add(runId);
        this.handedOff.add(runId);
      }
      this.local.cancel(runId);
    };
    job.signal.addEventListener('abort', onAbort, { once: true });
    const poll = setInterval(() => void this.checkCancelled(runId, job.id), this.pollMs);
    try {
      const final = await this.local.waitFor(runId);
      if (this.handedBack.has(runId)) throw job.signal.reason;
      await this.untrack(spec.projectId, runId);
      return { status: final?.status ?? 'failed' };
    } finally {
      clearInterval(poll);
      job.signal.removeEventListener('abort', onAbort);
      this.executing.delete(runId);
      this.handedBack.delete(runId);
    }
  }

  /**
   * Before the run starts here: false while the attempt may go on; true once a cancelled job's
   * run is recorded `cancelled` (its canceller saw it running and left that to this server);
   * throws for an attempt handed back (server stopping, lease run out), which the queue retries.
   */
  private async endIfAborted(job: QueueJob<object>, refs: QueuedRunRefs, indexed: RunJobView | null): Promise<boolean> {
    if (!job.signal.aborted) return false;
    const reason: unknown = job.signal.reason;
    if (!(reason instanceof FerryError && reason.code === 'queue.cancelled')) throw reason;
    await this.settleUnexecuted(refs, baseView(refs, 'queued', indexed), 'cancelled', null);
    return true;
  }

  /** Aborts a run executing here whose job another server cancelled. */
  private async checkCancelled(runId: string, jobId: string): Promise<void> {
    try {
      const job = await this.o.queue.getJob<object>(SERVER_RUN_QUEUE, jobId);
      if (job?.state === 'cancelled' && this.executing.get(runId) === jobId) this.local.cancel(runId);
    } catch (err) {
      this.o.onError(err, runId);
    }
  }

  /** Stores and records a run that ended without executing (cancelled while queued, or not preparable). */
  private async settleUnexecuted(refs: QueuedRunRefs, view: RunJobView, status: 'cancelled' | 'failed', error: RunJobView['error']): Promise<void> {
    const final: RunJobView = { ...view, status, finishedAt: new Date().toISOString(), error };
    await this.o.runs.save({ view: final, report: null });
    await this.untrack(refs.spec.projectId, refs.runId);
    try {
      const actor = await this.o.plane.actorFor(refs.spec.startedBy);
      await recordRelease(
        { plane: this.o.plane, actor, projectId: refs.spec.projectId },
        { runId: refs.runId, digest: refs.spec.digest, tier: refs.spec.tier, dryRun: refs.spec.dryRun, status, report: null },
      );
    } catch (err) {
      // The stored view says how it ended; the project's record is what could not be written.
      this.o.onError(err, refs.runId);
    }
  }

  /** A view from the job's state, the active index and the stored final view. */
  private async viewOf(refs: QueuedRunRefs, job: JobInfo<object>): Promise<RunJobView> {
    const { projectId } = refs.spec;
    if (job.state === 'completed' || job.state === 'cancelled' || job.state === 'failed') {
      const stored = await this.o.runs.load(projectId, refs.runId);
      if (stored) return stored.view;
    }
    const indexed = await this.o.runs.active(projectId, refs.runId);
    if (job.state === 'created' || job.state === 'retry') return baseView(refs, 'queued', indexed);
    if (job.state === 'active') return baseView(refs, 'running', indexed);
    if (job.state === 'cancelled') return { ...baseView(refs, 'cancelled', indexed), error: null };
    const output = (job.output ?? {}) as { status?: unknown; code?: unknown; message?: unknown };
    if (job.state === 'completed' && typeof output.status === 'string' && RUN_STATUSES.has(output.status)) return baseView(refs, output.status as RunJobStatus, indexed);
    const error =
      typeof output.code === 'string' && typeof output.message === 'string'
        ? { code: output.code, message: output.message }
        : { code: 'run.internal', message: 'the run ended without a stored report' };
    return { ...baseView(refs, 'failed', indexed), error };
  }

  /** The local view, unless an attempt here was handed back and the run now lives elsewhere. */
  private localView(runId: string): RunJobView | undefined {
    if (this.handedOff.has(runId) && !this.executing.has(runId)) return undefined;
    return this.local.get(runId);
  }

  /** Polls a run until it ends (or `signal` aborts); its last view. */
  private async follow(runId: string, first: RunJobView, signal?: AbortSignal): Promise<RunJobView> {
    let view = first;
    while (!TERMINAL.has(view.status) && !signal?.aborted) {
      if (this.executing.has(runId)) {
        const ended = await this.local.waitFor(runId);
        // An attempt handed back ends here `cancelled`, but the run goes on elsewhere.
        if (!this.handedOff.has(runId)) return ended ?? view;
      }
      await sleep(this.pollMs, signal);
      try {
        view = (await this.get(runId)) ?? view;
      } catch (err) {
        // A queue hiccup costs a poll, not the follower.
        this.o.onError(err, runId);
      }
    }
    return view;
  }

  private track(view: RunJobView): void {
    const previous = this.tracking.get(view.runId) ?? Promise.resolve();
    const next = previous
      .then(() => (TERMINAL.has(view.status) ? undefined : this.o.runs.track(view)))
      .catch((err: unknown) => this.o.onError(new FerryError('internal', 'run.index_failed', `run ${view.runId} could not be noted in the run store (${describeError(err)})`), view.runId));
    this.tracking.set(view.runId, next);
    void next.finally(() => {
      if (this.tracking.get(view.runId) === next) this.tracking.delete(view.runId);
    });
  }

  private async untrack(projectId: string, runId: string): Promise<void> {
    await this.tracking.get(runId);
    await this.o.runs.untrack(projectId, runId);
  }
}

function baseView(refs: QueuedRunRefs, status: RunJobStatus, indexed: RunJobView | null): RunJobView {
  return {
    ...refs.spec,
    runId: refs.runId,
    status,
    queuedAt: refs.queuedAt,
    startedAt: indexed?.startedAt ?? null,
    finishedAt: null,
    progress: indexed?.progress ?? new RunProgress().snapshot(),
    error: null,
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
