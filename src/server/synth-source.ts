/**
 * `synth:SEED:PATIENTS` sources: the library's seeded synthetic legacy PAS (src/synth), written
 * once as CSV under the server's data directory and reused, so trying the example contract
 * needs no database. The set carries the demo's defect rate (1% of every kind), so a run shows
 * quarantine and the quality gate at work. Output depends only on seed and patients, so the
 * cache never goes stale; a set is generated into a temporary directory and renamed into place,
 * and concurrent first uses share one generation.
 */
import { randomBytes } from 'node:crypto';
import { access, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { uniformRates } from '../synth/defects.js';
import { generateToCsv } from '../synth/generate.js';

/** Patients a `synth:` reference may ask for: enough for every table, small enough to generate in seconds. */
export const SYNTH_PATIENTS = { min: 20, max: 5000 } as const;

/** The defect rate of served synthetic sets (the same as `ferry demo`). */
export const SYNTH_DEFECT_RATE = 0.01;

const inFlight = new Map<string, Promise<string>>();

/** The `csv:` URL of the synthetic set for `seed` and `patients`, generating it on first use. */
export function synthSource(dataDir: string, seed: number, patients: number): Promise<string> {
  const dir = path.join(dataDir, 'synth', `${seed}-${patients}`);
  const running = inFlight.get(dir);
  if (running) return running;
  const job = ensure(dir, seed, patients).finally(() => inFlight.delete(dir));
  inFlight.set(dir, job);
  return job;
}

async function ensure(dir: string, seed: number, patients: number): Promise<string> {
  if (!(await exists(dir))) {
    const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await generateToCsv({ seed, patients, rates: uniformRates(SYNTH_DEFECT_RATE), dir: tmp });
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      // Another server process sharing the data directory may have won the rename.
      if (!(await exists(dir))) throw err;
    }
  }
  return `csv:${dir}`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
