/**
 * SNOMED CT identifiers (SCTIDs): 6 to 18 digits, no leading zero, a Verhoeff check digit last,
 * and a two-digit partition identifier before it. Short-form ids (partition 0x) carry no
 * namespace; long-form ids (partition 1x) carry a seven-digit namespace before the partition.
 */
import { isVerhoeffValid } from './verhoeff.js';

const SCTID = /^[1-9]\d{5,17}$/;

// Partition "00" is a core concept, "10" a concept in a namespace (extension), such as the UK
// drug extension that most dm+d products live in.
const CONCEPT_PARTITIONS = new Set(['00', '10']);

/** Returns the partition identifier (the second- and third-last digits) of an id. */
export function sctidPartition(id: string): string {
  return id.slice(-3, -1);
}

/** What is wrong with an SCTID: its layout, its partition (when `partitions` is given) or its check digit. */
export type SctidProblem = 'format' | 'partition' | 'check_digit';

/** Returns what is wrong with an SCTID, or null when it is valid (and in one of `partitions`, when given). */
export function sctidProblem(id: string, partitions?: ReadonlySet<string>): SctidProblem | null {
  if (!SCTID.test(id)) return 'format';
  // Long-form ids need room for at least one item digit, the namespace and the partition.
  if (id.charCodeAt(id.length - 3) === 49 && id.length < 11) return 'format';
  if (partitions !== undefined && !partitions.has(sctidPartition(id))) return 'partition';
  return isVerhoeffValid(id) ? null : 'check_digit';
}

/** True when the id is a well-formed SCTID of any component type with a valid check digit. */
export function isValidSctid(id: string): boolean {
  return sctidProblem(id) === null;
}

/** Returns what is wrong with a SNOMED CT concept id (partition 00 or 10), or null when it is valid. */
export function conceptIdProblem(id: string): SctidProblem | null {
  return sctidProblem(id, CONCEPT_PARTITIONS);
}

/** True when the id is a valid SNOMED CT concept id (partition 00 or 10). */
export function isValidSnomedConceptId(id: string): boolean {
  return conceptIdProblem(id) === null;
}
