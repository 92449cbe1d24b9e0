/**
 * `ferry verify-deployment URL`: the smoke test an operator runs after every deploy. Exit 0
 * when every step passed; otherwise the failing step is named and the exit code says which
 * family it belongs to (unreachable 3, login 8, dry run 5, audit chain 9).
 */
import type { Command } from 'commander';
import { EXIT_CODES, FerryError } from '../errors.js';
import { verifyDeployment, type ProbeStep, type VerifyDeploymentResult } from '../server/probe/verify.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

const STEP_EXIT: Record<ProbeStep, number> = {
  health: EXIT_CODES.connection,
  readiness: EXIT_CODES.connection,
  login: EXIT_CODES.forbidden,
  dry_run: EXIT_CODES.run,
  audit_chain: EXIT_CODES.conflict,
};

/** Exit code for a verification result. */
export function verifyExitCode(r: VerifyDeploymentResult): number {
  return r.failed ? STEP_EXIT[r.failed] : 0;
}

interface Flags {
  org?: string;
  project?: string;
  timeout: string;
  json?: boolean;
}

async function run(url: string, flags: Flags, io: CliIO): Promise<number> {
  const username = io.env.FERRY_PROBE_USERNAME;
  const password = io.env.FERRY_PROBE_PASSWORD;
  const projectId = flags.project ?? io.env.FERRY_PROBE_PROJECT;
  const org = flags.org ?? io.env.FERRY_ORG;
  if (!username || !password) throw new FerryError('usage', 'probe.no_account', 'set FERRY_PROBE_USERNAME and FERRY_PROBE_PASSWORD to the probe account (docs/api.md#verify-deployment)');
  if (!org) throw new FerryError('usage', 'probe.no_org', "give --org SLUG or set FERRY_ORG to the probe account's org");
  if (!projectId) throw new FerryError('usage', 'probe.no_project', 'give --project PROJECT_ID or set FERRY_PROBE_PROJECT to the project the probe runs in');
  const timeoutSeconds = Number(flags.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) throw new FerryError('usage', 'cli.bad_number', '--timeout must be a positive whole number of seconds');
  const result = await verifyDeployment({ url, org, username, password, projectId, timeoutSeconds });
  if (flags.json) printJson(io, result);
  else {
    for (const s of result.steps) io.out(`${s.ok ? 'ok  ' : 'FAIL'} ${s.step.padEnd(11)} ${String(s.ms).padStart(6)} ms  ${s.detail}`);
    io.out(result.ok ? `deployment at ${result.url} verified` : `deployment at ${result.url} FAILED at step ${result.failed}`);
  }
  return verifyExitCode(result);
}

export const register: Register = (program: Command, io: CliIO, setExit) => {
  program
    .command('verify-deployment')
    .description('smoke-test a deployed server: health, readiness, probe login, a dry run of the bundled probe contract, audit chain')
    .argument('<url>', 'base URL of the server, e.g. https://ferry.trust.nhs.uk')
    .option('--org <slug>', "the probe account's org (default $FERRY_ORG)")
    .option('--project <id>', 'project the probe runs in (default $FERRY_PROBE_PROJECT)')
    .option('--timeout <seconds>', 'per request, and for the dry run as a whole', '120')
    .option('--json', 'print the result as JSON')
    .action(async (url: string, flags: Flags) => setExit(await run(url, flags, io)));
};
