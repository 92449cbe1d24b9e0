/**
 * The clinician sampling review's sample: a reproducible, stratified random draw of patients
 * (rows of the pilot root table) from one run. A patient's stratum is the strongest evidence
 * among the source rows linked to it through the pinned foreign keys: `quarantined` (a linked
 * row was quarantined for its own reasons), `cascaded` (a linked row only followed a parent that
 * did not load, `parent.quarantined`), `crosswalked` (a linked row that was not quarantined
 * holds a value a crosswalk translates), else `clean`. Only keys and strata leave this module.
 */
import { randomInt } from 'node:crypto';
import type { Source, Target } from '../connectors/connector.js';
import { contractDigest } from '../contract/canonical.js';
import type { Contract, LoadedContract } from '../contract/model.js';
import { PARENT_QUARANTINED } from '../engine/cascade.js';
import { dependents, pilotRoot, walkPatientRows } from '../engine/pilot.js';
import { FerryError } from '../errors.js';
import { Prng } from '../synth/prng.js';

/** Strata, strongest evidence first: a patient belongs to the first one its rows show. */
export const STRATA = ['quarantined', 'cascaded', 'crosswalked', 'clean'] as const;
export type Stratum = (typeof STRATA)[number];

export interface SampledPatient {
  /** 0-based place in the sample (the order reviewers see). */
  position: number;
  /** The patient's primary key in the root source table (`|`-joined when composite). */
  patientKey: string;
  stratum: Stratum;
}

export interface Sample {
  runId: string;
  contractDigest: string;
  /** The root source table whose rows are patients. */
  root: string;
  seed: number;
  patientsRequested: number;
  stratify: string | null;
  /** Patients of the run in each stratum (the population the sample was drawn from). */
  population: Record<Stratum, number>;
  patients: SampledPatient[];
}

export interface DrawSampleOptions {
  loaded: LoadedContract;
  source: Source;
  /** The run's target: its ledger holds the run record and quarantine. */
  target: Target;
  runId: string;
  patients: number;
  seed: number;
  /** Only this source table's rows count as evidence of a stratum. */
  stratify?: string | null;
  /** The root table, when the contract's pilot root is not the patient table. */
  root?: string;
  sliceRows?: number;
  signal?: AbortSignal;
}

/** Checks the run exists in the target's ledger and was made by this contract version. */
export async function checkRun(target: Target, runId: string, loaded: LoadedContract): Promise<string> {
  const run = await target.getRun(runId);
  if (!run) throw new FerryError('not_found', 'review.run_not_found', `run ${runId} is not in the target ${target.displayUrl}`);
  const digest = contractDigest(loaded);
  if (run.contractDigest !== digest) {
    throw new FerryError(
      'usage',
      'review.contract_mismatch',
      `run ${runId} was made by contract ${run.contractDigest.slice(0, 12)}…, not by the given contract (${digest.slice(0, 12)}…); give the exact version the run used`,
    );
  }
  return digest;
}

/**
 * The patient table: the pilot root (the table most others depend on), or, when no table is
 * referenced by foreign keys, the only source table (a one-table contract); else `explicit`.
 */
export function reviewRoot(contract: Contract, explicit?: string): string {
  try {
    return pilotRoot(contract, explicit);
  } catch (err) {
    const tables = Object.keys(contract.source.tables);
    if (err instanceof FerryError && err.code === 'pilot.no_root' && tables.length === 1) return tables[0];
    throw err;
  }
}

/** Sorts keys numerically when both are integers, else as text: PAS keys are usually integers. */
export function compareKeys(a: string, b: string): number {
  const na = /^-?\d{1,15}$/.test(a);
  const nb = /^-?\d{1,15}$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Source columns per source table that a crosswalk translates (plain columns of the mapping's own table). */
function crosswalkColumns(loaded: LoadedContract): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of Object.values(loaded.contract.mappings)) {
    for (const f of Object.values(m.fields)) {
      if (!f.crosswalk || f.status === 'rejected' || f.from === undefined) continue;
      const cols = (Array.isArray(f.from) ? f.from : [f.from]).filter((c) => !c.includes('.'));
      const list = out.get(m.source) ?? [];
      for (const c of cols) if (!list.includes(c) && c in (loaded.contract.source.tables[m.source]?.columns ?? {})) list.push(c);
      out.set(m.source, list);
    }
  }
  return out;
}

