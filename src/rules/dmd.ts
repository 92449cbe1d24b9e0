/**
 * NHS Dictionary of medicines and devices (dm+d) identifiers. VTM, VMP, AMP, VMPP and AMPP ids
 * are SNOMED CT concept ids: core ones in short form (partition 00) and UK drug extension ones
 * in long form (partition 10, namespace 1000001), so dm+d reuses the SNOMED concept check
 * rather than restating it.
 */
import { conceptIdProblem, type SctidProblem } from './snomed.js';

/** Returns what is wrong with a dm+d id, or null when it is valid. */
export function dmdIdProblem(id: string): SctidProblem | null {
  return conceptIdProblem(id);
}

/** True when the id is a valid dm+d identifier (a SNOMED CT concept id, short or long form). */
export function isValidDmdId(id: string): boolean {
  return conceptIdProblem(id) === null;
}
