/**
 * `ferry serve`: the HTTP API over the control store, until SIGINT/SIGTERM. Runs in progress
 * are cancelled (and recorded as such) on shutdown, so none is left half-recorded. With
 * `--queue URL` runs go through the PostgreSQL job queue instead (docs/distributed.md "Server
 * runs on the queue"): on shutdown the ones executing here are handed back and resumed by the
 * next server to take them, and queued ones wait for it.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ANCHOR_HELP, openConfiguredStore } from '../audit/open-store.js';
import { createControlPlane } from '../control/service.js';
import { readBackupPolicy } from '../control/notifications.js';
import { backupStoreOf } from '../backup/config.js';
import { FerryError } from '../errors.js';
import type { PgBossQueue } from '../queue/pg-boss-queue.js';
import { METRICS_LISTEN_HELP, metricsSettings, startMetricsListener, type MetricsEndpoint } from '../metrics/endpoint.js';
import { collectQueue } from '../metrics/queue-metrics.js';
import { createApp, type NotifyConfig } from '../server/app.js';
import { parseAllowEntry } from '../control/webhook-guard.js';
import type { CliIO } from './io.js';
import type { Register } from './main.js';

interface ServeFlags {
  port: string;
  host: string;
  store?: string;
  dataDir: string;
  runConcurrency: string;
  auditAnchor?: string;
  uploadQuotaMb?: string;
  uploadMax?: string;
  uploadRetentionDays?: string;
  queue?: string;
  runLease?: string;
  metricsListen?: string;
  notifyWebhookHost?: string[];
  smtpUrl?: string;
  mailFrom?: string;
  notifyMailDomain?: string[];
  publicUrl?: string;
}

/** Opens and starts the PostgreSQL job queue at `url`; loaded on demand, so a server without --queue never loads pg-boss. */
export async function openServerRunQueue(url: string, env: NodeJS.ProcessEnv): Promise<PgBossQueue> {
  const { PgBossQueue } = await import('../queue/pg-boss-queue.js');
  const queue = new PgBossQueue({ url, env });
  await queue.start();
  return queue;
}

