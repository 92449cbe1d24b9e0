/**
 * `ferry rollback RUN_ID --target URL`: a thin shell over src/rollback. Without `--yes` it
 * only checks and prints what it would undo.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { localActor } from '../audit/actor.js';
import { openConfiguredStore } from '../audit/open-store.js';
import { FerryError } from '../errors.js';
import { auditRollback } from '../rollback/audit.js';
import { formatRollback, rollbackRun } from '../rollback/rollback.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

interface RollbackFlags {
  target?: string;
  contract?: string;
  yes?: boolean;
  json?: boolean;
  store?: string;
}

async function rollbackCommand(runId: string, flags: RollbackFlags, io: CliIO): Promise<number> {
  const targetUrl = flags.target ?? io.env.FERRY_TARGET_URL;
  if (!targetUrl) throw new FerryError('usage', 'cli.no_target', 'no target: give --target URL or set FERRY_TARGET_URL');
  // Opened first: a rollback that cannot be recorded in the audit trail must not happen.
  const store = flags.yes ? await openConfiguredStore({ flag: flags.store, env: io.env, cwd: io.cwd }) : undefined;
  try {
    const report = await rollbackRun({ targetUrl, runId, contractFile: flags.contract ? path.resolve(io.cwd, flags.contract) : undefined, execute: Boolean(flags.yes) });
    if (store) await auditRollback(store, localActor(io.env), report);
    if (flags.json) printJson(io, report);
    else io.out(formatRollback(report));
    return 0;
  } finally {
    await store?.close();
  }
}

export const register: Register = (program: Command, io, setExit) => {
  program
    .command('rollback')
    .description('undo a run: remove the rows it inserted and restore the rows it changed to their before-image')
    .argument('<runId>', 'the run to undo (printed when it started, and in its report)')
    .option('--target <url>', 'the target the run wrote to (default $FERRY_TARGET_URL)')
    .option('--contract <file>', 'refuse unless the run was made with exactly this contract version')
    .option('--yes', 'really roll back; without it Ferry only checks and prints what it would undo')
    .option('--json', 'print the JSON rollback report (docs/lineage.md)')
    .option('--store <url>', 'control store for the audit trail: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)')
    .action(async (runId: string, flags: RollbackFlags) => setExit(await rollbackCommand(runId, flags, io)));
};
