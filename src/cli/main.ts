/**
 * The `ferry` command line: a thin shell that parses arguments, calls the library and prints.
 * Errors are mapped to exit codes here and nowhere else.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_CODES, FerryError, formatIssue } from '../errors.js';
import { processIO, type CliIO } from './io.js';

/** A command group adds its subcommands to the program. Actions return an exit code. */
export type Register = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

const groups: Array<() => Promise<{ register: Register }>> = [
  () => import('./contract.js'),
  () => import('./init.js'),
  () => import('./synth.js'),
  () => import('./run.js'),
  () => import('./audit.js'),
  () => import('./crosswalk.js'),
  () => import('./reconcile.js'),
  () => import('./profile.js'),
  () => import('./suggest.js'),
  () => import('./pin.js'),
  () => import('./lineage.js'),
  () => import('./rollback.js'),
  () => import('./serve.js'),
  () => import('./verify-deployment.js'),
  () => import('./admin.js'),
  () => import('./admin-connection.js'),
  () => import('./release.js'),
];

/** Builds the full `ferry` program with every command group registered. */
export async function buildProgram(io: CliIO, setExit: (code: number) => void): Promise<Command> {
  const program = new Command('ferry')
    .description('Ferry: contract-driven migration of hospital PAS/EPR data')
    .version('0.1.0')
    .exitOverride()
    // A fixed help width keeps --help and the generated docs/cli.md identical on every terminal.
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 })
    .showHelpAfterError();
  for (const load of groups) (await load()).register(program, io, setExit);
  return program;
}

/** Runs the CLI with `argv` (without node and script), returning the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const program = await buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    return reportError(err, io);
  }
  return exitCode;
}

/** Maps any thrown error to a message and exit code. */
export function reportError(err: unknown, io: CliIO): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return err.exitCode === 0 ? 0 : EXIT_CODES.usage;
  }
  if (err instanceof FerryError) {
    io.err(`ferry: ${err.message}`);
    for (const i of err.issues) io.err(formatIssue(i));
    return EXIT_CODES[err.kind];
  }
  io.err(`ferry: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return EXIT_CODES.internal;
}

export { groups as commandGroups };
