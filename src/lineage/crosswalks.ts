/**
 * The crosswalk versions a run applies, recorded once per run with its lineage: the version
 * the contract declares for each crosswalk and the SHA-256 of its contents in canonical order,
 * so two runs that used different code lists are told apart even when nobody bumped a version.
 */
import { createHash } from 'node:crypto';
import type { CrosswalkVersion } from '../connectors/connector.js';
import { canonicalJson, sortEntries } from '../contract/canonical.js';
import type { LoadedContract } from '../contract/model.js';

/** Name, declared version and content digest of every crosswalk of the contract, by name. */
export function crosswalkVersions(loaded: Pick<LoadedContract, 'contract' | 'crosswalks'>): CrosswalkVersion[] {
  return Object.keys(loaded.contract.crosswalks)
    .sort()
    .map((name) => ({
      name,
      version: loaded.contract.crosswalks[name].version ?? null,
      digest: createHash('sha256')
        .update(canonicalJson(sortEntries(loaded.crosswalks[name] ?? [])))
        .digest('hex'),
    }));
}
