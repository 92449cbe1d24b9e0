/**
 * The bundled deployment probe: a tiny contract and three synthetic source rows (one of which
 * fails the NHS number check on purpose, so a probe run proves quarantine works too).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The probe contract file. */
export const PROBE_CONTRACT_FILE = path.join(here, 'contract.yaml');

/** The probe source: a `csv:` directory. */
export const PROBE_SOURCE_DIR = path.join(here, 'source');

/** What a probe dry run must report: every row read, one quarantined for its NHS number. */
export const PROBE_EXPECTED = { read: 3, loaded: 2, quarantined: 1 } as const;

/** The probe contract as a contract-version upload body. */
export async function probeUpload(): Promise<{ yaml: string; crosswalks: Record<string, string>; message: string }> {
  return { yaml: await readFile(PROBE_CONTRACT_FILE, 'utf8'), crosswalks: {}, message: 'ferry verify-deployment probe' };
}
