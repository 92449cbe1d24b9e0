/**
 * `ferry contract validate|digest|diff|schema|document`: check a contract, print its identity, compare
 * two versions, and emit the JSON Schema for editors. JSON output shapes are documented in
 * docs/contract.md and are stable.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_CODES, FerryError, formatIssue } from '../errors.js';
import { contractDigest } from '../contract/canonical.js';
import { diffContracts, formatDiff } from '../contract/diff.js';
import { contractJsonSchemaText } from '../contract/json-schema.js';
import { loadContractText } from '../contract/load.js';
import type { LoadedContract } from '../contract/model.js';
import { registerDocument } from './document.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

interface JsonFlag {
  json?: boolean;
}

/** Loads a contract named on the command line, relative to the CLI's working directory. */
export async function loadContractArg(file: string, io: CliIO): Promise<LoadedContract> {
  const full = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FerryError('not_found', 'contract.unreadable', `${file}: cannot read the contract (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`);
  }
  return loadContractText(text, file, dirname(full));
}

/** Counts shown by `validate`; part of its JSON output. */
export function contractCounts(loaded: LoadedContract) {
  const c = loaded.contract;
  const columns = (tables: Record<string, { columns: Record<string, unknown> }>) => Object.values(tables).reduce((n, t) => n + Object.keys(t.columns).length, 0);
  return {
    source_tables: Object.keys(c.source.tables).length,
    source_columns: columns(c.source.tables),
    target_tables: Object.keys(c.target.tables).length,
    target_columns: columns(c.target.tables),
    mappings: Object.keys(c.mappings).length,
    fields: Object.values(c.mappings).reduce((n, m) => n + Object.keys(m.fields).length, 0),
    crosswalks: Object.keys(loaded.crosswalks).length,
    crosswalk_entries: Object.values(loaded.crosswalks).reduce((n, e) => n + e.length, 0),
  };
}

async function validate(file: string, flags: JsonFlag, io: CliIO): Promise<number> {
  let loaded: LoadedContract;
  try {
    loaded = await loadContractArg(file, io);
  } catch (err) {
    if (!flags.json || !(err instanceof FerryError)) throw err;
    // Machine-readable on stdout, and still the human-readable issues on stderr for CI logs.
    printJson(io, { ok: false, file, error: { code: err.code, message: err.message }, issues: err.issues });
    io.err(`ferry: ${err.message}`);
    for (const i of err.issues) io.err(formatIssue(i));
    return EXIT_CODES[err.kind];
  }
  const digest = contractDigest(loaded);
  const counts = contractCounts(loaded);
  const { name, version } = loaded.contract.metadata;
  if (flags.json) {
    printJson(io, { ok: true, file, name, version, digest, counts });
    return 0;
  }
  io.out(
    `ok ${file}: ${name} ${version}: ${n(counts.source_tables, 'source table')}, ${n(counts.target_tables, 'target table')}, ` +
      `${n(counts.mappings, 'mapping')}, ${n(counts.fields, 'field')}, ${n(counts.crosswalks, 'crosswalk')} (${n(counts.crosswalk_entries, 'code')}); digest ${digest}`,
  );
  return 0;
}

async function digest(file: string, flags: JsonFlag, io: CliIO): Promise<number> {
  const loaded = await loadContractArg(file, io);
  const value = contractDigest(loaded);
  const { name, version } = loaded.contract.metadata;
  if (flags.json) printJson(io, { file, name, version, algorithm: 'sha256', digest: value });
  // Same layout as sha256sum, so digests can be compared with familiar tools.
  else io.out(`${value}  ${file}`);
  return 0;
}

async function diff(oldFile: string, newFile: string, flags: JsonFlag, io: CliIO): Promise<number> {
  const [before, after] = await Promise.all([loadContractArg(oldFile, io), loadContractArg(newFile, io)]);
  const result = diffContracts(before, after);
  if (flags.json) printJson(io, result);
  else io.out(formatDiff(result));
  return 0;
}

async function schema(flags: { out?: string }, io: CliIO): Promise<number> {
  const text = contractJsonSchemaText();
  if (!flags.out) {
    io.out(text);
    return 0;
  }
  await writeFile(resolve(io.cwd, flags.out), text);
  io.out(`wrote ${flags.out}`);
  return 0;
}

export const register: Register = (program: Command, io, setExit) => {
  const group = program.command('contract').description('validate, fingerprint and compare migration contracts');
  group
    .command('validate')
    .description('check a contract and its crosswalks; print a summary, or every problem as file:line:column')
    .argument('<file>', 'contract YAML file')
    .option('--json', 'print the result as JSON ({ ok, file, name, version, digest, counts } or { ok: false, issues })')
    .action(async (file: string, flags: JsonFlag) => setExit(await validate(file, flags, io)));
  group
    .command('digest')
    .description("print the contract's SHA-256 digest (its identity: runs are pinned to it)")
    .argument('<file>', 'contract YAML file')
    .option('--json', 'print { file, name, version, algorithm, digest } as JSON')
    .action(async (file: string, flags: JsonFlag) => setExit(await digest(file, flags, io)));
  group
    .command('diff')
    .description('show field-level differences between two contract versions')
    .argument('<old>', 'the earlier contract YAML file')
    .argument('<new>', 'the later contract YAML file')
    .option('--json', 'print the structured diff (ContractDiff) as JSON')
    .action(async (oldFile: string, newFile: string, flags: JsonFlag) => setExit(await diff(oldFile, newFile, flags, io)));
  group
    .command('schema')
    .description('print the JSON Schema of the contract format, for editor completion and checking')
    .option('--out <file>', 'write the schema to FILE instead of standard output')
    .action(async (flags: { out?: string }) => setExit(await schema(flags, io)));
  registerDocument(group, io, setExit);
};

function n(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
