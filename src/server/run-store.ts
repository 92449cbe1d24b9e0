/**
 * Run evidence the server keeps on disk under its data directory: each finished run's JSON
 * report and final view (`runs/<projectId>/<runId>.json`), and each contract version written
 * out as files so the engine can load it (`contracts/<versionId>/`). Paths are built only
 * from ids the control plane issued, checked against a strict pattern, so a request can
 * never steer a read or write outside the directory.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContractVersion } from '../control/plane.js';
import type { RunReport } from '../engine/report.js';
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

/** Reports and materialised contracts under one directory. */
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

  /**
   * Writes a contract version's YAML and crosswalk files and returns the contract file. Versions
   * are immutable, so an existing copy is reused; each file is written to a temporary name and
   * renamed, and the YAML last, so a concurrent run never loads a half-written version.
   */
  async materialise(version: ContractVersion): Promise<string> {
    const dir = path.join(this.dir, 'contracts', safe(version.id, 'version'));
    const file = path.join(dir, 'contract.yaml');
    if (await exists(file)) return file;
    for (const [name, text] of Object.entries(version.crosswalks)) {
      const target = path.resolve(dir, name);
      if (!target.startsWith(dir + path.sep)) throw new FerryError('contract', 'contract.crosswalk_path', `crosswalk path ${name} leaves the contract's directory; use a relative path such as crosswalks/sex.csv`);
      await writeAtomically(target, text);
    }
    await writeAtomically(file, version.yaml);
    return file;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
