/**
 * What every route file receives: the control plane, the run worker, where run evidence is
 * kept, and the connection environment. Route files are functions of this, so tests can build
 * an app over a fresh store without globals.
 */
import type { Actor, ControlPlane, NotifyHost } from '../control/plane.js';
import { route } from './router.js';
import type { RunContext } from './run-executor.js';
import type { RunService } from './run-worker.js';
import type { RunStore } from './run-store.js';
import type { UploadPolicy } from './uploads.js';

export interface ServerDeps {
  plane: ControlPlane;
  /** The server's runs: the in-process RunWorker, or the job-queue QueuedRunWorker. */
  worker: RunService<RunContext>;
  runs: RunStore;
  /** Environment the connection references (`env:NAME`) resolve against. */
  env: NodeJS.ProcessEnv;
  /** Checks the login rate limits for an address and account; throws 429 when exceeded. */
  loginGuard(ip: string, username: string): void;
  /** Directory for run evidence and temporary files (audit exports, synthetic sets, uploads). */
  dataDir: string;
  /** What one project may keep uploaded, and for how long. */
  uploads: UploadPolicy;
  /** The operator's notification policy (webhook hosts, SMTP, mail domains); none allows no subscription. */
  notify?: NotifyHost;
}

/** Declares a route whose handler receives the authenticated Actor. */
export const defineRoute = route<Actor>();
