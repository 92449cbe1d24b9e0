/**
 * `ferry admin`: bootstrap an org, manage users, roles, workspaces, projects and API tokens.
 * `admin init`, `admin user unlock` and `admin user reset-password` need only access to the
 * store: the first is how the first org_admin comes to exist, the other two are the operator's
 * break-glass path when every org_admin is locked out. Every other command acts as an
 * authenticated user (see control-session.ts).
 */
import type { Command } from 'commander';
import { localActor } from '../audit/actor.js';
import { FerryError } from '../errors.js';
import type { User } from '../control/plane.js';
import { ROLES, isRole, type Role } from '../control/roles.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { asCliUser, openPlane, withUserOptions } from './control-session.js';

interface Common {
  store?: string;
  user?: string;
  org?: string;
  json?: boolean;
}

function role(value: string): Role {
  if (!isRole(value)) throw new FerryError('usage', 'cli.bad_role', `"${value}" is not a role; use one of ${ROLES.join(', ')}`);
  return value;
}

function secretFromEnv(io: CliIO, name: string, purpose: string): string {
  const v = io.env[name];
  if (!v) throw new FerryError('usage', 'cli.no_password', `set ${name} in the environment to the ${purpose} (passwords are never taken from flags)`);
  return v;
}

function show(io: CliIO, flags: Common, value: unknown, text: string): number {
  if (flags.json) printJson(io, value);
  else io.out(text);
  return 0;
}

const userLine = (u: User) => `${u.id}  ${u.username}${u.lockedAt ? '  (locked)' : ''}  ${u.grants.map((g) => (g.projectId ? `${g.role}@${g.projectId}` : g.role)).join(', ')}`;

function withCommon(cmd: Command): Command {
  return withUserOptions(cmd);
}

/** Options of the break-glass commands, which act with direct store access and no login. */
function breakGlass(cmd: Command): Command {
  return cmd
    .requiredOption('--org <slug>', "the user's org")
    .option('--store <url>', 'control store: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)')
    .option('--json', 'print JSON');
}

