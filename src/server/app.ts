/**
 * `createApp(config)`: the HTTP API over one control plane. It assembles the route table from
 * one file per domain, the OpenAPI document from that table, the run worker, the login rate
 * limits and the request log (method, path, status, timing, user id: never bodies, headers or
 * query strings), and serves it with the fastify transport.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Actor, ControlPlane, Permission } from '../control/plane.js';
import { FerryError } from '../errors.js';
import type { Resolver } from '../control/webhook-guard.js';
import { createMailer } from '../notify/email.js';
import { Notifier } from '../notify/notifier.js';
import { authenticateRequest } from './auth.js';
import type { ServerDeps } from './context.js';
import { buildOpenApi } from './openapi.js';
import { DEFAULT_LOGIN_LIMITS, loginGuard, type LoginLimits } from './rate-limit.js';
import { createRunWorker, type RunContext, type ServerBackup } from './run-executor.js';
import { RunStore } from './run-store.js';
import type { RunService, RunWorker } from './run-worker.js';
import { QueuedRunWorker } from './queued-run-worker.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { AnyRoute } from './router.js';
import { DEFAULT_WEB_DIR } from './static-ui.js';
import { httpObserver, type FerryMetrics } from '../metrics/registry.js';
import { createTransport } from './transport.js';
import { startUploadRetention } from './upload-retention.js';
import { checkUploadPolicy, DEFAULT_UPLOAD_POLICY, type UploadQuota } from './uploads.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { connectionRoutes } from './routes/connections.js';
import { contractRoutes } from './routes/contracts.js';
import { crosswalkRoutes } from './routes/crosswalks.js';
import { healthRoutes } from './routes/health.js';
import { lineageRoutes } from './routes/lineage.js';
import { safetyRoutes } from './routes/safety.js';
import { reviewRoutes } from './routes/reviews.js';
import { settingsRoutes } from './routes/settings.js';
import { syncRoutes } from './routes/syncs.js';
import { orgRoutes } from './routes/orgs.js';
import { releaseRoutes } from './routes/releases.js';
import { runContextFor, runRoutes } from './routes/runs.js';
import { packRoutes } from './routes/pack.js';
import { sourceRoutes } from './routes/sources.js';
import { uploadRoutes } from './routes/uploads.js';
import { userRoutes } from './routes/users.js';
import { workbenchRoutes } from './routes/workbench.js';

export const API_VERSION = '1.0.0';

export interface AppConfig {
  plane: ControlPlane;
  /** Where run reports, uploads, synthetic sets and transient exports are kept. */
  dataDir: string;
  /** Environment that `env:` source and target references resolve against (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Runs executing at once (default 2). */
  runConcurrency?: number;
  /** Rows per committed batch for runs (engine default when unset). */
  runBatchSize?: number;
  /**
   * A started job queue to run through instead of this process's memory (docs/distributed.md
   * "Server runs on the queue"): runs survive a restart and are shared by every server on the
   * queue, which must share this control store and data directory. The caller stops it after close().
   */
  runQueue?: JobQueue;
  /** With runQueue: the lease of one run attempt in seconds (default 4 h); a run still executing after it is handed to another server. */
  runLeaseSeconds?: number;
  /** With runQueue: how often runs are checked for a cancel from another server, and followed when they execute elsewhere (seconds, default 1). */
  runPollSeconds?: number;
  loginLimits?: LoginLimits;
  /** A pino logger, or false for none (default: info to stdout). */
  logger?: pino.Logger | false;
  maxBodyBytes?: number;
  sseHeartbeatSeconds?: number;
  /** The built web UI served at `/` (default the package's web/dist); null serves none. */
  webDir?: string | null;
  /** What one project may keep uploaded (default 500 MiB in at most 50 uploads). */
  uploadQuota?: Partial<UploadQuota>;
  /** Uploads older than this many days are removed, at start and hourly (default 30). */
  uploadRetentionDays?: number;
  /** The process's metrics: runs, rows, gates, reconciliations and HTTP latency move them (served by the caller, docs/operations.md). */
  metrics?: FerryMetrics;
  /** Notifications (docs/operations.md "Notifications"); without it nothing may be subscribed and no notifier runs. */
  notify?: NotifyConfig;
  /** Backups before every writing run: the operator's store and each project's policy (docs/operations.md#backups). */
  backup?: ServerBackup;
}

