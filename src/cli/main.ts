/**
 * The `ferry` command line: a thin shell that parses arguments, calls the library and prints.
 * Errors are mapped to exit codes here and nowhere else.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_CODES, FerryError, formatIssue } from '../errors.js';
import { loadDotEnv } from './dotenv.js';
import { processIO, type CliIO } from './io.js';

/** A command group adds its subcommands to the program. Actions return an exit code. */
export type Register = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

type GroupModule = () => Promise<{ register: Register }>;

/**
 * Every command group module, in registration order. The order is the order of `ferry --help`,
 * and a group that extends another (`contract pin` onto `contract`, `admin connection` onto
 * `admin`) comes after it.
 */
const groups = {
  contract: () => import('./contract.js'),
  init: () => import('./init.js'),
  synth: () => import('./synth.js'),
  run: () => import('./run.js'),
  rehearse: () => import('./rehearse.js'),
  audit: () => import('./audit.js'),
  crosswalk: () => import('./crosswalk.js'),
  reconcile: () => import('./reconcile.js'),
  profile: () => import('./profile.js'),
  suggest: () => import('./suggest.js'),
  assess: () => import('./assess.js'),
  pin: () => import('./pin.js'),
  lineage: () => import('./lineage.js'),
  rollback: () => import('./rollback.js'),
  backup: () => import('./backup.js'),
  serve: () => import('./serve.js'),
  worker: () => import('./worker.js'),
  sync: () => import('./sync.js'),
  verifyDeployment: () => import('./verify-deployment.js'),
  admin: () => import('./admin.js'),
  adminConnection: () => import('./admin-connection.js'),
  release: () => import('./release.js'),
  safety: () => import('./safety.js'),
  review: () => import('./review.js'),
} satisfies Record<string, GroupModule>;

type GroupName = keyof typeof groups;

/**
 * Top-level command → the group modules that register it and its subcommands. Only these are
 * loaded for that command, so `ferry contract validate` never pays for the server, the engine
 * or the database drivers. A test checks this table against the full program.
 */
export const commandTable: Readonly<Record<string, readonly GroupName[]>> = {
  contract: ['contract', 'pin'],
  init: ['init'],
  synth: ['synth'],
  run: ['run'],
  demo: ['run'],
  rehearse: ['rehearse'],
  audit: ['audit'],
  crosswalk: ['crosswalk'],
  reconcile: ['reconcile'],
  profile: ['profile'],
  suggest: ['suggest'],
  assess: ['assess'],
  lineage: ['lineage'],
  rollback: ['rollback'],
  backup: ['backup'],
  serve: ['serve'],
  worker: ['worker'],
  sync: ['sync'],
  'verify-deployment': ['verifyDeployment'],
  admin: ['admin', 'adminConnection'],
  release: ['release'],
  safety: ['safety'],
  review: ['review'],
};

/** Every group module name, in registration order. */
export const groupNames = Object.keys(groups) as GroupName[];

/**
 * The group modules `argv` needs: the command's own for a known command, none for a bare
 * `--version`, and all of them for the top-level help, `help`, or anything unrecognised (so
 * commander's "did you mean" suggestions still see every command).
 */
export function groupsFor(argv: readonly string[]): GroupName[] {
  const first = argv[0];
  if (argv.length === 1 && (first === '--version' || first === '-V')) return [];
  const wanted = first !== undefined && Object.hasOwn(commandTable, first) ? commandTable[first] : undefined;
  if (!wanted) return groupNames;
  // Registration order, not table order, so a group that extends another comes after it.
  return groupNames.filter((g) => wanted.includes(g));
}

/** Builds the `ferry` program with the named command groups registered (all of them by default). */
export async function buildProgram(io: CliIO, setExit: (code: number) => void, only: readonly GroupName[] = groupNames): Promise<Command> {
  const program = new Command('ferry')
    .description('Ferry: contract-driven migration of hospital PAS/EPR data')
    .version('0.1.0')
    .exitOverride()
    // A fixed help width keeps --help and the generated docs/cli.md identical on every terminal.
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 })
    .showHelpAfterError();
  // Imported in parallel, registered in order: registration order is the help's order.
  const modules = await Promise.all(only.map((name) => groups[name]()));
  for (const m of modules) m.register(program, io, setExit);
  return program;
}

/** Runs the CLI with `argv` (without node and script), after reading `.env` from the working directory; returns the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  try {
    loadDotEnv(io.cwd, io.env);
  } catch (err) {
    return reportError(err, io);
  }
  const program = await buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    groupsFor(argv),
  );
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
