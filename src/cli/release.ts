/**
 * `ferry release`: contract versions and release gates from the command line — submit a
 * contract as a version, approve it, see each tier's status, approve a digest for a tier,
 * promote it. Thin over the control plane; the actor comes from the environment.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { TIERS, type Tier } from '../contract/model.js';
import { loadContract } from '../contract/load.js';
import { describeMissing } from '../control/gates.js';
import type { ReleaseStatus } from '../control/plane.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { asCliUser, withUserOptions } from './control-session.js';

interface Common {
  store?: string;
  user?: string;
  json?: boolean;
  project: string;
}

/** The contract's YAML and the crosswalk files it names, as texts for `submitVersion`. */
export async function readContractTexts(file: string): Promise<{ yaml: string; crosswalks: Record<string, string> }> {
  const loaded = await loadContract(file);
  const dir = path.dirname(file);
  const crosswalks: Record<string, string> = {};
  for (const ref of Object.values(loaded.contract.crosswalks)) crosswalks[ref.file] = await readFile(path.join(dir, ref.file), 'utf8');
  return { yaml: await readFile(file, 'utf8'), crosswalks };
}

/** Release status as text, one block per tier. */
export function formatReleaseStatus(s: ReleaseStatus): string {
  const lines: string[] = [];
  for (const t of s.tiers) {
    lines.push(`${t.tier}: ${t.digest ? t.digest.slice(0, 12) : '(no contract version yet)'}${t.promotion ? ` promoted by ${t.promotion.promotedBy} at ${t.promotion.promotedAt}` : ''}`);
    lines.push(
      `  target: ${t.connection ?? '(no connection chosen)'}; policy: ${t.policy.requiredRoles.join(' + ') || 'approved contract version'}${t.policy.minApprovers > 0 ? `, ${t.policy.minApprovers} distinct approver(s)` : ''}`,
    );
    if (t.policyChangedBy) lines.push(`  policy last changed by ${t.policyChangedBy} at ${t.policyChangedAt}`);
    for (const a of t.approvals) lines.push(`  approved as ${a.role} by ${a.approverId} at ${a.approvedAt}`);
    if (t.lastRun) lines.push(`  last run ${t.lastRun.runId}: ${t.lastRun.status}${t.lastRun.dryRun ? ' (dry run)' : ''}`);
    if (t.digest) lines.push(t.missing.length === 0 ? '  may run: yes' : `  may run: no — ${t.missing.map(describeMissing).join('; ')}`);
  }
  return lines.join('\n');
}

function withCommon(cmd: Command, needsProject = true): Command {
  return withUserOptions(cmd, needsProject ? 'required' : 'none');
}

function print(io: CliIO, flags: { json?: boolean }, value: unknown, text: string): number {
  if (flags.json) printJson(io, value);
  else io.out(text);
  return 0;
}

const tierOption = () => new Option('--tier <tier>', 'release tier').choices(TIERS).makeOptionMandatory();

export const register: Register = (program: Command, io, setExit) => {
  const release = program.command('release').description('contract versions, approvals and release gates (pre_production → staging → production)');

  withCommon(release.command('submit').description('store a contract (with its crosswalks) as an immutable version of the project').argument('<contract>', 'contract YAML file'))
    .option('-m, --message <text>', 'why this version exists', '')
    .action(async (contract: string, flags: Common & { message: string }) => {
      const texts = await readContractTexts(path.resolve(io.cwd, contract));
      const r = await asCliUser(io, flags, (plane, actor) => plane.submitVersion(actor, flags.project, { ...texts, message: flags.message }));
      const { yaml: _yaml, crosswalks: _cw, ...summary } = r.version;
      setExit(print(io, flags, { ...r, version: summary }, `${r.created ? 'stored' : 'already stored as'} version ${r.version.number} (${r.version.id}) digest ${r.version.digest}`));
    });

  withCommon(release.command('approve-version').description('sign off a contract version (integration_lead; not its author)').argument('<versionId>'), false)
    .option('--comment <text>', 'review note', '')
    .action(async (versionId: string, flags: Omit<Common, 'project'> & { comment: string }) => {
      const v = await asCliUser(io, flags, (plane, actor) => plane.approveVersion(actor, versionId, flags.comment));
      setExit(print(io, flags, { id: v.id, number: v.number, digest: v.digest, approval: v.approval }, `approved version ${v.number} (${v.digest})`));
    });

  withCommon(release.command('status').description('per tier: digest, approvals given, conditions still missing'))
    .option('--digest <sha256>', "report on this digest in every tier (default: each tier's promoted digest, else the latest version)")
    .action(async (flags: Common & { digest?: string }) => {
      const s = await asCliUser(io, flags, (plane, actor) => plane.releaseStatus(actor, flags.project, flags.digest));
      setExit(print(io, flags, s, formatReleaseStatus(s)));
    });

  withCommon(release.command('approve').description('approve a contract digest for staging or production'))
    .requiredOption('--digest <sha256>', 'the contract digest')
    .addOption(tierOption())
    .option('--comment <text>', 'approval note', '')
    .action(async (flags: Common & { digest: string; tier: Tier; comment: string }) => {
      const a = await asCliUser(io, flags, (plane, actor) => plane.approveRelease(actor, flags.project, flags.digest, flags.tier, flags.comment));
      setExit(print(io, flags, a, `approved ${a.digest.slice(0, 12)} for ${a.tier} as ${a.role}`));
    });

  withCommon(release.command('promote').description('promote a digest into staging or production once every gate condition holds'))
    .requiredOption('--digest <sha256>', 'the contract digest')
    .addOption(tierOption())
    .action(async (flags: Common & { digest: string; tier: Tier }) => {
      const p = await asCliUser(io, flags, (plane, actor) => plane.promote(actor, flags.project, flags.digest, flags.tier));
      setExit(print(io, flags, p, `promoted ${p.digest.slice(0, 12)} into ${p.tier}`));
    });
};
