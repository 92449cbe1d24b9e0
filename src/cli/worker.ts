/**
 * `ferry worker`: loads partitions of runs started with `ferry run --queue` until interrupted
 * (docs/distributed.md). On SIGINT/SIGTERM it stops taking jobs and aborts the ones it runs;
 * what they committed stays, and their next attempt, here or on another worker, continues it.
 */
import { Option, type Command } from 'commander';
import { FerryError } from '../errors.js';
import type { PgBossQueue } from '../queue/pg-boss-queue.js';
import { METRICS_LISTEN_HELP, metricsSettings, startMetricsListener } from '../metrics/endpoint.js';
import { attemptObserver, collectQueue, heartbeat } from '../metrics/queue-metrics.js';
import type { FerryMetrics } from '../metrics/registry.js';
import type { CliIO } from './io.js';
import type { Register } from './main.js';

interface WorkerFlags {
  queue: string;
  concurrency: number;
  allow: string[];
  maintenanceInterval?: number;
  metricsListen?: string;
}

function positiveInt(name: string, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0 || n > max) throw new FerryError('usage', 'cli.bad_number', `${name} must be a whole number from 1 to ${max}`);
    return n;
  };
}

/** Opens and starts the PostgreSQL job queue at `url` with Ferry's partition queues in it; loaded on demand, so runs without a queue never load pg-boss. */
export async function openPartitionQueue(url: string, env: NodeJS.ProcessEnv, maintenanceIntervalSeconds?: number, metrics?: FerryMetrics): Promise<PgBossQueue> {
  const [{ PgBossQueue }, { preparePartitionQueues }] = await Promise.all([import('../queue/pg-boss-queue.js'), import('../run/queued-partitions.js')]);
  const queue = new PgBossQueue({ url, env, ...(maintenanceIntervalSeconds ? { maintenanceIntervalSeconds } : {}), ...(metrics ? { onPoll: heartbeat(metrics) } : {}) });
  await queue.start();
  try {
    await preparePartitionQueues(queue);
  } catch (err) {
    await queue.stop({ graceful: false });
    throw err;
  }
  return queue;
}

async function worker(flags: WorkerFlags, io: CliIO): Promise<number> {
  if (flags.allow.length === 0) {
    throw new FerryError('usage', 'cli.worker_no_allow', 'give the source and target URLs this worker may connect to with --allow URL (repeat it); jobs naming others are refused');
  }
  const { workPartitions, PARTITION_QUEUE } = await import('../run/queued-partitions.js');
  const served = await startMetricsListener(metricsSettings(flags.metricsListen, io.env), () => io.err('ferry worker: a metrics scrape failed'));
  let queue: PgBossQueue;
  try {
    queue = await openPartitionQueue(flags.queue, io.env, flags.maintenanceInterval, served?.metrics);
  } catch (err) {
    await served?.endpoint.close();
    throw err;
  }
  if (served) {
    collectQueue(served.metrics, queue);
    io.err(`ferry worker: metrics at ${served.endpoint.url}/metrics`);
  }
  try {
    // pg-boss's shortest polling interval: a partition waiting half a second costs nothing next to its load.
    await workPartitions({
      queue,
      queueUrl: flags.queue,
      concurrency: flags.concurrency,
      allow: flags.allow,
      env: io.env,
      pollingIntervalSeconds: 0.5,
      log: (line) => io.err(`ferry worker: ${line}`),
      ...(served ? { onAttempt: attemptObserver(served.metrics, PARTITION_QUEUE) } : {}),
    });
    io.err(`ferry worker: taking partitions (${flags.concurrency} at once) until interrupted`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    io.err('ferry worker: stopping: partitions in progress are handed back to the queue');
  } finally {
    await queue.stop({ graceful: true, timeoutMs: 30_000 });
    await served?.endpoint.close();
  }
  return 0;
}

export const register: Register = (program: Command, io: CliIO, setExit) => {
  program
    .command('worker')
    .description('load partitions of queued runs (`ferry run --queue`) from a PostgreSQL job queue until interrupted')
    .requiredOption('--queue <url>', 'the job queue: postgres://USER@HOST:PORT/DB (password from PGPASSWORD or ?password_env=VAR)')
    .addOption(new Option('--concurrency <n>', 'partitions this worker loads at once').argParser(positiveInt('--concurrency', 64)).default(1))
    .addOption(
      new Option('--maintenance-interval <seconds>', 'how often this worker looks for partitions whose worker died (expired leases), when no other queue process did (default 30)').argParser(
        positiveInt('--maintenance-interval', 3600),
      ),
    )
    .option('--metrics-listen <address>', METRICS_LISTEN_HELP)
    .option('--allow <url>', 'a source or target URL this worker may connect to, exactly as runs give it (repeatable; required)', (v: string, all: string[]) => [...all, v], [] as string[])
    .action(async (flags: WorkerFlags) => setExit(await worker(flags, io)));
};
