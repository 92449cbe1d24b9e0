/**
 * `ferry lineage --target URL --target-key TABLE:KEY | --source-key TABLE:KEY`: a thin shell
 * over src/lineage.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT_CODES, FerryError } from '../errors.js';
import { formatLineage, lookupLineage, parseTableKey } from '../lineage/query.js';
import type { LineageQuery } from '../connectors/connector.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

interface LineageFlags {
  target?: string;
  targetKey?: string;
  sourceKey?: string;
  contract?: string;
  json?: boolean;
}

async function lineageCommand(flags: LineageFlags, io: CliIO): Promise<number> {
  const targetUrl = flags.target ?? io.env.FERRY_TARGET_URL;
  if (!targetUrl) throw new FerryError('usage', 'cli.no_target', 'no target: give --target URL or set FERRY_TARGET_URL');
  if (Boolean(flags.targetKey) === Boolean(flags.sourceKey)) throw new FerryError('usage', 'lineage.one_key', 'give exactly one of --target-key TABLE:KEY or --source-key TABLE:KEY');
  const query: LineageQuery = flags.targetKey ? { by: 'target', ...parseTableKey(flags.targetKey, '--target-key') } : { by: 'source', ...parseTableKey(flags.sourceKey!, '--source-key') };
  const report = await lookupLineage({ targetUrl, query, contractFile: flags.contract ? path.resolve(io.cwd, flags.contract) : undefined });
  if (flags.json) printJson(io, report);
  else io.out(formatLineage(report));
  return report.entries.length > 0 ? 0 : EXIT_CODES.not_found;
}

export const register: Register = (program: Command, io, setExit) => {
  program
    .command('lineage')
    .description('where a target row came from, or what became of a legacy row, in every run')
    .option('--target <url>', 'the target the runs wrote to (default $FERRY_TARGET_URL)')
    .option('--target-key <table:key>', 'a target row, e.g. patient:1042 (composite keys joined with |)')
    .option('--source-key <table:key>', 'a legacy source row, e.g. PAT:1042')
    .option('--contract <file>', 'also list the fields, steps, crosswalks and rules the mapping applied')
    .option('--json', 'print the JSON answer (docs/lineage.md)')
    .action(async (flags: LineageFlags) => setExit(await lineageCommand(flags, io)));
};
