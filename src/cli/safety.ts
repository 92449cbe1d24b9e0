/**
 * `ferry safety`: the project's DCB0129 hazard log and the hazard issues runs raise against it
 * (docs/clinical-safety.md). `hazards check` validates a log file offline; everything else acts
 * in the control plane as the user from the environment.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { parseHazardLog, riskRating, RISK_NAMES, SEVERITY_NAMES, LIKELIHOOD_NAMES } from '../control/hazard-log.js';
import type { HazardIssue, HazardLogView } from '../control/plane.js';
import { FerryError } from '../errors.js';
import { asCliUser, withUserOptions } from './control-session.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

interface Common {
  store?: string;
  user?: string;
  org?: string;
  json?: boolean;
  project?: string;
}

function withCommon(cmd: Command): Command {
  return withUserOptions(cmd, 'optional');
}

// `hazards` has subcommands, so commander cannot require its --project for them all; check here.
function projectOf(flags: Common): string {
  if (!flags.project) throw new FerryError('usage', 'cli.missing_project', 'give the project with --project ID');
  return flags.project;
}

const risk = (r: { rating: number; name: string }) => `${r.rating} ${r.name}`;

/** The hazard log as a table: id, risk before and after controls, status, open issues, title. */
export function formatHazardLog(view: HazardLogView): string {
  if (!view.version) return 'no hazard log yet; submit one with ferry safety hazards submit FILE --project ID';
  const lines = [`hazard log version ${view.version.version} (digest ${view.version.digest.slice(0, 12)}) by ${view.version.authorId} at ${view.version.createdAt}`];
  for (const h of view.hazards) {
    lines.push(`${h.id}  initial ${risk(h.initialRisk)}  residual ${risk(h.residualRisk)}  ${h.status}  ${h.openIssues} open issue${h.openIssues === 1 ? '' : 's'}  ${h.title}`);
  }
  if (view.unassignedOpenIssues > 0) lines.push(`${view.unassignedOpenIssues} open issue(s) no hazard names (unassigned): see ferry safety issues`);
  return lines.join('\n');
}

/** Hazard issues, one per line. */
export function formatIssues(issues: HazardIssue[]): string {
  if (issues.length === 0) return 'no hazard issues';
  return issues
    .map((i) => `${i.id}  ${i.status}  ${i.hazardId ?? 'unassigned'}  ${i.signal}  ×${i.occurrences}  last ${i.lastSeenAt}${i.lastRunId ? ` (${i.lastRunId})` : ''}\n    ${i.detail}`)
    .join('\n');
}

export const register: Register = (program: Command, io: CliIO, setExit) => {
  const safety = program.command('safety').description('clinical safety: the DCB0129 hazard log and hazard issues raised by runs');
  const print = (flags: { json?: boolean }, value: unknown, text: string) => {
    if (flags.json) printJson(io, value);
    else io.out(text);
    setExit(0);
  };

  const hazards = withCommon(safety.command('hazards').description("the project's current hazard log with risk ratings and open issue counts")).action(async (flags: Common) => {
    const view = await asCliUser(io, flags, (plane, actor) => plane.getHazardLog(actor, projectOf(flags)));
    print(flags, view, formatHazardLog(view));
  });

  withCommon(hazards.command('submit').description('store a hazard log file as a new version of the project (clinical_safety_officer, integration_lead)').argument('<file>', 'hazard log YAML'))
    .option('--comment <text>', 'why this version exists', '')
    .action(async (file: string, _flags: unknown, cmd: Command) => {
      // `hazards` takes the same options and commander gives them to it; read both levels.
      const flags = cmd.optsWithGlobals<Common & { comment: string }>();
      const text = await readFile(path.resolve(io.cwd, file), 'utf8');
      // Validate first, so errors name the file the user gave.
      parseHazardLog(text, file);
      const r = await asCliUser(io, flags, (plane, actor) => plane.submitHazardLog(actor, projectOf(flags), { text, comment: flags.comment }));
      print(flags, r, `${r.created ? 'stored' : 'already stored as'} hazard log version ${r.version.version} (${r.version.hazards} hazards) digest ${r.version.digest}`);
    });

  hazards
    .command('check')
    .description('validate a hazard log file offline; problems are printed with their line and column')
    .argument('<file>', 'hazard log YAML')
    .option('--json', 'print JSON')
    .action(async (file: string, _flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ json?: boolean }>();
      const doc = parseHazardLog(await readFile(path.resolve(io.cwd, file), 'utf8'), file);
      const rows = doc.hazards.map((h) => ({ id: h.id, initial: riskRating(h.severity, h.likelihood), residual: riskRating(h.residual.severity, h.residual.likelihood) }));
      const text = [
        `${file}: ${doc.hazards.length} hazards, valid`,
        ...doc.hazards.map(
          (h, i) =>
            `${h.id}  ${SEVERITY_NAMES[h.severity - 1]} × ${LIKELIHOOD_NAMES[h.likelihood - 1]} = ${rows[i].initial} ${RISK_NAMES[rows[i].initial - 1]}; residual ${rows[i].residual} ${RISK_NAMES[rows[i].residual - 1]}  ${h.title}`,
        ),
      ].join('\n');
      print(flags, { valid: true, hazards: rows }, text);
    });

  withCommon(safety.command('issues').description("the project's hazard issues, open first"))
    .addOption(new Option('--status <status>', 'only issues in this status').choices(['open', 'resolved', 'accepted']))
    .option('--hazard <id>', 'only issues of this hazard (or unassigned)')
    .action(async (flags: Common & { status?: 'open' | 'resolved' | 'accepted'; hazard?: string }) => {
      const issues = await asCliUser(io, flags, (plane, actor) => plane.listHazardIssues(actor, projectOf(flags), { status: flags.status, hazardId: flags.hazard }));
      print(flags, issues, formatIssues(issues));
    });

  withCommon(safety.command('resolve').description('resolve a hazard issue, or accept its risk, with a comment (clinical_safety_officer, integration_lead)').argument('<issueId>'))
    .addOption(new Option('--status <status>', 'resolved (fixed) or accepted (risk accepted)').choices(['resolved', 'accepted']).makeOptionMandatory())
    .requiredOption('--comment <text>', 'why')
    .action(async (issueId: string, flags: Common & { status: 'resolved' | 'accepted'; comment: string }) => {
      const issue = await asCliUser(io, flags, (plane, actor) => plane.resolveHazardIssue(actor, projectOf(flags), issueId, { status: flags.status, comment: flags.comment }));
      print(flags, issue, `${issue.id} ${issue.status}`);
    });
};