function intFlag(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new FerryError('usage', 'cli.bad_number', `${name} must be a whole number from ${min} to ${max}`);
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** The notification settings from flags, else the environment (docs/operations.md "Notifications"). */
export function notifyConfig(flags: Pick<ServeFlags, 'notifyWebhookHost' | 'smtpUrl' | 'mailFrom' | 'notifyMailDomain' | 'publicUrl'>, env: NodeJS.ProcessEnv): NotifyConfig {
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const webhookHosts = flags.notifyWebhookHost?.length ? flags.notifyWebhookHost : list(env.FERRY_NOTIFY_WEBHOOK_HOSTS);
  for (const h of webhookHosts) parseAllowEntry(h);
  const publicUrl = flags.publicUrl ?? env.FERRY_PUBLIC_URL;
  if (publicUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new FerryError('usage', 'cli.bad_public_url', '--public-url must be the http(s) URL users open Ferry at');
  return {
    webhookHosts,
    smtpUrl: smtpUrlWithPassword(flags.smtpUrl ?? env.FERRY_SMTP_URL, env),
    mailFrom: flags.mailFrom ?? env.FERRY_MAIL_FROM,
    mailDomains: flags.notifyMailDomain?.length ? flags.notifyMailDomain : list(env.FERRY_NOTIFY_MAIL_DOMAINS),
    publicUrl,
  };
}

/**
 * The SMTP URL with its password from FERRY_SMTP_PASSWORD: a password written into the URL is
 * refused, as for every connector URL, because flags land in shell history and process lists.
 */
function smtpUrlWithPassword(smtpUrl: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (smtpUrl === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new FerryError('usage', 'notify.bad_smtp_url', '--smtp-url must be smtp://[USER@]HOST[:PORT] or smtps://…');
  }
  if (url.password !== '') throw new FerryError('usage', 'notify.smtp_password_in_url', 'the SMTP URL carries a password; give the user in the URL and the password in FERRY_SMTP_PASSWORD');
  const password = env.FERRY_SMTP_PASSWORD;
  if (password) {
    if (url.username === '') throw new FerryError('usage', 'notify.smtp_password_without_user', 'FERRY_SMTP_PASSWORD is set but the SMTP URL names no user: give smtp://USER@HOST');
    url.password = password;
  }
  return url.toString();
}

/** Starts the server; resolves with a stop function once it is listening. */
export async function startServe(flags: ServeFlags, io: CliIO): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = intFlag('--port', flags.port, 0, 65535);
  const runConcurrency = intFlag('--run-concurrency', flags.runConcurrency, 1, 64);
  if (flags.runLease !== undefined && flags.queue === undefined) throw new FerryError('usage', 'cli.run_lease_without_queue', '--run-lease applies to runs on a job queue only: give --queue URL too');
  const runLeaseSeconds = flags.runLease === undefined ? undefined : intFlag('--run-lease', flags.runLease, 60, 24 * 60 * 60 - 1);
  const metricsWanted = metricsSettings(flags.metricsListen, io.env);
  const notify = notifyConfig(flags, io.env);
  const store = await openConfiguredStore({ flag: flags.store, env: io.env, cwd: io.cwd, anchorFile: flags.auditAnchor });
  let queue: PgBossQueue | undefined;
  let metricsEndpoint: MetricsEndpoint | undefined;
  try {
    if (flags.queue !== undefined) queue = await openServerRunQueue(flags.queue, io.env);
    const served = await startMetricsListener(metricsWanted, () => io.err('ferry: a metrics scrape failed'));
    metricsEndpoint = served?.endpoint;
    if (served && queue) collectQueue(served.metrics, queue);
    const plane = createControlPlane({ store });
    const app = createApp({
      ...(served ? { metrics: served.metrics } : {}),
      plane,
      dataDir: path.resolve(io.cwd, flags.dataDir),
      env: io.env,
      runConcurrency,
      notify,
      // The operator's store from FERRY_BACKUP_DIR / FERRY_BACKUP_KEY; each project's policy (required, retention) from its settings.
      backup: { store: backupStoreOf({ env: io.env, cwd: io.cwd }), policyFor: (orgId, projectId) => readBackupPolicy(store.db, orgId, projectId) },
      ...(queue ? { runQueue: queue, runLeaseSeconds } : {}),
      uploadQuota: {
        ...(flags.uploadQuotaMb === undefined ? {} : { bytes: intFlag('--upload-quota-mb', flags.uploadQuotaMb, 1, 1_048_576) * 1024 * 1024 }),
        ...(flags.uploadMax === undefined ? {} : { uploads: intFlag('--upload-max', flags.uploadMax, 1, 100_000) }),
      },
      ...(flags.uploadRetentionDays === undefined ? {} : { uploadRetentionDays: intFlag('--upload-retention-days', flags.uploadRetentionDays, 1, 3650) }),
    });
    const { url } = await app.listen(port, flags.host);
    const runsAt = queue ? `; runs on the job queue at ${(queue as { display?: string }).display ?? 'the given URL'}` : '';
    io.err(`ferry: API listening on ${url} (store ${store.display}${runsAt}); OpenAPI at ${url}/openapi.json`);
    if (served) io.err(`ferry: metrics at ${served.endpoint.url}/metrics`);
    return {
      url,
      stop: async () => {
        await app.close();
        await metricsEndpoint?.close();
        await queue?.stop({ graceful: true, timeoutMs: 30_000 });
        await store.close();
      },
    };
  } catch (err) {
    await metricsEndpoint?.close();
    await queue?.stop({ graceful: false });
    await store.close();
    throw err;
  }
}

async function serve(flags: ServeFlags, io: CliIO): Promise<number> {
  const server = await startServe(flags, io);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.err(flags.queue === undefined ? 'ferry: shutting down: cancelling runs in progress' : 'ferry: shutting down: runs in progress are handed back to the job queue');
  await server.stop();
  return 0;
}

export const register: Register = (program: Command, io: CliIO, setExit) => {
  program
    .command('serve')
    .description('serve the HTTP API (docs/api.md) over the control store until interrupted')
    .option('--port <port>', 'TCP port (0 picks a free one)', '4600')
    .option('--host <host>', 'address to listen on; keep 127.0.0.1 behind a TLS-terminating proxy', '127.0.0.1')
    .option('--store <url>', 'control store: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)')
    .option('--data-dir <dir>', 'where run reports, uploads and synthetic sets are kept (no connection may reach it)', '.ferry/server')
    .option('--upload-quota-mb <n>', 'uploaded source files one project may keep, in MiB (default 500)')
    .option('--upload-max <n>', 'uploads one project may keep (default 50)')
    .option('--upload-retention-days <n>', 'uploads older than this are removed, at start and hourly (default 30)')
    .option('--run-concurrency <n>', 'runs executing at once', '2')
    .option(
      '--queue <url>',
      'run through the PostgreSQL job queue postgres://USER@HOST:PORT/DB (password from PGPASSWORD or ?password_env=VAR) instead of memory: runs survive a restart and every server on the queue shares them (same --store and --data-dir)',
    )
    .option('--run-lease <seconds>', 'with --queue: how long one server may execute a run before it is handed to another (default 14400); longer than your longest run')
    .option('--audit-anchor <file>', ANCHOR_HELP)
    .option('--metrics-listen <address>', METRICS_LISTEN_HELP)
    .option(
      '--notify-webhook-host <host>',
      'a host webhook notifications may go to (repeatable; default $FERRY_NOTIFY_WEBHOOK_HOSTS, comma-separated): HOST (https; may resolve to internal addresses), http://HOST (plain http allowed) or *.DOMAIN (public addresses only)',
      collect,
      [],
    )
    .option('--smtp-url <url>', 'SMTP server for email notifications, smtp[s]://[USER@]HOST[:PORT] (default $FERRY_SMTP_URL; the password from FERRY_SMTP_PASSWORD, never in the URL)')
    .option('--mail-from <address>', 'From address of notification emails (default $FERRY_MAIL_FROM)')
    .option('--notify-mail-domain <domain>', 'a domain notification emails may go to (repeatable; default $FERRY_NOTIFY_MAIL_DOMAINS, comma-separated; none: any)', collect, [])
    .option('--public-url <url>', 'the URL users open Ferry at, for links in notification emails (default $FERRY_PUBLIC_URL)')
    .action(async (flags: ServeFlags) => setExit(await serve(flags, io)));
};