/** The operator's notification settings (`ferry serve --notify-webhook-host`, `--smtp-url`, …). */
export interface NotifyConfig {
  /** Webhook host allowlist: `HOST`, `http://HOST` or `*.DOMAIN`. */
  webhookHosts?: string[];
  /** The operator's SMTP server (`smtp://…`, `smtps://…`) and From address. */
  smtpUrl?: string;
  mailFrom?: string;
  /** Domains email may go to (default any). */
  mailDomains?: string[];
  /** The UI's public base URL, for links in emails. */
  publicUrl?: string;
  /** Outbox poll interval (default 2 s) and sync lag poll interval (default 30 s), in seconds. */
  pollSeconds?: number;
  syncPollSeconds?: number;
  /** Retry delays in seconds (default 30, 120, 600, 3600, 21600; the last repeats) and attempts before giving up (default 6). */
  backoffSeconds?: number[];
  maxAttempts?: number;
  /** One attempt's limit in seconds (default 10). */
  timeoutSeconds?: number;
  /** Host resolution (tests); default the system resolver. */
  resolve?: Resolver;
}

export interface App {
  readonly routes: readonly AnyRoute<Actor>[];
  /** What executes runs in this process (with a job queue: the runs this process took from it). */
  readonly worker: RunWorker<RunContext>;
  /** The server's runs as the routes see them: `worker` itself, or the job-queue worker around it. */
  readonly runs: RunService<RunContext>;
  /** The underlying HTTP server (fastify's), e.g. for tests that need the socket. */
  readonly server: Server;
  /** The notifier, when the operator configured a notification channel. */
  readonly notifier: Notifier | undefined;
  openapi(): Record<string, unknown>;
  /** Starts listening; resolves with the base URL. */
  listen(port: number, host: string): Promise<{ url: string; port: number }>;
  /**
   * Stops the server. In memory: cancels runs and waits for them to be recorded. On a job
   * queue: hands the runs executing here back to the queue (they resume elsewhere) and leaves
   * queued ones queued.
   */
  close(): Promise<void>;
}

/** The route table for `deps`, in documentation order. */
export function routeTable(deps: ServerDeps, openapi: () => unknown = () => ({})): AnyRoute<Actor>[] {
  return [
    ...healthRoutes(deps, openapi),
    ...authRoutes(deps),
    ...orgRoutes(deps),
    ...userRoutes(deps),
    ...contractRoutes(deps),
    ...crosswalkRoutes(deps),
    ...sourceRoutes(deps),
    ...connectionRoutes(deps),
    ...uploadRoutes(deps),
    ...workbenchRoutes(deps),
    ...runRoutes(deps),
    ...packRoutes(deps),
    ...releaseRoutes(deps),
    ...auditRoutes(deps),
    ...lineageRoutes(deps),
    ...syncRoutes(deps),
    ...settingsRoutes(deps),
    ...safetyRoutes(deps),
    ...reviewRoutes(deps),
  ];
}