/** How many of each stratum to draw: one per non-empty stratum first (strongest first), the rest by size (largest remainder). */
export function allocate(sizes: Record<Stratum, number>, wanted: number): Record<Stratum, number> {
  const take = Object.fromEntries(STRATA.map((s) => [s, 0])) as Record<Stratum, number>;
  const total = STRATA.reduce((n, s) => n + sizes[s], 0);
  let left = Math.min(wanted, total);
  for (const s of STRATA) {
    if (left > 0 && sizes[s] > 0) {
      take[s] = 1;
      left--;
    }
  }
  while (left > 0) {
    const room = STRATA.filter((s) => sizes[s] > take[s]);
    const roomTotal = room.reduce((n, s) => n + sizes[s] - take[s], 0);
    const shares = room.map((s) => ({ s, exact: (left * (sizes[s] - take[s])) / roomTotal }));
    let given = 0;
    for (const x of shares) {
      const n = Math.min(Math.floor(x.exact), sizes[x.s] - take[x.s]);
      take[x.s] += n;
      given += n;
    }
    const rest = left - given;
    // Largest remainders first; ties by stratum order, so the split is deterministic.
    shares.sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || STRATA.indexOf(a.s) - STRATA.indexOf(b.s));
    let extra = 0;
    for (const x of shares) {
      if (extra >= rest) break;
      if (take[x.s] < sizes[x.s]) {
        take[x.s]++;
        extra++;
      }
    }
    left -= given + extra;
  }
  return take;
}

/**
 * Draws the sample: classifies every patient of the run by the evidence of its linked rows,
 * then picks within each stratum with a PRNG seeded by (seed, stratum). The same seed over the
 * same run and source gives the same sample.
 */
/** Throws unless `seed` is a whole number the sampler's PRNG takes (0 to 2^32 - 1). */
export function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new FerryError('usage', 'review.bad_seed', '--seed must be a whole number from 0 to 4294967295');
  return seed;
}

/** A `--seed` flag's value, or a random seed (printed by the caller, so the draw can be repeated) when absent. */
export function seedOf(text: string | undefined): number {
  return text === undefined ? randomInt(0, 2 ** 31) : checkSeed(/^\d+$/.test(text) ? Number(text) : NaN);
}

export async function drawSample(o: DrawSampleOptions): Promise<Sample> {
  if (!Number.isInteger(o.patients) || o.patients < 1) throw new FerryError('usage', 'review.bad_patients', '--patients must be a whole number of at least 1');
  checkSeed(o.seed);
  const digest = await checkRun(o.target, o.runId, o.loaded);
  const contract = o.loaded.contract;
  const root = reviewRoot(contract, o.root);
  const linked = [root, ...dependents(contract, root).keys()];
  const stratify = o.stratify ?? null;
  if (stratify !== null && !linked.includes(stratify)) {
    throw new FerryError('usage', 'review.bad_stratify', `--stratify ${stratify} is not a source table linked to the patient table ${root}; choose one of ${linked.join(', ')}`);
  }
  const evidence = new Set(stratify ? [stratify] : linked);

  // Quarantined source rows of the run: only whether every reason is a cascade matters.
  const quarantined = new Map<string, boolean>();
  for await (const q of o.target.quarantine(o.runId)) {
    if (!evidence.has(q.sourceTable)) continue;
    const id = `${q.sourceTable}\u0000${q.sourceKey}`;
    const cascadeOnly = q.reasonCode === PARENT_QUARANTINED;
    quarantined.set(id, (quarantined.get(id) ?? true) && cascadeOnly);
  }

  const xwCols = crosswalkColumns(o.loaded);
  const rank = new Map<string, number>(); // patient → index into STRATA (lower is stronger)
  await walkPatientRows(contract, o.source, {
    root,
    columns: (table) => (evidence.has(table) ? (xwCols.get(table) ?? []) : []),
    sliceRows: o.sliceRows ?? 5000,
    signal: o.signal,
    onRow: (r) => {
      let s = rank.get(r.patient) ?? 3;
      if (evidence.has(r.table) && s > 0) {
        const q = quarantined.get(`${r.table}\u0000${r.key}`);
        if (q !== undefined) s = Math.min(s, q ? 1 : 0);
        else if ((xwCols.get(r.table) ?? []).some((c) => r.row[r.at.get(c)!] !== null && r.row[r.at.get(c)!] !== '')) s = Math.min(s, 2);
      }
      rank.set(r.patient, s);
    },
  });

  const members = Object.fromEntries(STRATA.map((s) => [s, [] as string[]])) as Record<Stratum, string[]>;
  for (const [patient, s] of rank) members[STRATA[s]].push(patient);
  for (const s of STRATA) members[s].sort(compareKeys);
  const population = Object.fromEntries(STRATA.map((s) => [s, members[s].length])) as Record<Stratum, number>;
  const take = allocate(population, o.patients);

  const picked: Array<{ patientKey: string; stratum: Stratum }> = [];
  STRATA.forEach((s, i) => {
    const pool = [...members[s]];
    const prng = new Prng(o.seed, i);
    // A partial Fisher–Yates shuffle: the first take[s] places are a uniform draw without replacement.
    for (let k = 0; k < take[s]; k++) {
      const j = k + prng.int(pool.length - k);
      [pool[k], pool[j]] = [pool[j], pool[k]];
    }
    for (const key of pool.slice(0, take[s]).sort(compareKeys)) picked.push({ patientKey: key, stratum: s });
  });
  return {
    runId: o.runId,
    contractDigest: digest,
    root,
    seed: o.seed,
    patientsRequested: o.patients,
    stratify,
    population,
    patients: picked.map((p, position) => ({ position, ...p })),
  };
}
