/**
 * Run evidence the server keeps on disk under its data directory: each finished run's JSON
 * report and final view (`runs/<projectId>/<runId>.json`). Contract versions are never written
 * out: the engine receives them loaded from their stored texts. Paths are built only
 * from ids the control plane issued, checked against a strict pattern, so a request can
 * never steer a read or write outside the directory.
 *
 * Runs on the job queue also keep an index of the ones not yet finished
 * (`runs/<projectId>/active/<runId>.json`: the view, with the engine's run id once it started),
 * which every server sharing the directory lists, and a retry reads to resume the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
    return readJson<StoredRun>(path.join(this.dir, 'runs', safe(projectId, 'project'), `${safe(runId, 'run')}.json`));
  }

  /** Notes (or updates) a run that has not finished yet in the active index. */
  async track(view: RunJobView): Promise<void> {
    await writeAtomically(this.activeFile(view.projectId, view.runId), JSON.stringify(view));
  }

  /** The active index's view of a run, or null. */
  async active(projectId: string, runId: string): Promise<RunJobView | null> {
    return readJson<RunJobView>(this.activeFile(projectId, runId));
  }

  /** Every run of `projectId` in the active index, newest first. */
  async listActive(projectId: string): Promise<RunJobView[]> {
    const dir = path.join(this.dir, 'runs', safe(projectId, 'project'), 'active');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const ids = names.filter((n) => n.endsWith('.json') && SAFE_ID.test(n.slice(0, -5))).map((n) => n.slice(0, -5));
    const views = await Promise.all(ids.map((id) => this.active(projectId, id)));
    return views.filter((v): v is RunJobView => v !== null).sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));
  }

  /** Removes a run from the active index (no error when it is not there). */
  async untrack(projectId: string, runId: string): Promise<void> {
    await rm(this.activeFile(projectId, runId), { force: true });
  }

  private activeFile(projectId: string, runId: string): string {
    return path.join(this.dir, 'runs', safe(projectId, 'project'), 'active', `${safe(runId, 'run')}.json`);
  }
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
