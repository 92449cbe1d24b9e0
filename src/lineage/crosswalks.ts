/**
 * The crosswalk versions a run applies, recorded once per run with its lineage: the version
 * the contract declares for each crosswalk and the SHA-256 of its contents in canonical order,
 * so two runs that used different code lists are told apart even when nobody bumped a version.
 */
import { createHash } from 'node:crypto';
import type { CrosswalkVersion } from '../connectors/connector.js';
import { canonicalJson, sortEntries } from '../contract/canonical.js';
import type { LoadedContract } from '../contract/model.js';
import { DRUG_CLASSES_RECORD, shippedDrugClasses } from '../reference/drug-classes.js';

/**
 * Name, declared version and content digest of every crosswalk of the contract, by name; then,
 * when an allergy check matches by drug class, Ferry's shipped drug-class table under
 * `ferry:drug-classes` (a trust's extension is a declared crosswalk, so it is listed already).
 */
export function crosswalkVersions(loaded: Pick<LoadedContract, 'contract' | 'crosswalks'>): CrosswalkVersion[] {
  const out: CrosswalkVersion[] = Object.keys(loaded.contract.crosswalks)
    .sort()
    .map((name) => ({
      name,
      version: loaded.contract.crosswalks[name].version ?? null,
      digest: createHash('sha256')
        .update(canonicalJson(sortEntries(loaded.crosswalks[name] ?? [])))
        .digest('hex'),
    }));
  if (loaded.contract.quality.checks.some((c) => c.allergy_conflict.classes !== undefined)) {
    const table = shippedDrugClasses();
    out.push({ name: DRUG_CLASSES_RECORD, version: table.version, digest: table.digest });
  }
  return out;
}
