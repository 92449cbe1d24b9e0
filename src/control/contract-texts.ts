/**
 * Loads a contract submitted as texts (YAML plus crosswalk CSVs by path) with the same loader
 * the CLI uses: the texts are written into a private temporary directory laid out as the
 * contract expects, so crosswalk path rules (inside the contract's directory) apply unchanged.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FerryError, issue } from '../errors.js';
import { loadContractText } from '../contract/load.js';
import type { LoadedContract } from '../contract/model.js';

const CONTRACT_FILE = 'contract.yaml';

/** A crosswalk path as the contract names it, normalised (`./a/b.csv` → `a/b.csv`); null when it escapes the directory. */
export function normaliseCrosswalkPath(p: string): string | null {
  const n = path.posix.normalize(p.replace(/\\/g, '/'));
  if (n.startsWith('../') || n === '..' || path.posix.isAbsolute(n) || n === '.' || n.length === 0) return null;
  return n;
}

/** Validates and loads contract texts; refuses crosswalk files the contract does not name. */
export async function loadContractTexts(yaml: string, crosswalks: Record<string, string>): Promise<{ loaded: LoadedContract; crosswalks: Record<string, string> }> {
  const files = new Map<string, string>();
  for (const [p, text] of Object.entries(crosswalks)) {
    const n = normaliseCrosswalkPath(p);
    if (n === null || typeof text !== 'string')
      throw new FerryError('usage', 'version.bad_crosswalk_path', `crosswalk path ${JSON.stringify(p)} must be a relative path inside the contract's directory, mapped to the CSV text`);
    files.set(n, text);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-version-'));
  try {
    for (const [p, text] of files) {
      const full = path.join(dir, ...p.split('/'));
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, text);
    }
    const loaded = await loadContractText(yaml, CONTRACT_FILE, dir);
    const named = new Set(Object.values(loaded.contract.crosswalks).map((ref) => normaliseCrosswalkPath(ref.file)));
    const extra = [...files.keys()].filter((p) => !named.has(p));
    if (extra.length > 0) {
      throw new FerryError(
        'usage',
        'version.unused_crosswalk',
        `${extra.length} crosswalk file(s) are not named by the contract; remove them or reference them under crosswalks:`,
        extra.map((p) => issue('version.unused_crosswalk', `crosswalks.${p}`, `${p} is not referenced by the contract`)),
      );
    }
    // Keys are stored as the contract names them, so a stored version reloads byte for byte.
    return { loaded: { ...loaded, file: CONTRACT_FILE }, crosswalks: Object.fromEntries([...files].sort(([a], [b]) => a.localeCompare(b))) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
