/**
 * Loads a contract: YAML → schema → cross-references and crosswalk files. Each stage collects
 * every problem it finds and the load fails once with all of them; later stages only run on
 * input the earlier ones accepted, because their checks assume its shape.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FerryError, type Issue } from '../errors.js';
import { loadDeclaredCrosswalks } from './crosswalk-files.js';
import { contractSchema, type LoadedContract } from './model.js';
import { explainSchemaIssues } from './schema-issues.js';
import { checkSemantics } from './semantic.js';
import { readPlainYaml } from './yaml-fast.js';
import type { Positions } from './positions.js';

/** Where a library call gets its contract: already loaded (the server's stored versions), or a YAML file. */
export type ContractSource = { contract: LoadedContract; contractFile?: undefined } | { contractFile: string; contract?: undefined };

/** The contract of `o`: as given when already loaded, else read from its file. */
export function contractOf(o: ContractSource): Promise<LoadedContract> {
  return o.contract ? Promise.resolve(o.contract) : loadContract(o.contractFile!);
}

/** Reads, validates and loads the contract at `file` with its crosswalks. */
export async function loadContract(file: string): Promise<LoadedContract> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FerryError('not_found', 'contract.unreadable', `${file}: cannot read the contract (${code ?? String(err)})`);
  }
  return loadContractText(text, file, dirname(resolve(file)));
}

/** Validates contract `text`; `file` names it in issues and `baseDir` is where its crosswalk paths start. */
export async function loadContractText(text: string, file: string, baseDir: string): Promise<LoadedContract> {
  // Most contracts load cleanly and never need a position: read them the fast way, and let any
  // problem be found and reported again by the full parse, so reports are the same either way.
  const plain = readPlainYaml(text);
  if (plain !== undefined) {
    const result = contractSchema.safeParse(plain);
    if (result.success) {
      // Issues found here are thrown away and found again, with their positions, by the full parse below.
      const positions: Positions = { at: () => UNPLACED, offset: () => UNPLACED };
      const issues = checkSemantics(result.data, positions, file);
      const { crosswalks, issues: crosswalkIssues } = await loadDeclaredCrosswalks(result.data, file, baseDir, positions);
      if (issues.length === 0 && crosswalkIssues.length === 0) return { file, contract: result.data, crosswalks };
    }
  }
  const { parseContractYaml } = await import('./yaml.js');
  const parsed = parseContractYaml(text, file);
  if (parsed.issues.length > 0) fail(file, parsed.issues);

  const result = contractSchema.safeParse(parsed.value);
  if (!result.success) fail(file, explainSchemaIssues(result.error.issues, parsed.value, contractSchema, parsed.positions, file));
  const contract = result.data;

  const issues = checkSemantics(contract, parsed.positions, file);
  const { crosswalks, issues: crosswalkIssues } = await loadDeclaredCrosswalks(contract, file, baseDir, parsed.positions);
  issues.push(...crosswalkIssues);
  if (issues.length > 0) fail(file, issues);
  return { file, contract, crosswalks };
}

const UNPLACED = { line: 1, column: 1 };

function fail(file: string, issues: Issue[]): never {
  // Contract issues first in text order, then those inside crosswalk files, grouped by file.
  const rank = (i: Issue) => (i.file === file ? '' : (i.file ?? ''));
  const sorted = issues
    .map((i, n) => ({ i, n }))
    .sort((a, b) => rank(a.i).localeCompare(rank(b.i)) || (a.i.line ?? 0) - (b.i.line ?? 0) || (a.i.column ?? 0) - (b.i.column ?? 0) || a.n - b.n)
    .map((x) => x.i);
  throw new FerryError('contract', 'contract.invalid', `${file}: ${issues.length} problem(s) in the contract`, sorted);
}
