/**
 * Loads the crosswalk CSVs a contract declares. Paths are relative to the contract and must stay
 * inside its directory, so a contract and its crosswalks are versioned and uploaded together and
 * a contract cannot make a server read arbitrary files.
 */
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { FerryError, issue, type Issue } from '../errors.js';
import { loadCrosswalkFile } from './crosswalk-load.js';
import type { Contract, CrosswalkEntry } from './model.js';
import { formatPath, type Positions } from './positions.js';

/** Reads every declared crosswalk; problems are returned as issues, never thrown. */
export async function loadDeclaredCrosswalks(contract: Contract, file: string, baseDir: string, positions: Positions): Promise<{ crosswalks: Record<string, CrosswalkEntry[]>; issues: Issue[] }> {
  const crosswalks: Record<string, CrosswalkEntry[]> = {};
  const issues: Issue[] = [];
  for (const [name, ref] of Object.entries(contract.crosswalks)) {
    const path = ['crosswalks', name, 'file'];
    // Only a problem needs its position, and finding one can mean parsing the whole YAML again.
    const at = () => ({ file, ...positions.at(path) });
    const full = resolve(baseDir, ref.file);
    const inside = relative(baseDir, full);
    if (isAbsolute(ref.file) || inside.startsWith('..') || isAbsolute(inside)) {
      issues.push(issue('contract.crosswalk_file_outside', formatPath(path), `expected a path inside the contract's directory; found '${ref.file}'`, at()));
      continue;
    }
    const shown = join(dirname(file), ref.file);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) {
      issues.push(issue('contract.crosswalk_file_missing', formatPath(path), `crosswalk file '${ref.file}' not found (looked for ${shown})`, at()));
      continue;
    }
    try {
      crosswalks[name] = await loadCrosswalkFile(full, { caseInsensitive: ref.case_insensitive, displayPath: shown });
    } catch (err) {
      if (!(err instanceof FerryError)) throw err;
      issues.push(...(err.issues.length ? err.issues : [issue(err.code, formatPath(path), err.message, at())]));
    }
  }
  return { crosswalks, issues };
}