export const register: Register = (program: Command, io, setExit) => {
  const admin = program.command('admin').description('manage orgs, users, roles, workspaces, projects and API tokens in the control plane');

  admin
    .command('init')
    .description('create an org and its first org_admin (password from $FERRY_ADMIN_PASSWORD); needs direct store access')
    .requiredOption('--org <slug>', 'short org handle, e.g. trust-a')
    .option('--name <name>', 'display name of the org (default: the slug)')
    .requiredOption('--admin <username>', 'login name of the first org_admin')
    .option('--store <url>', 'control store: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)')
    .option('--json', 'print JSON')
    .action(async (flags: { org: string; name?: string; admin: string; store?: string; json?: boolean }) => {
      const password = secretFromEnv(io, 'FERRY_ADMIN_PASSWORD', "first org_admin's password");
      const s = await openPlane(io, flags.store);
      try {
        const r = await s.plane.initOrg({ slug: flags.org, name: flags.name ?? flags.org, admin: { username: flags.admin, password }, operator: localActor(io.env) });
        setExit(show(io, flags, r, `created org ${r.org.slug} (${r.org.id}) with org_admin ${r.admin.username} (${r.admin.id})`));
      } finally {
        await s.close();
      }
    });

  const user = admin.command('user').description('users and their roles');
  withCommon(user.command('add').description('create a user (their password from $FERRY_NEW_USER_PASSWORD)').argument('<username>'))
    .option('--display-name <name>', 'name shown to others')
    .option('--role <role>', `grant this role org-wide (or on --project): ${ROLES.join(', ')}`)
    .option('--project <id>', 'grant --role on this project only')
    .action(async (username: string, flags: Common & { displayName?: string; role?: string; project?: string }) => {
      const password = secretFromEnv(io, 'FERRY_NEW_USER_PASSWORD', "new user's password");
      const r = await asCliUser(io, flags, async (plane, actor) => {
        const created = await plane.createUser(actor, { username, password, displayName: flags.displayName });
        return flags.role ? plane.grantRole(actor, created.id, role(flags.role), flags.project ?? null) : created;
      });
      setExit(show(io, flags, r, userLine(r)));
    });
  withCommon(user.command('list').description('list the users of your org')).action(async (flags: Common) => {
    const users = await asCliUser(io, flags, (plane, actor) => plane.listUsers(actor));
    setExit(show(io, flags, users, users.map(userLine).join('\n')));
  });
  withCommon(user.command('lock').description('lock a user until unlocked; ends their sessions and revokes their API tokens').argument('<userId>')).action(async (userId: string, flags: Common) => {
    const r = userLine(await asCliUser(io, flags, (plane, actor) => plane.lockUser(actor, userId)));
    setExit(show(io, flags, { result: r }, r));
  });
  withCommon(user.command('reset-sessions').description('end every session of a user (with --tokens, revoke their API tokens too)').argument('<userId>'))
    .option('--tokens', 'also revoke their API tokens')
    .action(async (userId: string, flags: Common & { tokens?: boolean }) => {
      const c = await asCliUser(io, flags, (plane, actor) => plane.resetSessions(actor, userId, { tokens: flags.tokens === true }));
      const r = `${c.sessions} session(s) ended${flags.tokens ? `, ${c.tokens} API token(s) revoked` : ''}`;
      setExit(show(io, flags, { result: r, ...c }, r));
    });
  breakGlass(
    user.command('unlock').description('unlock a user and clear their failed logins and back-offs; direct store access, no login (break-glass)').argument('<user>', 'user id or login name'),
  ).action(async (target: string, flags: Common & { org: string }) => {
    const s = await openPlane(io, flags.store);
    try {
      const u = await s.plane.operatorUnlock({ org: flags.org, user: target, operator: localActor(io.env) });
      setExit(show(io, flags, u, userLine(u)));
    } finally {
      await s.close();
    }
  });
  breakGlass(
    user
      .command('reset-password')
      .description("set a user's password from $FERRY_NEW_PASSWORD, ending their sessions and API tokens; direct store access, no login (break-glass)")
      .argument('<user>', 'user id or login name'),
  ).action(async (target: string, flags: Common & { org: string }) => {
    const newPassword = secretFromEnv(io, 'FERRY_NEW_PASSWORD', "user's new password");
    const s = await openPlane(io, flags.store);
    try {
      const u = await s.plane.operatorResetPassword({ org: flags.org, user: target, newPassword, operator: localActor(io.env) });
      setExit(show(io, flags, u, `password reset: ${userLine(u)}`));
    } finally {
      await s.close();
    }
  });
  for (const name of ['grant', 'revoke'] as const) {
    withCommon(user.command(name).description(`${name} a role, org-wide or on --project`).argument('<userId>').argument('<role>', ROLES.join(' | ')))
      .option('--project <id>', 'the project (default: the whole org)')
      .action(async (userId: string, roleName: string, flags: Common & { project?: string }) => {
        const r = await asCliUser(io, flags, (plane, actor) => (name === 'grant' ? plane.grantRole : plane.revokeRole)(actor, userId, role(roleName), flags.project ?? null));
        setExit(show(io, flags, r, userLine(r)));
      });
  }

  withCommon(admin.command('workspace').description('create a workspace').argument('<name>')).action(async (name: string, flags: Common) => {
    const ws = await asCliUser(io, flags, (plane, actor) => plane.createWorkspace(actor, { name }));
    setExit(show(io, flags, ws, `${ws.id}  ${ws.name}`));
  });
  withCommon(admin.command('project').description('create a project in a workspace').argument('<workspaceId>').argument('<name>')).action(async (workspaceId: string, name: string, flags: Common) => {
    const p = await asCliUser(io, flags, (plane, actor) => plane.createProject(actor, workspaceId, { name }));
    setExit(show(io, flags, p, `${p.id}  ${p.name}`));
  });

  const token = admin.command('token').description('your personal API tokens (for scripts and CI: export FERRY_TOKEN=…)');
  withCommon(token.command('create').description('create a token; it is printed once and never shown again').argument('<name>'))
    .option('--expires <iso>', 'expiry date-time (default: until revoked)')
    .action(async (name: string, flags: Common & { expires?: string }) => {
      const t = await asCliUser(io, flags, (plane, actor) => plane.createToken(actor, { name, expiresAt: flags.expires ?? null }));
      setExit(show(io, flags, t, `${t.token}\n(token ${t.info.id}: copy it now, it is not stored and cannot be shown again)`));
    });
  withCommon(token.command('revoke').description("revoke a token (yours, or anyone's in your org as org_admin)").argument('<tokenId>')).action(async (tokenId: string, flags: Common) => {
    const t = await asCliUser(io, flags, (plane, actor) => plane.revokeToken(actor, tokenId));
    setExit(show(io, flags, t, `revoked ${t.id} (${t.name})`));
  });
};
