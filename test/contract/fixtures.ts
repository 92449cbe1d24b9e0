/** Shared helpers for contract tests: the valid fixture and variants of it. */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { FerryError, formatIssue, type Issue } from '../../src/errors.js';
import { loadContractText } from '../../src/contract/load.js';
import type { LoadedContract } from '../../src/contract/model.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/contracts/', import.meta.url));
export const VALID_DIR = `${FIXTURES}valid`;
export const VALID_FILE = `${VALID_DIR}/contract.yaml`;
export const VALID_TEXT = readFileSync(VALID_FILE, 'utf8');

/** The valid contract text with each `[from, to]` replacement applied once (each must match). */
export function variant(...replacements: Array<[string, string]>): string {
  let text = VALID_TEXT;
  for (const [from, to] of replacements) {
    expect(text, `fixture should contain ${JSON.stringify(from)}`).toContain(from);
    text = text.replace(from, to);
  }
  return text;
}

/** Loads contract text as if it sat beside the valid fixture (so its crosswalks resolve). */
export function loadText(text: string): Promise<LoadedContract> {
  return loadContractText(text, 'contract.yaml', VALID_DIR);
}

/** The issues a load fails with; fails the test if the load succeeds or throws anything else. */
export async function issuesOf(promise: Promise<unknown>): Promise<Issue[]> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the contract to be rejected').toBeInstanceOf(FerryError);
  const fe = err as FerryError;
  expect(fe.kind).toBe('contract');
  return fe.issues;
}

/** The issues as compiler-style lines, for readable assertions. */
export function lines(issues: Issue[]): string[] {
  return issues.map(formatIssue);
}

/** Writes a contract and crosswalk files into a fresh temporary directory and loads it. */
export async function loadProject(contractText: string, files: Record<string, string | Buffer>): Promise<LoadedContract> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-contract-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return await loadContractText(contractText, 'contract.yaml', dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const SEX_CSV = readFileSync(`${VALID_DIR}/crosswalks/sex.csv`, 'utf8');
