/**
 * Run evidence the server keeps on disk under its data directory: each finished run's JSON
 * report and final view (`runs/<projectId>/<runId>.json`). Contract versions are never written
 * out: the engine receives them loaded from their stored texts. Paths are built only
 * from ids the control plane issued, checked against a strict pattern, so a request can
 * never steer a read or write outside the directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunReport } from '../run/report.js';
import { FerryError } from '../errors.js';
import type { RunJobView } from './run-worker.js';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

export interface StoredRun {
  view: RunJobView;
  report: RunReport | null;
}

function safe(id: string, what: string): string {
  if (!SAFE_ID.test(id) || id.includes('..')) throw new FerryError('not_found', `${what}.not_found`, `${what} ${JSON.stringify(id.slice(0, 60))} not found`);
  return id;
}

/** Finished runs' reports and views under one directory. */
export class RunStore {
  constructor(readonly dir: string) {}

  /** Saves a finished run (atomically: a reader never sees half a file). */
  async save(run: StoredRun): Promise<void> {
    await writeAtomically(path.join(this.dir, 'runs', safe(run.view.projectId, 'project'), `${safe(run.view.runId, 'run')}.json`), JSON.stringify(run));
  }

  /** A finished run of `projectId`, or null when none is stored. */
  async load(projectId: string, runId: string): Promise<StoredRun | null> {
    const file = path.join(this.dir, 'runs', safe(projectId, 'project'), `${safe(runId, 'run')}.json`);
    try {
      return JSON.parse(await readFile(file, 'utf8')) as StoredRun;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
