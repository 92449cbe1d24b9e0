/**
 * `ferry contract document CONTRACT --out FILE.html|FILE.md`: writes the data migration
 * specification (the Documented Data Extract) that the integration lead and the clinical
 * safety officer sign off. The subcommand lives in the `contract` group.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { contractDigest } from '../contract/canonical.js';
import { FerryError } from '../errors.js';
import { documentContract, documentFormatFor, type DocumentFormat } from '../contract/document.js';
import { loadContractArg } from './contract.js';
import { printJson, type CliIO } from './io.js';

interface DocumentFlags {
  out: string;
  format?: DocumentFormat;
  json?: boolean;
}

async function document(file: string, flags: DocumentFlags, io: CliIO): Promise<number> {
  const format = flags.format ?? documentFormatFor(flags.out);
  const loaded = await loadContractArg(file, io);
  const text = documentContract(loaded, { format });
  try {
    await writeFile(resolve(io.cwd, flags.out), text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new FerryError('usage', 'document.unwritable', `${flags.out}: cannot write the document (${code}); check the folder exists and is writable`);
  }
  const { name, version } = loaded.contract.metadata;
  const digest = contractDigest(loaded);
  if (flags.json) printJson(io, { file, out: flags.out, format, name, version, digest, bytes: Buffer.byteLength(text) });
  else io.out(`wrote ${flags.out}: ${format === 'html' ? 'HTML' : 'Markdown'} specification of ${name} ${version} (digest ${digest.slice(0, 12)})`);
  return 0;
}

/** Adds `document` to the `contract` command group. */
export function registerDocument(group: Command, io: CliIO, setExit: (code: number) => void): void {
  group
    .command('document')
    .description('write the data migration specification (every table, field, transform, rule, code list and threshold) for sign-off')
    .argument('<file>', 'contract YAML file')
    .requiredOption('--out <file>', 'output file; .html for a self-contained page, .md for Markdown')
    .addOption(new Option('--format <format>', 'html or md (default: from the --out extension)').choices(['html', 'md']))
    .option('--json', 'print { file, out, format, name, version, digest, bytes } as JSON')
    .action(async (file: string, flags: DocumentFlags) => setExit(await document(file, flags, io)));
}