/** Builds the API over `config.plane`. */
export function createApp(config: AppConfig): App {
  const log = config.logger === false ? pino({ level: 'silent' }) : (config.logger ?? pino({ name: 'ferry-server' }));
  const runs = new RunStore(config.dataDir);
  const executor = {
    plane: config.plane,
    runs,
    dataDir: config.dataDir,
    concurrency: config.runConcurrency,
    batchSize: config.runBatchSize,
    metrics: config.metrics,
    backup: config.backup,
    onError: (err: unknown, runId: string) => log.error({ runId, err: errorSummary(err) }, 'run failed unexpectedly'),
  };
  const queued = config.runQueue
    ? new QueuedRunWorker({
        queue: config.runQueue,
        runs,
        plane: config.plane,
        concurrency: config.runConcurrency ?? 2,
        createLocal: (hooks) => createRunWorker({ ...executor, ...hooks }),
        rebuild: (refs) => runContextFor(deps, refs),
        leaseSeconds: config.runLeaseSeconds,
        pollSeconds: config.runPollSeconds,
        onError: executor.onError,
      })
    : null;
  const worker = queued ? queued.local : createRunWorker(executor);
  const service: RunService<RunContext> = queued ?? worker;
  const uploads = checkUploadPolicy({ quota: { ...DEFAULT_UPLOAD_POLICY.quota, ...config.uploadQuota }, retentionDays: config.uploadRetentionDays ?? DEFAULT_UPLOAD_POLICY.retentionDays });
  const n = config.notify;
  const notifyPolicy = { webhookHosts: n?.webhookHosts ?? [], mailDomains: n?.mailDomains ?? [], smtp: n?.smtpUrl !== undefined };
  if (n?.smtpUrl !== undefined && !n.mailFrom) throw new FerryError('usage', 'notify.no_mail_from', 'email notifications need a From address: give --mail-from with --smtp-url');
  const mailer = n?.smtpUrl !== undefined ? createMailer({ smtpUrl: n.smtpUrl, from: n.mailFrom!, timeoutMs: (n.timeoutSeconds ?? 10) * 1000 }) : undefined;
  const deps: ServerDeps = {
    notify: { policy: notifyPolicy, resolve: n?.resolve },
    plane: config.plane,
    worker: service,
    runs,
    env: config.env ?? process.env,
    loginGuard: loginGuard(config.loginLimits ?? DEFAULT_LOGIN_LIMITS),
    dataDir: config.dataDir,
    uploads,
  };
  // Each kind of store problem is logged once: it repeats on every write until an operator acts.
  const logged = new Set<string>();
  config.plane.store.onProblem((err) => {
    if (logged.has(err.code)) return;
    logged.add(err.code);
    log.error({ code: err.code }, err.message);
  });
  // The route table serves the document it is described by: the getter runs only once requests arrive.
  const routes = routeTable(deps, () => doc);
  const doc: Record<string, unknown> = buildOpenApi(routes, { title: 'Ferry API', version: API_VERSION });
  const server = createTransport(routes, {
    authenticate: (req) => authenticateRequest(config.plane, req),
    authorize: (auth, permission, projectId) => config.plane.authorize(auth, permission as Permission, { projectId }),
    principalId: (a: Actor) => a.userId,
    log: (entry) => log.info(entry, 'request'),
    ...(config.metrics ? { observe: httpObserver(config.metrics) } : {}),
    logError: (err, requestId) => log.error({ requestId, err: errorSummary(err) }, 'request failed'),
    maxBodyBytes: config.maxBodyBytes ?? 25 * 1024 * 1024,
    sseHeartbeatSeconds: config.sseHeartbeatSeconds ?? 15,
    ...(config.webDir === null ? {} : { webDir: config.webDir ?? DEFAULT_WEB_DIR }),
  });
  const retention = startUploadRetention({
    dataDir: config.dataDir,
    audit: config.plane.audit,
    retentionDays: uploads.retentionDays,
    // The error's code only: file-system messages carry paths.
    onError: (err) => log.error({ code: (err as { code?: unknown }).code ?? (err instanceof Error ? err.name : 'unknown') }, 'upload retention sweep failed; retried at the next sweep'),
  });
  // Runs only when the operator configured a channel: otherwise nothing can be subscribed.
  const notifier =
    notifyPolicy.webhookHosts.length > 0 || mailer
      ? new Notifier({
          store: config.plane.store,
          audit: config.plane.audit,
          policy: notifyPolicy,
          mailer,
          publicUrl: n?.publicUrl,
          plane: config.plane,
          connectionHost: { env: deps.env, dataDir: config.dataDir },
          resolve: n?.resolve,
          pollMs: (n?.pollSeconds ?? 2) * 1000,
          syncPollMs: (n?.syncPollSeconds ?? 30) * 1000,
          backoffMs: n?.backoffSeconds?.map((s) => s * 1000),
          maxAttempts: n?.maxAttempts,
          timeoutMs: (n?.timeoutSeconds ?? 10) * 1000,
          // Codes only: a notifier's problems never carry a target, an address or a body.
          onError: (code, where) => log.warn({ code, where }, 'notification problem; retried with back-off'),
        })
      : undefined;
  let closing: Promise<void> | undefined;
  return {
    routes,
    worker,
    runs: service,
    server: server.server,
    notifier,
    openapi: () => doc!,
    async listen(port, host) {
      // Takes runs from the queue only once this process is fully built.
      await queued?.start();
      await server.listen({ port, host });
      notifier?.start();
      const { port: bound } = server.server.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      return { url: `http://${shown}:${bound}`, port: bound };
    },
    close() {
      // Once: a second call waits for the first.
      closing ??= (async () => {
        // Runs first, so their SSE streams end with the run's own last event; fastify then ends
        // any stream still open, lets requests in flight finish and drops idle keep-alive sockets.
        await service.close();
        await server.close();
        await retention.stop();
        await notifier?.stop();
      })();
      return closing;
    },
  };
}

/**
 * What the log keeps of an error. Never its own fields (they could carry a connection string or
 * a value); for a FerryError not even its message, which may quote a resolved target's host,
 * user or path (a connector's message reaching a 5xx): its stable code identifies it.
 */
export function errorSummary(err: unknown): { message: string; code?: string; stack?: string } {
  if (err instanceof FerryError) {
    const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
    return { message: `FerryError ${err.kind} ${err.code}`, code: err.code, stack: frames.join('\n') };
  }
  return err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
}
