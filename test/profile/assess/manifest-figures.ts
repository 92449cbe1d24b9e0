/**
 * What the readiness assessment should find in a synthetic PAS, worked out from its defect
 * manifest alone: orphan rows per foreign key, repeated NHS numbers, rows holding codes no
 * crosswalk of the example contract knows, and dates written in another layout.
 */
import { readFile } from 'node:fs/promises';
import type { DefectManifest } from '../../../src/synth/manifest.js';
import type { Assessment } from '../../../src/profile/assess/model.js';

export interface Expected {
  /** `TABLE.COLUMN` → rows. */
  orphans: Record<string, number>;
  duplicatePatients: number;
  /** `TABLE.COLUMN` → rows whose code the contract's crosswalk does not know. */
  uncoveredCodes: Record<string, number>;
  /** `TABLE.COLUMN` → dates in another layout than dd/mm/yyyy. */
  offFormatDates: Record<string, number>;
}

type Entry = DefectManifest['defects'][number];

function tallyOf(m: DefectManifest, pick: (d: Entry) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of m.defects.filter(pick)) out[`${d.table}.${d.column}`] = (out[`${d.table}.${d.column}`] ?? 0) + 1;
  return out;
}

/** Defects of one kind per `TABLE.COLUMN`. */
export async function expectedCounts(manifestFile: string, kind: Entry['kind']): Promise<Record<string, number>> {
  const m = JSON.parse(await readFile(manifestFile, 'utf8')) as DefectManifest;
  return tallyOf(m, (d) => d.kind === kind);
}

/** Reads defects.json and tallies what the assessment must report. */
export async function expectedFigures(manifestFile: string): Promise<Expected> {
  const m = JSON.parse(await readFile(manifestFile, 'utf8')) as DefectManifest;
  const tally = (pick: (d: Entry) => boolean) => tallyOf(m, pick);
  return {
    orphans: tally((d) => d.kind === 'orphan_foreign_key'),
    duplicatePatients: m.counts.duplicate_patient,
    // The sentinel admission method 99 is a local code no crosswalk knows either.
    uncoveredCodes: tally((d) => d.kind === 'unmapped_code' || (d.kind === 'sentinel_value' && d.variant === 'code_99')),
    offFormatDates: tally((d) => d.kind === 'mixed_date_format'),
  };
}

/** The same figures as the assessment reports them (only non-zero ones, like the manifest). */
export function reportedFigures(a: Assessment): Omit<Expected, 'duplicatePatients'> & { nhsNumberDuplicates: number } {
  const nonZero = (pairs: Array<[string, number]>) => Object.fromEntries(pairs.filter(([, n]) => n > 0));
  const master = a.tables.find((t) => t.name === 'PAT_MAST')!;
  return {
    orphans: nonZero(a.tables.flatMap((t) => t.orphans.map((o): [string, number] => [`${t.name}.${o.columns[0]}`, o.orphan_rows ?? -1]))),
    nhsNumberDuplicates: master.keys.identifiers.find((i) => i.column === 'PAT_NHSNO')?.duplicates ?? -1,
    uncoveredCodes: nonZero(a.tables.flatMap((t) => t.code_fields.filter((c) => c.covered_by?.kind === 'crosswalk').map((c): [string, number] => [`${t.name}.${c.column}`, c.rows_needing_crosswalk]))),
    offFormatDates: nonZero(a.tables.flatMap((t) => t.dates.map((d): [string, number] => [`${t.name}.${d.column}`, d.off_format_values]))),
  };
}
